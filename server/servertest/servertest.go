// Package servertest runs a real aforrod API for the tests of the packages
// that talk to it (client, aforroctl, the TUI, the server's own): the server's
// handler on a loopback listener, over a fresh database (dbtest) and the test
// Redis, with an admin token.
package servertest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// Server is a running test API.
type Server struct {
	*httptest.Server
	API   *server.Server
	DB    *db.DB
	Admin string // an admin token's secret
}

// New starts the API with cfg; wrap, when not nil, wraps its handler (to
// count requests or make the server vanish). Everything stops when the test
// ends. The rate-limit keys in Redis get a prefix of their own: every test
// server sees the same client address (127.0.0.1) and the tests of every
// package share the Redis database, so one test's requests must not spend
// another's budget.
func New(t testing.TB, cfg server.Config, wrap func(http.Handler) http.Handler) *Server {
	t.Helper()
	d := dbtest.Open(t)
	cfg.RateLimitPrefix = "test:" + rand.Text() + ":"
	api := server.New(cfg, d, dbtest.Redis(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	h := api.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	s := &Server{Server: httptest.NewServer(h), API: api, DB: d}
	t.Cleanup(s.Close)
	s.Admin = s.Token(t, aforro.RoleAdmin)
	return s
}

// Token creates a token with role, scoped to stores when any are given, and
// returns its secret.
func (s *Server) Token(t testing.TB, role string, stores ...int64) string {
	t.Helper()
	_, secret, err := s.DB.CreateToken(context.Background(), "test "+role, role, stores)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

// Exec runs fixture SQL.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := s.DB.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
