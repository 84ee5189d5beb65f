package db_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/db/seed"
)

// planRecorder is a one-connection pool whose every statement auto_explain
// reports back as a notice, with the buffers its plan touched.
type planRecorder struct {
	*db.DB
	mu    sync.Mutex
	plans []explained
}

// buffersLine reads the shared buffers of a plan node in EXPLAIN's text.
var buffersLine = regexp.MustCompile(`Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?`)

type explained struct {
	Query   string
	Buffers int64
	Plan    string
}

func newPlanRecorder(t *testing.T, url, planCacheMode string) *planRecorder {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	r := &planRecorder{}
	cfg.MaxConns = 1
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		_, plan, ok := strings.Cut(n.Message, "plan:\n")
		if !ok {
			return
		}
		// The text format: "Query Text: ...", then the plan, whose first
		// "Buffers:" line is the top node's, which counts its children's.
		query, plan, _ := strings.Cut(plan, "\n")
		var total int64
		if m := buffersLine.FindStringSubmatch(plan); m != nil {
			for _, n := range m[1:] {
				v, _ := strconv.ParseInt(n, 10, 64)
				total += v
			}
		}
		r.mu.Lock()
		r.plans = append(r.plans, explained{strings.TrimPrefix(query, "Query Text: "), total, plan})
		r.mu.Unlock()
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `LOAD 'auto_explain';
			SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
			SET auto_explain.log_buffers = on; SET auto_explain.log_timing = off;
			SET auto_explain.log_format = 'text'; SET client_min_messages = log;
			SET plan_cache_mode = `+planCacheMode)
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	r.DB = &db.DB{Pool: pool}
	return r
}

// take returns and forgets the plans recorded so far.
func (r *planRecorder) take() []explained {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.plans
	r.plans = nil
	return p
}

