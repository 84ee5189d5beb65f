package server_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aforro/aforro/server"
)

// TestRedisLoggerIsRateLimited feeds go-redis-style lines in a burst, as
// an outage makes them: one JSON line comes out, at DEBUG.
func TestRedisLoggerIsRateLimited(t *testing.T) {
	var out strings.Builder
	l := server.NewRedisLogger(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))
	for range 50 {
		l.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %s", 1, "connection refused")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"level":"DEBUG"`) || !strings.Contains(lines[0], "failed to dial after 1 attempts") {
		t.Errorf("%d lines:\n%s", len(lines), out.String())
	}
}
