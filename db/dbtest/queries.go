package dbtest

import (
	"context"
	"testing"

	"github.com/aforro/aforro/db"
)

// StockDrift counts the products whose stocked_stores (migrations 005 and
// 006) are not exactly the stores with stock of them.
const StockDrift = `
SELECT count(*) FROM products p
  LEFT JOIN (SELECT product_id, array_agg(store_id ORDER BY store_id) AS stores
               FROM inventory WHERE quantity > 0 GROUP BY product_id) i ON i.product_id = p.id
 WHERE ARRAY(SELECT x FROM unnest(p.stocked_stores) AS x ORDER BY x) IS DISTINCT FROM coalesce(i.stores, '{}')`

// QueryInt runs a query returning one integer, failing the test on error.
func QueryInt(t testing.TB, d *db.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
