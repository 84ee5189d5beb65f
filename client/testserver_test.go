package client_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// newConfiguredServer is newTestServer with settings of the test's own, over
// a database holding the servertest.Catalogue.
func newConfiguredServer(t *testing.T, cfg server.Config) *testServer {
	t.Helper()
	ts := &testServer{servertest.New(t, cfg, nil)}
	ts.Exec(t, catalogue)
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
