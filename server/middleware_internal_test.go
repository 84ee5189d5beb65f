package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/uptrace/bunrouter"
)

func quietServer(h http.Handler) *Server {
	s := &Server{cfg: DefaultConfig(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.handler = s.middleware(h)
	return s
}

func TestPanicBecomesEnvelope(t *testing.T) {
	s := quietServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom: secret detail") }))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d", rec.Code)
	}
	var e aforro.ErrorResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	if e.Code != aforro.EINTERNAL || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("body = %s: want a generic internal envelope", rec.Body)
	}
	if rec.Header().Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id on a 500")
	}
}

func TestBodyLimit(t *testing.T) {
	s := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	}))
	big := strings.Repeat("x", 1<<20+1)
	tests := []struct {
		name    string
		chunked bool
	}{{"declared length", false}, {"chunked", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/x", strings.NewReader(big))
			if tc.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("status = %d, want 413", rec.Code)
			}
		})
	}
}

// TestGracefulShutdown cancels the serving context while a request is in
// flight: the request still completes, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	s := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "finished" {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

// TestDrainDelay cancels the serving context of a server with a drain
// delay: for the delay it still serves new connections while /readyz
// answers 503, so a load balancer moves traffic away before the listener
// closes; then it shuts down.
func TestDrainDelay(t *testing.T) {
	var s *Server
	s = quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			if err := s.readyz(w, bunrouter.NewRequest(r)); err != nil {
				s.writeError(w, r, err)
			}
			return
		}
		_, _ = io.WriteString(w, "served")
	}))
	s.cfg.DrainDelay = 500 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	cancel()
	for !s.draining.Load() {
		time.Sleep(time.Millisecond)
	}
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("readyz while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("readyz while draining: status %d, connection close %v; want 503 and close", resp.StatusCode, resp.Close)
	}
	resp, err = http.Get(base + "/orders")
	if err != nil {
		t.Fatalf("a new connection while draining: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "served" {
		t.Errorf("a request while draining got %q", b)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("server still accepts connections after the drain")
	}
}

// TestClientGoneIs499 fails a request whose client has gone, as a query
// cancelled with its context does (issue 13, defect 9): the access log and
// the metrics record 499 at INFO, not a 500 at ERROR.
func TestClientGoneIs499(t *testing.T) {
	var logs strings.Builder
	s := New(DefaultConfig(), nil, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	defer s.Close()
	h := s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, fmt.Errorf("count rows: %w", context.Canceled))
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/stores/", nil).WithContext(ctx))
	if rec.Code != statusClientClosed {
		t.Errorf("status %d, want 499", rec.Code)
	}
	if !strings.Contains(logs.String(), `"status":499`) || strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("log:\n%s", logs.String())
	}
	families, err := s.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "aforro_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" && l.GetValue() != "499" {
					t.Errorf("a request counted with status %s", l.GetValue())
				}
			}
		}
	}
}
