package client_test

import (
	"net"
	"os"
	"testing"

	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// testServer is a real aforrod API over a fresh database.
type testServer struct{ *servertest.Server }

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return &testServer{servertest.New(t, server.DefaultConfig(), nil)}
}

// client returns a client for the server with the admin token; opts may
// override it.
func (ts *testServer) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(ts.URL, append([]client.Option{client.WithToken(ts.Admin)}, opts...)...)
	if err != nil {
		t.Fatalf("client.New(%q): %v", ts.URL, err)
	}
	return c
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// fixture is a small, hand-checkable catalogue.
const fixture = `
INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Books'), (3, 'kitchen');
INSERT INTO products (id, title, description, price, category_id, created_at) VALUES
  (1, 'Laptop Pro 15', 'A fast laptop', 1299.99, 1, '2026-01-02T10:00:00Z'),
  (2, 'Wireless Mouse', 'Quiet clicks', 29.99, 1, '2026-01-03T10:00:00Z'),
  (3, 'Gaming Laptop', 'RGB everywhere', 999.00, 1, '2026-01-04T10:00:00Z'),
  (4, 'Go Programming', 'A book about Go', 39.50, 2, '2026-01-05T10:00:00Z'),
  (5, 'Cast Iron Skillet', '12-inch', 45, 3, '2026-01-06T10:00:00Z');
INSERT INTO stores (id, name, location) VALUES
  (1, 'Downtown', '1 Main St, Lisbon'), (2, 'Harbour', '2 Dock Rd, Porto'), (3, 'Empty', 'Nowhere');
INSERT INTO inventory (store_id, product_id, quantity, updated_at) VALUES
  (1, 1, 10, '2026-02-01T00:00:00Z'), (1, 2, 3, '2026-02-01T00:00:00Z'),
  (1, 3, 0, '2026-02-01T00:00:00Z'), (1, 4, 50, '2026-02-01T00:00:00Z'),
  (2, 5, 7, '2026-02-01T00:00:00Z');
SELECT setval(pg_get_serial_sequence('categories', 'id'), 3);
SELECT setval(pg_get_serial_sequence('products', 'id'), 5);
SELECT setval(pg_get_serial_sequence('stores', 'id'), 3);
`
