package client_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// testRedisURL is the Redis tests use unless AFORRO_TEST_REDIS_URL is set.
func testRedisURL() string {
	if u := os.Getenv("AFORRO_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// newRedis returns a client on the test Redis, failing the test when it does
// not answer.
func newRedis(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatalf("AFORRO_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("cannot reach Redis at %s (start it or set AFORRO_TEST_REDIS_URL): %v", testRedisURL(), err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testServer is a real aforrod HTTP server on a loopback listener over a
// fresh database.
type testServer struct {
	*httptest.Server
	db    *db.DB
	admin string // an admin token's secret
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	d := dbtest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(server.DefaultConfig(), d, newRedis(t), log).Handler())
	t.Cleanup(srv.Close)
	ts := &testServer{Server: srv, db: d}
	ts.admin = ts.token(t, aforro.RoleAdmin)
	return ts
}

// token creates a token and returns its secret.
func (ts *testServer) token(t *testing.T, role string, stores ...int64) string {
	t.Helper()
	_, secret, err := ts.db.CreateToken(context.Background(), "test "+role, role, stores)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

// exec runs fixture SQL.
func (ts *testServer) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := ts.db.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

// client returns a client for the server with the admin token; opts may
// override it.
func (ts *testServer) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(ts.URL, append([]client.Option{client.WithToken(ts.admin)}, opts...)...)
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
