package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// TestReplicaRouting runs the API with a "replica" that is the primary's own
// database reached through a proxy that can be cut: catalogue and inventory
// reads go to it, a token's reads after its own write go to the primary,
// and cutting the replica mid-use fails no request.
func TestReplicaRouting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if !strings.Contains(url, addr) {
		t.Fatalf("the test database URL %s does not name %s", url, addr)
	}
	proxy := servertest.NewProxy(t, addr)
	replicaURL := strings.Replace(url, addr, proxy.Addr, 1)
	if err := d.OpenReplicas(ctx, db.ReplicaConfig{URLs: []string{replicaURL}}, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	api := server.New(server.DefaultConfig(), d, dbtest.Redis(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	if _, err := d.Pool.Exec(ctx, `INSERT INTO categories (id, name) VALUES (1, 'Tea');
		INSERT INTO stores (id, name) VALUES (1, 'Porto');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Green tea', 3.50, 1);
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 10)`); err != nil {
		t.Fatal(err)
	}
	_, reader, err := d.CreateToken(ctx, "reader", "staff", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, writer, err := d.CreateToken(ctx, "writer", "staff", nil)
	if err != nil {
		t.Fatal(err)
	}

	call := func(t *testing.T, method, path, token, body string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	// reads returns how many reads the primary and the replica answered.
	reads := func() (primary, replica uint64) {
		st := d.PoolStats()
		return st[0].Reads, st[1].Reads
	}

	reads0, replica0 := reads()
	for _, path := range []string{"/api/categories/", "/api/categories/1/", "/api/products/", "/api/products/1/",
		"/api/stores/", "/api/stores/1/", "/api/search/products/?q=tea", "/api/search/suggest/?q=gre"} {
		call(t, http.MethodGet, path, "", "")
	}
	for _, path := range []string{"/api/stores/1/inventory/", "/api/stores/1/inventory/1/", "/api/stores/1/inventory/1/movements/"} {
		call(t, http.MethodGet, path, reader, "")
	}
	if p, r := reads(); p != reads0 || r != replica0+11 {
		t.Fatalf("reads: primary +%d, replica +%d; want every catalogue and inventory read on the replica", p-reads0, r-replica0)
	}

	// The writer's next reads see its write: the primary answers them;
	// another token's still go to the replica.
	call(t, http.MethodPost, "/api/stores/1/inventory/1/adjust/", writer, `{"delta": -3, "reason": "damaged"}`)
	reads0, replica0 = reads()
	call(t, http.MethodGet, "/api/stores/1/inventory/1/", writer, "")
	call(t, http.MethodGet, "/api/products/1/", writer, "")
	call(t, http.MethodGet, "/api/stores/1/inventory/1/", reader, "")
	if p, r := reads(); p != reads0+2 || r != replica0+1 {
		t.Fatalf("reads: primary +%d, replica +%d; want the writer's two on the primary, the reader's on the replica", p-reads0, r-replica0)
	}

	// The replica goes away, connections and all: no request fails.
	proxy.Cut()
	for range 5 {
		call(t, http.MethodGet, "/api/search/products/?q=tea", "", "")
		call(t, http.MethodGet, "/api/stores/1/inventory/", reader, "")
	}
	if st := d.PoolStats(); st[1].Healthy {
		t.Errorf("the cut replica is still healthy: %+v", st[1])
	}
}
