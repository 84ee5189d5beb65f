package server

import (
	"net/http"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

func (s *Server) listCategories(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	pr := pageRequest(req.URL.Query(), &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListCategories(req.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getCategory(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Category")
	if err != nil {
		return err
	}
	c, err := s.db.Category(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listProducts(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr := pageRequest(q, &errs)
	f := aforro.ProductFilter{CategoryID: optionalID(q, "category", &errs)}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListProducts(req.Context(), f, pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getProduct(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Product")
	if err != nil {
		return err
	}
	p, err := s.db.Product(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
