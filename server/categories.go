package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/uptrace/bunrouter"
)

func (s *Server) listCategories(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.Category], error) {
		return d.ListCategories(ctx, pr)
	})
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

func (s *Server) getCategory(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Category")
	if err != nil {
		return err
	}
	c, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Category, error) { return d.Category(ctx, id) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
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
