package client

import (
	"bufio"
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// attempt is what recordingTransport saw of one request.
type attempt struct {
	Method, Key, Auth, UserAgent string
}

// recordingTransport records each request it passes on to the default
// transport: this is how the tests see the client's own retries.
type recordingTransport struct {
	mu       sync.Mutex
	attempts []attempt
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.attempts = append(r.attempts, attempt{req.Method, req.Header.Get("Idempotency-Key"),
		req.Header.Get("Authorization"), req.Header.Get("User-Agent")})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recordingTransport) seen() []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]attempt(nil), r.attempts...)
}

// newRecordingClient returns a client for baseURL and the transport that
// records its requests.
func newRecordingClient(t *testing.T, baseURL string, opts ...Option) (*Client, *recordingTransport) {
	t.Helper()
	rec := &recordingTransport{}
	c, err := New(baseURL, append([]Option{WithHTTPClient(&http.Client{Transport: rec})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string { return "http://" + servertest.ClosedAddr(t) }

// faultyServer is a TCP listener that misbehaves after reading each request's
// head: it hangs up, or holds the connection open without answering.
func faultyServer(t *testing.T, hangUp bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_, _ = textproto.NewReader(bufio.NewReader(conn)).ReadMIMEHeader()
				if !hangUp {
					<-done
				}
			})
		}
	})
	return "http://" + ln.Addr().String()
}

