package client_test

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// newConfiguredServer is newTestServer with settings of the test's own, over
// a fresh database holding the fixture. Its rate-limit keys in Redis get a
// prefix of their own: every test server answers the same client IP
// (127.0.0.1), and tests of other packages share the Redis database, so with
// the default prefix one test's suggestions would spend another's budget.
func newConfiguredServer(t *testing.T, cfg server.Config) *testServer {
	t.Helper()
	d := dbtest.Open(t)
	cfg.RateLimitPrefix = "clienttest:" + rand.Text() + ":"
	api := server.New(cfg, d, newRedis(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	ts := &testServer{Server: srv, db: d}
	ts.admin = ts.token(t, aforro.RoleAdmin)
	ts.exec(t, fixture)
	return ts
}

// checkAPIError checks that err is the *APIError want, apart from its
// request id and, when want leaves it zero, its RetryAfter.
func checkAPIError(t *testing.T, err error, want *client.APIError) {
	t.Helper()
	got := apiError(t, err)
	ignore := []string{"RequestID"}
	if want.RetryAfter == 0 {
		ignore = append(ignore, "RetryAfter")
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(client.APIError{}, ignore...)); d != "" {
		t.Errorf("error (-want +got):\n%s", d)
	}
	if code := aforro.ErrorCode(err); code != want.Code {
		t.Errorf("aforro.ErrorCode = %q, want %q", code, want.Code)
	}
}
