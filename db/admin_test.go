package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

func ptr[T any](v T) *T { return &v }

// wantCode fails unless err is an *aforro.Error with code (and, when fields
// is not nil, exactly those fields).
func wantCode(t *testing.T, what string, err error, code string, fields map[string]string) {
	t.Helper()
	var e *aforro.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: got %v, want an %s error", what, err, code)
	}
	if fields != nil {
		if d := cmp.Diff(fields, e.Fields); d != "" {
			t.Errorf("%s: fields (-want +got):\n%s", what, d)
		}
	}
}

// TestAdminWriteErrors checks that every way the database refuses a
// catalogue or store write arrives as a domain error, never a bare
// PostgreSQL one, even when the server's validation is bypassed.
func TestAdminWriteErrors(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.CreateCategory(ctx, "Books"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		code   string
		fields map[string]string
	}{
		{"duplicate category", func() error { _, err := d.CreateCategory(ctx, "bOOKS"); return err }, aforro.ECONFLICT, nil},
		{"rename onto a duplicate", func() error {
			c, err := d.CreateCategory(ctx, "Music")
			if err != nil {
				return err
			}
			_, err = d.UpdateCategory(ctx, c.ID, aforro.CategoryInput{Name: ptr("books")})
			return err
		}, aforro.ECONFLICT, nil},
		{"unknown category", func() error {
			_, err := d.CreateProduct(ctx, aforro.ProductInput{Title: ptr("X"), Price: ptr(aforro.Money(100)), CategoryID: ptr(int64(42))})
			return err
		}, aforro.EINVALID, map[string]string{"category_id": "category 42 does not exist"}},
		{"missing required product fields", func() error {
			_, err := d.CreateProduct(ctx, aforro.ProductInput{Title: ptr("X")})
			return err
		}, aforro.EINVALID, nil},
		{"name over the CHECK limit", func() error {
			_, err := d.CreateStore(ctx, aforro.StoreInput{Name: ptr(strings.Repeat("n", 101))})
			return err
		}, aforro.EINVALID, map[string]string{"name": "is out of range"}},
		{"location over the CHECK limit", func() error {
			_, err := d.CreateStore(ctx, aforro.StoreInput{Name: ptr("S"), Location: ptr(strings.Repeat("l", 201))})
			return err
		}, aforro.EINVALID, map[string]string{"location": "is out of range"}},
		{"NUL in text", func() error { _, err := d.CreateCategory(ctx, "a\x00b"); return err }, aforro.EINVALID, nil},
		{"update an unknown category", func() error {
			_, err := d.UpdateCategory(ctx, 999, aforro.CategoryInput{Name: ptr("Z")})
			return err
		}, aforro.ENOTFOUND, nil},
		{"update an unknown product", func() error {
			_, err := d.UpdateProduct(ctx, 999, aforro.ProductInput{Title: ptr("Z")})
			return err
		}, aforro.ENOTFOUND, nil},
		{"update an unknown store", func() error {
			_, err := d.UpdateStore(ctx, 999, aforro.StoreInput{Name: ptr("Z")})
			return err
		}, aforro.ENOTFOUND, nil},
		{"delete an unknown category", func() error { return d.DeleteCategory(ctx, 999) }, aforro.ENOTFOUND, nil},
		{"delete an unknown product", func() error { return d.DeleteProduct(ctx, 999) }, aforro.ENOTFOUND, nil},
		{"delete an unknown store", func() error { return d.DeleteStore(ctx, 999) }, aforro.ENOTFOUND, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.name, tc.call(), tc.code, tc.fields)
		})
	}
}

