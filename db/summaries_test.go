package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// summaryFixture is a small dataset whose summary of 2026-03-10 is worked out
// by hand in TestGenerateSummaries. Orders sit on both sides of the day's
// bounds, and one order placed the day before is cancelled on the day.
const summaryFixture = `
INSERT INTO categories (id, name) VALUES (1, 'Food');
INSERT INTO products (id, title, price, category_id) VALUES
  (1, 'Apple', 2.00, 1), (2, 'Banana', 3.00, 1), (3, 'Cherry', 10.00, 1), (4, 'Date', 1.50, 1);
INSERT INTO stores (id, name, location) VALUES (1, 'North', 'N'), (2, 'South', 'S'), (3, 'Empty', 'E');
INSERT INTO inventory (store_id, product_id, quantity) VALUES
  (1, 1, 0), (1, 2, 3), (1, 3, 20),
  (2, 1, 0), (2, 3, 5), (2, 4, 7);
INSERT INTO orders (id, store_id, status, total_amount, created_at, cancelled_at) VALUES
  (1, 1, 'CONFIRMED', 14.00,  '2026-03-10T10:00:00Z', NULL),
  (2, 1, 'REJECTED',  30.00,  '2026-03-10T11:00:00Z', NULL),
  (3, 1, 'CANCELLED', 6.00,   '2026-03-10T12:00:00Z', '2026-03-10T13:00:00Z'),
  (4, 2, 'CONFIRMED', 100.00, '2026-03-09T23:59:59.999Z', NULL),
  (5, 2, 'CONFIRMED', 10.00,  '2026-03-11T00:00:00Z', NULL),
  (6, 2, 'CANCELLED', 20.00,  '2026-03-09T22:00:00Z', '2026-03-10T00:30:00Z'),
  (7, 2, 'CONFIRMED', 1.50,   '2026-03-10T23:59:59.999Z', NULL);
INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES
  (1, 1, 'Apple', 2.00, 2), (1, 3, 'Cherry', 10.00, 1),
  (2, 3, 'Cherry', 10.00, 3),
  (3, 2, 'Banana', 3.00, 2),
  (4, 4, 'Date', 10.00, 10),
  (5, 3, 'Cherry', 10.00, 1),
  (6, 3, 'Cherry', 10.00, 2),
  (7, 4, 'Date', 1.50, 1);
SELECT setval(pg_get_serial_sequence('orders', 'id'), 7);
`

func storeID(id int64) *int64 { return &id }

func item(id int64, title string, quantity int64) aforro.SummaryItem {
	return aforro.SummaryItem{ProductID: id, Title: title, Quantity: quantity}
}

