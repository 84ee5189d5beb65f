package db_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db/dbtest"
)

// TestLedgerFollowsTheRowLock makes a change whose transaction began first
// but reached the row second, as an order waiting for the row lock does:
// the ledger lists it as the newest, so the newest movement's quantity_after
// is the quantity and each movement continues the one below (issue 13,
// defect 4: listed by created_at, the transaction's start, it came second).
func TestLedgerFollowsTheRowLock(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North');`)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.SetStock(ctx, 1, 1, 10, "count"); err != nil {
		t.Fatal(err)
	}
	early, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer early.Rollback(ctx)                                  //nolint:errcheck // a no-op after Commit
	if _, err := early.Exec(ctx, `SELECT now()`); err != nil { // its now() is fixed from here
		t.Fatal(err)
	}
	if _, err := d.AdjustStock(ctx, 1, 1, -1, "correction"); err != nil {
		t.Fatal(err)
	}
	// What moveStock writes, in the transaction that began first.
	if _, err := early.Exec(ctx, `
		WITH upd AS (UPDATE inventory SET quantity = quantity - 2 WHERE store_id = 1 AND product_id = 1 RETURNING quantity)
		INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
		SELECT 1, 1, -2, quantity + 2, quantity, 'other' FROM upd`); err != nil {
		t.Fatal(err)
	}
	if err := early.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := d.ListMovements(ctx, 1, 1, aforro.MovementFilter{}, aforro.PageRequest{Page: 1, PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		Reason        string
		Before, After int
	}
	var got []step
	for _, m := range page.Results {
		got = append(got, step{m.Reason, m.QuantityBefore, m.QuantityAfter})
	}
	want := []step{{"other", 9, 7}, {"correction", 10, 9}, {"count", 0, 10}} // the earlier transaction's change, then the later one's
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ledger, newest first (-want +got):\n%s", d)
	}
	if page.Results[0].CreatedAt.After(page.Results[1].CreatedAt) {
		t.Error("the test did not make the newest change carry the earlier time")
	}
}
