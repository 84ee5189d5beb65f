package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// EventStockDigest is the outbox event of one store's daily low-stock
// digest email (jobs mails it; it is no webhook).
const EventStockDigest = "stock.digest"

// SetLowStockThreshold records the global low-stock threshold where the
// stock-alert trigger (migration 013) reads it. aforrod serve calls it at
// start with --low-stock.
func (d *DB) SetLowStockThreshold(ctx context.Context, n int) error {
	_, err := d.Pool.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('low_stock', $1)
		ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
		WHERE settings.value IS DISTINCT FROM EXCLUDED.value`, strconv.Itoa(n))
	return wrapError(err, "record the low-stock threshold")
}

// SetReorder writes a store's reorder point and reorder quantity of a
// product (nil clears either) and returns the row. It moves no stock, so it
// writes no ledger row and no stock event. An unknown store, or a product
// the store does not stock, is ENOTFOUND.
func (d *DB) SetReorder(ctx context.Context, storeID, productID int64, in aforro.ReorderInput) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := d.retry(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE inventory SET reorder_point = $3, reorder_quantity = $4
			WHERE store_id = $1 AND product_id = $2`, storeID, productID, in.ReorderPoint, in.ReorderQuantity)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			if err := storeExists(ctx, tx, storeID); err != nil {
				return err
			}
			return notStocked(storeID, productID)
		}
		it, err = inventoryItem(ctx, tx, storeID, productID)
		return err
	})
	return it, wrapError(err, "set reorder point")
}

// StockAlert is one stock.low or stock.out event, as a digest lists it.
type StockAlert struct {
	Event        string    `json:"event"`
	At           time.Time `json:"at"`
	ProductID    int64     `json:"product_id"`
	ProductTitle string    `json:"product_title"`
	Quantity     int       `json:"quantity"`
	Threshold    int       `json:"threshold"`
	// ReorderQuantity is the row's reorder quantity when the event was
	// written, if any.
	ReorderQuantity *int `json:"reorder_quantity"`
}

// StockDigest is the payload of a stock.digest event: what a store's
// digest email lists, fixed when the event is written so every retry
// sends the same mail.
type StockDigest struct {
	StoreID   int64        `json:"store_id"`
	StoreName string       `json:"store_name"`
	Date      string       `json:"date"`
	To        string       `json:"to"`
	Alerts    []StockAlert `json:"alerts"`
}

// EnqueueStockDigests writes, in tx, one stock.digest outbox event to to
// for each store whose rows crossed their reorder point (or ran out)
// during day (UTC), listing those crossings oldest first. A store's digest
// of a day is written at most once, however often this runs (a unique
// index, migration 013): the job running it holds the day's job_runs
// guard, and a second run finds the digest already there. It returns how
// many digests it wrote.
func EnqueueStockDigests(ctx context.Context, tx pgx.Tx, day time.Time, to string) (int, error) {
	start := utcDay(day)
	date := start.Format(aforro.DateLayout)
	rows, err := tx.Query(ctx, `
		WITH d AS (
			INSERT INTO outbox (event, payload, status)
			SELECT $1, jsonb_build_object('store_id', s.id, 'store_name', s.name, 'date', $2::text, 'to', $3::text,
			       'alerts', jsonb_agg(jsonb_build_object('event', o.event, 'at', o.created_at,
			           'product_id', o.payload->'data'->'product_id', 'product_title', o.payload->'data'->'product_title',
			           'quantity', o.payload->'data'->'quantity', 'threshold', o.payload->'data'->'threshold',
			           'reorder_quantity', o.payload->'data'->'reorder_quantity') ORDER BY o.id)), 'pending'
			  FROM outbox o JOIN stores s ON s.id = (o.payload->>'store_id')::bigint
			 WHERE o.event IN ('stock.low', 'stock.out') AND o.created_at >= $4 AND o.created_at < $5
			 GROUP BY s.id, s.name
			ON CONFLICT ((payload->>'store_id'), (payload->>'date')) WHERE event = 'stock.digest' DO NOTHING
			RETURNING id)
		SELECT pg_notify($6, id::text) FROM d`, EventStockDigest, date, to, start, start.AddDate(0, 0, 1), OutboxChannel)
	if err != nil {
		return 0, wrapError(err, fmt.Sprintf("enqueue stock digests of %s", date))
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, wrapError(rows.Err(), fmt.Sprintf("enqueue stock digests of %s", date))
}

// ParseStockDigest decodes a stock.digest event's payload.
func ParseStockDigest(payload []byte) (StockDigest, error) {
	var d StockDigest
	if err := json.Unmarshal(payload, &d); err != nil {
		return d, err
	}
	if d.StoreID < 1 || d.To == "" || d.Date == "" {
		return d, fmt.Errorf("incomplete stock digest %s", payload)
	}
	return d, nil
}
