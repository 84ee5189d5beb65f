package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

func intp(n int) *int { return &n }

// stockEvents lists the stock events written so far, oldest first, as
// "event@quantity".
func stockEvents(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), `SELECT event || '@' || (payload->'data'->>'quantity') || '/' || (payload->'data'->>'threshold') || ':' || status
		FROM outbox WHERE event IN ('stock.low', 'stock.out') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStockAlerts checks the trigger of migration 013 on each write path: a
// fall through the effective threshold writes one stock.low, a fall to
// zero one stock.out, rising and falling again a new one, and staying low
// nothing more.
func TestStockAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type step struct {
		name string
		do   func(t *testing.T, d *db.DB) error
		want []string // every stock event so far
	}
	adjust := func(delta int) func(t *testing.T, d *db.DB) error {
		return func(t *testing.T, d *db.DB) error { _, err := d.AdjustStock(ctx, 1, 1, delta, "count"); return err }
	}
	set := func(q int) func(t *testing.T, d *db.DB) error {
		return func(t *testing.T, d *db.DB) error { _, _, err := d.SetStock(ctx, 1, 1, q, "count"); return err }
	}
	order := func(q int) func(t *testing.T, d *db.DB) error {
		return func(t *testing.T, d *db.DB) error {
			_, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: q}}}, nil)
			return err
		}
	}
	reorder := func(p *int) func(t *testing.T, d *db.DB) error {
		return func(t *testing.T, d *db.DB) error {
			_, err := d.SetReorder(ctx, 1, 1, aforro.ReorderInput{ReorderPoint: p})
			return err
		}
	}
	global := func(n int) func(t *testing.T, d *db.DB) error {
		return func(t *testing.T, d *db.DB) error { return d.SetLowStockThreshold(ctx, n) }
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"global threshold", []step{
			{"set 10", set(10), nil},
			{"down to 6", adjust(-4), nil},
			{"down to 5, the threshold", adjust(-1), []string{"stock.low@5/5:skipped"}},
			{"down to 3, still low", adjust(-2), []string{"stock.low@5/5:skipped"}},
			{"up to 8", adjust(5), []string{"stock.low@5/5:skipped"}},
			{"order of 4: 4 left", order(4), []string{"stock.low@5/5:skipped", "stock.low@4/5:skipped"}},
			{"set 0", set(0), []string{"stock.low@5/5:skipped", "stock.low@4/5:skipped", "stock.out@0/5:skipped"}},
		}},
		{"reorder point", []step{
			{"set 30", set(30), nil},
			{"reorder point 20", reorder(intp(20)), nil},
			{"down to 21", adjust(-9), nil},
			{"order of 1: 20 left", order(1), []string{"stock.low@20/20:skipped"}},
			{"down to 6, above the global 5", adjust(-14), []string{"stock.low@20/20:skipped"}},
			{"cleared: 6 is above the global 5", reorder(nil), []string{"stock.low@20/20:skipped"}},
			{"down to 5", adjust(-1), []string{"stock.low@20/20:skipped", "stock.low@5/5:skipped"}},
		}},
		{"a fall straight to zero is low and out", []step{
			{"set 9", set(9), nil},
			{"set 0", set(0), []string{"stock.low@0/5:skipped", "stock.out@0/5:skipped"}},
			{"set 0 again", set(0), []string{"stock.low@0/5:skipped", "stock.out@0/5:skipped"}},
		}},
		{"reorder point 0 and a changed global threshold", []step{
			{"global 2", global(2), nil},
			{"set 3", set(3), nil},
			{"down to 2", adjust(-1), []string{"stock.low@2/2:skipped"}},
			{"reorder point 0", reorder(intp(0)), []string{"stock.low@2/2:skipped"}},
			{"down to 0", adjust(-2), []string{"stock.low@2/2:skipped", "stock.low@0/0:skipped", "stock.out@0/0:skipped"}},
		}},
		{"raising the reorder point over the stock writes nothing", []step{
			{"set 10", set(10), nil},
			{"reorder point 50", reorder(intp(50)), nil},
			{"up to 12", adjust(2), nil},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t)
			runSQL(t, d, `INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
				INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
				INSERT INTO stores (id, name) VALUES (1, 'North');`)
			for _, s := range c.steps {
				if err := s.do(t, d); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				if got := stockEvents(t, d); !slices.Equal(got, s.want) {
					t.Fatalf("after %s: events %q, want %q", s.name, got, s.want)
				}
			}
		})
	}
}

// TestSetReorder checks the row's answer and the unknown store and row.
func TestSetReorder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, `INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1), (2, 'Gizmo', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3)`)
	it, err := d.SetReorder(ctx, 1, 1, aforro.ReorderInput{ReorderPoint: intp(7), ReorderQuantity: intp(40)})
	if err != nil || it.ReorderPoint == nil || *it.ReorderPoint != 7 || *it.ReorderQuantity != 40 || it.Quantity != 3 {
		t.Fatalf("set = %+v, %v", it, err)
	}
	if it, err = d.InventoryItem(ctx, 1, 1); err != nil || *it.ReorderPoint != 7 {
		t.Fatalf("read back = %+v, %v", it, err)
	}
	if it, err = d.SetReorder(ctx, 1, 1, aforro.ReorderInput{}); err != nil || it.ReorderPoint != nil || it.ReorderQuantity != nil {
		t.Fatalf("clear = %+v, %v", it, err)
	}
	for _, sp := range [][2]int64{{1, 2}, {9, 1}} {
		if _, err := d.SetReorder(ctx, sp[0], sp[1], aforro.ReorderInput{ReorderPoint: intp(1)}); aforro.ErrorCode(err) != aforro.ENOTFOUND {
			t.Errorf("store %d product %d: %v, want ENOTFOUND", sp[0], sp[1], err)
		}
	}
}

// TestLowStockUsesReorderPoints checks ?low_stock=true and the summary's
// low-stock list against rows with and without reorder points.
func TestLowStockUsesReorderPoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	// Global threshold 5. 1: 4, none (low); 2: 6, none (not); 3: 8, point
	// 10 (low); 4: 3, point 2 (not); 5: 2, point 2 (low).
	runSQL(t, d, `INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'P' || g, 1, 1 FROM generate_series(1, 5) g;
		INSERT INTO stores (id, name) VALUES (1, 'North');
		INSERT INTO inventory (store_id, product_id, quantity, reorder_point) VALUES
			(1, 1, 4, NULL), (1, 2, 6, NULL), (1, 3, 8, 10), (1, 4, 3, 2), (1, 5, 2, 2)`)
	page, err := d.ListInventory(ctx, 1, aforro.InventoryFilter{LowStock: true, Threshold: 5}, aforro.PageRequest{Page: 1, PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, it := range page.Results {
		got = append(got, it.ProductID)
	}
	if want := []int64{1, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("low stock list = %v, want %v", got, want)
	}
	sums, err := d.GenerateSummaries(ctx, time.Now(), 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.StoreID == nil || *s.StoreID != 1 {
			continue
		}
		got = got[:0]
		for _, it := range s.LowStock {
			got = append(got, it.ProductID)
		}
		// Lowest first: 5 (2), 1 (4), 3 (8).
		if want := []int64{5, 1, 3}; !slices.Equal(got, want) {
			t.Errorf("summary low stock = %v, want %v", got, want)
		}
	}
}

// TestStockDigestOnce checks that a day's digests are written once per
// store with that day's events only, however often the job runs.
func TestStockDigestOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	runSQL(t, d, `INSERT INTO stores (id, name) VALUES (1, 'North'), (2, 'South'), (3, 'Quiet')`)
	runSQL(t, d, `INSERT INTO outbox (event, payload, status, created_at) VALUES
		  ('stock.low', '{"store_id": 1, "data": {"product_id": 7, "product_title": "Widget", "quantity": 4, "threshold": 5, "reorder_quantity": 20}}', 'skipped', $1::timestamptz + interval '1 hour'),
		  ('stock.out', '{"store_id": 1, "data": {"product_id": 7, "product_title": "Widget", "quantity": 0, "threshold": 5}}', 'skipped', $1::timestamptz + interval '2 hours'),
		  ('stock.low', '{"store_id": 2, "data": {"product_id": 8, "product_title": "Gizmo", "quantity": 1, "threshold": 3}}', 'skipped', $1::timestamptz + interval '23 hours'),
		  ('stock.low', '{"store_id": 3, "data": {"product_id": 8, "product_title": "Gizmo", "quantity": 1, "threshold": 3}}', 'skipped', $1::timestamptz + interval '1 day')`, day)
	for run, want := range []int{2, 0} {
		var n int
		err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
			var err error
			n, err = db.EnqueueStockDigests(ctx, tx, day, "buyer@example.com")
			return err
		})
		if err != nil || n != want {
			t.Fatalf("run %d: %d digests, %v; want %d", run+1, n, err, want)
		}
	}
	rows, err := d.Pool.Query(ctx, `SELECT payload, status FROM outbox WHERE event = 'stock.digest' ORDER BY payload->>'store_id'`)
	if err != nil {
		t.Fatal(err)
	}
	type dg struct {
		payload []byte
		status  string
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dg, error) {
		var x dg
		return x, r.Scan(&x.payload, &x.status)
	})
	if err != nil || len(got) != 2 {
		t.Fatalf("digests = %v, %v", len(got), err)
	}
	first, err := db.ParseStockDigest(got[0].payload)
	if err != nil {
		t.Fatal(err)
	}
	if first.StoreID != 1 || first.StoreName != "North" || first.Date != "2026-03-01" || first.To != "buyer@example.com" ||
		len(first.Alerts) != 2 || first.Alerts[0].Event != "stock.low" || first.Alerts[1].Event != "stock.out" ||
		first.Alerts[0].ReorderQuantity == nil || *first.Alerts[0].ReorderQuantity != 20 || got[0].status != "pending" {
		t.Errorf("store 1's digest = %+v (%s)", first, got[0].status)
	}
}
