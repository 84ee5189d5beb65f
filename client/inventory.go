package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

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
	var out aforro.Page[aforro.InventoryItem]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/stores/%d/inventory/", storeID), page.values(q), nil, &out)
	return out, err
}
