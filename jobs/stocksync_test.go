package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/jobs"
)

// TestSyncStockedStores runs the sync loop as aforrod serve does and checks
// that a product coming into stock, and going out of it, reaches the lists
// that in-stock searches read, without anyone calling the sync.
func TestSyncStockedStores(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	log, _ := newLogger()
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.SyncStockedStores(ctx, d, 10*time.Millisecond, log)
	}()
	t.Cleanup(func() { cancel(); <-done })

	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North'), (2, 'South');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3), (2, 1, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	stores := func(want string) func() bool {
		return func() bool {
			var got string
			err := d.Pool.QueryRow(ctx, `SELECT stocked_stores::text FROM products WHERE id = 1`).Scan(&got)
			return err == nil && got == want
		}
	}
	waitFor(t, 5*time.Second, "store 1 in the list", stores("{1}"))
	if _, err := d.Pool.Exec(ctx, `UPDATE inventory SET quantity = CASE WHEN quantity > 0 THEN 0 ELSE 2 END WHERE product_id = 1`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "store 2 instead of store 1", stores("{2}"))
	var queued int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM stocked_stores_queue`).Scan(&queued); err != nil || queued != 0 {
		t.Errorf("%d products still queued (%v)", queued, err)
	}
}
