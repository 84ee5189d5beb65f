package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// codesFixture gives the catalogue codes: product 1 a SKU and an EAN-13,
// products 2 and 3 one shared UPC-A (an ambiguous scan), product 4 an
// in-house code, and product 5 a title holding product 1's SKU as a word.
const codesFixture = `
UPDATE products SET sku = 'LAP-015', barcodes = '{5901234123457}', barcode_keys = '{05901234123457}' WHERE id = 1;
UPDATE products SET barcodes = '{036000291452}', barcode_keys = '{00036000291452}' WHERE id IN (2, 3);
UPDATE products SET sku = 'BK-GO', barcodes = '{SHELF-7}', barcode_keys = '{SHELF-7}' WHERE id = 4;
UPDATE products SET title = 'Skillet LAP-015 lid' WHERE id = 5;`

func TestProductCodesAdmin(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+codesFixture)
	lamp := func(sku, barcodes string) string {
		return `{"id": 6, "title": "Lamp", "description": "", "price": "9.99", "category": {"id": 1, "name": "Electronics"}, ` +
			`"sku": ` + sku + `, "barcodes": ` + barcodes + `}`
	}
	runSteps(t, srv, []adminStep{
		{name: "create with codes", method: "POST", path: "/api/products",
			body:   `{"title": "Lamp", "price": "9.99", "category_id": 1, "sku": " LMP-1 ", "barcodes": ["4006381333931", " 96385074", "lamp-shelf"]}`,
			status: 201, want: lamp(`"LMP-1"`, `["4006381333931", "96385074", "lamp-shelf"]`), location: "/api/products/6/"},
		{name: "read back", method: "GET", path: "/api/products/6", status: 200,
			want: lamp(`"LMP-1"`, `["4006381333931", "96385074", "lamp-shelf"]`)},
		{name: "a wrong check digit is keyed by its index", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "barcodes": ["5901234123457", "5901234123458"]}`,
			status: 400, want: "Invalid barcodes[1]",
			fields: map[string]string{"barcodes[1]": "is not a valid EAN-13: its check digit should be 7, not 8"}},
		{name: "every bad code is named", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "barcodes": ["036000291453", 7, "", "a b"]}`,
			status: 400, want: "Invalid barcodes[0]", fields: map[string]string{
				"barcodes[0]": "is not a valid UPC-A: its check digit should be 2, not 3",
				"barcodes[1]": "must be a string",
				"barcodes[2]": "must not be empty",
				"barcodes[3]": "must be a GTIN (8, 12, 13 or 14 digits) or an in-house code of printable ASCII characters without spaces",
			}},
		{name: "a UPC-A and its EAN-13 form are one code", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "barcodes": ["036000291452", "0036000291452"]}`,
			status: 400, want: "Invalid barcodes[1]", fields: map[string]string{"barcodes[1]": "is the same code as barcodes[0]"}},
		{name: "barcodes not a list", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "barcodes": "5901234123457"}`,
			status: 400, want: "Invalid barcodes", fields: map[string]string{"barcodes": "must be a list of codes"}},
		{name: "too many barcodes", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "barcodes": [` + strings.TrimSuffix(strings.Repeat(`"A",`, 21), ",") + `]}`,
			status: 400, want: "Invalid barcodes", fields: map[string]string{"barcodes": "must hold at most 20 codes"}},
		{name: "SKU too long", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "sku": "` + strings.Repeat("S", 65) + `"}`,
			status: 400, want: "Invalid sku", fields: map[string]string{"sku": "must be at most 64 characters"}},
		{name: "SKU not a string", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "sku": 15}`,
			status: 400, want: "Invalid sku", fields: map[string]string{"sku": "must be a string or null"}},
		{name: "a taken SKU, in another case", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": 1, "category_id": 1, "sku": "lap-015"}`,
			status: 409, want: `The SKU "lap-015" is already another product's`, fields: map[string]string{"sku": "is already taken"}},
		{name: "PATCH onto a taken SKU", method: "PATCH", path: "/api/products/6", body: `{"sku": "BK-go"}`,
			status: 409, want: "already another product's", fields: map[string]string{"sku": "is already taken"}},
		{name: "PATCH replaces the list", method: "PATCH", path: "/api/products/6", body: `{"barcodes": ["036000291452"]}`,
			status: 200, want: lamp(`"LMP-1"`, `["036000291452"]`)},
		{name: "PATCH of the title keeps the codes", method: "PATCH", path: "/api/products/6", body: `{"title": "Lamp"}`,
			status: 200, want: lamp(`"LMP-1"`, `["036000291452"]`)},
		{name: "PATCH changes only the SKU's case", method: "PATCH", path: "/api/products/6", body: `{"sku": "lmp-1"}`,
			status: 200, want: lamp(`"lmp-1"`, `["036000291452"]`)},
		{name: "PATCH null removes the SKU", method: "PATCH", path: "/api/products/6", body: `{"sku": null}`,
			status: 200, want: lamp(`null`, `["036000291452"]`)},
		{name: "PATCH an empty list removes the barcodes", method: "PATCH", path: "/api/products/6", body: `{"barcodes": [], "sku": "LMP-1"}`,
			status: 200, want: lamp(`"LMP-1"`, `[]`)},
		{name: "PATCH an empty SKU removes it too", method: "PATCH", path: "/api/products/6", body: `{"sku": ""}`,
			status: 200, want: lamp(`null`, `[]`)},
		{name: "a removed SKU is free again", method: "PATCH", path: "/api/products/5", body: `{"sku": "LMP-1"}`,
			status: 200, want: `{"id": 5, "title": "Skillet LAP-015 lid", "description": "12-inch", "price": "45.00", ` +
				`"category": {"id": 3, "name": "kitchen"}, "sku": "LMP-1", "barcodes": []}`},
	})
}

