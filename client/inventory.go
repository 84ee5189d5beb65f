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

// ListInventory returns one page of a store's stock, by product title,
// narrowed by filter. filter.Threshold is ignored: the server applies its own
// low-stock threshold. It needs a staff or admin token; an unknown store is an
// *APIError with code aforro.ENOTFOUND.
func (c *Client) ListInventory(ctx context.Context, storeID int64, filter aforro.InventoryFilter, page PageOptions) (aforro.Page[aforro.InventoryItem], error) {
	q := url.Values{}
	if filter.Q != "" {
		q.Set("q", filter.Q)
	}
	if filter.CategoryID != 0 {
		q.Set("category", strconv.FormatInt(filter.CategoryID, 10))
	}
	if filter.LowStock {
		q.Set("low_stock", "true")
	}
	if filter.Incoming {
		q.Set("incoming", "true")
	}
	var out aforro.Page[aforro.InventoryItem]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/stores/%d/inventory/", storeID), page.values(q), nil, &out)
	return out, err
}

// InventoryItem returns a store's stock of one product. A store that does
// not stock the product, like an unknown store, is an *APIError with code
// aforro.ENOTFOUND.
func (c *Client) InventoryItem(ctx context.Context, storeID, productID int64) (aforro.InventoryItem, error) {
	var out aforro.InventoryItem
	err := c.do(ctx, http.MethodGet, inventoryPath(storeID, productID, ""), nil, nil, &out)
	return out, err
}

// SetStock sets a store's stock of a product to quantity, writing a ledger
// row with reason, and returns the row. created reports that the store did
// not stock the product before (the server answered 201). Setting is
// idempotent, so the client repeats it after a lost answer; if the first
// attempt had created the row, the repeat reports created false.
//
// reason is a code of aforro.StockReasons. A quantity outside
// 0..aforro.MaxStock or an unknown reason is an *APIError
// with code aforro.EINVALID; an unknown store or product is aforro.ENOTFOUND.
func (c *Client) SetStock(ctx context.Context, storeID, productID int64, quantity int, reason string) (it aforro.InventoryItem, created bool, err error) {
	var ans answer
	body := aforro.SetStock{Quantity: &quantity, Reason: reason}
	if err = c.do(ctx, http.MethodPut, inventoryPath(storeID, productID, ""), nil, body, &it, withAnswer(&ans)); err != nil {
		return aforro.InventoryItem{}, false, err
	}
	return it, ans.status == http.StatusCreated, nil
}

// AdjustStock adds delta (negative to remove) to a store's stock of a
// product, writing a ledger row with reason, and returns the row. A result
// below zero is an *APIError with code aforro.ECONFLICT and changes nothing;
// a row the store does not have is aforro.ENOTFOUND; a zero delta or a
// reason not of aforro.StockReasons is aforro.EINVALID. The request is not repeated once it may
// have reached the server, since a repeat would count twice.
func (c *Client) AdjustStock(ctx context.Context, storeID, productID int64, delta int, reason string) (aforro.InventoryItem, error) {
	var out aforro.InventoryItem
	body := aforro.AdjustStock{Delta: &delta, Reason: reason}
	err := c.do(ctx, http.MethodPost, inventoryPath(storeID, productID, "adjust/"), nil, body, &out)
	return out, err
}

// ListMovements returns one page of the stock ledger of a store's product,
// newest first. A row the store does not have is an *APIError with code
// aforro.ENOTFOUND.
func (c *Client) ListMovements(ctx context.Context, storeID, productID int64, page PageOptions) (aforro.Page[aforro.StockMovement], error) {
	return c.ListMovementsBy(ctx, storeID, productID, aforro.MovementFilter{}, page)
}

// ListMovementsBy is ListMovements narrowed by filter: filter.TokenID keeps
// the movements one token made.
func (c *Client) ListMovementsBy(ctx context.Context, storeID, productID int64, filter aforro.MovementFilter, page PageOptions) (aforro.Page[aforro.StockMovement], error) {
	q := url.Values{}
	if filter.TokenID != 0 {
		q.Set("token_id", strconv.FormatInt(filter.TokenID, 10))
	}
	var out aforro.Page[aforro.StockMovement]
	err := c.do(ctx, http.MethodGet, inventoryPath(storeID, productID, "movements/"), page.values(q), nil, &out)
	return out, err
}

// inventoryPath is the path of a store's inventory row of a product, with
// sub ("adjust/", "movements/" or "") appended.
func inventoryPath(storeID, productID int64, sub string) string {
	return fmt.Sprintf("/api/stores/%d/inventory/%d/", storeID, productID) + sub
}

