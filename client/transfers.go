package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aforro/aforro"
)

// CreateTransfer creates a draft transfer, which touches no stock. key is
// the Idempotency-Key, as for PlaceOrder: empty makes the client generate
// one for its own retries. Invalid drafts are an *APIError with code
// aforro.EINVALID and Fields keyed like "lines[1].quantity"; an unknown store
// is aforro.ENOTFOUND; a staff token that does not cover the source store is
// aforro.EFORBIDDEN.
func (c *Client) CreateTransfer(ctx context.Context, t aforro.CreateTransfer, key string) (out aforro.Transfer, replayed bool, err error) {
	var ans answer
	if err = c.do(ctx, http.MethodPost, "/api/transfers/", nil, t, &out, withIdempotencyKey(key), withAnswer(&ans)); err != nil {
		return aforro.Transfer{}, false, err
	}
	return out, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// Transfer returns one transfer with its lines and receipts. An unknown id
// is an *APIError with code aforro.ENOTFOUND; one between stores the token
// covers neither of is aforro.EFORBIDDEN.
func (c *Client) Transfer(ctx context.Context, id int64) (aforro.Transfer, error) {
	var out aforro.Transfer
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/transfers/%d/", id), nil, nil, &out)
	return out, err
}

// EditTransfer changes a draft; Lines, when not nil, replaces every line.
// A transfer that is not a draft is an *APIError with code aforro.ECONFLICT.
func (c *Client) EditTransfer(ctx context.Context, id int64, edit aforro.EditTransfer) (aforro.Transfer, error) {
	var out aforro.Transfer
	err := c.do(ctx, http.MethodPatch, fmt.Sprintf("/api/transfers/%d/", id), nil, edit, &out)
	return out, err
}

// ShipTransfer ships a draft: every line leaves the source, or none does.
// A source short of any line is an *APIError with code aforro.ECONFLICT whose
// RejectedItems name each short line; a transfer that is not a draft is
// aforro.ECONFLICT naming its status. key is the Idempotency-Key (empty: one
// generated for the client's own retries).
func (c *Client) ShipTransfer(ctx context.Context, id int64, key string) (out aforro.Transfer, replayed bool, err error) {
	var ans answer
	if err = c.do(ctx, http.MethodPost, fmt.Sprintf("/api/transfers/%d/ship/", id), nil, nil, &out,
		withIdempotencyKey(key), withAnswer(&ans)); err != nil {
		return aforro.Transfer{}, false, err
	}
	return out, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// ReceiveTransfer records a receipt: per line, units accepted into the
// destination's stock and units rejected with a reason. Settling more of a
// line than is still on the road is an *APIError with code aforro.ECONFLICT
// and changes nothing. key is the Idempotency-Key, as for ShipTransfer.
func (c *Client) ReceiveTransfer(ctx context.Context, id int64, r aforro.ReceiveTransfer, key string) (out aforro.Transfer, replayed bool, err error) {
	var ans answer
	if err = c.do(ctx, http.MethodPost, fmt.Sprintf("/api/transfers/%d/receive/", id), nil, r, &out,
		withIdempotencyKey(key), withAnswer(&ans)); err != nil {
		return aforro.Transfer{}, false, err
	}
	return out, strings.EqualFold(ans.header.Get(headerReplayed), "true"), nil
}

// CancelTransfer cancels a draft, or a shipped or partially received
// transfer, whose units still on the road return to the source. A received
// or cancelled transfer is an *APIError with code aforro.ECONFLICT. Like
// CancelOrder, it is not repeated once it may have reached the server.
func (c *Client) CancelTransfer(ctx context.Context, id int64) (aforro.Transfer, error) {
	var out aforro.Transfer
	err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/transfers/%d/cancel/", id), nil, nil, &out)
	return out, err
}

// TransferFilter narrows ListStoreTransfers.
type TransferFilter struct {
	// Direction is aforro.DirectionIn (the store receives),
	// aforro.DirectionOut (it ships) or empty for both.
	Direction string
	// Status keeps one status (aforro.TransferDraft, ...); empty keeps all.
	Status string
}

// ListStoreTransfers returns one page of a store's transfers, newest first.
// An unknown direction or status is an *APIError with code aforro.EINVALID;
// an unknown store is aforro.ENOTFOUND.
func (c *Client) ListStoreTransfers(ctx context.Context, storeID int64, f TransferFilter, page PageOptions) (aforro.Page[aforro.TransferSummary], error) {
	q := url.Values{}
	if f.Direction != "" {
		q.Set("direction", f.Direction)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	var out aforro.Page[aforro.TransferSummary]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/stores/%d/transfers/", storeID), page.values(q), nil, &out)
	return out, err
}
