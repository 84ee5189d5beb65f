package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// TestMigrateFromNothing creates a database that does not exist, migrates it
// and migrates again: the second run changes nothing. The URL carries a pool
// setting, as a production one may: the single connections of migrate must
// not send it to the server.
func TestMigrateFromNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := fmt.Sprintf("aforro_fresh_%d", time.Now().UnixNano())
	url := dbtest.URLFor(name)
	if strings.Contains(url, "?") {
		url += "&pool_max_conns=3"
	} else {
		url += "?pool_max_conns=3"
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dbtest.ServerURL())
		if err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	if _, err := db.Status(ctx, url); err == nil {
		t.Fatal("status of a missing database succeeded")
	}
	for i := range 2 {
		if err := db.Migrate(ctx, url); err != nil {
			t.Fatalf("migrate run %d: %v", i+1, err)
		}
	}
	st, err := db.Status(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations listed")
	}
	for _, m := range st {
		if !m.Applied {
			t.Errorf("migration %d %s not applied", m.Version, m.Name)
		}
	}
	created, err := db.EnsureDatabase(ctx, url)
	if err != nil || created {
		t.Errorf("EnsureDatabase on an existing database = %v, %v", created, err)
	}
}

// TestConstraints proves the schema itself refuses bad data.
func TestConstraints(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	setup := `
		INSERT INTO categories (id, name) VALUES (1, 'Books');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'A book', 10, 1);
		INSERT INTO stores (id, name) VALUES (1, 'Main');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 5);
		INSERT INTO orders (id, store_id, status) VALUES (1, 1, 'CONFIRMED');`
	if _, err := d.Pool.Exec(ctx, setup); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		code string // SQLSTATE
	}{
		{"negative stock", `UPDATE inventory SET quantity = -1`, "23514"},
		{"duplicate inventory row", `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3)`, "23505"},
		{"inventory of an unknown store", `INSERT INTO inventory (store_id, product_id, quantity) VALUES (9, 1, 3)`, "23503"},
		{"inventory of an unknown product", `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 9, 3)`, "23503"},
		{"negative price", `INSERT INTO products (title, price, category_id) VALUES ('x', -0.01, 1)`, "23514"},
		{"empty title", `INSERT INTO products (title, price, category_id) VALUES ('  ', 1, 1)`, "23514"},
		{"price beyond numeric(12,2)", `INSERT INTO products (title, price, category_id) VALUES ('x', 10000000000, 1)`, "22003"},
		{"product of an unknown category", `INSERT INTO products (title, price, category_id) VALUES ('x', 1, 9)`, "23503"},
		{"duplicate category name ignoring case", `INSERT INTO categories (name) VALUES ('BOOKS')`, "23505"},
		{"zero quantity requested", `INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES (1, 1, 'A book', 10, 0)`, "23514"},
		{"duplicate order line", `INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES (1, 1, 'A book', 10, 1), (1, 1, 'A book', 10, 2)`, "23505"},
		{"unknown order status", `INSERT INTO orders (store_id, status) VALUES (1, 'PENDING')`, "23514"},
		{"cancelled without a time", `UPDATE orders SET status = 'CANCELLED'`, "23514"},
		{"ledger arithmetic", `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason) VALUES (1, 1, 5, 0, 4, 'initial')`, "23514"},
		{"ledger of a row that does not exist", `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason) VALUES (1, 9, 5, 0, 5, 'initial')`, "23503"},
		{"deleting a stocked product", `DELETE FROM products WHERE id = 1`, "23503"},
		{"deleting a store with orders", `DELETE FROM stores WHERE id = 1`, "23503"},
		{"two all-stores summaries for a day", `INSERT INTO inventory_summaries (summary_date, store_name, sku_count, total_units, out_of_stock) VALUES ('2026-01-01', 'All', 0, 0, 0), ('2026-01-01', 'All', 0, 0, 0)`, "23505"},
		{"unknown token role", `INSERT INTO api_tokens (name, role, secret_hash) VALUES ('t', 'root', decode(repeat('00', 32), 'hex'))`, "23514"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Pool.Exec(ctx, tc.sql)
			var pe *pgconn.PgError
			if err == nil || !errors.As(err, &pe) || pe.Code != tc.code {
				t.Errorf("got %v, want SQLSTATE %s", err, tc.code)
			}
		})
	}
}
