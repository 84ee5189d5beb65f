package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// Admin writes of categories, products and stores. POST needs every required
// field and answers 201 with the resource and a Location header; PATCH takes
// any non-empty subset (an empty one is 400: a PATCH that changes nothing is
// more likely a client bug than an intent) and answers 200 with the whole
// resource; DELETE answers 204. JSON null counts as an absent field.

// textRule is the validation of one free-text field; values are trimmed of
// surrounding white space before they are measured and stored.
type textRule struct {
	field     string
	min, max  int  // length in characters
	multiline bool // line breaks and tabs allowed
}

// check trims *v in place and records a problem with it; a nil v is a
// problem only when required.
func (r textRule) check(v *string, required bool, errs *aforro.FieldErrors) {
	if v == nil {
		if required {
			errs.Add(r.field, "is required")
		}
		return
	}
	*v = strings.TrimSpace(*v)
	switch n := utf8.RuneCountInString(*v); {
	case n < r.min:
		errs.Add(r.field, "must not be empty")
	case n > r.max:
		errs.Add(r.field, fmt.Sprintf("must be at most %d characters", r.max))
	case hasControl(*v, r.multiline):
		// PostgreSQL text cannot hold NUL, and no name needs a control character.
		errs.Add(r.field, "must not contain control characters")
	}
}

// hasControl reports whether s holds a control character other than, when
// multiline, a line break or tab.
func hasControl(s string, multiline bool) bool {
	for _, c := range s {
		if multiline && (c == '\n' || c == '\r' || c == '\t') {
			continue
		}
		if unicode.IsControl(c) {
			return true
		}
	}
	return false
}

// nothingToChange is the answer to a PATCH without any field.
func nothingToChange(fields string) error {
	return aforro.Errorf(aforro.EINVALID, "Nothing to change: send at least one of %s.", fields)
}

// created answers 201 with v and where it lives.
func created(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

func validateCategory(in *aforro.CategoryInput, create bool) error {
	if !create && in.Name == nil {
		return nothingToChange("name")
	}
	var errs aforro.FieldErrors
	textRule{field: "name", min: 1, max: aforro.MaxCategoryName}.check(in.Name, create, &errs)
	return errs.Err()
}

func (s *Server) createCategory(w http.ResponseWriter, req bunrouter.Request) error {
	var in aforro.CategoryInput
	if err := decodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validateCategory(&in, true); err != nil {
		return err
	}
	c, err := s.db.CreateCategory(req.Context(), *in.Name)
	if err != nil {
		return err
	}
	created(w, fmt.Sprintf("/api/categories/%d/", c.ID), c)
	return nil
}

func (s *Server) updateCategory(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Category")
	if err != nil {
		return err
	}
	var in aforro.CategoryInput
	if err := decodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validateCategory(&in, false); err != nil {
		return err
	}
	c, err := s.db.UpdateCategory(req.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCategory(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Category")
	if err != nil {
		return err
	}
	if err := s.db.DeleteCategory(req.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// productBody is aforro.ProductInput as decoded: the price stays raw so that
// its problems are reported under the field "price" (encoding/json does not
// say which field a custom unmarshaller failed on). TestProductBodyMirrorsInput
// keeps the two in step.
type productBody struct {
	Title       *string         `json:"title"`
	Description *string         `json:"description"`
	Price       json.RawMessage `json:"price"`
	CategoryID  *int64          `json:"category_id"`
}

// decodeProduct reads and validates a product body; create requires title,
// price and category_id, otherwise at least one field.
func decodeProduct(r *http.Request, create bool) (aforro.ProductInput, error) {
	var b productBody
	if err := decodeJSON(r, &b); err != nil {
		return aforro.ProductInput{}, err
	}
	in := aforro.ProductInput{Title: b.Title, Description: b.Description, CategoryID: b.CategoryID}
	var errs aforro.FieldErrors
	if len(b.Price) > 0 && string(b.Price) != "null" {
		var m aforro.Money
		if err := m.UnmarshalJSON(b.Price); err != nil {
			errs.Add("price", err.Error())
		} else {
			in.Price = &m
		}
	}
	if !create && in.Title == nil && in.Description == nil && in.Price == nil && in.CategoryID == nil &&
		len(errs) == 0 {
		return in, nothingToChange("title, description, price or category_id")
	}
	textRule{field: "title", min: 1, max: aforro.MaxProductTitle}.check(in.Title, create, &errs)
	textRule{field: "description", max: aforro.MaxDescription, multiline: true}.check(in.Description, false, &errs)
	if create && in.Price == nil {
		errs.Add("price", "is required")
	}
	switch {
	case in.CategoryID == nil:
		if create {
			errs.Add("category_id", "is required")
		}
	case *in.CategoryID < 1:
		errs.Add("category_id", "must be a positive integer")
	}
	return in, errs.Err()
}

func (s *Server) createProduct(w http.ResponseWriter, req bunrouter.Request) error {
	in, err := decodeProduct(req.Request, true)
	if err != nil {
		return err
	}
	p, err := s.db.CreateProduct(req.Context(), in)
	if err != nil {
		return err
	}
	created(w, fmt.Sprintf("/api/products/%d/", p.ID), p)
	return nil
}

func (s *Server) updateProduct(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Product")
	if err != nil {
		return err
	}
	in, err := decodeProduct(req.Request, false)
	if err != nil {
		return err
	}
	p, err := s.db.UpdateProduct(req.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) deleteProduct(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Product")
	if err != nil {
		return err
	}
	if err := s.db.DeleteProduct(req.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func validateStore(in *aforro.StoreInput, create bool) error {
	if !create && in.Name == nil && in.Location == nil {
		return nothingToChange("name or location")
	}
	var errs aforro.FieldErrors
	textRule{field: "name", min: 1, max: aforro.MaxStoreName}.check(in.Name, create, &errs)
	textRule{field: "location", max: aforro.MaxStoreLocation}.check(in.Location, false, &errs)
	return errs.Err()
}

func (s *Server) createStore(w http.ResponseWriter, req bunrouter.Request) error {
	var in aforro.StoreInput
	if err := decodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validateStore(&in, true); err != nil {
		return err
	}
	st, err := s.db.CreateStore(req.Context(), in)
	if err != nil {
		return err
	}
	created(w, fmt.Sprintf("/api/stores/%d/", st.ID), st)
	return nil
}

func (s *Server) updateStore(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	var in aforro.StoreInput
	if err := decodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validateStore(&in, false); err != nil {
		return err
	}
	st, err := s.db.UpdateStore(req.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) deleteStore(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	if err := s.db.DeleteStore(req.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
