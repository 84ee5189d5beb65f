package aforro

import "time"

// Transfer statuses. A draft touches no stock; shipping takes every line out
// of the source (all or nothing); receipts settle the shipped units until
// none is left on the road; cancelling a draft drops it, cancelling a
// shipped or partly received transfer returns what is still on the road to
// the source.
const (
	TransferDraft             = "draft"
	TransferShipped           = "shipped"
	TransferPartiallyReceived = "partially_received"
	TransferReceived          = "received"
	TransferCancelled         = "cancelled"
)

// TransferStatuses lists every status, in the order a transfer moves.
var TransferStatuses = []string{TransferDraft, TransferShipped, TransferPartiallyReceived, TransferReceived, TransferCancelled}

// Outbox events of a transfer's changes, written in the change's
// transaction. Their payload: transfer_id, status, from_status,
// source_store_id, destination_store_id, units (the lines' quantities),
// in_transit, and receipt_id for the receipt events.
const (
	EventTransferShipped           = "transfer.shipped"
	EventTransferPartiallyReceived = "transfer.partially_received"
	EventTransferReceived          = "transfer.received"
	EventTransferCancelled         = "transfer.cancelled"
)

// Reasons a received unit is rejected (and written off at the destination).
const (
	RejectDamaged = "damaged"
	RejectMissing = "missing"
	RejectOther   = "other"
)

// Transfer limits.
const (
	MaxTransferLines     = MaxOrderLines
	MaxTransferNote      = 2000
	MaxTransferReference = 100
)

// Ledger reasons of a transfer's movements; each row also names the transfer.
// A rejected unit first arrives (ReasonTransferIn) and is then written off
// (ReasonWriteOffPrefix + its reason), so the destination's ledger shows
// both what came off the road and what was lost.
const (
	ReasonTransferOut    = "transfer_out"
	ReasonTransferIn     = "transfer_in"
	ReasonTransferReturn = "transfer_return"
	ReasonWriteOffPrefix = "write_off_" // + damaged, missing or other
)

// TransferLineInput is one line of a new or edited transfer.
type TransferLineInput struct {
	ProductID int64 `json:"product_id"`
	Quantity  int   `json:"quantity"`
}

// CreateTransfer is the body of POST /api/transfers/.
type CreateTransfer struct {
	SourceStoreID      int64               `json:"source_store_id"`
	DestinationStoreID int64               `json:"destination_store_id"`
	Lines              []TransferLineInput `json:"lines"`
	Note               string              `json:"note,omitempty"`
	Reference          string              `json:"reference,omitempty"`
}

// EditTransfer is the body of PATCH /api/transfers/{id}/: any subset of a
// draft's fields; Lines, when given, replaces every line.
type EditTransfer struct {
	SourceStoreID      *int64              `json:"source_store_id,omitempty"`
	DestinationStoreID *int64              `json:"destination_store_id,omitempty"`
	Lines              []TransferLineInput `json:"lines,omitempty"`
	Note               *string             `json:"note,omitempty"`
	Reference          *string             `json:"reference,omitempty"`
}

// ReceiptLineInput is one line of a receipt: units of a product accepted
// into the destination's stock and units rejected, with the reason (required
// when Rejected > 0).
type ReceiptLineInput struct {
	ProductID int64  `json:"product_id"`
	Accepted  int    `json:"accepted"`
	Rejected  int    `json:"rejected"`
	Reason    string `json:"reason,omitempty"`
}

// ReceiveTransfer is the body of POST /api/transfers/{id}/receive/.
type ReceiveTransfer struct {
	Lines []ReceiptLineInput `json:"lines"`
}

// TransferLine is one line of a transfer and how its units stand: Quantity
// asked for, Received (accepted at the destination), Rejected (written off
// there), Returned (to the source on cancel) and InTransit (shipped and not
// yet settled).
type TransferLine struct {
	ProductID    int64  `json:"product_id"`
	ProductTitle string `json:"product_title"`
	Quantity     int    `json:"quantity"`
	Received     int    `json:"received"`
	Rejected     int    `json:"rejected"`
	Returned     int    `json:"returned"`
	InTransit    int    `json:"in_transit"`
}

// ReceiptLine is one line of a receipt as it was recorded.
type ReceiptLine struct {
	ProductID int64  `json:"product_id"`
	Accepted  int    `json:"accepted"`
	Rejected  int    `json:"rejected"`
	Reason    string `json:"reason,omitempty"`
}

// Receipt is one POST .../receive/ of a transfer.
type Receipt struct {
	ID        int64         `json:"id"`
	CreatedAt time.Time     `json:"created_at"`
	Lines     []ReceiptLine `json:"lines"`
	// ReceivedBy is the token that recorded the receipt (nil: Source).
	ReceivedBy *TokenRef `json:"received_by"`
	Source     string    `json:"source"`
}

// Transfer is a movement of stock from one store to another.
type Transfer struct {
	ID                 int64          `json:"id"`
	Status             string         `json:"status"`
	SourceStoreID      int64          `json:"source_store_id"`
	DestinationStoreID int64          `json:"destination_store_id"`
	Note               string         `json:"note"`
	Reference          string         `json:"reference"`
	Lines              []TransferLine `json:"lines"`
	Receipts           []Receipt      `json:"receipts"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
	ShippedAt          *time.Time     `json:"shipped_at"`
	ReceivedAt         *time.Time     `json:"received_at"`
	CancelledAt        *time.Time     `json:"cancelled_at"`
	// The tokens of each step (nil: not taken yet, or not by a token:
	// Source says who created the transfer; the steps' movements carry
	// their own source). Each receipt names its own token.
	CreatedBy   *TokenRef `json:"created_by"`
	ShippedBy   *TokenRef `json:"shipped_by"`
	CancelledBy *TokenRef `json:"cancelled_by"`
	Source      string    `json:"source"`
}

// TransferSummary is one row of a store's transfer list.
type TransferSummary struct {
	ID                 int64     `json:"id"`
	Status             string    `json:"status"`
	SourceStoreID      int64     `json:"source_store_id"`
	DestinationStoreID int64     `json:"destination_store_id"`
	Reference          string    `json:"reference"`
	LineCount          int       `json:"line_count"`
	TotalUnits         int       `json:"total_units"` // the sum of the lines' quantities
	InTransit          int       `json:"in_transit"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"` // the latest change: edit, ship, receipt or cancel
}

// Directions of a store's transfer list.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// TransferFilter narrows GET /api/stores/{id}/transfers/.
type TransferFilter struct {
	StoreID   int64
	Direction string // DirectionIn, DirectionOut or "" for both
	Status    string // "": any
}

// ShortItem names a line a shipment could not take: the source had
// Available of the Requested units.
type ShortItem struct {
	ProductID int64 `json:"product_id"`
	Requested int   `json:"requested"`
	Available int   `json:"available"`
}
