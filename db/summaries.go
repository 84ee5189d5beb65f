package db

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// computeSummariesSQL computes one day's summary rows in one read-only
// statement, not a query per store, and returns them as one JSON array:
// inventory is read once grouped by store and once grouped by product (the
// all-stores row counts a product once), each store's low-stock list is its
// first $2 entries of inventory_store_quantity_idx, and the day's orders are
// read by their indexed timestamps. Every store gets a row (zeros for one
// with no stock and no orders), and so does the chain. It writes nothing, so
// PostgreSQL may run its scans in parallel, which it never does for a
// statement that writes. $1 the low-stock threshold, $2 the low-stock list
// cap, $3 and $4 the day's bounds [start, end), $5 the all-stores row's name.
const computeSummariesSQL = `
WITH store_stock AS (
    SELECT store_id, count(*) AS sku_count, sum(quantity) AS total_units,
           count(*) FILTER (WHERE quantity = 0) AS out_of_stock
      FROM inventory GROUP BY store_id
), product_stock AS (
    SELECT product_id, sum(quantity) AS quantity FROM inventory GROUP BY product_id
), store_low AS (
    -- The lowest items of each store by its rows' effective thresholds
    -- (the reorder point, else $1): rows without a reorder point from
    -- inventory_store_quantity_idx, rows at or below theirs from the
    -- partial inventory_store_below_reorder_idx (migration 013), both in
    -- quantity order and merged: at most $2 entries of each per store,
    -- however many items are low.
    SELECT s.id AS store_id,
           jsonb_agg(jsonb_build_object('product_id', l.product_id, 'title', p.title, 'quantity', l.quantity)
                     ORDER BY l.quantity, l.product_id) AS items
      FROM stores s
     CROSS JOIN LATERAL (SELECT * FROM (
                           (SELECT i.product_id, i.quantity FROM inventory i
                             WHERE i.store_id = s.id AND i.quantity <= $1 AND i.reorder_point IS NULL
                             ORDER BY i.quantity, i.product_id LIMIT $2)
                           UNION ALL
                           (SELECT i.product_id, i.quantity FROM inventory i
                             WHERE i.store_id = s.id AND i.below_reorder_point
                             ORDER BY i.quantity, i.product_id LIMIT $2)) u
                          ORDER BY u.quantity, u.product_id LIMIT $2) l
      JOIN products p ON p.id = l.product_id
     GROUP BY s.id
), chain_low AS (
    SELECT product_id, quantity FROM product_stock WHERE quantity <= $1
     ORDER BY quantity, product_id LIMIT $2
), placed AS (
    -- Naming every status lets orders_status_created_idx serve the day's range.
    SELECT store_id,
           count(*) FILTER (WHERE status <> 'REJECTED') AS confirmed,
           count(*) FILTER (WHERE status = 'REJECTED') AS rejected,
           -- A cancelled order sold nothing: its revenue does not count.
           coalesce(sum(total_amount) FILTER (WHERE status = 'CONFIRMED'), 0) AS revenue
      FROM orders
     WHERE status IN ('CONFIRMED', 'REJECTED', 'CANCELLED') AND created_at >= $3 AND created_at < $4
     GROUP BY store_id
), sold AS (
    -- Units of the day's orders still confirmed: a cancelled order's units
    -- went back on the shelf, so they were not sold.
    SELECT o.store_id, sum(i.quantity_requested) AS units
      FROM orders o JOIN order_items i ON i.order_id = o.id
     WHERE o.status = 'CONFIRMED' AND o.created_at >= $3 AND o.created_at < $4
     GROUP BY o.store_id
), cancelled AS (
    SELECT store_id, count(*) AS n FROM orders
     WHERE cancelled_at >= $3 AND cancelled_at < $4
     GROUP BY store_id
), in_transit AS (
    -- Units on the road toward each store (migration 011's partial index).
    SELECT destination_store_id AS store_id, sum(in_transit) AS units
      FROM transfer_lines WHERE in_transit > 0 GROUP BY destination_store_id
), per_store AS (
    SELECT s.id AS store_id, s.name AS store_name,
           coalesce(st.sku_count, 0) AS sku_count, coalesce(st.total_units, 0) AS total_units,
           coalesce(st.out_of_stock, 0) AS out_of_stock, coalesce(lj.items, '[]') AS low_stock,
           coalesce(pl.confirmed, 0) AS confirmed, coalesce(pl.rejected, 0) AS rejected,
           coalesce(c.n, 0) AS cancelled, coalesce(so.units, 0) AS units_sold,
           coalesce(pl.revenue, 0) AS revenue, coalesce(tr.units, 0) AS units_in_transit
      FROM stores s
      LEFT JOIN store_stock st ON st.store_id = s.id
      LEFT JOIN store_low lj ON lj.store_id = s.id
      LEFT JOIN placed pl ON pl.store_id = s.id
      LEFT JOIN sold so ON so.store_id = s.id
      LEFT JOIN cancelled c ON c.store_id = s.id
      LEFT JOIN in_transit tr ON tr.store_id = s.id
), chain AS (
    SELECT count(*) AS sku_count, coalesce(sum(quantity), 0) AS total_units,
           count(*) FILTER (WHERE quantity = 0) AS out_of_stock
      FROM product_stock
), all_stores AS (
    SELECT NULL::bigint AS store_id, $5::text AS store_name, ch.sku_count, ch.total_units, ch.out_of_stock,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', l.product_id, 'title', p.title,
                                                         'quantity', l.quantity) ORDER BY l.quantity, l.product_id), '[]')
              FROM chain_low l JOIN products p ON p.id = l.product_id) AS low_stock,
           (SELECT coalesce(sum(confirmed), 0) FROM placed) AS confirmed,
           (SELECT coalesce(sum(rejected), 0) FROM placed) AS rejected,
           (SELECT coalesce(sum(n), 0) FROM cancelled) AS cancelled,
           (SELECT coalesce(sum(units), 0) FROM sold) AS units_sold,
           (SELECT coalesce(sum(revenue), 0) FROM placed) AS revenue,
           (SELECT coalesce(sum(units), 0) FROM in_transit) AS units_in_transit
      FROM chain ch
)
SELECT jsonb_agg(to_jsonb(r)) FROM (SELECT * FROM all_stores UNION ALL SELECT * FROM per_store) r`

