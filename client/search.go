package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aforro/aforro"
)

// Search returns one page of GET /api/search/products/: products matching
// f.Q (web-search syntax, typo tolerant), narrowed and ordered by the rest of
// f. With f.StoreID each product carries its quantity in that store.
// Search pages by number only: a page.Cursor is an error, not sent.
func (c *Client) Search(ctx context.Context, f aforro.SearchFilter, page PageOptions) (aforro.Page[aforro.Product], error) {
	if page.Cursor != "" {
		return aforro.Page[aforro.Product]{}, errSearchCursor
	}
	q := url.Values{}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	if f.CategoryID != 0 {
		q.Set("category", strconv.FormatInt(f.CategoryID, 10))
	}
	if f.MinPrice != nil {
		q.Set("min_price", f.MinPrice.String())
	}
	if f.MaxPrice != nil {
		q.Set("max_price", f.MaxPrice.String())
	}
	if f.StoreID != 0 {
		q.Set("store_id", strconv.FormatInt(f.StoreID, 10))
	}
	if f.InStock != nil {
		q.Set("in_stock", strconv.FormatBool(*f.InStock))
	}
	if f.Sort != "" {
		q.Set("sort", f.Sort)
	}
	var out aforro.Page[aforro.Product]
	err := c.do(ctx, http.MethodGet, "/api/search/products/", page.values(q), nil, &out)
	return out, err
}

// errSearchCursor is Search's answer to a cursor: the server would ignore
// it and answer page 1 again.
var errSearchCursor = errors.New("search pages by number only: PageOptions.Cursor must be empty")

// Suggest returns up to ten product titles completing prefix (3 to 100
// characters). The endpoint is rate limited per client IP: over the limit
// the error is an *APIError with code aforro.ERATELIMITED and RetryAfter set.
func (c *Client) Suggest(ctx context.Context, prefix string) (aforro.SuggestResponse, error) {
	var out aforro.SuggestResponse
	err := c.do(ctx, http.MethodGet, "/api/search/suggest/", url.Values{"q": {prefix}}, nil, &out)
	return out, err
}