// Concurrent creates with one SKU: the unique index lets exactly one in,
// and every other is a 409, never a 500.
func TestProductSKUConcurrentCreates(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"title": "Twin %d", "price": 1, "category_id": 1, "sku": "TWIN-%s"}`, i, []string{"a", "A"}[i%2])
			statuses[i] = srv.do(t, http.MethodPost, "/api/products", body).status
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if d := cmp.Diff(map[int]int{201: 1, 409: n - 1}, counts); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
}

func TestProductLookup(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+codesFixture)
	tests := []struct {
		name, code string
		want       []int64
	}{
		{"an EAN-13", "5901234123457", []int64{1}},
		{"an ambiguous UPC-A names every product", "036000291452", []int64{2, 3}},
		{"the UPC-A's EAN-13 form", "0036000291452", []int64{2, 3}},
		{"its GTIN-14 form", "00036000291452", []int64{2, 3}},
		{"a SKU ignoring case", "lap-015", []int64{1}},
		{"an in-house code ignoring case", "shelf-7", []int64{4}},
		{"surrounding space is ignored", "%20BK-GO%20", []int64{4}},
		{"a wrong check digit matches nothing", "5901234123458", []int64{}},
		{"a prefix is no match", "LAP-01", []int64{}},
		{"a title word is no match", "Skillet", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got aforro.LookupResult
			r := srv.do(t, http.MethodGet, "/api/products/lookup/?code="+tt.code, "", "Authorization", "")
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			r.decode(t, &got)
			ids := []int64{}
			for _, p := range got.Results {
				ids = append(ids, p.ID)
			}
			if d := cmp.Diff(tt.want, ids); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if got.Code != strings.TrimSpace(strings.ReplaceAll(tt.code, "%20", " ")) {
				t.Errorf("code = %q", got.Code)
			}
			if !strings.Contains(string(r.body), `"results":[`) {
				t.Errorf("results is not a list: %s", r.body)
			}
		})
	}
	t.Run("the product JSON carries its codes", func(t *testing.T) {
		var got aforro.LookupResult
		srv.get(t, "/api/products/lookup?code=5901234123457").decode(t, &got)
		if len(got.Results) != 1 || got.Results[0].SKU == nil || *got.Results[0].SKU != "LAP-015" ||
			!cmp.Equal(got.Results[0].Barcodes, aforro.CodeList{"5901234123457"}) {
			t.Errorf("results = %+v", got.Results)
		}
	})
	for _, tt := range []struct{ name, query, problem string }{
		{"missing code", "", "is required: a SKU or a barcode"},
		{"empty code", "?code=%20", "is required: a SKU or a barcode"},
		{"code too long", "?code=" + strings.Repeat("9", 65), "must be at most 64 characters, as every code is"},
		{"control character", "?code=a%01b", "must be UTF-8 text without control characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := srv.get(t, "/api/products/lookup/"+tt.query)
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if r.status != http.StatusBadRequest || e.Fields["code"] != tt.problem {
				t.Errorf("status %d, %+v; want 400 with code: %q", r.status, e, tt.problem)
			}
		})
	}
}

// A search for an exact code puts its product first, ahead of a title that
// holds the same word; a near miss of a code never finds it.
func TestSearchRanksExactCodes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+codesFixture)
	tests := []struct {
		path string
		want []int64
	}{
		{"/api/search/products/?q=LAP-015", []int64{1, 5}},
		{"/api/search/products/?q=lap-015&page_size=1", []int64{1}},
		{"/api/search/products/?q=lap-015&page_size=1&page=2", []int64{5}},
		{"/api/search/products/?q=036000291452", []int64{2, 3}},
		{"/api/search/products/?q=0036000291452&page_size=1&page=2", []int64{3}},
		{"/api/search/products/?q=5901234123457&category=2", []int64{}},               // filters apply to codes too
		{"/api/search/products/?q=5901234123457&store_id=2&in_stock=true", []int64{}}, // store 2 has no laptops
		{"/api/search/products/?q=5901234123457&store_id=1&in_stock=true", []int64{1}},
		{"/api/search/products/?q=5901234123458", []int64{}}, // a wrong check digit
		// A typo of the SKU never finds its product; the title that holds
		// LAP-015 is typo-tolerant, as titles are.
		{"/api/search/products/?q=LAP-016", []int64{5}},
		{"/api/search/products/?q=laptop", []int64{1, 3}}, // titles as before
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			page, ids := searchIDs(t, srv, tt.path)
			if ids == nil {
				ids = []int64{}
			}
			if d := cmp.Diff(tt.want, ids); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if tt.path == "/api/search/products/?q=LAP-015" && page.Count != 2 {
				t.Errorf("count = %d, want 2", page.Count)
			}
		})
	}
}

func TestProductStores(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+`
INSERT INTO inventory (store_id, product_id, quantity) VALUES (2, 1, 0), (3, 1, 4);`)
	staff := srv.token(t, "staff", 3) // another store's staff may ask too
	get := func(path string) response {
		return srv.do(t, http.MethodGet, path, "", "Authorization", "Bearer "+staff)
	}
	var page aforro.Page[aforro.ProductStock]
	get("/api/products/1/stores/").decode(t, &page)
	want := []aforro.ProductStock{
		{StoreID: 1, StoreName: "Downtown", StoreLocation: "1 Main St, Lisbon", Quantity: 10},
		{StoreID: 2, StoreName: "Harbour", StoreLocation: "2 Dock Rd, Porto", Quantity: 0},
		{StoreID: 3, StoreName: "Empty", StoreLocation: "Nowhere", Quantity: 4},
	}
	if d := cmp.Diff(want, page.Results); d != "" || page.Count != 3 {
		t.Errorf("count %d, results (-want +got):\n%s", page.Count, d)
	}
	get("/api/products/1/stores?in_stock=true").decode(t, &page)
	if d := cmp.Diff([]aforro.ProductStock{want[0], want[2]}, page.Results); d != "" {
		t.Errorf("in stock (-want +got):\n%s", d)
	}
	// By cursor: two pages of one store, then the last.
	var first, second aforro.Page[aforro.ProductStock]
	get("/api/products/1/stores?page_size=2").decode(t, &first)
	if first.NextCursor == "" || len(first.Results) != 2 {
		t.Fatalf("first page = %+v", first)
	}
	get("/api/products/1/stores?page_size=2&cursor="+first.NextCursor).decode(t, &second)
	if d := cmp.Diff(want[2:], second.Results); d != "" || second.NextCursor != "" {
		t.Errorf("second page (-want +got):\n%s; next %q", d, second.NextCursor)
	}
	r := get("/api/products/5/stores?in_stock=true")
	r.decode(t, &page)
	if r.status != 200 || len(page.Results) != 1 || page.Results[0].StoreID != 2 {
		t.Errorf("product 5: %d %s", r.status, r.body)
	}
	r = get("/api/products/99/stores")
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "Product 99 not found.") {
		t.Errorf("unknown product: %d %s", r.status, r.body)
	}
	if r = get("/api/products/1/stores?in_stock=maybe"); r.status != http.StatusBadRequest {
		t.Errorf("in_stock=maybe: %d %s", r.status, r.body)
	}
	if r = srv.do(t, http.MethodGet, "/api/products/1/stores", "", "Authorization", ""); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
}

// Autocomplete of an exact code names its products' titles first, and a
// near miss of a code is not corrected into one.
func TestSuggestExactCode(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+codesFixture)
	tests := []struct {
		q    string
		want []string
	}{
		{"5901234123457", []string{"Laptop Pro 15"}},
		{"036000291452", []string{"Wireless Mouse", "Gaming Laptop"}},
		{"lap-015", []string{"Laptop Pro 15", "Skillet LAP-015 lid"}}, // the SKU's, then a title word
		{"5901234123458", []string{}},
		{"lap", []string{"Laptop Pro 15", "Gaming Laptop", "Skillet LAP-015 lid"}}, // no digit: titles as before
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var got aforro.SuggestResponse
			srv.get(t, "/api/search/suggest/?q="+tt.q).decode(t, &got)
			if d := cmp.Diff(tt.want, got.Suggestions); d != "" {
				t.Errorf("suggestions (-want +got):\n%s", d)
			}
		})
	}
}
