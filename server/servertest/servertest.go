// Package servertest runs a real aforrod API for the tests of the packages
// that talk to it (client, aforroctl, the TUI, the server's own): the server's
// handler on a loopback listener, over a fresh database (dbtest) and the test
// Redis, with an admin token.
package servertest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// Server is a running test API.
type Server struct {
	*httptest.Server
	API   *server.Server
	DB    *db.DB
	Admin string // an admin token's secret
}

// New starts the API with cfg; wrap, when not nil, wraps its handler (to
// count requests or make the server vanish). Everything stops when the test
// ends. The rate-limit keys in Redis get a prefix of their own: every test
// server sees the same client address (127.0.0.1) and the tests of every
// package share the Redis database, so one test's requests must not spend
// another's budget.
func New(t testing.TB, cfg server.Config, wrap func(http.Handler) http.Handler) *Server {
	t.Helper()
	d := dbtest.Open(t)
	cfg.RateLimitPrefix = "test:" + rand.Text() + ":"
	api := server.New(cfg, d, dbtest.Redis(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	h := api.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	s := &Server{Server: httptest.NewServer(h), API: api, DB: d}
	t.Cleanup(s.Close)
	s.Admin = s.Token(t, aforro.RoleAdmin)
	return s
}

// Token creates a token with role, scoped to stores when any are given, and
// returns its secret.
func (s *Server) Token(t testing.TB, role string, stores ...int64) string {
	t.Helper()
	_, secret, err := s.DB.CreateToken(context.Background(), "test "+role, role, stores)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

// Exec runs fixture SQL and brings the search index's stock lists up to date.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := s.DB.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	// What aforrod serve's background sync would do a moment later.
	if _, err := s.DB.SyncStockedStores(context.Background()); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

// FreeAddr returns a loopback host:port that was free a moment ago, to start
// a server on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// Catalogue is a small, hand-checkable catalogue: three categories, five
// products, three stores (the third stocks nothing) and their stock.
const Catalogue = `
INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Books'), (3, 'kitchen');
INSERT INTO products (id, title, description, price, category_id, created_at, updated_at) VALUES
  (1, 'Laptop Pro 15', 'A fast laptop', 1299.99, 1, '2026-01-02T10:00:00Z', '2026-01-02T10:00:00Z'),
  (2, 'Wireless Mouse', 'Quiet clicks', 29.99, 1, '2026-01-03T10:00:00Z', '2026-01-03T10:00:00Z'),
  (3, 'Gaming Laptop', 'RGB everywhere', 999.00, 1, '2026-01-04T10:00:00Z', '2026-01-04T10:00:00Z'),
  (4, 'Go Programming', 'A book about Go', 39.50, 2, '2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z'),
  (5, 'Cast Iron Skillet', '12-inch', 45, 3, '2026-01-06T10:00:00Z', '2026-01-06T10:00:00Z');
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
