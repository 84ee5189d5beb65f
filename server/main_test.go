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

// exec runs fixture SQL and brings the search index's stock lists up to date.
func (ts *testServer) exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := ts.db.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	// What aforrod serve's background sync would do a moment later.
	if _, err := ts.db.SyncStockedStores(context.Background()); err != nil {
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
