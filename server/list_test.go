package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// browseFixture is a catalogue big enough for capped counts: 1,100 products
// in three categories with titles that sort apart from their ids, all
// stocked by store 1 (quantities 0-19, so the low-stock threshold of 5 lets
// some through), 50 stocked by store 2, orders at both stores.
const browseFixture = `
INSERT INTO categories (id, name) VALUES (1, 'Lighting'), (2, 'kitchen'), (3, 'Garden');
INSERT INTO products (id, title, description, price, category_id, created_at, updated_at)
SELECT i, (ARRAY['Red','blue','Green','amber'])[i % 4 + 1] || ' ' ||
          (ARRAY['Lamp','Mug','Chair','Desk','Rake'])[i % 5 + 1] ||
          CASE WHEN i % 97 = 0 THEN ' Zircon' ELSE '' END || ' ' || (2000 - i),
       '', 10, i % 3 + 1, t, t
  FROM generate_series(1, 1100) i, LATERAL (SELECT '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 minute' AS t) x;
INSERT INTO stores (id, name, location) VALUES (1, 'Downtown', 'Lisbon'), (2, 'Harbour', 'Porto'), (3, 'Empty', 'Nowhere');
INSERT INTO inventory (store_id, product_id, quantity) SELECT 1, i, i % 20 FROM generate_series(1, 1100) i;
INSERT INTO inventory (store_id, product_id, quantity) SELECT 2, i, 3 FROM generate_series(1, 1100, 22) i;
INSERT INTO orders (id, store_id, status, created_at, cancelled_at)
SELECT i, i % 2 + 1, s, t, CASE WHEN s = 'CANCELLED' THEN t END
  FROM generate_series(1, 90) i,
       LATERAL (SELECT (ARRAY['CONFIRMED','REJECTED','CANCELLED'])[i % 3 + 1] AS s,
                       '2026-03-01T00:00:00Z'::timestamptz + (i / 2) * interval '1 hour' AS t) x;
INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested)
SELECT i, i, 'x', 10, 2 FROM generate_series(1, 90) i;
INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
SELECT 1, 1, 1, i - 1, i, 'count' FROM generate_series(1, 45) i;
SELECT setval(pg_get_serial_sequence('products', 'id'), 1100);
SELECT setval(pg_get_serial_sequence('orders', 'id'), 90);
`

// envelope is a page as raw JSON members, to see nulls.
type envelope struct {
	Count      *int              `json:"count"`
	Page       *int              `json:"page"`
	TotalPages *int              `json:"total_pages"`
	HasNext    bool              `json:"has_next"`
	HasPrev    bool              `json:"has_previous"`
	Capped     bool              `json:"count_capped"`
	NextCursor *string           `json:"next_cursor"`
	Results    []json.RawMessage `json:"results"`
}

func getPage(t *testing.T, srv *testServer, path string) envelope {
	t.Helper()
	r := srv.get(t, path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
	}
	var e envelope
	r.decode(t, &e)
	return e
}

// withQuery adds name=value to path's query.
func withQuery(path, name, value string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + name + "=" + url.QueryEscape(value)
}

// walkCursor reads every row of a list by cursor, checking each cursor
// page's envelope, and returns the rows.
func walkCursor(t *testing.T, srv *testServer, path string, pageSize int) []json.RawMessage {
	t.Helper()
	first := withQuery(path, "page_size", fmt.Sprint(pageSize))
	e := getPage(t, srv, first)
	rows := e.Results
	for pages := 1; e.NextCursor != nil; pages++ {
		if !e.HasNext {
			t.Fatalf("%s: next_cursor without has_next", path)
		}
		if pages > 200 {
			t.Fatalf("%s: more than 200 pages", path)
		}
		e = getPage(t, srv, withQuery(first, "cursor", *e.NextCursor))
		if e.Count != nil || e.Page != nil || e.TotalPages != nil || !e.HasPrev {
			t.Fatalf("%s: cursor page envelope count=%v page=%v total_pages=%v has_previous=%v",
				path, e.Count, e.Page, e.TotalPages, e.HasPrev)
		}
		rows = append(rows, e.Results...)
	}
	if e.HasNext {
		t.Fatalf("%s: has_next without next_cursor", path)
	}
	return rows
}

// walkPages reads every row of a list by page number.
func walkPages(t *testing.T, srv *testServer, path string, pageSize int) []json.RawMessage {
	t.Helper()
	var rows []json.RawMessage
	for n := 1; ; n++ {
		e := getPage(t, srv, withQuery(withQuery(path, "page_size", fmt.Sprint(pageSize)), "page", fmt.Sprint(n)))
		rows = append(rows, e.Results...)
		if !e.HasNext {
			return rows
		}
	}
}

