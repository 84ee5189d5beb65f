package server_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// TestPostgreSQLOutage cuts the link to PostgreSQL under a running API, as a
// restart or a failover does, and restores it (issue 13, defect 3): while it
// is down every route that needs it answers 503 unavailable with
// Retry-After, never 500; the outage is logged once at WARN and counted
// apart; when it returns the API answers again without a restart, and an
// order retried with its Idempotency-Key is placed once.
func TestPostgreSQLOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	p := servertest.NewProxy(t, cfg.ConnConfig.Host+":"+strconv.Itoa(int(cfg.ConnConfig.Port)))
	proxied := strings.Replace(url, cfg.ConnConfig.Host+":"+strconv.Itoa(int(cfg.ConnConfig.Port)), p.Addr, 1)
	d, err := db.Open(ctx, proxied)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if _, err := d.Pool.Exec(ctx, servertest.Catalogue); err != nil {
		t.Fatal(err)
	}
	_, token, err := d.CreateToken(ctx, "till", aforro.RoleStaff, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	scfg := server.DefaultConfig()
	scfg.RateLimitPrefix = uniquePrefix()
	api := server.New(scfg, d, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { _ = api.Close() })
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	call := func(method, path, body, key string) (int, http.Header, aforro.ErrorResponse) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e aforro.ErrorResponse
		if resp.StatusCode >= 400 {
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatalf("%s %s: %d without the envelope: %v", method, path, resp.StatusCode, err)
			}
		}
		return resp.StatusCode, resp.Header, e
	}
	order := `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}]}`
	if status, _, e := call("GET", "/api/stores/1/", "", ""); status != 200 {
		t.Fatalf("before the outage: %d %+v", status, e)
	}

	p.Cut()
	for _, rq := range []struct{ method, path, body, key string }{
		{"GET", "/readyz", "", ""},
		{"GET", "/api/stores/1/", "", ""},
		{"GET", "/api/products/", "", ""},
		{"GET", "/api/search/products/?q=laptop", "", ""},
		{"GET", "/api/stores/1/inventory/", "", ""},
		{"POST", "/api/orders/", order, "outage-1"},
		{"POST", "/api/orders/", order, "outage-1"},
	} {
		status, h, e := call(rq.method, rq.path, rq.body, rq.key)
		if status != http.StatusServiceUnavailable || e.Code != aforro.EUNAVAILABLE || h.Get("Retry-After") != "1" {
			t.Errorf("%s %s during the outage: %d %+v, Retry-After %q; want 503 unavailable with Retry-After",
				rq.method, rq.path, status, e, h.Get("Retry-After"))
		}
	}
	if n := strings.Count(logs.String(), "PostgreSQL is unreachable"); n != 1 {
		t.Errorf("%d outage warnings, want 1:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the outage logged errors:\n%s", logs.String())
	}
	if n := counterValue(t, api, "aforro_db_unavailable_total"); n < 6 {
		t.Errorf("aforro_db_unavailable_total = %v, want at least 6", n)
	}

	p.Restore(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, _ := call("GET", "/api/stores/1/", "", "")
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d 10 s after PostgreSQL came back", status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for range 2 { // the retry of the order that failed in the outage, twice
		if status, _, e := call("POST", "/api/orders/", order, "outage-1"); status != http.StatusCreated {
			t.Fatalf("the order after the outage: %d %+v", status, e)
		}
	}
	var orders int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&orders); err != nil || orders != 1 {
		t.Errorf("%d orders (%v), want 1: the key made the retries one order", orders, err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "PostgreSQL answers again") {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery logged:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// counterValue reads the value of an unlabelled counter from api's registry.
func counterValue(t *testing.T, api *server.Server, name string) float64 {
	t.Helper()
	families, _ := api.Registry().Gather() // what it gathered: the outbox depth fails while PostgreSQL is down
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