// TestListPlansTouchFewBuffers runs every list against 40,000 products (about
// 10,000 inventory rows per store) and counts the buffers their statements
// touch, as auto_explain measures them: a list that walks a store's whole
// inventory, sorts it or counts every row touches thousands; one read from an
// index in its order touches a few hundred at most, whatever the filter.
// Each call runs six times, so PostgreSQL's plan cache has moved the
// prepared statements to their generic plan where it would; and once more
// with plan_cache_mode forcing generic plans, for the lists that are built
// to be safe with them (those planned per call would get one too there,
// which production never gives them).
func TestListPlansTouchFewBuffers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	plain, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := seed.Run(ctx, plain, seed.Options{Categories: 15, Products: 40_000, Stores: 2, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Pool.Exec(ctx, `
		INSERT INTO orders (store_id, status, created_at, cancelled_at)
		SELECT i % 2 + 1, s, t, CASE WHEN s = 'CANCELLED' THEN t END
		  FROM generate_series(1, 20000) i,
		       LATERAL (SELECT (ARRAY['CONFIRMED','CONFIRMED','CONFIRMED','REJECTED','CANCELLED'])[i % 5 + 1] AS s,
		                       now() - i * interval '1 minute' AS t) x`); err != nil {
		t.Fatal(err)
	}
	// 6,000 transfers between the stores, newest every minute; every tenth
	// is on the road with one line, 300 of them toward store 1.
	if _, err := plain.Pool.Exec(ctx, `
		INSERT INTO transfers (id, source_store_id, destination_store_id, status, created_at, shipped_at, received_at)
		SELECT i, 2 - i % 2, 1 + i % 2, s, t, t, CASE WHEN s = 'received' THEN t END
		  FROM generate_series(1, 6000) i,
		       LATERAL (SELECT CASE WHEN i % 10 < 2 THEN 'shipped' ELSE 'received' END AS s,
		                       now() - i * interval '1 minute' AS t) x;
		INSERT INTO transfer_lines (transfer_id, destination_store_id, product_id, quantity, shipped, received)
		SELECT t.id, t.destination_store_id, i.product_id, 3, 3, CASE WHEN t.status = 'received' THEN 3 ELSE 0 END
		  FROM transfers t
		  JOIN LATERAL (SELECT product_id FROM inventory WHERE store_id = t.destination_store_id
		                 ORDER BY product_id OFFSET t.id LIMIT 1) i ON true`); err != nil {
		t.Fatal(err)
	}
	// Reorder points (migration 013) on one row in 50, a third of them at
	// or above their stock: ?low_stock=true has both its arms to find.
	if _, err := plain.Pool.Exec(ctx, `UPDATE inventory SET reorder_point = CASE WHEN product_id % 3 = 0 THEN quantity + 10 ELSE 2 END
		WHERE product_id % 50 = 0`); err != nil {
		t.Fatal(err)
	}
	for day := range 30 {
		if _, err := plain.GenerateSummaries(ctx, time.Now().AddDate(0, 0, -day), 5); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := plain.Pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		t.Fatal(err)
	}
	// A title word most of store 1's products have, and one only a few have.
	var common, rare string
	if err := plain.Pool.QueryRow(ctx, `
		WITH w AS (SELECT lower(w) AS w, count(*) AS n FROM inventory, regexp_split_to_table(product_title, '\s+') w
		            WHERE store_id = 1 AND length(w) >= 4 AND w ~ '^[[:alpha:]]+$' GROUP BY 1)
		SELECT (SELECT w FROM w ORDER BY n DESC, w LIMIT 1), (SELECT w FROM w WHERE n BETWEEN 2 AND 5 ORDER BY w LIMIT 1)`).
		Scan(&common, &rare); err != nil {
		t.Fatal(err)
	}
	var category, movementsProduct int64
	if err := plain.Pool.QueryRow(ctx, `SELECT min(category_id), min(product_id) FROM inventory WHERE store_id = 1`).
		Scan(&category, &movementsProduct); err != nil {
		t.Fatal(err)
	}
	t.Logf("common word %q, rare word %q", common, rare)

	type call func(d *db.DB, req aforro.PageRequest) (next []string, err error)
	inventory := func(f aforro.InventoryFilter) call {
		return func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			f.Threshold = 5
			p, err := d.ListInventory(ctx, 1, f, req)
			return p.Next, err
		}
	}
	products := func(f aforro.ProductFilter) call {
		return func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListProducts(ctx, f, req)
			return p.Next, err
		}
	}
	orders := func(f aforro.OrderFilter) call {
		return func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListOrders(ctx, f, req)
			return p.Next, err
		}
	}
	transfers := func(f aforro.TransferFilter) call {
		return func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListTransfers(ctx, f, req)
			return p.Next, err
		}
	}
	lists := []struct {
		name        string
		list        call
		genericSafe bool
	}{
		{"categories", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListCategories(ctx, req)
			return p.Next, err
		}, true},
		{"stores", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListStores(ctx, req)
			return p.Next, err
		}, true},
		{"products", products(aforro.ProductFilter{}), true},
		{"products of a category", products(aforro.ProductFilter{CategoryID: category}), true},
		{"products updated in the last year", products(aforro.ProductFilter{UpdatedSince: time.Now().AddDate(-1, 0, 0)}), false},
		{"products updated this hour", products(aforro.ProductFilter{UpdatedSince: time.Now().Add(-time.Hour)}), false},
		{"inventory", inventory(aforro.InventoryFilter{}), true},
		{"inventory of a category", inventory(aforro.InventoryFilter{CategoryID: category}), true},
		{"inventory, common word", inventory(aforro.InventoryFilter{Q: common}), false},
		{"inventory, rare word", inventory(aforro.InventoryFilter{Q: rare}), false},
		{"inventory, low stock", inventory(aforro.InventoryFilter{LowStock: true}), false},
		{"inventory, low stock of a category", inventory(aforro.InventoryFilter{LowStock: true, CategoryID: category}), false},
		{"inventory, common word, low stock", inventory(aforro.InventoryFilter{Q: common, LowStock: true}), false},
		{"inventory, incoming", inventory(aforro.InventoryFilter{Incoming: true}), false},
		{"inventory, incoming, common word", inventory(aforro.InventoryFilter{Incoming: true, Q: common}), false},
		{"store transfers", transfers(aforro.TransferFilter{StoreID: 1}), true},
		{"store transfers out", transfers(aforro.TransferFilter{StoreID: 1, Direction: aforro.DirectionOut}), true},
		{"store transfers in, shipped", transfers(aforro.TransferFilter{StoreID: 1, Direction: aforro.DirectionIn, Status: aforro.TransferShipped}), true},
		{"store transfers, received", transfers(aforro.TransferFilter{StoreID: 1, Status: aforro.TransferReceived}), true},
		{"store orders", orders(aforro.OrderFilter{StoreID: 1}), true},
		{"store orders by status", orders(aforro.OrderFilter{StoreID: 1, Status: aforro.StatusRejected}), true},
		{"all orders", orders(aforro.OrderFilter{}), true},
		{"all orders by status", orders(aforro.OrderFilter{Status: aforro.StatusCancelled}), true},
		{"orders of a scope", orders(aforro.OrderFilter{Stores: []int64{1, 2}}), false},
		{"movements", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListMovements(ctx, 1, movementsProduct, aforro.MovementFilter{}, req)
			return p.Next, err
		}, true},
		{"summaries", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListSummaries(ctx, aforro.SummaryFilter{}, req)
			return p.Next, err
		}, true},
		{"summaries of a store", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListSummaries(ctx, aforro.SummaryFilter{StoreID: 2}, req)
			return p.Next, err
		}, true},
		{"stores of a product", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ProductStores(ctx, movementsProduct, aforro.ProductStockFilter{}, req)
			return p.Next, err
		}, true},
	}
	// A good page reads its rows and, joined, their product and category
	// (a few buffers a row, 21 rows), plus a count of up to 1,001 index
	// entries; page 50 first steps over 980 rows of one index. The costliest
	// good plan here is a common word with low stock, about 2,000: the
	// title order walked past some 1,900 rows to find 21 that pass both
	// filters, which stays so at any store size, since it follows from the
	// filters' selectivity. Walking all of store 1 touches over 10,000.
	const maxBuffers = 2500
	// Page 50 of a list whose index holds its filters steps over 980 index
	// entries alone (an index-only scan) and then reads its 21 rows, not
	// the 1,001 rows before them (a category's products: 1,001 heap pages;
	// low stock, the rows walked to find them: over 2,000).
	const maxDeepBuffers = 400
	deepFromIndex := map[string]bool{"products": true, "products of a category": true,
		"inventory": true, "inventory of a category": true, "inventory, common word": true,
		"inventory, low stock": true, "inventory, low stock of a category": true}
	for _, mode := range []string{"auto", "force_generic_plan"} {
		rec := newPlanRecorder(t, url, mode)
		for _, l := range lists {
			if mode == "force_generic_plan" && !l.genericSafe {
				continue
			}
			next, err := l.list(rec.DB, aforro.PageRequest{Page: 1, PageSize: 20})
			if err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			reqs := map[string]aforro.PageRequest{
				"page 1":  {Page: 1, PageSize: 20},
				"page 50": {Page: 50, PageSize: 20},
			}
			if next != nil {
				reqs["cursor"] = aforro.PageRequest{Page: 1, PageSize: 20, After: next}
			}
			for which, req := range reqs {
				for range 6 {
					rec.take()
					if _, err := l.list(rec.DB, req); err != nil && aforro.ErrorCode(err) != aforro.EPAGEOUTOFRANGE {
						t.Fatalf("%s, %s: %v", l.name, which, err)
					}
				}
				var total int64
				var detail []string
				for _, p := range rec.take() {
					total += p.Buffers
					detail = append(detail, fmt.Sprintf("%d buffers: %s\n%s", p.Buffers, p.Query, p.Plan))
					if l.name == "inventory, common word, low stock" {
						checkStockBeforeWord(t, which, p.Plan)
					}
				}
				if which == "page 50" && deepFromIndex[l.name] && total > maxDeepBuffers {
					t.Errorf("%s, %s, plan_cache_mode %s: %d buffers, want at most %d\n%s", l.name, which, mode, total, maxDeepBuffers, strings.Join(detail, "\n"))
				}
				if total > maxBuffers {
					t.Errorf("%s, %s, plan_cache_mode %s: %d buffers\n%s", l.name, which, mode, total, strings.Join(detail, "\n"))
				}
			}
		}
	}
}