func runSQL(t *testing.T, d *db.DB, sql string, args ...any) {
	t.Helper()
	if _, err := d.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

// ignoreGenerated leaves generated_at out of comparisons; it is checked
// separately.
var ignoreGenerated = cmpopts.IgnoreFields(aforro.Summary{}, "GeneratedAt")

func TestGenerateSummaries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, summaryFixture)
	day := time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC) // the clock is ignored

	before := time.Now()
	got, err := d.GenerateSummaries(ctx, day, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []aforro.Summary{
		{Date: "2026-03-10", StoreID: nil, StoreName: aforro.AllStoresName,
			SKUCount: 4, TotalUnits: 35, OutOfStock: 1,
			LowStock:        []aforro.SummaryItem{item(1, "Apple", 0), item(2, "Banana", 3)},
			OrdersConfirmed: 3, OrdersRejected: 1, OrdersCancelled: 2, UnitsSold: 4, Revenue: 1550},
		{Date: "2026-03-10", StoreID: storeID(1), StoreName: "North",
			SKUCount: 3, TotalUnits: 23, OutOfStock: 1,
			LowStock:        []aforro.SummaryItem{item(1, "Apple", 0), item(2, "Banana", 3)},
			OrdersConfirmed: 2, OrdersRejected: 1, OrdersCancelled: 1, UnitsSold: 3, Revenue: 1400},
		{Date: "2026-03-10", StoreID: storeID(2), StoreName: "South",
			SKUCount: 3, TotalUnits: 12, OutOfStock: 1,
			LowStock:        []aforro.SummaryItem{item(1, "Apple", 0), item(3, "Cherry", 5)},
			OrdersConfirmed: 1, OrdersRejected: 0, OrdersCancelled: 1, UnitsSold: 1, Revenue: 150},
		{Date: "2026-03-10", StoreID: storeID(3), StoreName: "Empty", LowStock: []aforro.SummaryItem{}},
	}
	if diff := cmp.Diff(want, got, ignoreGenerated); diff != "" {
		t.Fatalf("summaries of 2026-03-10 (-want +got):\n%s", diff)
	}
	for _, s := range got {
		if s.GeneratedAt.Before(before.Add(-time.Minute)) || s.GeneratedAt.Location() != time.UTC {
			t.Errorf("generated_at %v: want about now, in UTC", s.GeneratedAt)
		}
	}

	// The day before: order 4 (23:59:59.999) and order 6 (placed then,
	// cancelled on the 10th) were confirmed that day; nothing was cancelled
	// that day, but order 6 is cancelled now, so its 2 units and 20.00 do
	// not count as sold.
	prev, err := d.GenerateSummaries(ctx, day.AddDate(0, 0, -1), 5)
	if err != nil {
		t.Fatal(err)
	}
	if s := prev[2]; s.OrdersConfirmed != 2 || s.OrdersCancelled != 0 || s.UnitsSold != 10 || s.Revenue != 10000 {
		t.Errorf("South on 2026-03-09: confirmed %d, cancelled %d, units %d, revenue %s; want 2, 0, 10, 100.00",
			s.OrdersConfirmed, s.OrdersCancelled, s.UnitsSold, s.Revenue)
	}

	// A re-run replaces the day's rows: the stock moved, the rows follow.
	runSQL(t, d, `UPDATE inventory SET quantity = 9 WHERE store_id = 1 AND product_id = 2`)
	runSQL(t, d, `DELETE FROM order_items WHERE order_id = 2; DELETE FROM orders WHERE id = 2`)
	again, err := d.GenerateSummaries(ctx, day, 5)
	if err != nil {
		t.Fatal(err)
	}
	want[0].TotalUnits, want[0].OrdersRejected = 41, 0
	want[0].LowStock = []aforro.SummaryItem{item(1, "Apple", 0)}
	want[1].TotalUnits, want[1].OrdersRejected = 29, 0
	want[1].LowStock = []aforro.SummaryItem{item(1, "Apple", 0)}
	if diff := cmp.Diff(want, again, ignoreGenerated); diff != "" {
		t.Fatalf("re-run of 2026-03-10 (-want +got):\n%s", diff)
	}
	var n int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM inventory_summaries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 8 { // two days of four rows each, the re-run replaced its day
		t.Errorf("inventory_summaries holds %d rows, want 8", n)
	}
}