// StockOptions are the optional parts of a stock write (SetStockWith,
// AdjustStockWith).
type StockOptions struct {
	// Expected, when not nil, is the quantity the caller read: if the row
	// holds another, the write is an *APIError with code
	// aforro.ESTALEQUANTITY whose CurrentQuantity says what the row holds,
	// and nothing changes.
	Expected *int
	// IdempotencyKey makes the write happen at most once per key (per
	// token): a repeat with the same body answers the first answer, with
	// replayed true; another body is aforro.ECONFLICT. Empty: the client
	// generates one, which it reuses across its own retries, so a lost
	// answer is retried safely even with Expected set.
	IdempotencyKey string
	// Note (free text) and Reference (a delivery note number, a URL) go
	// into the ledger row with the reason code; "" leaves them out.
	Note, Reference string
}

// SetStockWith is SetStock with an expected quantity and an idempotency key.
func (c *Client) SetStockWith(ctx context.Context, storeID, productID int64, quantity int, reason string, opts StockOptions) (it aforro.InventoryItem, created, replayed bool, err error) {
	var ans answer
	body := aforro.SetStock{Quantity: &quantity, Reason: reason, ExpectedQuantity: opts.Expected,
		Note: opts.Note, Reference: opts.Reference}
	if err = c.do(ctx, http.MethodPut, inventoryPath(storeID, productID, ""), nil, body, &it,
		withIdempotencyKey(opts.IdempotencyKey), withAnswer(&ans)); err != nil {
		return aforro.InventoryItem{}, false, false, err
	}
	return it, ans.status == http.StatusCreated, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// AdjustStockWith is AdjustStock with an expected quantity and an
// idempotency key; with the key, a lost answer is retried, since the server
// counts the adjustment once.
func (c *Client) AdjustStockWith(ctx context.Context, storeID, productID int64, delta int, reason string, opts StockOptions) (it aforro.InventoryItem, replayed bool, err error) {
	var ans answer
	body := aforro.AdjustStock{Delta: &delta, Reason: reason, ExpectedQuantity: opts.Expected,
		Note: opts.Note, Reference: opts.Reference}
	if err = c.do(ctx, http.MethodPost, inventoryPath(storeID, productID, "adjust/"), nil, body, &it,
		withIdempotencyKey(opts.IdempotencyKey), withAnswer(&ans)); err != nil {
		return aforro.InventoryItem{}, false, err
	}
	return it, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// BatchAnswer is the outcome of StockBatch.
type BatchAnswer struct {
	aforro.StockBatchResult
	// Rejected reports a 422: the error policy was reject_all, a row failed,
	// and nothing changed.
	Rejected bool
	// Replayed reports the first answer to the idempotency key, replayed.
	Replayed bool
}

// StockBatch sets or adds the stock of up to aforro.MaxBatchRows products
// of a store in one transaction (POST /api/stores/{id}/inventory/batch/).
// Each row's outcome is in the answer, in the request's order; a batch that
// reject_all rejected is not an error but Rejected. The request carries
// idempotencyKey (empty: a random one), so a lost answer is retried without
// applying the batch twice. A malformed batch (no mode, too many rows) is
// an *APIError with code aforro.EINVALID; an unknown store aforro.ENOTFOUND.
func (c *Client) StockBatch(ctx context.Context, storeID int64, batch aforro.StockBatch, idempotencyKey string) (BatchAnswer, error) {
	var ans answer
	var out BatchAnswer
	path := fmt.Sprintf("/api/stores/%d/inventory/batch/", storeID)
	if err := c.do(ctx, http.MethodPost, path, nil, batch, &out.StockBatchResult,
		withIdempotencyKey(idempotencyKey), withAnswer(&ans), withAccept(http.StatusUnprocessableEntity)); err != nil {
		return BatchAnswer{}, err
	}
	out.Rejected = ans.status == http.StatusUnprocessableEntity
	out.Replayed = strings.EqualFold(ans.header.Get(headerReplayed), "true")
	return out, nil
}

// SetReorder writes a store's reorder point and reorder quantity of a
// product (nil clears either) and returns the row.
func (c *Client) SetReorder(ctx context.Context, storeID, productID int64, in aforro.ReorderInput) (aforro.InventoryItem, error) {
	var out aforro.InventoryItem
	err := c.do(ctx, http.MethodPut, inventoryPath(storeID, productID, "reorder/"), nil, in, &out)
	return out, err
}
