package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// testServer is a real aforrod HTTP server on a loopback listener over a
// fresh database.
type testServer struct {
	*httptest.Server
	api   *server.Server
	db    *db.DB
	admin string // an admin token's secret, sent unless a request names its own Authorization
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	d := dbtest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := server.New(server.DefaultConfig(), d, dbtest.Redis(t), log)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	_, secret, err := d.CreateToken(context.Background(), "test admin", "admin", nil)
	if err != nil {
		t.Fatalf("create admin token: %v", err)
	}
	return &testServer{Server: srv, api: api, db: d, admin: secret}
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
func (ts *testServer) exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := ts.db.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

// response is what a test reads back from one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (ts *testServer) do(t *testing.T, method, path string, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.admin)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (ts *testServer) get(t *testing.T, path string) response {
	t.Helper()
	return ts.do(t, http.MethodGet, path, "")
}

// catalogueFixture is a small, hand-checkable catalogue.
const catalogueFixture = `
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