// TestInventoryKeepsProductCopies checks the copies of a product's title,
// category (migration 008) and price (migration 014) on its inventory rows
// through renames, moves and new prices, including a rename racing the
// insert of a new row.
func TestInventoryKeepsProductCopies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'A'), (2, 'B');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Old', 1, 1), (2, 'Other', 1, 1);
		INSERT INTO stores (id, name, location) VALUES (1, 's1', ''), (2, 's2', '');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 5), (1, 2, 5)`); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, want string, wantCategory int64) {
		t.Helper()
		var bad int64
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM inventory i JOIN products p ON p.id = i.product_id
			WHERE i.product_title <> p.title OR i.category_id <> p.category_id OR i.product_price <> p.price`).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Fatalf("%d inventory rows disagree with their product", bad)
		}
		var title string
		var cat int64
		if err := d.Pool.QueryRow(ctx, `SELECT product_title, category_id FROM inventory WHERE store_id = 1 AND product_id = 1`).
			Scan(&title, &cat); err != nil {
			t.Fatal(err)
		}
		if title != want || cat != wantCategory {
			t.Fatalf("inventory copy = %q in %d, want %q in %d", title, cat, want, wantCategory)
		}
	}
	price, err := aforro.ParseMoney("12.34")
	if err != nil {
		t.Fatal(err)
	}
	title := "Old"
	for i, in := range []aforro.ProductInput{{Title: ptr("New")}, {CategoryID: ptr(int64(2))}, {Description: ptr("d")}, {Price: &price}} {
		if _, err := d.UpdateProduct(ctx, 1, in); err != nil {
			t.Fatal(err)
		}
		if in.Title != nil {
			title = *in.Title
		}
		check(t, title, map[bool]int64{true: 1, false: 2}[i == 0])
	}

	// A rename that commits while a new row is being inserted: each order
	// of the two must leave the new row with the new title.
	for _, renameFirst := range []bool{false, true} {
		if _, err := d.Pool.Exec(ctx, `DELETE FROM inventory WHERE store_id = 2`); err != nil {
			t.Fatal(err)
		}
		insert, err := d.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rename, err := d.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		newTitle := fmt.Sprintf("Renamed %v", renameFirst)
		first, second := insert, rename
		firstSQL, secondSQL := `INSERT INTO inventory (store_id, product_id, quantity) VALUES (2, 1, 1)`,
			`UPDATE products SET title = '`+newTitle+`' WHERE id = 1`
		if renameFirst {
			first, second, firstSQL, secondSQL = rename, insert, secondSQL, firstSQL
		}
		if _, err := first.Exec(ctx, firstSQL); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := second.Exec(ctx, secondSQL)
			if err == nil {
				err = second.Commit(ctx)
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("renameFirst=%v: the second statement did not wait for the first transaction (err %v)", renameFirst, err)
		case <-time.After(200 * time.Millisecond):
		}
		if err := first.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var got string
		if err := d.Pool.QueryRow(ctx, `SELECT product_title FROM inventory WHERE store_id = 2 AND product_id = 1`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != newTitle {
			t.Errorf("renameFirst=%v: new row has title %q, want %q", renameFirst, got, newTitle)
		}
	}
}

// checkStockBeforeWord fails when a filter of plan tests the title word
// before the row's stock: ILIKE lower-cases each title and is the dearer
// test, so the cheap one should reject the most rows first (db.ListInventory
// writes it first, and PostgreSQL keeps equally costed filters in order).
func checkStockBeforeWord(t *testing.T, which, plan string) {
	t.Helper()
	for _, line := range strings.Split(plan, "\n") {
		word, stock := strings.Index(line, "~~*"), strings.Index(line, "below_reorder_point")
		if strings.Contains(line, "Filter:") && word >= 0 && stock >= 0 && word < stock {
			t.Errorf("common word, low stock, %s: the filter tests the word first:\n%s", which, line)
		}
	}
}
