package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/uptrace/bunrouter"
)

func (s *Server) listStores(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.Store], error) { return d.ListStores(ctx, pr) })
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

func (s *Server) getStore(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	st, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Store, error) { return d.Store(ctx, id) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
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
