package aforro

import "time"

// Order statuses.
const (
	StatusConfirmed = "CONFIRMED"
	StatusRejected  = "REJECTED"
	StatusCancelled = "CANCELLED"
)

// Order limits.
const (
	MaxOrderLines    = 100
	MaxLineQuantity  = 1_000_000
	MaxEmailLength   = 254
	MaxIdempotentKey = 255
)

// OrderLine is one requested line of a new order.
type OrderLine struct {
	ProductID         int64 `json:"product_id"`
	QuantityRequested int   `json:"quantity_requested"`
}

// PlaceOrder is the body of POST /api/orders/.
type PlaceOrder struct {
	StoreID       int64       `json:"store_id"`
	Items         []OrderLine `json:"items"`
	CustomerEmail string      `json:"customer_email,omitempty"`
}

// OrderItem is one line of a placed order, with the product's title and
// price copied at the time of the order.
type OrderItem struct {
	ID                int64  `json:"id"`
	ProductID         int64  `json:"product_id"`
	ProductTitle      string `json:"product_title"`
	ProductPrice      Money  `json:"product_price"`
	QuantityRequested int    `json:"quantity_requested"`
}

// RejectedItem says why a line could not be served: the store had less than
// requested (0 when it does not stock the product).
type RejectedItem struct {
	ProductID         int64 `json:"product_id"`
	QuantityRequested int   `json:"quantity_requested"`
	QuantityAvailable int   `json:"quantity_available"`
}

// Order is a placed order, CONFIRMED, REJECTED or CANCELLED.
type Order struct {
	ID            int64      `json:"id"`
	Store         int64      `json:"store"`
	StoreName     string     `json:"store_name"`
	StoreLocation string     `json:"store_location"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"created_at"`
	CancelledAt   *time.Time `json:"cancelled_at,omitempty"`
	CustomerEmail string     `json:"customer_email,omitempty"`
	// PlacedBy is the token that placed the order (nil: Source says who);
	// CancelledBy the one that cancelled it, set once it is cancelled.
	PlacedBy      *TokenRef      `json:"placed_by"`
	CancelledBy   *TokenRef      `json:"cancelled_by,omitempty"`
	Source        string         `json:"source"`
	TotalAmount   Money          `json:"total_amount"`
	Items         []OrderItem    `json:"items"`
	RejectedItems []RejectedItem `json:"rejected_items,omitempty"`
}

// OrderSummary is one row of a store's order list.
type OrderSummary struct {
	ID         int64     `json:"id"`
	Store      int64     `json:"store"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	TotalItems int       `json:"total_items"`
	PlacedBy   *TokenRef `json:"placed_by"`
}

// OrderFilter narrows GET /api/orders/.
type OrderFilter struct {
	Status  string // "": any
	StoreID int64  // 0: any
	// Stores, when not nil, limits the list to these stores (a staff
	// token's scope); an empty, non-nil list sees nothing.
	Stores []int64
}

// StockMovement is one entry of the stock ledger of an inventory row.
type StockMovement struct {
	ID             int64 `json:"id"`
	Delta          int   `json:"delta"`
	QuantityBefore int   `json:"quantity_before"`
	QuantityAfter  int   `json:"quantity_after"`
	// Reason is a code of LedgerReasons; Note and Reference are "" when
	// not given.
	Reason    string    `json:"reason"`
	Note      string    `json:"note"`
	Reference string    `json:"reference"`
	OrderID   *int64    `json:"order_id"`
	CreatedAt time.Time `json:"created_at"`
	// TransferID names the transfer that made the movement, if any.
	TransferID *int64 `json:"transfer_id"`
	// Token is the API token that made the movement; nil when Source is
	// not SourceAPI (the seed, a job, a movement older than attribution).
	Token  *TokenRef `json:"token"`
	Source string    `json:"source"`
}

// MovementFilter narrows a row's ledger: TokenID (0: any) keeps the
// movements that token made.
type MovementFilter struct {
	TokenID int64
}

// SetStock is the body of PUT /api/stores/{id}/inventory/{product_id}/.
type SetStock struct {
	Quantity *int   `json:"quantity"`
	Reason   string `json:"reason"` // a code of StockReasons
	// Note (free text) and Reference (a delivery note number, a URL) are
	// optional.
	Note      string `json:"note,omitempty"`
	Reference string `json:"reference,omitempty"`
	// ExpectedQuantity, when set, is the quantity the writer read: if the
	// row holds another, the write is ESTALEQUANTITY and changes nothing.
	ExpectedQuantity *int `json:"expected_quantity,omitempty"`
}

// AdjustStock is the body of POST .../adjust/.
type AdjustStock struct {
	Delta     *int   `json:"delta"`
	Reason    string `json:"reason"` // as for SetStock
	Note      string `json:"note,omitempty"`
	Reference string `json:"reference,omitempty"`
	// ExpectedQuantity is as for SetStock.
	ExpectedQuantity *int `json:"expected_quantity,omitempty"`
}

// MaxStock bounds a quantity so it always fits the database's integer.
const MaxStock = 1_000_000_000
