package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// StockedStoresBatch is how many queued products one SyncStockedStores
// transaction takes.
const StockedStoresBatch = 1000

// SyncStockedStores brings the stocked_stores lists that in-stock searches
// read (migration 005) up to date for the products that stock changes have
// queued (migration 006), and returns how many it took from the queue. Each
// batch locks its product rows in id order and sets every list from the
// inventory as committed after those locks, so a sync is idempotent: several
// instances may run it at once, and a product queued twice comes out right.
// It runs until the queue is empty or ctx ends.
func (d *DB) SyncStockedStores(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := d.retry(ctx, func(tx pgx.Tx) error {
			var ids []int64
			// SKIP LOCKED: a concurrent sync's rows are its own.
			err := tx.QueryRow(ctx, `
				WITH q AS (
					DELETE FROM stocked_stores_queue
					 WHERE ctid = ANY(ARRAY(SELECT ctid FROM stocked_stores_queue LIMIT $1 FOR UPDATE SKIP LOCKED))
					RETURNING product_id)
				SELECT count(*), coalesce(array_agg(DISTINCT product_id ORDER BY product_id), '{}') FROM q`,
				StockedStoresBatch).Scan(&n, &ids)
			if err != nil || n == 0 {
				return err
			}
			if _, err := tx.Exec(ctx, `SELECT 1 FROM products WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids); err != nil {
				return err
			}
			// A new statement, so a new snapshot: it sees every stock change
			// committed before the locks were granted, including those of
			// a concurrent sync of the same products. MATERIALIZED, or the
			// planner inlines the list into both the WHERE and the SET and
			// reads each changed product's inventory twice.
			_, err = tx.Exec(ctx, `
				WITH s AS MATERIALIZED (
					SELECT x.id, ARRAY(SELECT i.store_id FROM inventory i
					                    WHERE i.product_id = x.id AND i.quantity > 0 ORDER BY i.store_id) AS stores
					  FROM unnest($1::bigint[]) AS x(id))
				UPDATE products p SET stocked_stores = s.stores
				  FROM s WHERE p.id = s.id AND p.stocked_stores IS DISTINCT FROM s.stores`, ids)
			return err
		})
		if err != nil {
			return total, wrapError(err, "sync stocked stores")
		}
		total += n
		if n < StockedStoresBatch {
			return total, nil
		}
	}
}
