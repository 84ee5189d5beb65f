package aforro

import "time"

// MaxSummaryLowStock caps the low-stock list of one summary row: the items
// with the lowest quantity come first (ties by product id). Without a cap the
// all-stores row of a large catalogue could hold hundreds of thousands.
const MaxSummaryLowStock = 100

// AllStoresName is the store_name of the all-stores summary row.
const AllStoresName = "All stores"

// DateLayout is how a calendar date travels: "2006-01-02", a UTC day.
const DateLayout = time.DateOnly

// SummaryItem is one low-stock entry of a summary row.
type SummaryItem struct {
	ProductID int64  `json:"product_id"`
	Title     string `json:"title"`
	Quantity  int64  `json:"quantity"`
}

// Summary is one daily inventory summary row: one store's, or, with a nil
// StoreID, all stores' together. The stock figures (SKUCount, TotalUnits,
// OutOfStock, LowStock) are the stock when the row was generated; the order
// figures count the UTC day Date: orders placed that day that were confirmed
// (whether cancelled later or not), orders placed that day that were
// rejected, and orders cancelled that day. UnitsSold and Revenue count only
// the orders placed that day that were still CONFIRMED when the row was
// computed: a cancelled order sold nothing. In the
// all-stores row the stores are one: a product counts once, with its units
// summed over every store that stocks it.
type Summary struct {
	Date            string        `json:"date"`
	StoreID         *int64        `json:"store_id"`
	StoreName       string        `json:"store_name"`
	SKUCount        int64         `json:"sku_count"`
	TotalUnits      int64         `json:"total_units"`
	OutOfStock      int64         `json:"out_of_stock"`
	LowStock        []SummaryItem `json:"low_stock"`
	OrdersConfirmed int64         `json:"orders_confirmed"`
	OrdersRejected  int64         `json:"orders_rejected"`
	OrdersCancelled int64         `json:"orders_cancelled"`
	UnitsSold       int64         `json:"units_sold"`
	Revenue         Money         `json:"revenue"`
	GeneratedAt     time.Time     `json:"generated_at"`
	// UnitsInTransit is the units shipped toward the store (toward any
	// store in the all-stores row) by transfers and not yet received, when
	// the row was generated.
	UnitsInTransit int64 `json:"units_in_transit"`
}

// LiveSummary is the answer of GET /api/summaries/today/: a summary row of
// today (UTC) so far, computed when asked, not stored. Its stock figures are
// the stock at ComputedAt, its order figures today's orders until then;
// GeneratedAt equals ComputedAt. Live is always true, so that a reader of the
// JSON can tell it from a stored row.
type LiveSummary struct {
	Summary
	Live       bool      `json:"live"`
	ComputedAt time.Time `json:"computed_at"`
}

// DaySummaries is the answer of GET /api/summaries/latest/ and POST
// /api/summaries/run/: every visible row of one day, the all-stores row first,
// then by store id.
type DaySummaries struct {
	Date    string    `json:"date"`
	Results []Summary `json:"results"`
}

// SummaryFilter narrows the summary rows listed.
type SummaryFilter struct {
	// Date is one UTC day; the zero time means every day.
	Date time.Time
	// StoreID is one store's rows; 0 means every visible row.
	StoreID int64
	// AllStores selects only the all-stores rows (store_id=all).
	AllStores bool
	// Stores, when not nil, limits the rows to these stores and hides the
	// all-stores rows: the view of a token scoped to stores, which must not
	// see the other stores' figures folded into the totals.
	Stores []int64
}

// JobStats is what one instance's scheduler counted for one job since it
// started.
type JobStats struct {
	Name string `json:"name"`
	// Runs counts the runs this instance started; Failures those that ended
	// in an error.
	Runs     int64 `json:"runs"`
	Failures int64 `json:"failures"`
	// Skips counts the ticks skipped because this instance was not the
	// leader (or could not tell, with Redis unreachable).
	Skips          int64      `json:"skips"`
	LastStartedAt  *time.Time `json:"last_started_at"`
	LastDurationMS int64      `json:"last_duration_ms"`
	LastError      string     `json:"last_error,omitempty"`
	NextRunAt      *time.Time `json:"next_run_at"`
}

// SchedulerStatus is one instance's view of the jobs leader election and of
// its own scheduler.
type SchedulerStatus struct {
	Instance string `json:"instance"`
	// Leader is the instance holding the lease as Redis last said, "" when
	// none does or Redis could not be asked.
	Leader   string `json:"leader"`
	IsLeader bool   `json:"is_leader"`
	// LeaderSince is when this instance last became the leader.
	LeaderSince *time.Time `json:"leader_since"`
	// Elections counts the times this instance became the leader.
	Elections int64      `json:"elections"`
	Redis     string     `json:"redis"` // "ok" or "unreachable"
	Jobs      []JobStats `json:"jobs"`
	// Outbox counts what this instance's dispatcher did since it started.
	Outbox DispatcherStats `json:"outbox"`
}

// DispatcherStats counts one instance's outbox deliveries.
type DispatcherStats struct {
	Sent    int64 `json:"sent"`
	Retried int64 `json:"retried"`
	Failed  int64 `json:"failed"`
}

// JobRun is one completed guarded run of a daily job, as PostgreSQL recorded
// it: the cluster-wide truth whichever instance ran it.
type JobRun struct {
	Job        string    `json:"job"`
	RunDate    string    `json:"run_date"`
	Instance   string    `json:"instance"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	DurationMS int64     `json:"duration_ms"`
	Detail     string    `json:"detail"`
}

// OutboxCounts counts the outbox events by status, cluster-wide.
type OutboxCounts struct {
	Pending int64 `json:"pending"`
	Sent    int64 `json:"sent"`
	Failed  int64 `json:"failed"`
}

// JobsStatus is the answer of GET /api/admin/jobs/: the answering instance's
// scheduler (nil when it runs no jobs), the latest run of each daily job and
// the outbox counts.
type JobsStatus struct {
	Scheduler *SchedulerStatus `json:"scheduler"`
	LastRuns  []JobRun         `json:"last_runs"`
	Outbox    OutboxCounts     `json:"outbox"`
}
