package aforro

// Stock batch modes and error policies (POST /api/stores/{id}/inventory/batch/).
// Both are required: a quantity column silently overwriting stock that was
// meant to be added is the trap a stated mode avoids.
const (
	BatchModeSet = "set" // each row's quantity becomes the stock, as PUT does
	BatchModeAdd = "add" // each row's quantity is added (negative removes), as adjust does

	BatchRejectAll    = "reject_all"    // any failed row rejects the whole batch (422)
	BatchRejectFailed = "reject_failed" // the rows that pass are applied, the others reported
)

// MaxBatchRows bounds the rows of one stock batch.
const MaxBatchRows = 1000

// StockBatch is the body of POST /api/stores/{id}/inventory/batch/.
type StockBatch struct {
	Mode        string          `json:"mode"`
	ErrorPolicy string          `json:"error_policy"`
	DryRun      bool            `json:"dry_run"`
	Rows        []StockBatchRow `json:"rows"`
}

// StockBatchRow is one row of a stock batch: the quantity to set or add.
type StockBatchRow struct {
	ProductID *int64 `json:"product_id"`
	Quantity  *int   `json:"quantity"`
	Reason    string `json:"reason"`
	Note      string `json:"note,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// StockBatchResult answers a stock batch, row by row in the request's order.
// Applied counts the rows applied (in a dry run, that would be); a rejected
// batch (422) applies none, and its rows without an error show what they
// would have done.
type StockBatchResult struct {
	Applied int                   `json:"applied"`
	Failed  int                   `json:"failed"`
	Rows    []StockBatchRowResult `json:"rows"`
}

// StockBatchRowResult is one row's outcome. QuantityBefore is null when the
// store has no row of the product (or the product is unknown);
// QuantityAfter is null for a failed row.
type StockBatchRowResult struct {
	ProductID      *int64         `json:"product_id"`
	QuantityBefore *int           `json:"quantity_before"`
	QuantityAfter  *int           `json:"quantity_after"`
	Error          *BatchRowError `json:"error"`
}

// BatchRowError is why one row of a batch failed: an error code (invalid,
// not_found, conflict), a sentence, and the problems keyed by the row's
// fields, "rows[3].quantity".
type BatchRowError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}
