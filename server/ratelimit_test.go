package server_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// suggestFrom sends GET /api/search/suggest/?q=... straight to the handler
// from the peer remote, with an optional X-Forwarded-For.
func suggestFrom(t *testing.T, api *server.Server, remote, xff, q string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/search/suggest/?q="+q, nil)
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	w := httptest.NewRecorder()
	api.Handler().ServeHTTP(w, req)
	return w
}

var rateLimitHeader = regexp.MustCompile(`^"suggest";r=(\d+);t=(\d+)$`)

// checkRateHeaders verifies the five rate-limit fields agree with each other
// and with the expected remaining budget.
func checkRateHeaders(t *testing.T, h http.Header, limit, window, remaining int) {
	t.Helper()
	if got := h.Get("RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("RateLimit-Limit %q, want %d", got, limit)
	}
	if got := h.Get("RateLimit-Remaining"); got != strconv.Itoa(remaining) {
		t.Errorf("RateLimit-Remaining %q, want %d", got, remaining)
	}
	if got, want := h.Get("RateLimit-Policy"), fmt.Sprintf(`"suggest";q=%d;w=%d`, limit, window); got != want {
		t.Errorf("RateLimit-Policy %q, want %q", got, want)
	}
	reset, err := strconv.Atoi(h.Get("RateLimit-Reset"))
	if err != nil || reset < 0 || reset > window {
		t.Errorf("RateLimit-Reset %q is not 0..%d", h.Get("RateLimit-Reset"), window)
	}
	m := rateLimitHeader.FindStringSubmatch(h.Get("RateLimit"))
	if m == nil || m[1] != strconv.Itoa(remaining) || m[2] != strconv.Itoa(reset) {
		t.Errorf("RateLimit %q, want r=%d;t=%d", h.Get("RateLimit"), remaining, reset)
	}
}

// checkLimited verifies a 429: Retry-After and retry_after agree, are at
// least 1 and at most a GCRA emission interval away, and the body is exact.
func checkLimited(t *testing.T, w *httptest.ResponseRecorder, limit int, window time.Duration, per string) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", w.Code, w.Body)
	}
	retry, err := strconv.Atoi(w.Header().Get("Retry-After"))
	interval := int((window + time.Duration(limit)*time.Second - 1) / (time.Duration(limit) * time.Second))
	if err != nil || retry < 1 || retry > interval {
		t.Errorf("Retry-After %q, want 1..%d", w.Header().Get("Retry-After"), interval)
	}
	want := fmt.Sprintf(`{"error":"Rate limit exceeded. Maximum %d requests per %s.","code":"rate_limited","retry_after":%d}`,
		limit, per, retry)
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	checkRateHeaders(t, w.Header(), limit, int(window.Seconds()), 0)
}

func TestSuggestRateLimit(t *testing.T) {
	t.Parallel()
	srv := newLimitedServer(t, server.DefaultConfig(), dbtest.Redis(t), nil)
	for i := 1; i <= 20; i++ {
		q := "lap"
		if i%5 == 0 {
			q = "la" // a rejected request counts too, and says so
		}
		w := suggestFrom(t, srv.api, "192.0.2.10:40000", "", q)
		if want := map[bool]int{true: 400, false: 200}[q == "la"]; w.Code != want {
			t.Fatalf("request %d: status %d, want %d: %s", i, w.Code, want, w.Body)
		}
		checkRateHeaders(t, w.Header(), 20, 60, 20-i)
	}
	checkLimited(t, suggestFrom(t, srv.api, "192.0.2.10:40001", "", "lap"), 20, time.Minute, "minute")

	t.Run("configurable", func(t *testing.T) {
		t.Parallel()
		cfg := server.DefaultConfig()
		cfg.SuggestLimit, cfg.SuggestWindow = 3, 10*time.Second
		srv := newLimitedServer(t, cfg, dbtest.Redis(t), srv.db)
		for i := 1; i <= 3; i++ {
			w := suggestFrom(t, srv.api, "192.0.2.11:1", "", "lap")
			if w.Code != http.StatusOK {
				t.Fatalf("request %d: status %d", i, w.Code)
			}
			checkRateHeaders(t, w.Header(), 3, 10, 3-i)
		}
		checkLimited(t, suggestFrom(t, srv.api, "192.0.2.11:1", "", "lap"), 3, 10*time.Second, "10 seconds")
	})
	t.Run("over real HTTP", func(t *testing.T) {
		t.Parallel()
		// An hour's window: no request comes back to the budget while 21
		// go over HTTP on a loaded machine (at 20 a minute, one would after 3 s).
		cfg := server.DefaultConfig()
		cfg.SuggestWindow = time.Hour
		srv := newLimitedServer(t, cfg, dbtest.Redis(t), srv.db)
		for i := 1; i <= 21; i++ {
			// Without a token: the IP's budget (a token has its own).
			r := srv.do(t, http.MethodGet, "/api/search/suggest?q=lap", "", "Authorization", "")
			if want := map[bool]int{true: 429, false: 200}[i == 21]; r.status != want {
				t.Fatalf("request %d: status %d, want %d", i, r.status, want)
			}
			if i == 21 && r.header.Get("Retry-After") == "" {
				t.Error("a 429 without Retry-After")
			}
		}
	})
}

