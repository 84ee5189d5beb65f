package server_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
)

// TestPathsNotInCleanForm sends paths the router would redirect, or panic
// on (a NUL at the start of a segment, issue 13 defects 2 and 6): each is a
// 404 with the envelope and a request id, never a redirect or a 500; the
// clean form, with or without its trailing slash, still answers.
func TestPathsNotInCleanForm(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, p := range []string{
		"/api/stores/%00/", "/api/stores/%00", "/api/%00stores/", "/api/categories/%00/", "/api/orders/%00/cancel/",
		"/api/stores/1/inventory/%00/movements/", "/api/stores/%01", "/api/stores/%7F/", "/%00",
		"/api//stores", "/api//stores/", "/api/./stores/", "/api/stores/1/../2/", "/api/stores//", "//api/stores/",
	} {
		t.Run(p, func(t *testing.T) {
			r := srv.get(t, p)
			if r.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404: %s", r.status, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code != aforro.ENOTFOUND || e.Error == "" || r.header.Get("X-Request-Id") == "" {
				t.Errorf("answer %s (request id %q)", r.body, r.header.Get("X-Request-Id"))
			}
		})
	}
	for _, p := range []string{"/api/stores", "/api/stores/", "/healthz"} {
		if r := srv.get(t, p); r.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", p, r.status)
		}
	}
}

// TestQueryStrings sends query strings that do not parse or are not UTF-8:
// 400 naming the parameter, where the handlers used to see it dropped or
// U+FFFD in its place (issue 13, defects 6 and 7).
func TestQueryStrings(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		query  string
		fields map[string]string
	}{
		{"q=%ff%fe", map[string]string{"q": "must be valid UTF-8"}},
		{"q=caf%C3", map[string]string{"q": "must be valid UTF-8"}},
		{"%ff=1", nil},
		{"q=%zz", nil},
		{"q=a;b", nil},
		{"q=%", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := srv.get(t, "/api/search/products/?"+tt.query)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code != aforro.EINVALID || e.Error == "" || !cmp.Equal(tt.fields, e.Fields, cmpopts.EquateEmpty()) {
				t.Errorf("answer %s, want fields %v", r.body, tt.fields)
			}
		})
	}
	if r := srv.get(t, "/api/search/products/?q=caf%C3%A9"); r.status != http.StatusOK {
		t.Errorf("a valid UTF-8 query: status %d", r.status)
	}
}
