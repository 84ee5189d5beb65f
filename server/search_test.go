package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
)

// searchFixture ranks on purpose against ids: the description match has the
// lowest id, the category match the next, the title matches the highest.
const searchFixture = `
INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Laptop Accessories'), (3, 'Kitchen'), (4, 'Books');
INSERT INTO products (id, title, description, price, category_id, created_at) VALUES
  (1, 'Desk Lamp', 'Bright enough to read by, or to work at your laptop', 25.00, 3, '2026-01-01T10:00:00Z'),
  (2, 'USB-C Hub', 'Seven ports', 45.00, 2, '2026-01-02T10:00:00Z'),
  (3, 'Laptop Pro 15', 'A fast machine', 1299.99, 1, '2026-01-03T10:00:00Z'),
  (4, 'Gaming Laptop', 'RGB everywhere', 999.00, 1, '2026-01-04T10:00:00Z'),
  (5, 'Wireless Mouse', 'Quiet clicks', 29.99, 1, '2026-01-05T10:00:00Z'),
  (6, 'Wireless Headphones', 'Noise cancelling', 199.00, 1, '2026-01-06T10:00:00Z'),
  (7, 'Cast Iron Skillet', 'Heavy pan', 45.00, 3, '2026-01-07T10:00:00Z'),
  (8, 'The Go Programming Language', 'A book about Go', 39.50, 4, '2026-01-08T10:00:00Z');
INSERT INTO stores (id, name, location) VALUES (1, 'Downtown', 'Lisbon'), (2, 'Harbour', 'Porto');
INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 3, 10), (1, 4, 0), (1, 5, 3), (2, 6, 7);
SELECT setval(pg_get_serial_sequence('categories', 'id'), 4);
SELECT setval(pg_get_serial_sequence('products', 'id'), 8);
`

func searchIDs(t *testing.T, srv *testServer, path string) (aforro.Page[aforro.Product], []int64) {
	t.Helper()
	r := srv.get(t, path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
	}
	var page aforro.Page[aforro.Product]
	r.decode(t, &page)
	ids := []int64{}
	for _, p := range page.Results {
		ids = append(ids, p.ID)
	}
	return page, ids
}