// TestSuggestRateLimitPerClient: two clients behind a trusted proxy have a
// budget each; without trusted proxies, X-Forwarded-For changes nothing.
func TestSuggestRateLimitPerClient(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	d := dbtest.Open(t)
	cfg := server.DefaultConfig()
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	srv := newLimitedServer(t, cfg, rdb, d)
	for i := range 20 {
		if w := suggestFrom(t, srv.api, "10.0.0.1:5000", "198.51.100.1", "lap"); w.Code != http.StatusOK {
			t.Fatalf("client A request %d: %d", i+1, w.Code)
		}
	}
	checkLimited(t, suggestFrom(t, srv.api, "10.0.0.1:5000", "198.51.100.1", "lap"), 20, time.Minute, "minute")
	w := suggestFrom(t, srv.api, "10.0.0.1:5000", "198.51.100.2", "lap")
	if w.Code != http.StatusOK {
		t.Fatalf("client B after A ran out: %d", w.Code)
	}
	checkRateHeaders(t, w.Header(), 20, 60, 19)

	untrusting := newLimitedServer(t, server.DefaultConfig(), rdb, d)
	for i := 1; i <= 21; i++ {
		w := suggestFrom(t, untrusting.api, "192.0.2.20:1", fmt.Sprintf("198.51.100.%d", i), "lap")
		if want := map[bool]int{true: 429, false: 200}[i == 21]; w.Code != want {
			t.Fatalf("request %d with a fresh spoofed X-Forwarded-For: status %d, want %d", i, w.Code, want)
		}
	}
}