func TestRetries(t *testing.T) {
	t.Parallel()
	refused := closedURL(t)
	hangsUp := faultyServer(t, true)
	tests := []struct {
		name     string
		url      string
		method   string
		keyed    bool
		attempts int
	}{
		{"GET is retried when dialing fails", refused, http.MethodGet, false, 3},
		{"POST is retried when dialing fails: nothing was sent", refused, http.MethodPost, false, 3},
		{"keyed POST is retried when dialing fails", refused, http.MethodPost, true, 3},
		{"GET is retried when the connection drops", hangsUp, http.MethodGet, false, 3},
		{"PUT is retried when the connection drops", hangsUp, http.MethodPut, false, 3},
		{"POST is not retried once sent", hangsUp, http.MethodPost, false, 1},
		{"keyed POST is retried once sent", hangsUp, http.MethodPost, true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rec := newRecordingClient(t, tc.url)
			var opts []callOption
			if tc.keyed {
				opts = append(opts, withIdempotencyKey(""))
			}
			err := c.do(context.Background(), tc.method, "/api/orders/", nil, map[string]int{"store_id": 1}, nil, opts...)
			var ce *ConnError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v (%T), want a *ConnError", err, err)
			}
			seen := rec.seen()
			if len(seen) != tc.attempts {
				t.Fatalf("%d attempts, want %d", len(seen), tc.attempts)
			}
			for _, a := range seen {
				if tc.keyed && (a.Key == "" || a.Key != seen[0].Key) {
					t.Errorf("Idempotency-Key per attempt: %+v, want one key reused on every retry", seen)
				}
				if !tc.keyed && a.Key != "" {
					t.Errorf("unkeyed request sent Idempotency-Key %q", a.Key)
				}
			}
		})
	}
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	c, rec := newRecordingClient(t, closedURL(t), WithRetries(0))
	ctx := context.Background()
	_ = c.do(ctx, http.MethodPost, "/api/orders/", nil, nil, nil, withIdempotencyKey("order-42"))
	_ = c.do(ctx, http.MethodPost, "/api/orders/", nil, nil, nil, withIdempotencyKey(""))
	_ = c.do(ctx, http.MethodPost, "/api/orders/", nil, nil, nil, withIdempotencyKey(""))
	seen := rec.seen()
	if len(seen) != 3 {
		t.Fatalf("%d attempts, want 3", len(seen))
	}
	if seen[0].Key != "order-42" {
		t.Errorf("explicit key sent as %q", seen[0].Key)
	}
	if seen[1].Key == "" || seen[1].Key == seen[2].Key || len(seen[1].Key) < 20 {
		t.Errorf("generated keys %q and %q: want two distinct random keys", seen[1].Key, seen[2].Key)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	c, rec := newRecordingClient(t, closedURL(t), WithRetries(0), WithToken("afr_secret"), WithUserAgent("aforroctl"))
	_, _ = c.Health(context.Background())
	want := []attempt{{Method: http.MethodGet, Auth: "Bearer afr_secret", UserAgent: "aforroctl"}}
	if d := cmp.Diff(want, rec.seen()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	c, err := New(faultyServer(t, false), WithTimeout(100*time.Millisecond), WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Health(context.Background())
	var ce *ConnError
	if !errors.As(err, &ce) || !ce.Timeout() {
		t.Fatalf("error = %v (%T), want a *ConnError that timed out", err, err)
	}
	if !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("Error() = %q", err.Error())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s, want about the 100ms timeout", d)
	}
}

func TestShouldRetry(t *testing.T) {
	t.Parallel()
	c := &Client{retries: 2}
	get := &call{method: http.MethodGet}
	post := &call{method: http.MethodPost}
	keyed := &call{method: http.MethodPost, idempotencyKey: "k"}
	unavailable := &APIError{Status: 503}
	tests := []struct {
		name    string
		call    *call
		attempt int
		err     error
		retry   bool
	}{
		{"503 on GET", get, 0, unavailable, true},
		{"503 on keyed POST", keyed, 1, unavailable, true},
		{"503 on POST", post, 0, unavailable, false},
		{"out of attempts", get, 2, unavailable, false},
		{"long Retry-After", get, 0, &APIError{Status: 503, RetryAfter: time.Minute}, false},
		{"500", get, 0, &APIError{Status: 500}, false},
		{"429", get, 0, &APIError{Status: 429, RetryAfter: time.Second}, false},
		{"404", get, 0, &APIError{Status: 404}, false},
		{"other error", get, 0, errors.New("decode"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wait, retry := c.shouldRetry(tc.call, tc.attempt, tc.err)
			if retry != tc.retry {
				t.Errorf("retry = %v, want %v", retry, tc.retry)
			}
			if retry && (wait <= 0 || wait > backoffMax) {
				t.Errorf("wait = %s, want within (0, %s]", wait, backoffMax)
			}
		})
	}
}

func TestBackoffIsBounded(t *testing.T) {
	t.Parallel()
	for attempt := range 40 {
		d := time.Duration(math.Min(float64(backoffBase)*math.Pow(2, float64(attempt)), float64(backoffMax)))
		for range 20 {
			if w := backoff(attempt); w < d/2 || w > d {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, w, d/2, d)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"Sun, 01 Mar 2026 12:00:10 GMT", 10 * time.Second, true},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPlaceOrderKeepsItsKeyAcrossRetries(t *testing.T) {
	t.Parallel()
	order := aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 1}}}
	for _, key := range []string{"", "till3-000123"} {
		c, rec := newRecordingClient(t, faultyServer(t, true))
		if _, _, err := c.PlaceOrder(context.Background(), order, key); err == nil {
			t.Fatal("PlaceOrder succeeded against a server that hangs up")
		}
		seen := rec.seen()
		if len(seen) != DefaultRetries+1 {
			t.Fatalf("key %q: %d attempts, want %d: a keyed POST is safe to repeat", key, len(seen), DefaultRetries+1)
		}
		for _, a := range seen {
			if a.Key != seen[0].Key || a.Key == "" || (key != "" && a.Key != key) {
				t.Errorf("key %q: attempts sent keys %+v, want one key throughout", key, seen)
				break
			}
		}
	}
}

func TestAdjustAndCancelAreNotRepeatedOnceSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, rec := newRecordingClient(t, faultyServer(t, true))
	_, _ = c.AdjustStock(ctx, 1, 1, -1, "damaged")
	_, _ = c.CancelOrder(ctx, 1)
	if n := len(rec.seen()); n != 2 {
		t.Errorf("%d attempts for one adjust and one cancel, want 2: repeating either could apply it twice", n)
	}
}
