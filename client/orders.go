package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
)

// headerReplayed is the response header the server sets when it answers a
// repeated Idempotency-Key with the original response.
const headerReplayed = "Idempotent-Replayed"

// PlaceOrder places an order and returns it. A REJECTED order is a success
// like a CONFIRMED one: its RejectedItems say which lines the store could
// not serve, and no stock was touched.
//
// key is the Idempotency-Key: the server places at most one order per key
// (per token), and answers a repeat of the same body with the original order
// and replayed true; the same key with another body is an *APIError with
// code aforro.ECONFLICT. An empty key makes the client generate one, which it
// reuses across its own retries but does not return: a caller that may ask
// again after an error (notably a *ConnError, when nobody knows whether the
// order was placed) passes its own key, such as one from NewIdempotencyKey.
//
// Invalid orders (no lines, a quantity below 1, a product twice, an unknown
// product, a bad email or key) are an *APIError with code aforro.EINVALID
// and Fields keyed like "items[1].quantity_requested"; an unknown store is
// aforro.ENOTFOUND; a staff token that does not cover the store is
// aforro.EFORBIDDEN.
func (c *Client) PlaceOrder(ctx context.Context, order aforro.PlaceOrder, key string) (o aforro.Order, replayed bool, err error) {
	var ans answer
	if err = c.do(ctx, http.MethodPost, "/api/orders/", nil, order, &o, withIdempotencyKey(key), withAnswer(&ans)); err != nil {
		return aforro.Order{}, false, err
	}
	return o, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// Order returns one order, in the shape PlaceOrder returns. An unknown id is
// an *APIError with code aforro.ENOTFOUND; an order of a store the staff
// token does not cover is aforro.EFORBIDDEN.
func (c *Client) Order(ctx context.Context, id int64) (aforro.Order, error) {
	var out aforro.Order
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/orders/%d/", id), nil, nil, &out)
	return out, err
}

// CancelOrder cancels a CONFIRMED order, returning its stock, and returns the
// order as CANCELLED. Cancelling a REJECTED or already CANCELLED order is an
// *APIError with code aforro.ECONFLICT. The request is not repeated once it
// may have reached the server: after a lost answer a repeat would be that
// conflict, so a caller that retries should read the order first.
func (c *Client) CancelOrder(ctx context.Context, id int64) (aforro.Order, error) {
	var out aforro.Order
	err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/orders/%d/cancel/", id), nil, nil, &out)
	return out, err
}

// ListStoreOrders returns one page of a store's orders, newest first. status
// ("CONFIRMED", "REJECTED" or "CANCELLED", in any case) keeps only orders in
// that state; empty keeps all, and anything else is an *APIError with code
// aforro.EINVALID. An unknown store is aforro.ENOTFOUND.
func (c *Client) ListStoreOrders(ctx context.Context, storeID int64, status string, page PageOptions) (aforro.Page[aforro.OrderSummary], error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	var out aforro.Page[aforro.OrderSummary]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/stores/%d/orders/", storeID), page.values(q), nil, &out)
	return out, err
}

// OrderFilter narrows ListOrders. (aforro.OrderFilter is the server's: its
// store scope comes from the token, never from the client.)
type OrderFilter struct {
	// Status ("CONFIRMED", "REJECTED" or "CANCELLED", in any case) keeps
	// only orders in that state; empty keeps all.
	Status string
	// StoreID keeps only that store's orders; 0 keeps every store the token
	// covers.
	StoreID int64
}

// ListOrders returns one page of GET /api/orders/: the orders of every store
// the token covers (all of them for an admin or an unscoped staff token),
// newest first, narrowed by f. Each row names its store. A status other
// than the three is an *APIError with code aforro.EINVALID; a StoreID the
// token does not cover is aforro.EFORBIDDEN.
func (c *Client) ListOrders(ctx context.Context, f OrderFilter, page PageOptions) (aforro.Page[aforro.OrderSummary], error) {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.StoreID != 0 {
		q.Set("store_id", strconv.FormatInt(f.StoreID, 10))
	}
	var out aforro.Page[aforro.OrderSummary]
	err := c.do(ctx, http.MethodGet, "/api/orders/", page.values(q), nil, &out)
	return out, err
}