// storeSummariesSQL upserts the rows computeSummariesSQL returned ($2) as
// the summary of day $1, replacing an earlier run's rows of that day.
const storeSummariesSQL = `
INSERT INTO inventory_summaries (summary_date, store_id, store_name, sku_count, total_units, out_of_stock,
       low_stock, orders_confirmed, orders_rejected, orders_cancelled, units_sold, revenue, generated_at, units_in_transit)
SELECT $1::date, r.store_id, r.store_name, r.sku_count, r.total_units, r.out_of_stock,
       r.low_stock, r.confirmed, r.rejected, r.cancelled, r.units_sold, r.revenue, now(), r.units_in_transit
  FROM jsonb_to_recordset($2::jsonb) AS r(store_id bigint, store_name text, sku_count integer, total_units bigint,
       out_of_stock integer, low_stock jsonb, confirmed integer, rejected integer, cancelled integer,
       units_sold bigint, revenue numeric, units_in_transit bigint)
    ON CONFLICT ON CONSTRAINT inventory_summaries_date_store_key DO UPDATE SET
       store_name = EXCLUDED.store_name, sku_count = EXCLUDED.sku_count, total_units = EXCLUDED.total_units,
       out_of_stock = EXCLUDED.out_of_stock, low_stock = EXCLUDED.low_stock,
       orders_confirmed = EXCLUDED.orders_confirmed, orders_rejected = EXCLUDED.orders_rejected,
       orders_cancelled = EXCLUDED.orders_cancelled, units_sold = EXCLUDED.units_sold,
       revenue = EXCLUDED.revenue, generated_at = EXCLUDED.generated_at,
       units_in_transit = EXCLUDED.units_in_transit
RETURNING ` + summaryColumns

// summaryColumns are the columns scanSummary reads, in its order.
const summaryColumns = `summary_date, store_id, store_name, sku_count, total_units, out_of_stock, low_stock,
       orders_confirmed, orders_rejected, orders_cancelled, units_sold, revenue, generated_at, units_in_transit`

