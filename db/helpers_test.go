package db_test

import (
	"context"
	"testing"

	"github.com/aforro/aforro/db"
)

// queryInt runs a query returning one integer.
func queryInt(t *testing.T, d *db.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