// TestClientIP shows which address a request is counted under: after one
// request from (peer, X-Forwarded-For), a request from the expected address
// itself finds one request already spent.
func TestClientIP(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	d := dbtest.Open(t)
	trusted, err := server.ParseTrustedProxies([]string{"10.0.0.0/8, 2001:db8:1::/48"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		peer   string
		xff    []string
		client string
	}{
		{"untrusted peer, header ignored", "192.0.2.1:1000", []string{"198.51.100.7"}, "192.0.2.1"},
		{"untrusted peer claiming a trusted address", "192.0.2.1:1000", []string{"10.0.0.9"}, "192.0.2.1"},
		{"trusted peer without a header", "10.0.0.1:1000", nil, "10.0.0.1"},
		{"trusted peer", "10.0.0.1:1000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoofed entries left of the client", "10.0.0.1:1000", []string{"203.0.113.9, 1.1.1.1, 198.51.100.7"}, "198.51.100.7"},
		{"trusted hops skipped", "10.0.0.1:1000", []string{"198.51.100.7, 10.0.0.2, 10.9.9.9"}, "198.51.100.7"},
		{"several header lines", "10.0.0.1:1000", []string{"203.0.113.9, 198.51.100.7", "10.0.0.2"}, "198.51.100.7"},
		{"every hop trusted", "10.0.0.1:1000", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"garbage stops the walk", "10.0.0.1:1000", []string{"198.51.100.7, not-an-ip, 10.0.0.2"}, "10.0.0.2"},
		{"an address with a port", "10.0.0.1:1000", []string{"198.51.100.7:4711"}, "198.51.100.7"},
		{"IPv6 in brackets with a port", "10.0.0.1:1000", []string{"[2001:db8::5]:443"}, "2001:db8::5"},
		{"IPv6 trusted peer", "[2001:db8:1::1]:9", []string{"198.51.100.8"}, "198.51.100.8"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.1]:80", []string{"198.51.100.9"}, "198.51.100.9"},
		{"IPv4-mapped client", "10.0.0.1:1000", []string{"::ffff:198.51.100.10"}, "198.51.100.10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			cfg.TrustedProxies = trusted
			srv := newLimitedServer(t, cfg, rdb, d)
			req := httptest.NewRequest(http.MethodGet, "/api/search/suggest/?q=lap", nil)
			req.RemoteAddr = tc.peer
			for _, h := range tc.xff {
				req.Header.Add("X-Forwarded-For", h)
			}
			srv.api.Handler().ServeHTTP(httptest.NewRecorder(), req)
			w := suggestFrom(t, srv.api, net.JoinHostPort(tc.client, "1"), "", "lap")
			if got := w.Header().Get("RateLimit-Remaining"); got != "18" {
				t.Errorf("%s was not the client counted (remaining %s)", tc.client, got)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := server.ParseTrustedProxies([]string{" 10.0.0.0/8 ,192.168.1.7", "", "2001:db8::/32", "::ffff:172.16.0.0/108"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("172.16.0.0/12")}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"nope", "10.0.0.0/33", "10.0.0.1/8/8", "1.2.3"} {
		if _, err := server.ParseTrustedProxies([]string{bad}); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestSuggestRateLimitSharedByInstances: two aforrod instances on one Redis
// spend one budget per client.
func TestSuggestRateLimitSharedByInstances(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	cfg := server.DefaultConfig()
	cfg.RateLimitPrefix = uniquePrefix()
	a := newLimitedServer(t, cfg, dbtest.Redis(t), d)
	b := newLimitedServer(t, cfg, dbtest.Redis(t), d)
	for i := 1; i <= 20; i++ {
		api := map[bool]*server.Server{true: a.api, false: b.api}[i%2 == 0]
		w := suggestFrom(t, api, "192.0.2.30:1", "", "lap")
		if w.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, w.Code)
		}
		checkRateHeaders(t, w.Header(), 20, 60, 20-i)
	}
	checkLimited(t, suggestFrom(t, a.api, "192.0.2.30:1", "", "lap"), 20, time.Minute, "minute")
	checkLimited(t, suggestFrom(t, b.api, "192.0.2.30:1", "", "lap"), 20, time.Minute, "minute")
}

// syncBuffer is a log destination tests can read while servers write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSuggestRateLimitWithoutRedis: with Redis unreachable, or not
// configured, the limit holds per process, nothing answers 500, the outage is
// logged once and every local decision is counted.
func TestSuggestRateLimitWithoutRedis(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	for _, tc := range []struct {
		name string
		rdb  *redis.Client
	}{
		{"Redis at a closed port", redis.NewClient(&redis.Options{Addr: servertest.ClosedAddr(t)})},
		{"no Redis configured", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			cfg := server.DefaultConfig()
			cfg.RateLimitPrefix = uniquePrefix()
			api := server.New(cfg, d, tc.rdb, slog.New(slog.NewTextHandler(&logs, nil)))
			t.Cleanup(func() { _ = api.Close() })
			for i := 1; i <= 20; i++ {
				w := suggestFrom(t, api, "192.0.2.40:1", "", "lap")
				if w.Code != http.StatusOK {
					t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
				}
				checkRateHeaders(t, w.Header(), 20, 60, 20-i)
			}
			checkLimited(t, suggestFrom(t, api, "192.0.2.40:1", "", "lap"), 20, time.Minute, "minute")
			if w := suggestFrom(t, api, "192.0.2.41:1", "", "lap"); w.Code != http.StatusOK {
				t.Errorf("another client: %d", w.Code)
			}
			warnings := strings.Count(logs.String(), "Redis is unreachable")
			if want := map[bool]int{true: 1, false: 0}[tc.rdb != nil]; warnings != want {
				t.Errorf("%d outage warnings, want %d:\n%s", warnings, want, logs.String())
			}
			if local := decisions(t, api, "local"); local != 22 {
				t.Errorf("%d local decisions counted, want 22", local)
			}
		})
	}
}

// TestSuggestRateLimitRedisReturns cuts the connection to Redis and restores
// it: decisions fall back to the process and go back to Redis.
func TestSuggestRateLimitRedisReturns(t *testing.T) {
	t.Parallel()
	opts, err := redis.ParseURL(dbtest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Redis(t) // fails the test clearly when Redis is not there at all
	p := servertest.NewProxy(t, opts.Addr)
	opts.Addr = p.Addr
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	var logs syncBuffer
	cfg := server.DefaultConfig()
	cfg.RateLimitPrefix = uniquePrefix()
	cfg.RateLimitRedisTimeout = 10 * time.Second // a cut link refuses at once; a slow machine must not look like one
	api := server.New(cfg, dbtest.Open(t), rdb, slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { _ = api.Close() })
	ask := func(want string) {
		t.Helper()
		before := decisions(t, api, want)
		if w := suggestFrom(t, api, "192.0.2.50:1", "", "lap"); w.Code != http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if decisions(t, api, want) != before+1 {
			t.Errorf("the decision was not made by %s", want)
		}
	}
	ask("redis")
	p.Cut()
	ask("local")
	ask("local")
	p.Restore(t)
	time.Sleep(1100 * time.Millisecond) // the limiter probes Redis once a second while it is down
	ask("redis")
	ask("redis")
	if n := strings.Count(logs.String(), "Redis is unreachable"); n != 1 {
		t.Errorf("%d outage warnings, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Errorf("no recovery logged:\n%s", logs.String())
	}
}

// decisions reads aforro_rate_limit_decisions_total: the suggest policy's
// decisions made by backend, allowed or not.
func decisions(t *testing.T, api *server.Server, backend string) int {
	t.Helper()
	families, err := api.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if f.GetName() != "aforro_rate_limit_decisions_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["policy"] == "suggest" && labels["backend"] == backend {
				n += int(m.GetCounter().GetValue())
			}
		}
	}
	return n
}
