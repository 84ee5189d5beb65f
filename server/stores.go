package server

import (
	"net/http"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

func (s *Server) listStores(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	pr := pageRequest(req.URL.Query(), &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListStores(req.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getStore(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	st, err := s.db.Store(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