// GenerateSummaries computes the summary of day (a UTC date; its clock is
// ignored) for every store and for all stores together, replacing the rows
// an earlier run wrote for that day, and returns them: the all-stores row
// first, then by store id. It runs in tx, so a job can run it in the
// transaction that holds its job_runs guard. Stock at or below lowStock is
// low; each row lists at most aforro.MaxSummaryLowStock such items.
func GenerateSummaries(ctx context.Context, tx pgx.Tx, day time.Time, lowStock int) ([]aforro.Summary, error) {
	start := utcDay(day)
	date := start.Format(aforro.DateLayout)
	// Grouping a million inventory rows by product in memory beats the
	// planner's fallback (walking the product index) by far; the setting
	// ends with the transaction.
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, wrapError(err, fmt.Sprintf("generate summaries of %s", date))
	}
	var computed []byte
	err := tx.QueryRow(ctx, computeSummariesSQL, lowStock, aforro.MaxSummaryLowStock,
		start, start.AddDate(0, 0, 1), aforro.AllStoresName).Scan(&computed)
	if err != nil {
		return nil, wrapError(err, fmt.Sprintf("generate summaries of %s", date))
	}
	rows, err := tx.Query(ctx, storeSummariesSQL, start, computed)
	if err != nil {
		return nil, wrapError(err, fmt.Sprintf("store summaries of %s", date))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.Summary, error) { return scanSummary(r) })
	if err != nil {
		return nil, wrapError(err, fmt.Sprintf("generate summaries of %s", date))
	}
	slices.SortFunc(out, func(a, b aforro.Summary) int { return compareStore(a.StoreID, b.StoreID) })
	return out, nil
}

// GenerateSummaries is GenerateSummaries in a transaction of its own.
func (d *DB) GenerateSummaries(ctx context.Context, day time.Time, lowStock int) ([]aforro.Summary, error) {
	var out []aforro.Summary
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var err error
		out, err = GenerateSummaries(ctx, tx, day, lowStock)
		return err
	})
	return out, err
}

// ListSummaries returns a page of summary rows, newest day first, and within a
// day the all-stores row first, then by store id. A StoreID naming no store is
// ENOTFOUND.
func (d *DB) ListSummaries(ctx context.Context, f aforro.SummaryFilter, req aforro.PageRequest) (aforro.Page[aforro.Summary], error) {
	date, stores := summaryArgs(f)
	// The all-stores row has no store; as 0 it sorts first and has a key.
	lq := listQuery{
		from:    `inventory_summaries`,
		columns: summaryColumns,
		order:   []sortKey{{expr: "summary_date", cast: "date", desc: true}, {expr: "coalesce(store_id, 0)", cast: "bigint"}},
	}
	if date != nil {
		lq.filter("summary_date = ?", *date)
	}
	if f.StoreID != 0 {
		lq.filter("store_id = ?", f.StoreID)
		lq.missing = func(ctx context.Context) error { return storeExists(ctx, d.Pool, f.StoreID) }
	}
	if f.AllStores {
		lq.filter("store_id IS NULL")
	}
	if stores != nil {
		lq.filter("store_id = ANY (?)", stores)
	}
	return listPage(ctx, d.Pool, req, lq, scanSummary, func(s aforro.Summary) []string {
		store := int64(0)
		if s.StoreID != nil {
			store = *s.StoreID
		}
		return []string{s.Date, itoa(store)}
	})
}

