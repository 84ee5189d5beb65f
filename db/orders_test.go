package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// deadlocks returns PostgreSQL's count of deadlocks in d's database. A
// backend reports its counters when it goes idle, at most once a second, so
// every connection of the pool is first told to report at once.
func deadlocks(t *testing.T, d *db.DB) int64 {
	t.Helper()
	ctx := context.Background()
	for _, c := range d.Pool.AcquireAllIdle(ctx) {
		_, err := c.Exec(ctx, `SELECT pg_stat_force_next_flush()`)
		c.Release()
		if err != nil {
			t.Fatalf("flush statistics: %v", err)
		}
	}
	if _, err := d.Pool.Exec(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
		t.Fatal(err)
	}
	return dbtest.QueryInt(t, d, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`)
}

// TestOrdersAcrossStoresNeverDeadlock races orders at many stores over the
// same products, each taking the last unit of every line, and cancels that
// return them: every line crosses zero both ways, which is what changes the
// stores-with-stock lists that search reads. Orders at different stores
// share no inventory row, so nothing they do may wait on, let alone
// deadlock with, each other (issue 13, defect 0).
func TestOrdersAcrossStoresNeverDeadlock(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	const stores, products, rounds = 24, 16, 5
	_, err := d.Pool.Exec(ctx, fmt.Sprintf(`
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'Widget ' || g, 1, 1 FROM generate_series(1, %[1]d) AS g;
		INSERT INTO stores (id, name) SELECT g, 'Store ' || g FROM generate_series(1, %[2]d) AS g;
		-- in a random order, so the rows of one product lie differently in each store
		INSERT INTO inventory (store_id, product_id, quantity)
		SELECT s, p, 1 FROM generate_series(1, %[2]d) AS s, generate_series(1, %[1]d) AS p ORDER BY random()`,
		products, stores))
	if err != nil {
		t.Fatal(err)
	}
	before := deadlocks(t, d)

	for round := range rounds {
		orders := make([]int64, stores)
		var wg sync.WaitGroup
		errs := make(chan error, stores)
		for s := range stores {
			wg.Go(func() {
				lines := make([]aforro.OrderLine, products)
				for i, p := range rand.Perm(products) {
					lines[i] = aforro.OrderLine{ProductID: int64(p + 1), QuantityRequested: 1}
				}
				res, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: int64(s + 1), Items: lines}, nil)
				if err == nil && res.Order.Status != aforro.StatusConfirmed {
					err = fmt.Errorf("store %d: order %s", s+1, res.Order.Status)
				}
				orders[s] = res.Order.ID
				errs <- err
			})
		}
		wg.Wait()
		for range stores {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: place: %v", round, err)
			}
		}
		for _, id := range orders {
			wg.Go(func() {
				_, err := d.CancelOrder(ctx, id)
				errs <- err
			})
		}
		wg.Wait()
		for range stores {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: cancel: %v", round, err)
			}
		}
	}
	if n := deadlocks(t, d) - before; n != 0 {
		t.Errorf("PostgreSQL detected %d deadlocks among orders at different stores", n)
	}
	syncStock(t, d, "the races")
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM inventory WHERE quantity <> 1`); n != 0 {
		t.Errorf("%d inventory rows are not back at 1 after every order was cancelled", n)
	}
}