func TestSearch(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture)
	tests := []struct {
		name  string
		query string
		ids   []int64
	}{
		{"relevance: title beats category beats description", "q=laptop", []int64{3, 4, 2, 1}},
		{"relevance is the default with q, also when asked for", "q=laptop&sort=relevance", []int64{3, 4, 2, 1}},
		{"every word must match", "q=wireless+headphones", []int64{6}},
		{"words may match different fields", "q=electronics+wireless", []int64{5, 6}},
		{"both words in the category", "q=laptop+accessories", []int64{2}},
		{"stemming", "q=laptops", []int64{3, 4, 2, 1}},
		{"the last word as a prefix", "q=lapt", []int64{3, 4, 2, 1}},
		{"a prefix after a whole word", "q=gaming+lap", []int64{4}},
		{"a quoted phrase", "q=%22gaming+laptop%22", []int64{4}},
		{"an excluded word", "q=laptop+-gaming", []int64{3, 2, 1}},
		{"or", "q=mouse+or+skillet", []int64{5, 7}},
		{"a typo", "q=labtop", []int64{3, 4, 2, 1}},
		{"another typo", "q=hedphones", []int64{6}},
		{"a typo next to a right word", "q=wireles+mouse", []int64{5}},
		{"case does not matter", "q=WIRELESS", []int64{5, 6}},
		{"nothing matches", "q=zzzqqq", []int64{}},
		{"only stop words", "q=the+of", []int64{}},
		{"no query: newest first", "", []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"relevance without q means newest", "sort=relevance", []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"category", "category=1", []int64{6, 5, 4, 3}},
		{"an unknown category matches nothing", "category=99", []int64{}},
		{"min_price, inclusive", "min_price=45", []int64{7, 6, 4, 3, 2}},
		{"max_price, inclusive", "max_price=39.50", []int64{8, 5, 1}},
		{"a price range of one price", "min_price=45&max_price=45.00", []int64{7, 2}},
		{"in stock at a store", "store_id=1&in_stock=true", []int64{5, 3}},
		{"in stock as 1", "store_id=1&in_stock=1", []int64{5, 3}},
		{"none in stock at a store: zero or not stocked", "store_id=1&in_stock=false", []int64{8, 7, 6, 4, 2, 1}},
		{"in stock at another store", "store_id=2&in_stock=TRUE", []int64{6}},
		{"price ascending, ties by id", "sort=price_asc", []int64{1, 5, 8, 2, 7, 6, 4, 3}},
		{"price descending, ties by id descending", "sort=price_desc", []int64{3, 4, 6, 7, 2, 8, 5, 1}},
		{"newest", "sort=newest", []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"q sorted by price", "q=laptop&sort=price_asc", []int64{1, 2, 4, 3}},
		{"q sorted by newest", "q=laptop&sort=newest", []int64{4, 3, 2, 1}},
		{"q, store and stock", "q=laptop&store_id=1&in_stock=true", []int64{3}},
		{"q, category and price", "q=laptop&category=1&max_price=1000", []int64{4}},
		{"q, price and sort", "q=wireless&min_price=100&sort=price_asc", []int64{6}},
		{"everything at once", "q=wireless&category=1&min_price=1&max_price=100&store_id=1&in_stock=true&sort=price_desc", []int64{5}},
		{"page size", "sort=price_asc&page_size=3&page=2", []int64{2, 7, 6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ids := searchIDs(t, srv, "/api/search/products/?"+tc.query)
			if d := cmp.Diff(tc.ids, ids); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
		})
	}
}

