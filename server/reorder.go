package server

import (
	"net/http"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// setReorder answers PUT /api/stores/{id}/inventory/{product_id}/reorder/:
// both fields are written; null (or absent) clears one, so the row falls
// back to the global --low-stock threshold.
func (s *Server) setReorder(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	var body aforro.ReorderInput
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	var errs aforro.FieldErrors
	if p := body.ReorderPoint; p != nil && (*p < 0 || *p > aforro.MaxStock) {
		errs.Add("reorder_point", "must be null or an integer between 0 and 1000000000")
	}
	if q := body.ReorderQuantity; q != nil && (*q < 0 || *q > aforro.MaxStock) {
		errs.Add("reorder_quantity", "must be null or an integer between 0 and 1000000000")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	it, err := s.db.SetReorder(req.Context(), storeID, productID, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}