func TestListsWalkByCursorAndByPage(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, browseFixture)
	if r := srv.do(t, http.MethodPost, "/api/summaries/run/", ""); r.status != http.StatusOK {
		t.Fatalf("run summaries: %d %s", r.status, r.body)
	}
	type invRow struct {
		ProductID int64  `json:"product_id"`
		Title     string `json:"product_title"`
		Category  string `json:"category_name"`
		Quantity  int    `json:"quantity"`
	}
	// inventory checks the rows of a store-1 inventory list: in title
	// order, each passing the filter, as many as SQL finds with it.
	inventory := func(where string, keep func(invRow) bool) func(*testing.T, []json.RawMessage) {
		return func(t *testing.T, rows []json.RawMessage) {
			var prev invRow
			for i, raw := range rows {
				var r invRow
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
				if !keep(r) {
					t.Fatalf("row %+v does not pass the filter", r)
				}
				if i > 0 && (r.Title < prev.Title || r.Title == prev.Title && r.ProductID <= prev.ProductID) {
					t.Fatalf("row %+v after %+v: not in title order", r, prev)
				}
				prev = r
			}
			var want int
			if err := srv.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM inventory i
				JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = p.category_id
				WHERE i.store_id = 1 AND `+where).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if len(rows) != want || want == 0 {
				t.Fatalf("%d rows, SQL finds %d", len(rows), want)
			}
		}
	}
	contains := func(word string) func(invRow) bool {
		return func(r invRow) bool { return strings.Contains(strings.ToLower(r.Title), word) }
	}
	count := func(n int) func(*testing.T, []json.RawMessage) {
		return func(t *testing.T, rows []json.RawMessage) {
			if len(rows) != n {
				t.Fatalf("%d rows, want %d", len(rows), n)
			}
		}
	}
	tests := []struct {
		path  string
		check func(*testing.T, []json.RawMessage)
	}{
		{"/api/categories", count(3)},
		{"/api/products", count(1100)},
		{"/api/products?category=2", count(367)},
		{"/api/products?updated_since=2026-01-01T10:00:00Z", count(1100 - 599)},
		{"/api/stores", count(3)},
		{"/api/stores/1/inventory", inventory("true", func(invRow) bool { return true })},
		{"/api/stores/1/inventory?q=lamp", inventory("p.title ILIKE '%lamp%'", contains("lamp"))},
		{"/api/stores/1/inventory?q=ZIRC", inventory("p.title ILIKE '%zirc%'", contains("zirc"))},
		{"/api/stores/1/inventory?category=2", inventory("c.id = 2", func(r invRow) bool { return r.Category == "kitchen" })},
		{"/api/stores/1/inventory?low_stock=true", inventory("i.quantity <= 5", func(r invRow) bool { return r.Quantity <= 5 })},
		{"/api/stores/1/inventory?q=mug&category=3&low_stock=1", inventory("p.title ILIKE '%mug%' AND c.id = 3 AND i.quantity <= 5",
			func(r invRow) bool { return contains("mug")(r) && r.Category == "Garden" && r.Quantity <= 5 })},
		{"/api/stores/1/orders", count(45)},
		{"/api/stores/1/orders?status=rejected", count(15)},
		{"/api/orders", count(90)},
		{"/api/orders?status=CANCELLED&store_id=2", count(15)},
		{"/api/stores/1/inventory/1/movements", count(45)},
		{"/api/summaries", count(4)},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			for _, size := range []int{7, 100} {
				byCursor := walkCursor(t, srv, tc.path, size)
				tc.check(t, byCursor)
				if byPage := walkPages(t, srv, tc.path, size); !slices.EqualFunc(byCursor, byPage, jsonEqual) {
					t.Fatalf("page_size %d: the cursor walk and the page walk differ", size)
				}
			}
		})
	}
}

func jsonEqual(a, b json.RawMessage) bool { return string(a) == string(b) }

func TestCursorStableWhileRowsAreInserted(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, browseFixture)
	type row struct {
		ProductID int64 `json:"product_id"`
	}
	path := "/api/stores/1/inventory?page_size=50"
	e := getPage(t, srv, path)
	seen := map[int64]int{}
	next := 1101
	for {
		for _, raw := range e.Results {
			var r row
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			seen[r.ProductID]++
		}
		if e.NextCursor == nil {
			break
		}
		// New rows on both sides of the cursor: titles sort first and last.
		srv.exec(t, fmt.Sprintf(`
			INSERT INTO products (id, title, price, category_id) VALUES (%d, 'AAA new', 1, 1), (%d, 'zzz new', 1, 1);
			INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, %[1]d, 1), (1, %[2]d, 1);`, next, next+1))
		next += 2
		e = getPage(t, srv, withQuery(path, "cursor", *e.NextCursor))
	}
	for id := int64(1); id <= 1100; id++ {
		if seen[id] != 1 {
			t.Errorf("product %d seen %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("product %d seen %d times", id, n)
		}
	}
}

func TestCursorRefused(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, browseFixture)
	products := *getPage(t, srv, "/api/products?page_size=5").NextCursor
	byCategory := *getPage(t, srv, "/api/products?category=1&page_size=5").NextCursor
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] ^= 1
		if b[i] == '=' || b[i] == '+' || b[i] == '/' { // stay in the alphabet
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct{ name, path string }{
		{"last byte edited", "/api/products?cursor=" + flip(products, len(products)-1)},
		{"key edited", "/api/products?cursor=" + flip(products, 4)},
		{"not base64", "/api/products?cursor=%21%21%21"},
		{"empty", "/api/products?cursor="},
		{"too short", "/api/products?cursor=AQ"},
		{"another list", "/api/stores?cursor=" + products},
		{"another store's list", "/api/stores/2/inventory?cursor=" + url.QueryEscape(*getPage(t, srv, "/api/stores/1/inventory?page_size=5").NextCursor)},
		{"other filters", "/api/products?category=2&cursor=" + byCategory},
		{"filter dropped", "/api/products?cursor=" + byCategory},
		{"with page", "/api/products?page=2&cursor=" + products},
		{"overlong", "/api/products?cursor=" + strings.Repeat("A", 4000)},
		{"search, which pages by number", "/api/search/products?cursor=" + products},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, tc.path)
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if r.status != http.StatusBadRequest || e.Code != aforro.EINVALID || e.Fields["cursor"] == "" {
				t.Errorf("status %d, %s", r.status, r.body)
			}
		})
	}
	// The same cursor with its filters works, whatever the page size.
	if e := getPage(t, srv, "/api/products?category=1&page_size=9&cursor="+byCategory); len(e.Results) != 9 {
		t.Errorf("a valid cursor answered %d rows", len(e.Results))
	}
}

func TestCappedCount(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, browseFixture)
	tests := []struct {
		path                    string
		count, page, totalPages int
		capped, next, prev      bool
		rows                    int
	}{
		{"/api/products", 1000, 1, 50, true, true, false, 20},
		{"/api/products?page=50", 1000, 50, 50, true, true, true, 20},
		{"/api/products?page=54", 1000, 54, 54, true, true, true, 20}, // past the capped count, rows remain
		// The last page shows where the list ends, so its count is exact.
		{"/api/products?page=55", 1100, 55, 55, false, false, true, 20},
		{"/api/products?page=11&page_size=100", 1100, 11, 11, false, false, true, 100},
		{"/api/products?category=1", 366, 1, 19, false, true, false, 20},
		{"/api/products?category=1&page=19", 366, 19, 19, false, false, true, 6},
		{"/api/stores/1/inventory?page_size=100", 1000, 1, 10, true, true, false, 100},
		// A title word counts to aforro.TextCountCap (100): 220 lamps.
		{"/api/stores/1/inventory?q=lamp", 100, 1, 5, true, true, false, 20},
		{"/api/stores/1/inventory?q=lamp&page=7", 100, 7, 7, true, true, true, 20},
		{"/api/stores/1/inventory?q=lamp&page=11", 220, 11, 11, false, false, true, 20},
		{"/api/stores/1/inventory?q=zircon", 11, 1, 1, false, false, false, 11},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			e := getPage(t, srv, tc.path)
			got := []any{*e.Count, *e.Page, *e.TotalPages, e.Capped, e.HasNext, e.HasPrev, len(e.Results)}
			want := []any{tc.count, tc.page, tc.totalPages, tc.capped, tc.next, tc.prev, tc.rows}
			if !slices.Equal(got, want) {
				t.Errorf("count, page, total_pages, capped, has_next, has_previous, rows = %v, want %v", got, want)
			}
		})
	}
	for _, path := range []string{"/api/products?page=56", "/api/products?page=1000", "/api/products?category=1&page=20", "/api/stores/1/inventory?q=lamp&page=12"} {
		r := srv.get(t, path)
		var e aforro.ErrorResponse
		r.decode(t, &e)
		if r.status != http.StatusNotFound || e.Code != aforro.EPAGEOUTOFRANGE {
			t.Errorf("%s: status %d %s", path, r.status, r.body)
		}
	}
}

func TestListOrders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, browseFixture)
	staff2 := srv.token(t, aforro.RoleStaff, 2)
	staff12 := srv.token(t, aforro.RoleStaff, 1, 2)
	type summary struct {
		ID        int64     `json:"id"`
		Store     int64     `json:"store"`
		Status    string    `json:"status"`
		CreatedAt time.Time `json:"created_at"`
	}
	list := func(t *testing.T, path, token string) []summary {
		t.Helper()
		r := srv.do(t, http.MethodGet, path, "", "Authorization", "Bearer "+token)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var p aforro.Page[summary]
		r.decode(t, &p)
		return p.Results
	}
	all := list(t, "/api/orders?page_size=100", srv.admin)
	if len(all) != 90 {
		t.Fatalf("admin sees %d orders, want 90", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if b.CreatedAt.After(a.CreatedAt) || b.CreatedAt.Equal(a.CreatedAt) && b.ID > a.ID {
			t.Fatalf("order %d after %d: not newest first", b.ID, a.ID)
		}
	}
	for _, o := range list(t, "/api/orders?page_size=100", staff2) {
		if o.Store != 2 {
			t.Fatalf("a token scoped to store 2 sees order %d of store %d", o.ID, o.Store)
		}
	}
	if n := len(list(t, "/api/orders?page_size=100", staff12)); n != 90 {
		t.Errorf("a token scoped to stores 1 and 2 sees %d orders, want 90", n)
	}
	for _, o := range list(t, "/api/orders?status=rejected&store_id=1", srv.admin) {
		if o.Store != 1 || o.Status != aforro.StatusRejected {
			t.Fatalf("?status=rejected&store_id=1 answered %+v", o)
		}
	}
	for path, want := range map[string]int{
		"/api/orders?store_id=1":    http.StatusForbidden, // with staff2
		"/api/orders?status=lost":   http.StatusBadRequest,
		"/api/orders?store_id=x":    http.StatusBadRequest,
		"/api/orders?store_id=9999": http.StatusForbidden,
	} {
		if r := srv.do(t, http.MethodGet, path, "", "Authorization", "Bearer "+staff2); r.status != want {
			t.Errorf("staff of store 2, %s: status %d, want %d: %s", path, r.status, want, r.body)
		}
	}
	if r := srv.get(t, "/api/orders?store_id=9999"); r.status != http.StatusNotFound {
		t.Errorf("admin, unknown store: status %d: %s", r.status, r.body)
	}
}

func TestProductsUpdatedSince(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	before := time.Now().UTC()
	if r := srv.do(t, http.MethodPatch, "/api/products/2", `{"price": "31.00"}`); r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	// Stock changes rewrite the product row (its stocked stores) but are
	// not a change of the product.
	if r := srv.do(t, http.MethodPut, "/api/stores/2/inventory/4", `{"quantity": 3, "reason": "count"}`); r.status >= 300 {
		t.Fatalf("set stock: %d %s", r.status, r.body)
	}
	srv.exec(t, "") // sync the stocked-store lists
	var p aforro.Page[aforro.Product]
	srv.get(t, "/api/products?updated_since="+url.QueryEscape(before.Format(time.RFC3339Nano))).decode(t, &p)
	if len(p.Results) != 1 || p.Results[0].ID != 2 || p.Results[0].UpdatedAt.Before(before) {
		t.Fatalf("changed since %v: %+v", before, p.Results)
	}
	srv.get(t, "/api/products?updated_since=2026-01-04T10:00:00Z").decode(t, &p)
	var ids []int64
	for _, r := range p.Results {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []int64{3, 4, 5, 2}) {
		t.Errorf("changed since 2026-01-04T10:00:00Z: %v, want [3 4 5 2] (oldest change first)", ids)
	}
	for _, bad := range []string{"yesterday", "2026-01-04", "2026-13-01T00:00:00Z"} {
		r := srv.get(t, "/api/products?updated_since="+bad)
		var e aforro.ErrorResponse
		r.decode(t, &e)
		if r.status != http.StatusBadRequest || e.Fields["updated_since"] == "" {
			t.Errorf("updated_since=%s: %d %s", bad, r.status, r.body)
		}
	}
}

func TestAPIIndex(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var index map[string]string
	srv.get(t, "/api/").decode(t, &index)
	for _, name := range []string{"categories", "products", "stores", "orders", "summaries", "search", "openapi"} {
		path, ok := index[name]
		if !ok {
			t.Errorf("no %q in %v", name, index)
			continue
		}
		if r := srv.get(t, path); r.status != http.StatusOK {
			t.Errorf("%s (%s): status %d", name, path, r.status)
		}
	}
}
