package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// maxQueryLen bounds free-text filters.
const maxQueryLen = 100

func (s *Server) listInventory(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.InventoryFilter{
		Q:          strings.TrimSpace(q.Get("q")),
		CategoryID: optionalID(q, "category", &errs),
		LowStock:   optionalBool(q, "low_stock", &errs),
		Incoming:   optionalBool(q, "incoming", &errs),
		Threshold:  s.cfg.LowStock,
	}
	switch {
	case len([]rune(f.Q)) > maxQueryLen:
		errs.Add("q", "must be at most 100 characters")
	case hasControl(f.Q, false):
		// PostgreSQL refuses a NUL outright; it is the client's mistake
		// (validQuery has already refused invalid UTF-8).
		errs.Add("q", "must be UTF-8 text without control characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.InventoryItem], error) {
		return d.ListInventory(ctx, storeID, f, pr)
	})
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

// storeProduct reads the {id} and {product_id} path parameters.
func storeProduct(req bunrouter.Request) (storeID, productID int64, err error) {
	if storeID, err = pathID(req, "id", "Store"); err != nil {
		return 0, 0, err
	}
	productID, err = pathID(req, "product_id", "Product")
	return storeID, productID, err
}

func (s *Server) getInventoryItem(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	it, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.InventoryItem, error) {
		return d.InventoryItem(ctx, storeID, productID)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

// validMovement checks a stock write's reason (a code of
// aforro.StockReasons: an unknown one is refused with the list), note and
// reference (optional, bounded, one line for the reference), and returns
// them trimmed as the ledger keeps them.
func validMovement(reason, note, reference string, errs *aforro.FieldErrors) db.Movement {
	m := db.Movement{Reason: strings.TrimSpace(reason), Note: strings.TrimSpace(note), Reference: strings.TrimSpace(reference)}
	switch {
	case m.Reason == "":
		errs.Add("reason", "is required: "+aforro.StockReasonProblem())
	case !aforro.IsStockReason(m.Reason):
		errs.Add("reason", aforro.StockReasonProblem())
	}
	if len([]rune(m.Note)) > aforro.MaxMovementNote {
		errs.Add("note", fmt.Sprintf("must be at most %d characters", aforro.MaxMovementNote))
	} else if hasControl(m.Note, true) {
		errs.Add("note", "must be text without control characters other than line breaks and tabs")
	}
	if len([]rune(m.Reference)) > aforro.MaxMovementReference {
		errs.Add("reference", fmt.Sprintf("must be at most %d characters", aforro.MaxMovementReference))
	} else if hasControl(m.Reference, false) {
		errs.Add("reference", "must be one line without control characters")
	}
	return m
}

func (s *Server) setStock(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	var body aforro.SetStock
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	var errs aforro.FieldErrors
	switch {
	case body.Quantity == nil:
		errs.Add("quantity", "is required")
	case *body.Quantity < 0 || *body.Quantity > aforro.MaxStock:
		errs.Add("quantity", "must be between 0 and 1000000000")
	}
	m := validMovement(body.Reason, body.Note, body.Reference, &errs)
	validExpected(body.ExpectedQuantity, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	body.Reason, body.Note, body.Reference = m.Reason, m.Note, m.Reference
	write := db.StockWrite{StoreID: storeID, ProductID: productID, Set: true, Quantity: *body.Quantity,
		Movement: m, Expected: body.ExpectedQuantity}
	return s.writeStock(w, req, write, body)
}

// validExpected records a problem unless an expected_quantity given is a
// possible quantity.
func validExpected(q *int, errs *aforro.FieldErrors) {
	if q != nil && (*q < 0 || *q > aforro.MaxStock) {
		errs.Add("expected_quantity", "must be between 0 and 1000000000")
	}
}

// writeStock runs a validated PUT or adjust, idempotent under an
// Idempotency-Key as orders are: the key is bound to the method, the
// canonical path and the canonical body, so the same key on another row or
// with another body is 409.
func (s *Server) writeStock(w http.ResponseWriter, req bunrouter.Request, write db.StockWrite, body any) error {
	request := fmt.Sprintf("%s /api/stores/%d/inventory/%d/", req.Method, write.StoreID, write.ProductID)
	if !write.Set {
		request += "adjust/"
	}
	var err error
	if write.Key, err = stockKey(req, request, body); err != nil {
		return err
	}
	res, err := s.db.WriteStock(req.Context(), write)
	if err != nil {
		return err
	}
	writeKeyed(w, res.Status, res.Response, res.Replayed)
	return nil
}

// stockKey is the request's Idempotency-Key (nil: none) for the calling
// token, bound to the canonical request line and body, so the same key on
// another resource or with another body is 409.
func stockKey(req bunrouter.Request, request string, body any) (*db.IdempotencyKey, error) {
	canon := struct {
		Request string `json:"request"`
		Body    any    `json:"body"`
	}{request, body}
	return idempotencyKey(req, strconv.FormatInt(tokenFrom(req.Context()).ID, 10), canon)
}

func (s *Server) adjustStock(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	var body aforro.AdjustStock
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	var errs aforro.FieldErrors
	switch {
	case body.Delta == nil:
		errs.Add("delta", "is required")
	case *body.Delta == 0 || *body.Delta < -aforro.MaxStock || *body.Delta > aforro.MaxStock:
		errs.Add("delta", "must be a non-zero integer between -1000000000 and 1000000000")
	}
	m := validMovement(body.Reason, body.Note, body.Reference, &errs)
	validExpected(body.ExpectedQuantity, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	body.Reason, body.Note, body.Reference = m.Reason, m.Note, m.Reference
	write := db.StockWrite{StoreID: storeID, ProductID: productID, Delta: *body.Delta,
		Movement: m, Expected: body.ExpectedQuantity}
	return s.writeStock(w, req, write, body)
}

func (s *Server) listMovements(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, productID, err := storeProduct(req)
	if err != nil {
		return err
	}
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.MovementFilter{TokenID: optionalID(req.URL.Query(), "token_id", &errs)}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.StockMovement], error) {
		return d.ListMovements(ctx, storeID, productID, f, pr)
	})
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}
