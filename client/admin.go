package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aforro/aforro"
)

// The catalogue and store writes need an admin token. Create methods take
// every required field in the input; Update methods change only the non-nil
// fields; Delete of a row that orders, inventory or tokens reference is an
// *APIError with code aforro.ECONFLICT whose message says what references it.

// CreateCategory adds a category; its name must be unique ignoring case.
func (c *Client) CreateCategory(ctx context.Context, in aforro.CategoryInput) (aforro.Category, error) {
	var out aforro.Category
	err := c.do(ctx, http.MethodPost, "/api/categories/", nil, in, &out)
	return out, err
}

// UpdateCategory renames a category; search sees the new name at once.
func (c *Client) UpdateCategory(ctx context.Context, id int64, in aforro.CategoryInput) (aforro.Category, error) {
	var out aforro.Category
	err := c.do(ctx, http.MethodPatch, fmt.Sprintf("/api/categories/%d/", id), nil, in, &out)
	return out, err
}

// DeleteCategory removes a category that no product belongs to.
func (c *Client) DeleteCategory(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/categories/%d/", id), nil, nil, nil)
}

// CreateProduct adds a product.
func (c *Client) CreateProduct(ctx context.Context, in aforro.ProductInput) (aforro.Product, error) {
	var out aforro.Product
	err := c.do(ctx, http.MethodPost, "/api/products/", nil, in, &out)
	return out, err
}

// UpdateProduct changes the given fields of a product.
func (c *Client) UpdateProduct(ctx context.Context, id int64, in aforro.ProductInput) (aforro.Product, error) {
	var out aforro.Product
	err := c.do(ctx, http.MethodPatch, fmt.Sprintf("/api/products/%d/", id), nil, in, &out)
	return out, err
}

// DeleteProduct removes a product no order or inventory row references.
func (c *Client) DeleteProduct(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/products/%d/", id), nil, nil, nil)
}

// CreateStore adds a store.
func (c *Client) CreateStore(ctx context.Context, in aforro.StoreInput) (aforro.Store, error) {
	var out aforro.Store
	err := c.do(ctx, http.MethodPost, "/api/stores/", nil, in, &out)
	return out, err
}

// UpdateStore changes the given fields of a store.
func (c *Client) UpdateStore(ctx context.Context, id int64, in aforro.StoreInput) (aforro.Store, error) {
	var out aforro.Store
	err := c.do(ctx, http.MethodPatch, fmt.Sprintf("/api/stores/%d/", id), nil, in, &out)
	return out, err
}

// DeleteStore removes a store without orders, inventory or scoped tokens.
func (c *Client) DeleteStore(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/stores/%d/", id), nil, nil, nil)
}
