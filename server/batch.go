package server

import (
	"fmt"
	"net/http"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// stockBatch answers POST /api/stores/{id}/inventory/batch/: many set or
// add writes of one store in one transaction. What is wrong with the
// request as a whole (mode, error_policy, the rows' count, the JSON) is a
// 400; what is wrong with a row is that row's error in the answer, 200
// under reject_failed and 422 under reject_all. Idempotency-Key works as on
// PUT and adjust.
func (s *Server) stockBatch(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	var body aforro.StockBatch
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	var errs aforro.FieldErrors
	switch body.Mode {
	case aforro.BatchModeSet, aforro.BatchModeAdd:
	case "":
		errs.Add("mode", "is required: set (each quantity becomes the stock) or add (each quantity is added to it)")
	default:
		errs.Add("mode", "must be set or add")
	}
	switch body.ErrorPolicy {
	case aforro.BatchRejectAll, aforro.BatchRejectFailed:
	case "":
		errs.Add("error_policy", "is required: reject_all (any failed row rejects the batch) or reject_failed (the other rows are applied)")
	default:
		errs.Add("error_policy", "must be reject_all or reject_failed")
	}
	switch {
	case len(body.Rows) == 0:
		errs.Add("rows", fmt.Sprintf("is required: 1 to %d rows", aforro.MaxBatchRows))
	case len(body.Rows) > aforro.MaxBatchRows:
		errs.Add("rows", fmt.Sprintf("must hold at most %d rows; send the others in another batch", aforro.MaxBatchRows))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	add := body.Mode == aforro.BatchModeAdd
	write := db.BatchWrite{StoreID: storeID, Add: add, RejectAll: body.ErrorPolicy == aforro.BatchRejectAll,
		DryRun: body.DryRun, Rows: make([]db.BatchRow, len(body.Rows))}
	for i := range body.Rows {
		write.Rows[i] = validBatchRow(i, &body.Rows[i], add)
	}
	if write.Key, err = stockKey(req, fmt.Sprintf("POST /api/stores/%d/inventory/batch/", storeID), body); err != nil {
		return err
	}
	res, err := s.db.WriteBatch(req.Context(), write)
	if err != nil {
		return err
	}
	writeKeyed(w, res.Status, res.Response, res.Replayed)
	return nil
}

// validBatchRow checks row i as PUT (set) or adjust (add) checks its body,
// trimming its reason and note in place, and returns it for the database
// with its problems keyed "rows[i].quantity".
func validBatchRow(i int, row *aforro.StockBatchRow, add bool) db.BatchRow {
	var errs aforro.FieldErrors
	switch {
	case row.ProductID == nil:
		errs.Add("product_id", "is required")
	case *row.ProductID < 1:
		errs.Add("product_id", "must be a product id (a positive integer)")
	}
	switch q := row.Quantity; {
	case q == nil:
		errs.Add("quantity", "is required")
	case add && (*q == 0 || *q < -aforro.MaxStock || *q > aforro.MaxStock):
		errs.Add("quantity", "must be a non-zero integer between -1000000000 and 1000000000 (add mode)")
	case !add && (*q < 0 || *q > aforro.MaxStock):
		errs.Add("quantity", "must be between 0 and 1000000000 (set mode)")
	}
	out := db.BatchRow{ProductID: row.ProductID, Movement: validMovement(row.Reason, row.Note, row.Reference, &errs)}
	if row.Quantity != nil {
		out.Quantity = *row.Quantity
	}
	if len(errs) == 0 {
		return out
	}
	var keyed aforro.FieldErrors
	for k, v := range errs {
		keyed.Add(fmt.Sprintf("rows[%d].%s", i, k), v)
	}
	e := keyed.Err().(*aforro.Error)
	out.Err = &aforro.BatchRowError{Code: e.Code, Message: e.Message, Fields: e.Fields}
	return out
}
