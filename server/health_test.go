package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// TestReadyzWhileRedisHangs points the server at a Redis that accepts
// connections and never answers, with a client that would wait for ever
// (no read timeout): /readyz still answers, degraded, because the server
// bounds its probe itself rather than trusting the client's settings. A
// probe that waited would hold every orchestrator's health check as long as
// Redis hangs.
func TestReadyzWhileRedisHangs(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // held open, never read or answered
		}
	}()
	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	api := server.New(server.DefaultConfig(), dbtest.Open(t), rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)

	// Far above the probe's bound: only a probe that never returns misses it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/readyz", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("/readyz did not answer while Redis hangs: %v", err)
	}
	defer resp.Body.Close()
	var h aforro.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || h.Status != "degraded" || h.Checks["redis"] != "unreachable" || h.Checks["postgres"] != "ok" {
		t.Errorf("/readyz = %d %+v, want 200 degraded with redis unreachable", resp.StatusCode, h)
	}
}