// LatestSummaries returns every row of the newest day that has rows the
// filter's Stores may see (Date, StoreID and AllStores are ignored), the
// all-stores row first. No such row is ENOTFOUND.
func (d *DB) LatestSummaries(ctx context.Context, f aforro.SummaryFilter) (aforro.DaySummaries, error) {
	_, stores := summaryArgs(f)
	rows, err := d.Pool.Query(ctx, `SELECT `+summaryColumns+` FROM inventory_summaries
		 WHERE ($1::bigint[] IS NULL OR store_id = ANY ($1))
		   AND summary_date = (SELECT max(summary_date) FROM inventory_summaries
		                        WHERE $1::bigint[] IS NULL OR store_id = ANY ($1))
		 ORDER BY store_id NULLS FIRST`, stores)
	if err != nil {
		return aforro.DaySummaries{}, wrapError(err, "latest summaries")
	}
	res, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.Summary, error) { return scanSummary(r) })
	if err != nil {
		return aforro.DaySummaries{}, wrapError(err, "latest summaries")
	}
	if len(res) == 0 {
		return aforro.DaySummaries{}, aforro.Errorf(aforro.ENOTFOUND,
			"No daily summary has been generated yet; POST /api/summaries/run/ computes today's.")
	}
	return aforro.DaySummaries{Date: res[0].Date, Results: res}, nil
}

// summaryArgs turns a filter into query parameters: a NULL date for any day,
// and a NULL store list for an unscoped view (an empty, non-nil list sees
// nothing).
func summaryArgs(f aforro.SummaryFilter) (date *time.Time, stores []int64) {
	if !f.Date.IsZero() {
		d := utcDay(f.Date)
		date = &d
	}
	if f.Stores != nil {
		stores = append([]int64{}, f.Stores...)
	}
	return date, stores
}

func scanSummary(row pgx.Row) (aforro.Summary, error) {
	var s aforro.Summary
	var day time.Time
	err := row.Scan(&day, &s.StoreID, &s.StoreName, &s.SKUCount, &s.TotalUnits, &s.OutOfStock, &s.LowStock,
		&s.OrdersConfirmed, &s.OrdersRejected, &s.OrdersCancelled, &s.UnitsSold, &s.Revenue, &s.GeneratedAt, &s.UnitsInTransit)
	if err != nil {
		return s, wrapError(err, "scan summary")
	}
	s.Date = day.Format(aforro.DateLayout)
	s.GeneratedAt = s.GeneratedAt.UTC()
	if s.LowStock == nil {
		s.LowStock = []aforro.SummaryItem{}
	}
	return s, nil
}

