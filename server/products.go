package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/uptrace/bunrouter"
)

func (s *Server) listProducts(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.ProductFilter{CategoryID: optionalID(q, "category", &errs)}
	if q.Has("updated_since") {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(q.Get("updated_since")))
		if err != nil {
			errs.Add("updated_since", "must be a time as RFC 3339, such as 2026-12-01T00:00:00Z")
		}
		f.UpdatedSince = t
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.Product], error) {
		return d.ListProducts(ctx, f, pr)
	})
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

func (s *Server) getProduct(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Product")
	if err != nil {
		return err
	}
	p, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Product, error) { return d.Product(ctx, id) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
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
	// The codes stay raw too: a null SKU means "remove it", and each
	// barcode's problem is keyed by its index.
	SKU      json.RawMessage `json:"sku"`
	Barcodes json.RawMessage `json:"barcodes"`
}

// patchProduct reads and checks a PATCH body of a product.
func patchProduct(r *http.Request) (aforro.ProductInput, error) { return decodeProduct(r, false) }

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
	in.SKU = decodeSKU(b.SKU, &errs)
	in.Barcodes = decodeBarcodes(b.Barcodes, &errs)
	if !create && in.Title == nil && in.Description == nil && in.Price == nil && in.CategoryID == nil &&
		in.SKU == nil && in.Barcodes == nil && len(errs) == 0 {
		return in, nothingToChange("title, description, price, category_id, sku or barcodes")
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
