package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// suggestWithToken is suggestFrom with an Authorization header.
func suggestWithToken(t *testing.T, api *server.Server, remote, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/search/suggest/?q=lap", nil)
	req.RemoteAddr = remote
	req.Header.Set("Authorization", auth)
	w := httptest.NewRecorder()
	api.Handler().ServeHTTP(w, req)
	return w
}

// TestSuggestRateLimitPerToken checks that tills behind one IP, each with
// its token, spend budgets of their own (--suggest-token-limit), apart from
// the IP's, while a request without a live token spends the IP's.
func TestSuggestRateLimitPerToken(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	cfg.SuggestLimit, cfg.SuggestTokenLimit, cfg.SuggestWindow = 2, 4, 10*time.Second
	srv := newLimitedServer(t, cfg, dbtest.Redis(t), nil)
	const shop = "203.0.113.7:4000" // one router, many tills
	till1, till2 := "Bearer "+srv.token(t, "staff"), "Bearer "+srv.token(t, "staff")
	for i := range 4 {
		if w := suggestWithToken(t, srv.api, shop, till1); w.Code != http.StatusOK {
			t.Fatalf("till 1 request %d: %d", i+1, w.Code)
		} else if i == 0 {
			checkRateHeaders(t, w.Header(), 4, 10, 3)
		}
	}
	checkLimited(t, suggestWithToken(t, srv.api, shop, till1), 4, 10*time.Second, "10 seconds")
	if w := suggestWithToken(t, srv.api, shop, till2); w.Code != http.StatusOK {
		t.Fatalf("till 2 after till 1 ran out: %d", w.Code)
	}
	// No token, or one that is not live: the IP's budget, untouched so far.
	for i, auth := range []string{"", "Bearer afr_bogus"} {
		w := suggestWithToken(t, srv.api, shop, auth)
		if w.Code != http.StatusOK {
			t.Fatalf("anonymous request %d: %d", i+1, w.Code)
		}
		checkRateHeaders(t, w.Header(), 2, 10, 1-i)
	}
	checkLimited(t, suggestWithToken(t, srv.api, shop, ""), 2, 10*time.Second, "10 seconds")
}