// TestAdminWritesReachSearch proves that catalogue writes keep the products'
// weighted search document current by themselves (the database's triggers
// do it), and that a delete passes the search structures' own triggers.
func TestAdminWritesReachSearch(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	matches := func(id int64, query string) bool {
		t.Helper()
		var ok bool
		if err := d.Pool.QueryRow(ctx, `SELECT search_vector @@ plainto_tsquery('english', $2) FROM products WHERE id = $1`,
			id, query).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	c, err := d.CreateCategory(ctx, "Fixtures")
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.CreateProduct(ctx, aforro.ProductInput{Title: ptr("Desk Lamp"), Description: ptr("Warm glow"),
		Price: ptr(aforro.Money(1990)), CategoryID: &c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !matches(p.ID, "lamp") || !matches(p.ID, "fixtures") || !matches(p.ID, "glow") {
		t.Error("a new product is not searchable by title, category and description")
	}

	if _, err := d.UpdateProduct(ctx, p.ID, aforro.ProductInput{Title: ptr("Floor Light")}); err != nil {
		t.Fatal(err)
	}
	if matches(p.ID, "lamp") || !matches(p.ID, "floor") {
		t.Error("a retitled product is still found by its old title, or not by its new one")
	}

	if _, err := d.UpdateCategory(ctx, c.ID, aforro.CategoryInput{Name: ptr("Illumination")}); err != nil {
		t.Fatal(err)
	}
	if matches(p.ID, "fixtures") || !matches(p.ID, "illumination") {
		t.Error("a renamed category is not reflected in its products' search documents")
	}

	if err := d.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteWaitsForWriters holds a referencing write open while a delete
// runs: the delete's row lock must make it wait and then refuse, instead of
// deleting what the write is about to reference.
func TestDeleteWaitsForWriters(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Books');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'A book', 10, 1);
		INSERT INTO stores (id, name) VALUES (1, 'Main');`); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // committed below
	if _, err := tx.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.DeleteProduct(ctx, 1) }()
	waitForLockWait(t, d)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		wantCode(t, "delete of a product stocked meanwhile", err, aforro.ECONFLICT, nil)
		if want := "Product 1 is stocked in 1 store; it cannot be deleted."; aforro.ErrorMessage(err) != want {
			t.Errorf("message %q, want %q", aforro.ErrorMessage(err), want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("delete still waiting after the writer committed")
	}
}

// waitForLockWait returns once some session of the test database waits for
// a lock.
func waitForLockWait(t *testing.T, d *db.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var waiting bool
		err := d.Pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no session started waiting for a lock")
}

// TestOutboxDepth counts only pending events.
func TestOutboxDepth(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `INSERT INTO outbox (event, payload, status) VALUES
		('order.confirmed', '{}', 'pending'), ('order.confirmed', '{}', 'pending'),
		('order.confirmed', '{}', 'sent'), ('order.confirmed', '{}', 'failed')`); err != nil {
		t.Fatal(err)
	}
	n, err := d.OutboxDepth(ctx)
	if err != nil || n != 2 {
		t.Errorf("OutboxDepth = %d, %v; want 2", n, err)
	}
}

// TestWritersWaitForDeletes runs referencing writes while a delete of what
// they reference is uncommitted: each write must wait for it and then answer
// as if the row had never existed, not fail on the foreign key.
func TestWritersWaitForDeletes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		delete string
		write  func(context.Context, *db.DB) error
		code   string
	}{
		{"set stock of a product being deleted", `DELETE FROM products WHERE id = 2`,
			func(ctx context.Context, d *db.DB) error {
				_, _, err := d.SetStock(ctx, 1, 2, 5, "received")
				return err
			}, aforro.ENOTFOUND},
		{"set stock at a store being deleted", `DELETE FROM stores WHERE id = 2`,
			func(ctx context.Context, d *db.DB) error {
				_, _, err := d.SetStock(ctx, 2, 1, 5, "received")
				return err
			}, aforro.ENOTFOUND},
		{"order at a store being deleted", `DELETE FROM stores WHERE id = 2`,
			func(ctx context.Context, d *db.DB) error {
				_, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 2, Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 1}}}, nil)
				return err
			}, aforro.ENOTFOUND},
		{"order of a product being deleted", `DELETE FROM products WHERE id = 2`,
			func(ctx context.Context, d *db.DB) error {
				_, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 2, QuantityRequested: 1}}}, nil)
				return err
			}, aforro.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t)
			ctx := context.Background()
			if _, err := d.Pool.Exec(ctx, `
				INSERT INTO categories (id, name) VALUES (1, 'Books');
				INSERT INTO products (id, title, price, category_id) VALUES (1, 'A book', 10, 1), (2, 'Another', 5, 1);
				INSERT INTO stores (id, name) VALUES (1, 'Main'), (2, 'Closing');
				INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3);`); err != nil {
				t.Fatal(err)
			}
			tx, err := d.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx) //nolint:errcheck // committed below
			if _, err := tx.Exec(ctx, tc.delete); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tc.write(ctx, d) }()
			waitForLockWait(t, d)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				wantCode(t, tc.name, err, tc.code, nil)
			case <-time.After(10 * time.Second):
				t.Fatal("write still waiting after the delete committed")
			}
		})
	}
}
