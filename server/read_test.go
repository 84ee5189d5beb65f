package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadEndpoints(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	electronics := aforro.Category{ID: 1, Name: "Electronics"}
	laptop := aforro.Product{ID: 1, Title: "Laptop Pro 15", Description: "A fast laptop", Price: 129999,
		Category: electronics, CreatedAt: ts("2026-01-02T10:00:00Z"), UpdatedAt: ts("2026-01-02T10:00:00Z")}

	t.Run("stores", func(t *testing.T) {
		var got aforro.Page[aforro.Store]
		srv.get(t, "/api/stores/").decode(t, &got)
		want := aforro.Page[aforro.Store]{Count: 3, Page: 1, PageSize: 20, TotalPages: 1, Results: []aforro.Store{
			{ID: 1, Name: "Downtown", Location: "1 Main St, Lisbon"}, {ID: 2, Name: "Harbour", Location: "2 Dock Rd, Porto"}, {ID: 3, Name: "Empty", Location: "Nowhere"}}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stores (-want +got):\n%s", d)
		}
	})
	t.Run("store", func(t *testing.T) {
		var got aforro.Store
		srv.get(t, "/api/stores/2/").decode(t, &got)
		if d := cmp.Diff(aforro.Store{ID: 2, Name: "Harbour", Location: "2 Dock Rd, Porto"}, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("categories sorted by name ignoring case", func(t *testing.T) {
		var got aforro.Page[aforro.Category]
		srv.get(t, "/api/categories").decode(t, &got)
		want := []aforro.Category{{ID: 2, Name: "Books"}, electronics, {ID: 3, Name: "kitchen"}}
		if d := cmp.Diff(want, got.Results); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("category", func(t *testing.T) {
		var got aforro.Category
		srv.get(t, "/api/categories/1").decode(t, &got)
		if d := cmp.Diff(electronics, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("products by id with category filter", func(t *testing.T) {
		var got aforro.Page[aforro.Product]
		srv.get(t, "/api/products/?category=1&page_size=2").decode(t, &got)
		if got.Count != 3 || got.TotalPages != 2 || !got.HasNext || got.HasPrevious {
			t.Errorf("envelope = %+v", got)
		}
		if d := cmp.Diff([]aforro.Product{laptop, {ID: 2, Title: "Wireless Mouse", Description: "Quiet clicks",
			Price: 2999, Category: electronics, CreatedAt: ts("2026-01-03T10:00:00Z"), UpdatedAt: ts("2026-01-03T10:00:00Z")}}, got.Results,
			cmpopts.EquateEmpty()); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("product JSON shape", func(t *testing.T) {
		r := srv.get(t, "/api/products/1/")
		want := `{"id":1,"title":"Laptop Pro 15","description":"A fast laptop","price":"1299.99",` +
			`"category":{"id":1,"name":"Electronics"},"created_at":"2026-01-02T10:00:00Z","updated_at":"2026-01-02T10:00:00Z",` +
			`"sku":null,"barcodes":[]}`
		if got := strings.TrimSpace(string(r.body)); got != want {
			t.Errorf("body\n got %s\nwant %s", got, want)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
	})
}

func TestInventoryList(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	tests := []struct {
		name   string
		path   string
		titles []string
	}{
		{"sorted by title then id", "/api/stores/1/inventory/", []string{"Gaming Laptop", "Go Programming", "Laptop Pro 15", "Wireless Mouse"}},
		{"q matches a title substring, any case", "/api/stores/1/inventory?q=LAP", []string{"Gaming Laptop", "Laptop Pro 15"}},
		{"q is literal, not a LIKE pattern", "/api/stores/1/inventory?q=%25", nil},
		{"category", "/api/stores/1/inventory?category=2", []string{"Go Programming"}},
		{"low stock at or below 5, zero included", "/api/stores/1/inventory?low_stock=true", []string{"Gaming Laptop", "Wireless Mouse"}},
		{"low_stock=0 is no filter", "/api/stores/1/inventory?low_stock=0", []string{"Gaming Laptop", "Go Programming", "Laptop Pro 15", "Wireless Mouse"}},
		{"filters combine", "/api/stores/1/inventory?low_stock=1&q=mouse&category=1", []string{"Wireless Mouse"}},
		{"another store", "/api/stores/2/inventory", []string{"Cast Iron Skillet"}},
		{"a store with no stock", "/api/stores/3/inventory", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, tc.path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var got aforro.Page[aforro.InventoryItem]
			r.decode(t, &got)
			var titles []string
			for _, it := range got.Results {
				titles = append(titles, it.ProductTitle)
			}
			if d := cmp.Diff(tc.titles, titles); d != "" {
				t.Errorf("titles (-want +got):\n%s", d)
			}
			if got.Count != len(tc.titles) {
				t.Errorf("count = %d, want %d", got.Count, len(tc.titles))
			}
		})
	}
	t.Run("row shape", func(t *testing.T) {
		r := srv.get(t, "/api/stores/2/inventory")
		var got aforro.Page[aforro.InventoryItem]
		r.decode(t, &got)
		want := aforro.InventoryItem{ID: got.Results[0].ID, ProductID: 5, ProductTitle: "Cast Iron Skillet", Price: 4500,
			CategoryName: "kitchen", Quantity: 7, UpdatedAt: ts("2026-02-01T00:00:00Z")}
		if d := cmp.Diff(want, got.Results[0]); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if !strings.Contains(string(r.body), `"price":"45.00"`) {
			t.Errorf("price not a two-place decimal string: %s", r.body)
		}
	})
}

// TestCategoryFilterPastInt32 filters lists by category ids past 2^31: no
// such category, so an empty page, where PostgreSQL once took the
// parameter for an integer ("$1 = 0") and the list failed with a 500.
func TestCategoryFilterPastInt32(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	for _, path := range []string{
		"/api/products/?category=2147483648", "/api/products/?category=9223372036854775807",
		"/api/stores/1/inventory/?category=2147483648", "/api/stores/1/inventory/?category=9223372036854775807",
	} {
		r := srv.get(t, path)
		var got aforro.Page[json.RawMessage]
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", path, r.status, r.body)
			continue
		}
		if r.decode(t, &got); got.Count != 0 {
			t.Errorf("%s: count %d, want 0", path, got.Count)
		}
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, `INSERT INTO stores (name, location) SELECT 'Store ' || g, 'Street ' || g FROM generate_series(1, 250) g`)
	tests := []struct {
		name     string
		path     string
		status   int
		code     string
		envelope aforro.Page[aforro.Store] // Results ignored
		firstID  int64
	}{
		{"defaults", "/api/stores", 200, "", aforro.Page[aforro.Store]{Count: 250, Page: 1, PageSize: 20, TotalPages: 13, HasNext: true}, 1},
		{"middle page", "/api/stores?page=2&page_size=50", 200, "", aforro.Page[aforro.Store]{Count: 250, Page: 2, PageSize: 50, TotalPages: 5, HasNext: true, HasPrevious: true}, 51},
		{"last page", "/api/stores?page=13", 200, "", aforro.Page[aforro.Store]{Count: 250, Page: 13, PageSize: 20, TotalPages: 13, HasPrevious: true}, 241},
		{"page_size 1000 clamps to 100", "/api/stores?page_size=1000", 200, "", aforro.Page[aforro.Store]{Count: 250, Page: 1, PageSize: 100, TotalPages: 3, HasNext: true}, 1},
		{"page 0", "/api/stores?page=0", 400, aforro.EINVALID, aforro.Page[aforro.Store]{}, 0},
		{"page x", "/api/stores?page=x", 400, aforro.EINVALID, aforro.Page[aforro.Store]{}, 0},
		{"negative page_size", "/api/stores?page_size=-5", 400, aforro.EINVALID, aforro.Page[aforro.Store]{}, 0},
		{"empty page_size", "/api/stores?page_size=", 400, aforro.EINVALID, aforro.Page[aforro.Store]{}, 0},
		{"page past the end", "/api/stores?page=14", 404, aforro.EPAGEOUTOFRANGE, aforro.Page[aforro.Store]{}, 0},
		{"page whose offset overflows", "/api/stores?page=700000000000000000", 404, aforro.EPAGEOUTOFRANGE, aforro.Page[aforro.Store]{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, tc.path)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" {
				var e aforro.ErrorResponse
				r.decode(t, &e)
				if e.Code != tc.code || e.Error == "" {
					t.Errorf("envelope = %+v, want code %s", e, tc.code)
				}
				return
			}
			var got aforro.Page[aforro.Store]
			r.decode(t, &got)
			if got.Results[0].ID != tc.firstID {
				t.Errorf("first id = %d, want %d", got.Results[0].ID, tc.firstID)
			}
			if len(got.Results) != min(tc.envelope.PageSize, got.Count-(got.Page-1)*got.PageSize) {
				t.Errorf("len(results) = %d", len(got.Results))
			}
			if (got.NextCursor != "") != got.HasNext {
				t.Errorf("next_cursor %q with has_next %v", got.NextCursor, got.HasNext)
			}
			got.Results, got.NextCursor = nil, ""
			if d := cmp.Diff(tc.envelope, got); d != "" {
				t.Errorf("envelope (-want +got):\n%s", d)
			}
		})
	}
}

func TestEmptyListFirstPage(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := srv.get(t, "/api/products")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	want := `{"count":0,"page":1,"page_size":20,"total_pages":0,"has_next":false,"has_previous":false,"next_cursor":null,"results":[]}`
	if got := strings.TrimSpace(string(r.body)); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if r := srv.get(t, "/api/products?page=2"); r.status != http.StatusNotFound {
		t.Errorf("page 2 of an empty list: status %d", r.status)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{"GET", "/api/stores/99", 404, aforro.ENOTFOUND, ""},
		{"GET", "/api/stores/abc/", 404, aforro.ENOTFOUND, ""},
		{"GET", "/api/stores/99/inventory", 404, aforro.ENOTFOUND, ""},
		{"GET", "/api/products/0", 404, aforro.ENOTFOUND, ""},
		{"GET", "/api/categories/12345678901234567890123", 404, aforro.ENOTFOUND, ""},
		{"GET", "/api/nothing/here", 404, aforro.ENOTFOUND, ""},
		{"GET", "/", 404, aforro.ENOTFOUND, ""},
		{"DELETE", "/api/stores/1/inventory/", 405, aforro.EMETHODNOTALLOWED, "GET, HEAD"},
		{"PUT", "/api/stores", 405, aforro.EMETHODNOTALLOWED, "GET, HEAD, POST"},
		{"POST", "/api/stores/1", 405, aforro.EMETHODNOTALLOWED, "DELETE, GET, HEAD, PATCH"},
		{"PATCH", "/healthz/", 405, aforro.EMETHODNOTALLOWED, "GET, HEAD"},
		{"GET", "/api/products?category=x", 400, aforro.EINVALID, ""},
		{"GET", "/api/stores/1/inventory?low_stock=maybe", 400, aforro.EINVALID, ""},
		{"GET", "/api/stores/1/inventory?q=" + strings.Repeat("a", 101), 400, aforro.EINVALID, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := srv.do(t, tc.method, tc.path, "")
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code != tc.code || e.Error == "" {
				t.Errorf("envelope = %s, want code %s", r.body, tc.code)
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
	t.Run("field errors name the parameter", func(t *testing.T) {
		var e aforro.ErrorResponse
		srv.get(t, "/api/stores?page=x&page_size=0").decode(t, &e)
		want := map[string]string{"page": "must be a positive integer", "page_size": "must be a positive integer"}
		if d := cmp.Diff(want, e.Fields); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
	})
}

func TestTrailingSlashEquivalence(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	for _, p := range []string{"/api/stores", "/api/stores/1", "/api/categories", "/api/categories/2",
		"/api/products", "/api/products/3", "/api/stores/1/inventory", "/healthz", "/readyz"} {
		a, b := srv.get(t, p), srv.get(t, p+"/")
		if a.status != http.StatusOK || b.status != http.StatusOK {
			t.Errorf("%s: status %d, with slash %d (no redirects expected)", p, a.status, b.status)
		}
		if p != "/readyz" && string(a.body) != string(b.body) {
			t.Errorf("%s: bodies differ:\n%s\n%s", p, a.body, b.body)
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := srv.do(t, "GET", "/healthz", "", "X-Request-Id", "abc-123")
	if got := r.header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("echoed id = %q", got)
	}
	r1, r2 := srv.get(t, "/api/nope"), srv.get(t, "/api/nope")
	id1, id2 := r1.header.Get("X-Request-Id"), r2.header.Get("X-Request-Id")
	if id1 == "" || id1 == id2 {
		t.Errorf("generated ids %q, %q: want distinct, non-empty", id1, id2)
	}
	r = srv.do(t, "GET", "/healthz", "", "X-Request-Id", "bad id\twith spaces")
	if got := r.header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " \t") {
		t.Errorf("unsafe id was echoed: %q", got)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var h aforro.Health
	srv.get(t, "/healthz").decode(t, &h)
	if h.Status != "ok" {
		t.Errorf("healthz = %+v", h)
	}
	srv.get(t, "/readyz").decode(t, &h)
	if d := cmp.Diff(aforro.Health{Status: "ok", Checks: map[string]string{"postgres": "ok", "redis": "ok"}}, h); d != "" {
		t.Errorf("readyz (-want +got):\n%s", d)
	}
	srv.db.Close() // PostgreSQL gone from this server's point of view
	r := srv.get(t, "/readyz")
	var e aforro.ErrorResponse
	r.decode(t, &e)
	if r.status != http.StatusServiceUnavailable || e.Code != aforro.EUNAVAILABLE {
		t.Errorf("readyz without PostgreSQL: %d %s", r.status, r.body)
	}
}
