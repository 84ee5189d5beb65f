package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aforro/aforro"
)

// ListStores returns one page of stores, by id. Anyone may call it.
func (c *Client) ListStores(ctx context.Context, page PageOptions) (aforro.Page[aforro.Store], error) {
	var out aforro.Page[aforro.Store]
	err := c.do(ctx, http.MethodGet, "/api/stores/", page.values(nil), nil, &out)
	return out, err
}

// Store returns one store; an unknown id is an *APIError with code
// aforro.ENOTFOUND.
func (c *Client) Store(ctx context.Context, id int64) (aforro.Store, error) {
	var out aforro.Store
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/stores/%d/", id), nil, nil, &out)
	return out, err
}

// ListCategories returns one page of categories, by name ignoring case.
func (c *Client) ListCategories(ctx context.Context, page PageOptions) (aforro.Page[aforro.Category], error) {
	var out aforro.Page[aforro.Category]
	err := c.do(ctx, http.MethodGet, "/api/categories/", page.values(nil), nil, &out)
	return out, err
}

// Category returns one category; an unknown id is an *APIError with code
// aforro.ENOTFOUND.
func (c *Client) Category(ctx context.Context, id int64) (aforro.Category, error) {
	var out aforro.Category
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/categories/%d/", id), nil, nil, &out)
	return out, err
}

// ListProducts returns one page of products, by id, narrowed by filter.
// With filter.UpdatedSince it lists the products changed at or after that
// time instead, by UpdatedAt and then id: a sync keeps the UpdatedAt of the
// last product it read and asks from there next time (a product changed
// at that very instant comes again, none is missed).
func (c *Client) ListProducts(ctx context.Context, filter aforro.ProductFilter, page PageOptions) (aforro.Page[aforro.Product], error) {
	q := url.Values{}
	if filter.CategoryID != 0 {
		q.Set("category", strconv.FormatInt(filter.CategoryID, 10))
	}
	if !filter.UpdatedSince.IsZero() {
		q.Set("updated_since", filter.UpdatedSince.UTC().Format(time.RFC3339Nano))
	}
	var out aforro.Page[aforro.Product]
	err := c.do(ctx, http.MethodGet, "/api/products/", page.values(q), nil, &out)
	return out, err
}

// Product returns one product; an unknown id is an *APIError with code
// aforro.ENOTFOUND.
func (c *Client) Product(ctx context.Context, id int64) (aforro.Product, error) {
	var out aforro.Product
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/products/%d/", id), nil, nil, &out)
	return out, err
}
