package server

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// validateOrder checks the shape of a new order; the database then checks
// that its store and products exist.
func validateOrder(o *aforro.PlaceOrder) error {
	var errs aforro.FieldErrors
	if o.StoreID < 1 {
		errs.Add("store_id", "must be a positive integer")
	}
	switch {
	case len(o.Items) == 0:
		errs.Add("items", "must contain at least one line")
	case len(o.Items) > aforro.MaxOrderLines:
		errs.Add("items", fmt.Sprintf("must have at most %d lines", aforro.MaxOrderLines))
	}
	seen := map[int64]int{}
	for i, l := range o.Items {
		if len(o.Items) > aforro.MaxOrderLines {
			break
		}
		p := fmt.Sprintf("items[%d]", i)
		if l.ProductID < 1 {
			errs.Add(p+".product_id", "must be a positive integer")
		} else if j, dup := seen[l.ProductID]; dup {
			errs.Add(p+".product_id", fmt.Sprintf("duplicates items[%d]: product %d may appear once; add the quantities", j, l.ProductID))
		} else {
			seen[l.ProductID] = i
		}
		switch {
		case l.QuantityRequested < 1:
			errs.Add(p+".quantity_requested", "must be at least 1")
		case l.QuantityRequested > aforro.MaxLineQuantity:
			errs.Add(p+".quantity_requested", fmt.Sprintf("must be at most %d", aforro.MaxLineQuantity))
		}
	}
	o.CustomerEmail = strings.TrimSpace(o.CustomerEmail)
	if e := o.CustomerEmail; e != "" {
		addr, err := mail.ParseAddress(e)
		if err != nil || addr.Address != e || addr.Name != "" || len(e) > aforro.MaxEmailLength {
			errs.Add("customer_email", "must be a plain email address such as ana@example.com")
		}
	}
	return errs.Err()
}

// idempotencyKey reads the Idempotency-Key header: 1-255 printable ASCII
// characters. The key is scoped to the caller and bound to a hash of the
// canonical request, so the same order sent with other whitespace still
// replays.
func idempotencyKey(req bunrouter.Request, scope string, body any) (*db.IdempotencyKey, error) {
	k := req.Header.Get("Idempotency-Key")
	if k == "" {
		return nil, nil
	}
	if len(k) > aforro.MaxIdempotentKey || !printable(k) {
		e := aforro.Errorf(aforro.EINVALID, "Idempotency-Key must be 1-255 printable characters.")
		e.Fields = map[string]string{"Idempotency-Key": "must be 1-255 printable characters"}
		return nil, e
	}
	canon, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("canonical request: %w", err)
	}
	sum := sha256.Sum256(canon)
	return &db.IdempotencyKey{Scope: scope, Key: k, Hash: sum[:]}, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (s *Server) placeOrder(w http.ResponseWriter, req bunrouter.Request) error {
	var body aforro.PlaceOrder
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	if err := validateOrder(&body); err != nil {
		return err
	}
	tok := tokenFrom(req.Context())
	if err := requireStore(tok, body.StoreID); err != nil {
		return err
	}
	key, err := idempotencyKey(req, strconv.FormatInt(tok.ID, 10), body)
	if err != nil {
		return err
	}
	res, err := s.db.PlaceOrder(req.Context(), body, key)
	if err != nil {
		return err
	}
	if !res.Replayed {
		s.metrics.order(res.Order.Status)
	}
	writeKeyed(w, http.StatusCreated, res.Response, res.Replayed)
	return nil
}

func (s *Server) getOrder(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Order")
	if err != nil {
		return err
	}
	if err := s.requireOrderStore(req, id); err != nil {
		return err
	}
	o, err := s.db.Order(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) cancelOrder(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Order")
	if err != nil {
		return err
	}
	if err := s.requireOrderStore(req, id); err != nil {
		return err
	}
	o, err := s.db.CancelOrder(req.Context(), id)
	if err != nil {
		return err
	}
	s.metrics.order(o.Status)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) listStoreOrders(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	return s.listOrdersOf(w, req, aforro.OrderFilter{StoreID: storeID}, false)
}

// listOrders answers GET /api/orders/: every store's orders to an admin (or
// an unscoped staff token), the stores of its scope to a scoped one.
func (s *Server) listOrders(w http.ResponseWriter, req bunrouter.Request) error {
	var f aforro.OrderFilter
	if tok := tokenFrom(req.Context()); tok.Role != aforro.RoleAdmin && len(tok.Stores) > 0 {
		f.Stores = tok.Stores
	}
	return s.listOrdersOf(w, req, f, true)
}

// listOrdersOf reads ?status= (and, for every store's orders, ?store_id=)
// and answers the page of f's orders.
func (s *Server) listOrdersOf(w http.ResponseWriter, req bunrouter.Request, f aforro.OrderFilter, everyStore bool) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f.Status = strings.ToUpper(strings.TrimSpace(q.Get("status")))
	switch f.Status {
	case "", aforro.StatusConfirmed, aforro.StatusRejected, aforro.StatusCancelled:
	default:
		errs.Add("status", "must be CONFIRMED, REJECTED or CANCELLED")
	}
	if everyStore {
		f.StoreID = optionalID(q, "store_id", &errs)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if everyStore && f.StoreID != 0 {
		if err := requireStore(tokenFrom(req.Context()), f.StoreID); err != nil {
			return err
		}
	}
	page, err := s.db.ListOrders(req.Context(), f, pr)
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}
