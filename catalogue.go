package aforro

import "time"

// Category is a product category.
type Category struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Product is one catalogue entry. StoreQuantity is set only by a search that
// names a store.
type Product struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Price       Money     `json:"price"`
	Category    Category  `json:"category"`
	CreatedAt   time.Time `json:"created_at"`
	// UpdatedAt is when the product's own fields last changed (creation
	// counts); a renamed category does not change it.
	UpdatedAt     time.Time `json:"updated_at"`
	StoreQuantity *int      `json:"store_quantity,omitempty"`
	// SKU is the shop's article number (nil: none); Barcodes its GTINs and
	// in-house codes as entered, always a list (codes.go).
	SKU      *string  `json:"sku"`
	Barcodes CodeList `json:"barcodes"`
}

// Store is one shop of the retailer.
type Store struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Location string `json:"location"`
}

// InventoryItem is a store's stock of one product.
type InventoryItem struct {
	ID           int64     `json:"id"`
	ProductID    int64     `json:"product_id"`
	ProductTitle string    `json:"product_title"`
	Price        Money     `json:"price"`
	CategoryName string    `json:"category_name"`
	Quantity     int       `json:"quantity"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Incoming is the units shipped toward this store by transfers and
	// not yet received.
	Incoming int `json:"incoming"`
	// ReorderPoint is this row's own low-stock threshold; null when the
	// global --low-stock threshold applies. ReorderQuantity is how many
	// to reorder, informational; null when unset.
	ReorderPoint    *int `json:"reorder_point"`
	ReorderQuantity *int `json:"reorder_quantity"`
}

// ReorderInput is the body of PUT
// /api/stores/{id}/inventory/{product_id}/reorder/: both fields are
// written, null clearing them.
type ReorderInput struct {
	ReorderPoint    *int `json:"reorder_point"`
	ReorderQuantity *int `json:"reorder_quantity"`
}

// ProductFilter narrows GET /api/products/.
type ProductFilter struct {
	CategoryID int64 // 0: any
	// UpdatedSince, when set, lists the products changed at or after it,
	// ordered by UpdatedAt then id instead of by id.
	UpdatedSince time.Time
}

// InventoryFilter narrows GET /api/stores/{id}/inventory/.
type InventoryFilter struct {
	Q          string // case-insensitive substring of the product title
	CategoryID int64  // 0: any
	LowStock   bool   // only rows at or below the low-stock threshold
	Threshold  int    // the low-stock threshold used with LowStock
	Incoming   bool   // only rows with units incoming by transfer
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}
