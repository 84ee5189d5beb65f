package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aforro/aforro"
)

// LookupProducts returns the products whose SKU or barcode is exactly code
// (GET /api/products/lookup/): the SKU's product first, then by id; none is
// an empty Results. An empty code is an *APIError with code aforro.EINVALID.
func (c *Client) LookupProducts(ctx context.Context, code string) (aforro.LookupResult, error) {
	var out aforro.LookupResult
	err := c.do(ctx, http.MethodGet, "/api/products/lookup/", url.Values{"code": {code}}, nil, &out)
	return out, err
}

// ProductStores returns one page of the stores that stock product id and
// their quantities, by store id (GET /api/products/{id}/stores/; a staff
// token). An unknown product is an *APIError with code aforro.ENOTFOUND.
func (c *Client) ProductStores(ctx context.Context, id int64, f aforro.ProductStockFilter, page PageOptions) (aforro.Page[aforro.ProductStock], error) {
	q := url.Values{}
	if f.InStock {
		q.Set("in_stock", "true")
	}
	var out aforro.Page[aforro.ProductStock]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/products/%d/stores/", id), page.values(q), nil, &out)
	return out, err
}