// TestCancelledOrderSoldNothing: the case. The only order of the
// day is confirmed, then cancelled; the day's row and the live row both
// count it as confirmed and cancelled, and count no units and no revenue.
func TestCancelledOrderSoldNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, `INSERT INTO categories (id, name) VALUES (1, 'C');
		INSERT INTO stores (id, name) VALUES (1, 'S');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'P', 163.66, 1);
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 10);
		INSERT INTO orders (id, store_id, status, total_amount, created_at, cancelled_at) VALUES
		  (1, 1, 'CANCELLED', 490.98, '2026-03-10T10:00:00Z', '2026-03-10T10:05:00Z');
		INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES
		  (1, 1, 'P', 163.66, 3)`)
	now := time.Date(2026, 3, 10, 19, 22, 0, 0, time.UTC)
	rows, err := d.GenerateSummaries(ctx, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	live, err := d.LiveSummary(ctx, 1, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []aforro.Summary{rows[0], rows[1], live.Summary} {
		if s.OrdersConfirmed != 1 || s.OrdersCancelled != 1 || s.UnitsSold != 0 || s.Revenue != 0 {
			t.Errorf("%s: confirmed %d, cancelled %d, units sold %d, revenue %s; want 1, 1, 0, 0.00",
				s.StoreName, s.OrdersConfirmed, s.OrdersCancelled, s.UnitsSold, s.Revenue)
		}
	}
}

// TestLiveSummary checks the live row of each store and of all stores
// against the fixture worked out by hand, and against the stored row the
// job computes of the same day from the same data: the two differ only in
// being stored.
func TestLiveSummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, summaryFixture)
	now := time.Date(2026, 3, 10, 15, 4, 5, 0, time.FixedZone("", 3600))

	north, err := d.LiveSummary(ctx, 1, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := aforro.LiveSummary{Live: true, ComputedAt: now.UTC(), Summary: aforro.Summary{
		Date: "2026-03-10", StoreID: storeID(1), StoreName: "North", SKUCount: 3, TotalUnits: 23, OutOfStock: 1,
		LowStock:        []aforro.SummaryItem{item(1, "Apple", 0), item(2, "Banana", 3)},
		OrdersConfirmed: 2, OrdersRejected: 1, OrdersCancelled: 1, UnitsSold: 3, Revenue: 1400, GeneratedAt: now.UTC(),
	}}
	if diff := cmp.Diff(want, north); diff != "" {
		t.Fatalf("live North (-want +got):\n%s", diff)
	}

	stored, err := d.GenerateSummaries(ctx, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stored {
		id := int64(0)
		if s.StoreID != nil {
			id = *s.StoreID
		}
		live, err := d.LiveSummary(ctx, id, now, 5)
		if err != nil {
			t.Fatalf("store %d: %v", id, err)
		}
		if !live.Live || !live.ComputedAt.Equal(now) {
			t.Errorf("store %d: live %v computed_at %v", id, live.Live, live.ComputedAt)
		}
		if diff := cmp.Diff(s, live.Summary, ignoreGenerated); diff != "" {
			t.Errorf("store %d: live row differs from the stored one (-stored +live):\n%s", id, diff)
		}
	}

	if _, err := d.LiveSummary(ctx, 99, now, 5); aforro.ErrorCode(err) != aforro.ENOTFOUND {
		t.Fatalf("live summary of store 99: %v, want ENOTFOUND", err)
	}
}

// TestGenerateSummariesLowStockCap checks that a row lists at most
// MaxSummaryLowStock items, the lowest quantity first and ties by product id.
func TestGenerateSummariesLowStockCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, `INSERT INTO categories (id, name) VALUES (1, 'C');
		INSERT INTO stores (id, name) VALUES (1, 'S');
		INSERT INTO products (id, title, price, category_id)
		     SELECT g, 'P' || g, 1, 1 FROM generate_series(1, 250) g;
		INSERT INTO inventory (store_id, product_id, quantity)
		     SELECT 1, g, (250 - g) % 4 FROM generate_series(1, 250) g`)
	got, err := d.GenerateSummaries(ctx, time.Now(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	for _, s := range got {
		if len(s.LowStock) != aforro.MaxSummaryLowStock {
			t.Fatalf("%s lists %d low-stock items, want %d", s.StoreName, len(s.LowStock), aforro.MaxSummaryLowStock)
		}
		for i := 1; i < len(s.LowStock); i++ {
			a, b := s.LowStock[i-1], s.LowStock[i]
			if a.Quantity > b.Quantity || (a.Quantity == b.Quantity && a.ProductID >= b.ProductID) {
				t.Fatalf("%s: item %d %+v comes before %+v", s.StoreName, i, a, b)
			}
		}
		if last := s.LowStock[len(s.LowStock)-1]; last.Quantity != 1 {
			t.Errorf("%s: the 100th item has quantity %d; 63 items at 0 and 62 at 1 put it at 1", s.StoreName, last.Quantity)
		}
	}
}

// TestRunOnce checks the job_runs guard: concurrent runs of one day run once,
// and a failed run leaves the day free for a catch-up.
func TestRunOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

	failed := errors.New("boom")
	ran, err := d.RunOnce(ctx, "job", day, "a", func(pgx.Tx) (string, error) { return "", failed })
	if ran || !errors.Is(err, failed) {
		t.Fatalf("failing run = %v, %v; want false, boom", ran, err)
	}
	if ok, err := d.HasJobRun(ctx, "job", day); ok || err != nil {
		t.Fatalf("after a failed run HasJobRun = %v, %v; want false", ok, err)
	}

	const racers = 4
	results := make(chan bool, racers)
	for i := range racers {
		go func() {
			ran, err := d.RunOnce(ctx, "job", day, string(rune('a'+i)), func(pgx.Tx) (string, error) {
				time.Sleep(50 * time.Millisecond) // hold the row while the others queue on it
				return "did it", nil
			})
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
			results <- ran
		}()
	}
	n := 0
	for range racers {
		if <-results {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d of %d concurrent runs ran, want exactly 1", n, racers)
	}
	runs, err := d.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Job != "job" || runs[0].RunDate != "2026-03-10" || runs[0].Detail != "did it" ||
		runs[0].DurationMS < 40 || runs[0].FinishedAt.Before(runs[0].StartedAt) {
		t.Fatalf("LastJobRuns = %+v", runs)
	}
	if ok, err := d.HasJobRun(ctx, "job", day); !ok || err != nil {
		t.Fatalf("HasJobRun = %v, %v; want true", ok, err)
	}
}