// compareStore orders the all-stores row (nil) before every store.
func compareStore(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// utcDay is midnight UTC of t's calendar day (read in UTC).
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// liveStoreSQL computes today's summary row of one store ($1) so far, on
// demand, reading only that store's part of each index: its inventory range
// of inventory_store_quantity_idx (count, units, out of stock, and the
// first $3 entries at or below $2 for the low-stock list), its orders since
// $4 through orders_store_created_idx, their lines by order id, its
// cancellations through orders_cancelled_at_idx and its in-transit lines
// through transfer_lines_in_transit_idx. The cost is one store's stock and
// one day's orders, whatever the size of the catalogue. $5 is the end of the
// day. No row when the store does not exist.
const liveStoreSQL = `
WITH stock AS (
    SELECT count(*) AS sku_count, coalesce(sum(quantity), 0) AS total_units,
           count(*) FILTER (WHERE quantity = 0) AS out_of_stock
      FROM inventory WHERE store_id = $1
), low AS (
    SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', l.product_id, 'title', p.title, 'quantity', l.quantity)
                              ORDER BY l.quantity, l.product_id), '[]') AS items
      FROM (SELECT product_id, quantity FROM inventory
             WHERE store_id = $1 AND quantity <= $2 ORDER BY quantity, product_id LIMIT $3) l
      JOIN products p ON p.id = l.product_id
), today AS (
    SELECT id, status, total_amount FROM orders WHERE store_id = $1 AND created_at >= $4 AND created_at < $5
)
SELECT s.name, st.sku_count, st.total_units, st.out_of_stock, low.items,
       (SELECT count(*) FROM today WHERE status <> 'REJECTED'),
       (SELECT count(*) FROM today WHERE status = 'REJECTED'),
       (SELECT count(*) FROM orders WHERE cancelled_at >= $4 AND cancelled_at < $5 AND store_id = $1),
       (SELECT coalesce(sum(i.quantity_requested), 0) FROM today t JOIN order_items i ON i.order_id = t.id
         WHERE t.status = 'CONFIRMED'),
       (SELECT coalesce(sum(total_amount), 0) FROM today WHERE status = 'CONFIRMED'),
       (SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE destination_store_id = $1 AND in_transit > 0)
  FROM stores s CROSS JOIN stock st CROSS JOIN low
 WHERE s.id = $1`

// liveChainSQL is liveStoreSQL for all stores together, with the arguments
// shifted by one ($1 the threshold, ..., $5 the row's name): a product counts once, so the stock
// figures group the whole inventory by product, as the daily job does (one
// pass over inventory); the order figures read today's orders through
// orders_created_idx.
const liveChainSQL = `
WITH product_stock AS (
    SELECT product_id, sum(quantity) AS quantity FROM inventory GROUP BY product_id
), stock AS (
    SELECT count(*) AS sku_count, coalesce(sum(quantity), 0) AS total_units,
           count(*) FILTER (WHERE quantity = 0) AS out_of_stock
      FROM product_stock
), low AS (
    SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', l.product_id, 'title', p.title, 'quantity', l.quantity)
                              ORDER BY l.quantity, l.product_id), '[]') AS items
      FROM (SELECT product_id, quantity FROM product_stock
             WHERE quantity <= $1 ORDER BY quantity, product_id LIMIT $2) l
      JOIN products p ON p.id = l.product_id
), today AS (
    SELECT id, status, total_amount FROM orders WHERE created_at >= $3 AND created_at < $4
)
SELECT $5::text, st.sku_count, st.total_units, st.out_of_stock, low.items,
       (SELECT count(*) FROM today WHERE status <> 'REJECTED'),
       (SELECT count(*) FROM today WHERE status = 'REJECTED'),
       (SELECT count(*) FROM orders WHERE cancelled_at >= $3 AND cancelled_at < $4),
       (SELECT coalesce(sum(i.quantity_requested), 0) FROM today t JOIN order_items i ON i.order_id = t.id
         WHERE t.status = 'CONFIRMED'),
       (SELECT coalesce(sum(total_amount), 0) FROM today WHERE status = 'CONFIRMED'),
       (SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE in_transit > 0)
  FROM stock st CROSS JOIN low`

// LiveSummary computes the summary row of now's UTC day so far without
// storing it: one store's (storeID), or all stores' (storeID 0). Stock at or
// below lowStock is low. A store that does not exist is ENOTFOUND. Like the
// stored rows, UnitsSold and Revenue count only orders still CONFIRMED.
func (d *DB) LiveSummary(ctx context.Context, storeID int64, now time.Time, lowStock int) (aforro.LiveSummary, error) {
	start := utcDay(now)
	out := aforro.LiveSummary{Live: true}
	s := &out.Summary
	s.Date = start.Format(aforro.DateLayout)
	var err error
	if storeID == 0 {
		// The chain's product grouping, like the job's, wants the memory
		// for an in-memory hash; SET LOCAL ends with the transaction.
		err = d.InTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
				return err
			}
			return tx.QueryRow(ctx, liveChainSQL, lowStock, aforro.MaxSummaryLowStock,
				start, start.AddDate(0, 0, 1), aforro.AllStoresName).Scan(liveDest(s)...)
		})
	} else {
		s.StoreID = &storeID
		err = d.Pool.QueryRow(ctx, liveStoreSQL, storeID, lowStock, aforro.MaxSummaryLowStock,
			start, start.AddDate(0, 0, 1)).Scan(liveDest(s)...)
	}
	if err != nil {
		return out, wrapError(err, "live summary", whenNoRows(errNotFound("Store", storeID)))
	}
	out.ComputedAt = now.UTC()
	s.GeneratedAt = out.ComputedAt
	if s.LowStock == nil {
		s.LowStock = []aforro.SummaryItem{}
	}
	return out, nil
}

// liveDest is where the live statements' columns go, in their order.
func liveDest(s *aforro.Summary) []any {
	return []any{&s.StoreName, &s.SKUCount, &s.TotalUnits, &s.OutOfStock, &s.LowStock, &s.OrdersConfirmed,
		&s.OrdersRejected, &s.OrdersCancelled, &s.UnitsSold, &s.Revenue, &s.UnitsInTransit}
}
