package server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aforro/aforro/db/dbtest"
)

// TestMetrics makes requests against a real server and scrapes its separate
// metrics listener: the requests, order outcomes, rate-limit decisions, pool,
// outbox and runtime metrics must all be there, labelled by route pattern.
func TestMetrics(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Books');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'A book', 10, 1), (2, 'Another', 5, 1);
		INSERT INTO stores (id, name) VALUES (1, 'Main');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 5);
		INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
		VALUES (1, 1, 5, 0, 5, 'initial');`); err != nil {
		t.Fatal(err)
	}
	_, secret, err := d.CreateToken(ctx, "metrics test", "admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(DefaultConfig(), d, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	api := httptest.NewServer(s.Handler())
	t.Cleanup(api.Close)
	call := func(method, path, body string, want int) {
		t.Helper()
		req, err := http.NewRequest(method, api.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := api.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
	}
	call("GET", "/api/stores/1/", "", 200)
	call("GET", "/api/stores/1", "", 200)
	call("GET", "/api/stores/x", "", 404)
	call("GET", "/no/such/route", "", 404)
	call("BREW", "/api/stores", "", 405)
	call("DELETE", "/api/stores", "", 405)
	call("POST", "/api/orders", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 2}], "customer_email": "ana@example.com"}`, 201)
	call("POST", "/api/orders", `{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": 1}]}`, 201)
	call("POST", "/api/orders/1/cancel", "", 200)
	s.metrics.RateLimit("suggest", rateBackendRedis, true)
	s.metrics.RateLimit("suggest", rateBackendLocal, false)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- s.ServeMetrics(mctx, ln) }()
	base := "http://" + ln.Addr().String()

	got := scrape(t, base+"/metrics")
	for _, want := range []string{
		`aforro_http_requests_total{method="GET",route="/api/stores/:id",status="200"} 2`,
		`aforro_http_requests_total{method="GET",route="/api/stores/:id",status="404"} 1`,
		`aforro_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`aforro_http_requests_total{method="OTHER",route="/api/stores",status="405"} 1`,
		`aforro_http_requests_total{method="DELETE",route="/api/stores",status="405"} 1`,
		`aforro_http_requests_total{method="POST",route="/api/orders",status="201"} 2`,
		`aforro_http_requests_total{method="POST",route="/api/orders/:id/cancel",status="200"} 1`,
		`aforro_http_request_duration_seconds_count{method="GET",route="/api/stores/:id",status="200"} 2`,
		`aforro_orders_total{status="CONFIRMED"} 1`,
		`aforro_orders_total{status="REJECTED"} 1`,
		`aforro_orders_total{status="CANCELLED"} 1`,
		`aforro_rate_limit_decisions_total{backend="redis",decision="allowed",policy="suggest"} 1`,
		`aforro_rate_limit_decisions_total{backend="local",decision="limited",policy="suggest"} 1`,
		`aforro_outbox_pending 1`,
	} {
		if !got[want] {
			t.Errorf("scrape lacks %s", want)
		}
	}
	for _, prefix := range []string{
		"aforro_db_pool_total_connections ", "aforro_db_pool_acquires_total ", "aforro_db_pool_max_connections ",
		"go_goroutines ", "go_memstats_heap_alloc_bytes ", "process_open_fds ", "promhttp_metric_handler_requests_total{",
	} {
		if !hasPrefix(got, prefix) {
			t.Errorf("scrape lacks %s...", prefix)
		}
	}

	// A failing collector leaves the rest of the answer intact.
	d.Close()
	got = scrape(t, base+"/metrics")
	if hasPrefix(got, "aforro_outbox_pending ") || !hasPrefix(got, "aforro_orders_total{") {
		t.Error("with PostgreSQL gone, the scrape should drop only the outbox gauge")
	}

	if resp, err := http.Get(base + "/api/stores"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener serves more than /metrics: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ServeMetrics: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeMetrics did not return after its context ended")
	}
}

// scrape returns the sample lines of a metrics answer as a set.
func scrape(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	lines := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines[l] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func hasPrefix(lines map[string]bool, prefix string) bool {
	for l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestMethodLabel keeps the method label's values bounded.
func TestMethodLabel(t *testing.T) {
	for in, want := range map[string]string{"GET": "GET", "PATCH": "PATCH", "get": "OTHER", "BREW": "OTHER", "": "OTHER"} {
		if got := methodLabel(in); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