// TestSearchHostileQueries sends text that means something to SQL, to
// tsquery syntax or to LIKE: every one is a 200, none a 500.
func TestSearchHostileQueries(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture)
	for _, q := range []string{`'`, `&`, `|`, `!`, `:*`, `\`, `laptop:*`, `lap & top`, `!laptop`, `(laptop`,
		`laptop <-> pro`, `'; DROP TABLE products; --`, `"unterminated`, `%`, `_`, `a:b:c`, `\\'\\'`,
		`laptop\`, `-`, `or`, `"" or -`, `:A`, `laptop:A`, `ñandú`, `日本`, `x:*:*`} {
		t.Run(q, func(t *testing.T) {
			for _, sort := range []string{"", "&sort=price_asc"} {
				r := srv.get(t, "/api/search/products/?q="+url.QueryEscape(q)+sort)
				if r.status != http.StatusOK {
					t.Errorf("q=%q%s: status %d: %s", q, sort, r.status, r.body)
				}
			}
		})
	}
}

func TestSearchValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture)
	tests := []struct {
		query  string
		status int
		code   string
		field  string
	}{
		{"page=0", 400, aforro.EINVALID, "page"},
		{"page_size=x", 400, aforro.EINVALID, "page_size"},
		{"category=abc", 400, aforro.EINVALID, "category"},
		{"category=-1", 400, aforro.EINVALID, "category"},
		{"min_price=-1", 400, aforro.EINVALID, "min_price"},
		{"min_price=abc", 400, aforro.EINVALID, "min_price"},
		{"min_price=1.234", 400, aforro.EINVALID, "min_price"},
		{"max_price=", 400, aforro.EINVALID, "max_price"},
		{"max_price=1e3", 400, aforro.EINVALID, "max_price"},
		{"min_price=10&max_price=5", 400, aforro.EINVALID, "min_price"},
		{"in_stock=true", 400, aforro.EINVALID, "in_stock"},
		{"in_stock=false", 400, aforro.EINVALID, "in_stock"},
		{"store_id=1&in_stock=maybe", 400, aforro.EINVALID, "in_stock"},
		{"store_id=abc", 400, aforro.EINVALID, "store_id"},
		{"sort=cheapest", 400, aforro.EINVALID, "sort"},
		{"sort=", 400, aforro.EINVALID, "sort"},
		{"q=" + strings.Repeat("x", aforro.MaxSearchQueryLength+1), 400, aforro.EINVALID, "q"},
		{"q=%FF%FE", 400, aforro.EINVALID, "q"},
		{"q=lap%00top", 400, aforro.EINVALID, "q"},
		{"store_id=999", 404, aforro.ENOTFOUND, ""},
		{"q=zzzqqq&store_id=999", 404, aforro.ENOTFOUND, ""},
		{"q=laptop&page=2", 404, aforro.EPAGEOUTOFRANGE, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := srv.get(t, "/api/search/products/?"+tc.query)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code != tc.code || e.Error == "" {
				t.Errorf("envelope %+v, want code %s", e, tc.code)
			}
			if _, ok := e.Fields[tc.field]; tc.field != "" && !ok {
				t.Errorf("fields %v lack %q", e.Fields, tc.field)
			}
		})
	}
	t.Run("at the length limit", func(t *testing.T) {
		if r := srv.get(t, "/api/search/products/?q="+strings.Repeat("é", aforro.MaxSearchQueryLength)); r.status != 200 {
			t.Errorf("status %d: %s", r.status, r.body)
		}
	})
}

func TestSearchStoreQuantity(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture)
	qty := func(n int) *int { return &n }
	page, _ := searchIDs(t, srv, "/api/search/products/?q=laptop&store_id=1")
	want := map[int64]*int{3: qty(10), 4: qty(0), 2: qty(0), 1: qty(0)}
	for _, p := range page.Results {
		if d := cmp.Diff(want[p.ID], p.StoreQuantity); d != "" {
			t.Errorf("product %d store_quantity (-want +got):\n%s", p.ID, d)
		}
	}
	for _, path := range []string{"/api/search/products/?q=laptop", "/api/search/products/", "/api/search/products/?sort=price_asc"} {
		if r := srv.get(t, path); strings.Contains(string(r.body), "store_quantity") {
			t.Errorf("%s without store_id has store_quantity: %s", path, r.body)
		}
	}
	for _, path := range []string{"/api/search/products/?store_id=2", "/api/search/products/?store_id=2&q=wireless&sort=newest"} {
		r := srv.get(t, path)
		var raw struct{ Results []map[string]any }
		r.decode(t, &raw)
		for _, p := range raw.Results {
			if _, ok := p["store_quantity"]; !ok {
				t.Errorf("%s: result without store_quantity: %v", path, p)
			}
		}
	}
}

// TestSearchPagination proves pages of equally relevant products are stable
// (ties go by id) and that counting stops at the cap.
func TestSearchPagination(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture+`
		INSERT INTO products (title, price, category_id) SELECT 'Widget', 5, 3 FROM generate_series(1, 45);
		INSERT INTO products (title, price, category_id) SELECT 'Bulk Item ' || g, g % 50, 3 FROM generate_series(1, 1100) AS g;`)
	var all []int64
	for page := 1; page <= 5; page++ {
		p, ids := searchIDs(t, srv, fmt.Sprintf("/api/search/products/?q=widget&page_size=10&page=%d", page))
		if p.Count != 45 || p.TotalPages != 5 || p.CountCapped || p.HasNext != (page < 5) || p.HasPrevious != (page > 1) {
			t.Errorf("page %d envelope: %+v", page, p)
		}
		all = append(all, ids...)
	}
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != 45 {
		t.Errorf("pages are not 45 distinct products in id order: %v", all)
	}
	for _, query := range []string{"q=bulk", "q=bulk&sort=price_desc", "", "sort=price_asc", "q=item&sort=newest"} {
		p, ids := searchIDs(t, srv, "/api/search/products/?page=50&"+query)
		if p.Count != aforro.SearchHitCap || !p.CountCapped || p.TotalPages != 50 || p.HasNext || len(ids) != 20 {
			t.Errorf("%s: page 50 of a capped search: count %d capped %v pages %d next %v rows %d",
				query, p.Count, p.CountCapped, p.TotalPages, p.HasNext, len(ids))
		}
		if r := srv.get(t, "/api/search/products/?page=51&"+query); r.status != http.StatusNotFound {
			t.Errorf("%s: page 51: status %d", query, r.status)
		}
	}
	// A page size that does not divide the cap: the last page holds the rest.
	p, ids := searchIDs(t, srv, "/api/search/products/?q=bulk&page_size=30&page=34")
	if p.TotalPages != 34 || len(ids) != 10 {
		t.Errorf("last page of 30: pages %d rows %d", p.TotalPages, len(ids))
	}
	if r := srv.get(t, "/api/search/products/?q=bulk&page=1000000&page_size=100"); r.status != http.StatusNotFound {
		t.Errorf("a huge page: status %d", r.status)
	}
}

// TestSearchFollowsCategoryRename renames a category through the API: the
// database refreshes the documents of its products.
func TestSearchFollowsCategoryRename(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, searchFixture)
	if r := srv.do(t, http.MethodPatch, "/api/categories/2/", `{"name": "Gizmos"}`); r.status != http.StatusOK {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	for q, want := range map[string][]int64{"gizmos": {2}, "accessories": {}, "laptop": {3, 4, 1}} {
		if _, ids := searchIDs(t, srv, "/api/search/products/?q="+q); !slices.Equal(ids, want) {
			t.Errorf("q=%s: %v, want %v", q, ids, want)
		}
	}
}

// newLimitedServer is a test server with cfg and rdb over d (nil: a fresh
// database). Unless cfg names its own rate-limit prefix, it gets a unique
// one, since every test shares one Redis.
func newLimitedServer(t *testing.T, cfg server.Config, rdb *redis.Client, d *db.DB) *testServer {
	t.Helper()
	if d == nil {
		d = dbtest.Open(t)
	}
	if cfg.RateLimitPrefix == server.DefaultConfig().RateLimitPrefix {
		cfg.RateLimitPrefix = uniquePrefix()
	}
	// These tests count what Redis decided: on a loaded machine a round trip
	// can pass the production bound and the process would decide alone.
	if cfg.RateLimitRedisTimeout == server.DefaultRateLimitRedisTimeout {
		cfg.RateLimitRedisTimeout = 10 * time.Second
	}
	api := server.New(cfg, d, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = api.Close() })
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	_, secret, err := d.CreateToken(context.Background(), "test admin", "admin", nil)
	if err != nil {
		t.Fatalf("create admin token: %v", err)
	}
	return &testServer{Server: srv, api: api, db: d, admin: secret}
}

func uniquePrefix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

const suggestFixture = `
INSERT INTO categories (id, name) VALUES (1, 'Things');
INSERT INTO products (title, price, category_id) VALUES ('Laptop Pro 15', 1, 1);
INSERT INTO products (title, price, category_id) VALUES
  ('LAPTOP PRO 15', 1, 1), ('laptop stand', 1, 1), ('Lapdesk Mini', 1, 1), ('Gaming Laptop', 1, 1),
  ('Acer Laptop Bag', 1, 1), ('Zebra Lap Tray', 1, 1), ('Overlap Joint', 1, 1), ('Gaming Laptop', 1, 1),
  ('Wireless Headphones', 1, 1), ('Éclair Pan', 1, 1), ('Crème Brûlée Torch', 1, 1),
  ('日本茶 Matcha Set', 1, 1), ('Café Grinder', 1, 1), ('USB-C Cable', 1, 1), ('Travel USB-C Charger', 1, 1);
INSERT INTO products (title, price, category_id) SELECT 'Zoom Lens ' || lpad(g::text, 2, '0'), 1, 1 FROM generate_series(1, 12) AS g;
`

func TestSuggest(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	cfg.SuggestLimit = 1000 // this test is about answers, not limits
	srv := newLimitedServer(t, cfg, dbtest.Redis(t), nil)
	srv.exec(t, suggestFixture)
	var zooms []string
	for i := 1; i <= 10; i++ {
		zooms = append(zooms, fmt.Sprintf("Zoom Lens %02d", i))
	}
	lap := []string{"Lapdesk Mini", "Laptop Pro 15", "laptop stand", "Acer Laptop Bag", "Gaming Laptop", "Zebra Lap Tray"}
	tests := []struct {
		name, q, query string
		want           []string
	}{
		{"prefix first, then word prefix, alphabetical ignoring case", "lap", "lap", lap},
		{"case-insensitive", "LAP", "LAP", lap},
		{"trimmed", "  lap\t", "lap", lap},
		{"a longer prefix", "lapto", "lapto", []string{"Laptop Pro 15", "laptop stand", "Acer Laptop Bag", "Gaming Laptop"}},
		{"a whole phrase", "gaming lap", "gaming lap", []string{"Gaming Laptop"}},
		{"a phrase inside a title", "laptop b", "laptop b", []string{"Acer Laptop Bag"}},
		{"a hyphenated word", "usb-c", "usb-c", []string{"USB-C Cable", "Travel USB-C Charger"}},
		{"at most ten", "zoom", "zoom", zooms},
		{"unicode, any case", "ÉCL", "ÉCL", []string{"Éclair Pan"}},
		{"unicode word prefix", "brû", "brû", []string{"Crème Brûlée Torch"}},
		{"three characters of CJK", "日本茶", "日本茶", []string{"日本茶 Matcha Set"}},
		{"accents matter", "caf", "caf", []string{"Café Grinder"}},
		{"a typo", "labtop", "labtop", []string{"Acer Laptop Bag", "Gaming Laptop", "Laptop Pro 15", "laptop stand"}},
		{"another typo", "hedphones", "hedphones", []string{"Wireless Headphones"}},
		{"a typo after a right word", "wireless hedphones", "wireless hedphones", []string{"Wireless Headphones"}},
		{"nothing", "xyzzy", "xyzzy", []string{}},
		{"LIKE characters are literal", "%%%", "%%%", []string{}},
		{"regex characters are literal", "la.", "la.", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, "/api/search/suggest/?q="+url.QueryEscape(tc.q))
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var got aforro.SuggestResponse
			r.decode(t, &got)
			if d := cmp.Diff(aforro.SuggestResponse{Query: tc.query, Suggestions: tc.want}, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSuggestValidation(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	cfg.SuggestLimit = 1000
	srv := newLimitedServer(t, cfg, dbtest.Redis(t), nil)
	srv.exec(t, suggestFixture)
	short := `{"error":"Query must be at least 3 characters long.","code":"invalid"}`
	tests := []struct {
		name, rawQuery string
		status         int
		body           string
	}{
		{"missing", "", 400, short},
		{"two characters", "q=la", 400, short},
		{"two after trimming", "q=%20%20la%20%20", 400, short},
		{"three", "q=abc", 200, ""},
		{"three runes, six bytes", "q=%C3%A9%C3%A9%C3%A9", 200, ""},
		{"a hundred", "q=" + strings.Repeat("a", 100), 200, ""},
		{"a hundred and one", "q=" + strings.Repeat("a", 101), 400,
			`{"error":"Query must be at most 100 characters long.","code":"invalid"}`},
		{"invalid UTF-8", "q=%FF%FE%FD", 400, ""},
		{"NUL", "q=ab%00c", 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, "/api/search/suggest?"+tc.rawQuery)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.body != "" && strings.TrimSpace(string(r.body)) != tc.body {
				t.Errorf("body %s, want %s", r.body, tc.body)
			}
		})
	}
}
