package server

import (
	"encoding/json"
	"net/http"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// setReorder answers PUT /api/stores/{id}/inventory/{product_id}/reorder/:
// both fields are written. reorder_point must be given, a number or null
// (null clears it, so the row falls back to the global --low-stock), so an
// empty or null body is a 400 rather than a silent clear; reorder_quantity
// is optional, absent or null clearing it.
func (s *Server) setReorder(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	var body struct {
		ReorderPoint    json.RawMessage `json:"reorder_point"` // nil when absent, "null" when null
		ReorderQuantity *int            `json:"reorder_quantity"`
	}
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	var errs aforro.FieldErrors
	const outOfRange = "must be null or an integer between 0 and 1000000000"
	in := aforro.ReorderInput{ReorderQuantity: body.ReorderQuantity}
	switch raw := string(body.ReorderPoint); raw {
	case "":
		errs.Add("reorder_point", "is required: an integer between 0 and 1000000000, or null to use the global threshold")
	case "null":
	default:
		var p int
		if err := json.Unmarshal(body.ReorderPoint, &p); err != nil || p < 0 || p > aforro.MaxStock {
			errs.Add("reorder_point", outOfRange)
		} else {
			in.ReorderPoint = &p
		}
	}
	if q := body.ReorderQuantity; q != nil && (*q < 0 || *q > aforro.MaxStock) {
		errs.Add("reorder_quantity", outOfRange)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	it, err := s.db.SetReorder(req.Context(), storeID, productID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}
