package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// TestCurrentToken checks that GET /api/auth/token/ tells each live token
// about itself, scope included, and refuses what is not a live token.
func TestCurrentToken(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	scoped := srv.token(t, "staff", 2, 1)
	unscoped := srv.token(t, "staff")
	tests := []struct {
		name   string
		auth   string
		status int
		want   aforro.Token
	}{
		{"admin", "Bearer " + srv.admin, http.StatusOK, aforro.Token{Name: "test admin", Role: "admin", Stores: []int64{}}},
		{"staff of stores 1 and 2", "Bearer " + scoped, http.StatusOK, aforro.Token{Name: "test staff", Role: "staff", Stores: []int64{1, 2}}},
		{"staff of every store", "Bearer " + unscoped, http.StatusOK, aforro.Token{Name: "test staff", Role: "staff", Stores: []int64{}}},
		{"no token", "", http.StatusUnauthorized, aforro.Token{}},
		{"unknown token", "Bearer afr_" + strings.Repeat("x", 43), http.StatusUnauthorized, aforro.Token{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/auth/token", "/api/auth/token/"} {
				r := srv.do(t, http.MethodGet, path, "", "Authorization", tc.auth)
				if r.status != tc.status {
					t.Fatalf("GET %s: status %d, want %d: %s", path, r.status, tc.status, r.body)
				}
				if tc.status != http.StatusOK {
					var env aforro.ErrorResponse
					r.decode(t, &env)
					if env.Code != aforro.EUNAUTHORIZED {
						t.Errorf("GET %s: code %q, want %q", path, env.Code, aforro.EUNAUTHORIZED)
					}
					continue
				}
				if strings.Contains(string(r.body), "afr_") || strings.Contains(string(r.body), "secret") {
					t.Errorf("GET %s shows the secret: %s", path, r.body)
				}
				var got aforro.Token
				r.decode(t, &got)
				if got.ID == 0 || got.CreatedAt.IsZero() {
					t.Errorf("GET %s: no id or created_at: %s", path, r.body)
				}
				if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(aforro.Token{}, "ID", "CreatedAt", "LastUsedAt")); d != "" {
					t.Errorf("GET %s (-want +got):\n%s", path, d)
				}
			}
		})
	}
}
