package server

import (
	"net/http"
	"strings"

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

// maxQueryLen bounds free-text filters.
const maxQueryLen = 100

func (s *Server) listInventory(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr := pageRequest(q, &errs)
	f := aforro.InventoryFilter{
		Q:          strings.TrimSpace(q.Get("q")),
		CategoryID: optionalID(q, "category", &errs),
		LowStock:   optionalBool(q, "low_stock", &errs),
		Threshold:  s.cfg.LowStock,
	}
	if len([]rune(f.Q)) > maxQueryLen {
		errs.Add("q", "must be at most 100 characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListInventory(req.Context(), storeID, f, pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
