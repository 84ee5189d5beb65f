package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// adminStep is one request of an admin round trip and what it must answer.
type adminStep struct {
	name   string
	method string
	path   string
	body   string
	status int
	// want is, for a 2xx with a body, the exact JSON answer (created_at
	// removed, since the database sets it); otherwise a part of the error
	// sentence.
	want     string
	fields   map[string]string // the error's fields, for a 400
	auth     string            // an Authorization header; "" sends the admin token
	location string            // the Location header a 201 must carry
}

// runSteps runs steps in order: each sees the writes of the ones before.
func runSteps(t *testing.T, srv *testServer, steps []adminStep) {
	t.Helper()
	for _, st := range steps {
		var hdr []string
		if st.auth != "" {
			hdr = []string{"Authorization", st.auth}
		}
		r := srv.do(t, st.method, st.path, st.body, hdr...)
		if r.status != st.status {
			t.Fatalf("%s: %s %s: status %d, want %d: %s", st.name, st.method, st.path, r.status, st.status, r.body)
		}
		if got := r.header.Get("Location"); got != st.location {
			t.Errorf("%s: Location %q, want %q", st.name, got, st.location)
		}
		switch {
		case r.status == http.StatusNoContent:
			if len(r.body) != 0 {
				t.Errorf("%s: 204 with a body: %s", st.name, r.body)
			}
		case r.status < 300:
			if got := withoutCreatedAt(t, r.body); got != withoutCreatedAt(t, []byte(st.want)) {
				t.Errorf("%s: body\n got %s\nwant %s", st.name, got, st.want)
			}
		default:
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code == "" || !strings.Contains(e.Error, st.want) {
				t.Errorf("%s: error %q (code %q), want it to contain %q", st.name, e.Error, e.Code, st.want)
			}
			if d := cmp.Diff(st.fields, e.Fields); d != "" {
				t.Errorf("%s: fields (-want +got):\n%s", st.name, d)
			}
		}
	}
}

// withoutCreatedAt re-encodes a JSON object without its created_at and
// updated_at members and checks that they, when present, are RFC 3339 UTC
// times, the second not before the first.
func withoutCreatedAt(t *testing.T, b []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	var times [2]time.Time
	for i, name := range []string{"created_at", "updated_at"} {
		if at, ok := m[name].(string); ok {
			var err error
			if times[i], err = time.Parse(time.RFC3339Nano, at); err != nil || !strings.HasSuffix(at, "Z") {
				t.Errorf("%s %q is not an RFC 3339 UTC time", name, at)
			}
		}
		delete(m, name)
	}
	if !times[1].IsZero() && times[1].Before(times[0]) {
		t.Errorf("updated_at %v is before created_at %v", times[1], times[0])
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// orderFixture gives product 1 one order at store 1.
const orderFixture = `
INSERT INTO orders (id, store_id, status) VALUES (1, 1, 'CONFIRMED');
INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested)
VALUES (1, 1, 'Laptop Pro 15', 1299.99, 1);
SELECT setval(pg_get_serial_sequence('orders', 'id'), 1);`

func TestAdminCategories(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	long := strings.Repeat("é", aforro.MaxCategoryName+1)
	runSteps(t, srv, []adminStep{
		{name: "create", method: "POST", path: "/api/categories/", body: `{"name": "Garden"}`,
			status: 201, want: `{"id": 4, "name": "Garden"}`, location: "/api/categories/4/"},
		{name: "read back", method: "GET", path: "/api/categories/4", status: 200, want: `{"id": 4, "name": "Garden"}`},
		{name: "create trims", method: "POST", path: "/api/categories", body: `{"name": "  Toys \t"}`,
			status: 201, want: `{"id": 5, "name": "Toys"}`, location: "/api/categories/5/"},
		{name: "longest name", method: "POST", path: "/api/categories", body: `{"name": "` + long[2:] + `"}`,
			status: 201, want: `{"id": 6, "name": "` + long[2:] + `"}`, location: "/api/categories/6/"},
		{name: "duplicate ignoring case", method: "POST", path: "/api/categories", body: `{"name": "BOOKS"}`,
			status: 409, want: `A category named "BOOKS" already exists`},
		{name: "missing name", method: "POST", path: "/api/categories", body: `{}`,
			status: 400, want: "Invalid name: is required.", fields: map[string]string{"name": "is required"}},
		{name: "null name", method: "POST", path: "/api/categories", body: `{"name": null}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "is required"}},
		{name: "blank name", method: "POST", path: "/api/categories", body: `{"name": "   "}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must not be empty"}},
		{name: "name too long", method: "POST", path: "/api/categories", body: `{"name": "` + long + `"}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must be at most 100 characters"}},
		{name: "NUL in name", method: "POST", path: "/api/categories", body: `{"name": "a\u0000b"}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must not contain control characters"}},
		{name: "name of the wrong type", method: "POST", path: "/api/categories", body: `{"name": 7}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must be a string"}},
		{name: "unknown field", method: "POST", path: "/api/categories", body: `{"name": "x", "slug": "x"}`,
			status: 400, want: `Unknown field "slug"`, fields: map[string]string{"slug": "unknown field"}},
		{name: "trailing data", method: "POST", path: "/api/categories", body: `{"name": "x"} {}`,
			status: 400, want: "single JSON object"},
		{name: "not JSON", method: "POST", path: "/api/categories", body: `name=x`,
			status: 400, want: "not valid JSON"},

		{name: "rename", method: "PATCH", path: "/api/categories/1/", body: `{"name": "Gadgets"}`,
			status: 200, want: `{"id": 1, "name": "Gadgets"}`},
		{name: "change only the case of its own name", method: "PATCH", path: "/api/categories/3", body: `{"name": "Kitchen"}`,
			status: 200, want: `{"id": 3, "name": "Kitchen"}`},
		{name: "rename onto another", method: "PATCH", path: "/api/categories/3", body: `{"name": "gadgets"}`,
			status: 409, want: "already exists"},
		{name: "empty patch", method: "PATCH", path: "/api/categories/1", body: `{}`,
			status: 400, want: "Nothing to change: send at least one of name."},
		{name: "patch with a blank name", method: "PATCH", path: "/api/categories/1", body: `{"name": ""}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must not be empty"}},
		{name: "patch an unknown category", method: "PATCH", path: "/api/categories/99", body: `{"name": "Z"}`,
			status: 404, want: "Category 99 not found."},
		{name: "patch a malformed id", method: "PATCH", path: "/api/categories/abc", body: `{"name": "Z"}`,
			status: 404, want: "not found"},

		{name: "delete a category with products", method: "DELETE", path: "/api/categories/1",
			status: 409, want: "Category 1 has 3 products; it cannot be deleted."},
		{name: "delete a category with one product", method: "DELETE", path: "/api/categories/2",
			status: 409, want: "Category 2 has 1 product; it cannot be deleted."},
		{name: "delete", method: "DELETE", path: "/api/categories/4/", status: 204},
		{name: "deleted", method: "GET", path: "/api/categories/4", status: 404, want: "Category 4 not found."},
		{name: "delete again", method: "DELETE", path: "/api/categories/4", status: 404, want: "Category 4 not found."},
		{name: "a freed name can be taken again", method: "POST", path: "/api/categories", body: `{"name": "garden"}`,
			status: 201, want: `{"id": 8, "name": "garden"}`, location: "/api/categories/8/"}, // the refused duplicate used 7
	})
}

func TestAdminProducts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+orderFixture)
	lamp := `{"id": 6, "title": "Desk Lamp", "description": "Warm light", "price": "19.90", "category": {"id": 1, "name": "Electronics"}, "sku": null, "barcodes": []}`
	runSteps(t, srv, []adminStep{
		{name: "create with a string price", method: "POST", path: "/api/products/",
			body:   `{"title": "Desk Lamp", "description": "Warm light", "price": "19.9", "category_id": 1}`,
			status: 201, want: lamp, location: "/api/products/6/"},
		{name: "read back", method: "GET", path: "/api/products/6", status: 200, want: lamp},
		{name: "create with a number price and no description", method: "POST", path: "/api/products",
			body:   `{"title": " Notebook ", "price": 3, "category_id": 2}`,
			status: 201, want: `{"id": 7, "title": "Notebook", "description": "", "price": "3.00", "category": {"id": 2, "name": "Books"}, "sku": null, "barcodes": []}`,
			location: "/api/products/7/"},
		{name: "multi-line description", method: "POST", path: "/api/products",
			body:   `{"title": "Poster", "description": "Line one\nLine two", "price": "0", "category_id": 3}`,
			status: 201, want: `{"id": 8, "title": "Poster", "description": "Line one\nLine two", "price": "0.00", "category": {"id": 3, "name": "kitchen"}, "sku": null, "barcodes": []}`,
			location: "/api/products/8/"},
		{name: "everything missing", method: "POST", path: "/api/products", body: `{}`,
			status: 400, want: "Invalid category_id: is required (and 2 more problems).",
			fields: map[string]string{"title": "is required", "price": "is required", "category_id": "is required"}},
		{name: "three decimal places", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "1.999", "category_id": 1}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must have at most 2 decimal places"}},
		{name: "negative price", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": -1, "category_id": 1}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must not be negative"}},
		{name: "price not a number", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "cheap", "category_id": 1}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must be a decimal number"}},
		{name: "price a boolean", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": true, "category_id": 1}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must be a decimal number"}},
		{name: "price too large", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "10000000000", "category_id": 1}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must be at most 9999999999.99"}},
		{name: "unknown category", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "1", "category_id": 99}`,
			status: 400, want: "Invalid category_id", fields: map[string]string{"category_id": "category 99 does not exist"}},
		{name: "category id zero", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "1", "category_id": 0}`,
			status: 400, want: "Invalid category_id", fields: map[string]string{"category_id": "must be a positive integer"}},
		{name: "category id a string", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "1", "category_id": "1"}`,
			status: 400, want: "Invalid category_id", fields: map[string]string{"category_id": "must be an integer"}},
		{name: "title too long", method: "POST", path: "/api/products",
			body:   `{"title": "` + strings.Repeat("t", aforro.MaxProductTitle+1) + `", "price": "1", "category_id": 1}`,
			status: 400, want: "Invalid title", fields: map[string]string{"title": "must be at most 200 characters"}},
		{name: "description too long", method: "POST", path: "/api/products",
			body:   `{"title": "X", "description": "` + strings.Repeat("d", aforro.MaxDescription+1) + `", "price": "1", "category_id": 1}`,
			status: 400, want: "Invalid description", fields: map[string]string{"description": "must be at most 5000 characters"}},
		{name: "NUL in description", method: "POST", path: "/api/products",
			body:   `{"title": "X", "description": "a\u0000", "price": "1", "category_id": 1}`,
			status: 400, want: "Invalid description", fields: map[string]string{"description": "must not contain control characters"}},
		{name: "unknown field", method: "POST", path: "/api/products",
			body:   `{"title": "X", "price": "1", "category_id": 1, "stock": 3}`,
			status: 400, want: `Unknown field "stock"`, fields: map[string]string{"stock": "unknown field"}},

		{name: "change the price only", method: "PATCH", path: "/api/products/6", body: `{"price": "17.50"}`,
			status: 200, want: `{"id": 6, "title": "Desk Lamp", "description": "Warm light", "price": "17.50", "category": {"id": 1, "name": "Electronics"}, "sku": null, "barcodes": []}`},
		{name: "move to another category and clear the description", method: "PATCH", path: "/api/products/6/",
			body:   `{"category_id": 2, "description": ""}`,
			status: 200, want: `{"id": 6, "title": "Desk Lamp", "description": "", "price": "17.50", "category": {"id": 2, "name": "Books"}, "sku": null, "barcodes": []}`},
		{name: "patch to an unknown category", method: "PATCH", path: "/api/products/6", body: `{"category_id": 99}`,
			status: 400, want: "Invalid category_id", fields: map[string]string{"category_id": "category 99 does not exist"}},
		{name: "patch with a bad price", method: "PATCH", path: "/api/products/6", body: `{"price": "1.234"}`,
			status: 400, want: "Invalid price", fields: map[string]string{"price": "must have at most 2 decimal places"}},
		{name: "empty patch", method: "PATCH", path: "/api/products/6", body: `{}`,
			status: 400, want: "Nothing to change: send at least one of title, description, price, category_id, sku or barcodes."},
		{name: "patch of nulls only", method: "PATCH", path: "/api/products/6", body: `{"price": null, "title": null}`,
			status: 400, want: "Nothing to change"},
		{name: "patch a blank title", method: "PATCH", path: "/api/products/6", body: `{"title": " "}`,
			status: 400, want: "Invalid title", fields: map[string]string{"title": "must not be empty"}},
		{name: "patch an unknown product", method: "PATCH", path: "/api/products/99", body: `{"title": "Y"}`,
			status: 404, want: "Product 99 not found."},
		{name: "patch without a body", method: "PATCH", path: "/api/products/6",
			status: 400, want: "Request body is empty"},

		{name: "delete an ordered and stocked product", method: "DELETE", path: "/api/products/1",
			status: 409, want: "Product 1 is referenced by 1 order and is stocked in 1 store; it cannot be deleted."},
		{name: "delete a stocked product", method: "DELETE", path: "/api/products/5",
			status: 409, want: "Product 5 is stocked in 1 store; it cannot be deleted."},
		{name: "delete", method: "DELETE", path: "/api/products/6", status: 204},
		{name: "deleted", method: "GET", path: "/api/products/6", status: 404, want: "Product 6 not found."},
		{name: "delete an unknown product", method: "DELETE", path: "/api/products/6", status: 404, want: "Product 6 not found."},
		{name: "a category counts its products", method: "DELETE", path: "/api/categories/3", status: 409,
			want: "Category 3 has 2 products; it cannot be deleted."},
	})
}

func TestAdminStores(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+orderFixture)
	runSteps(t, srv, []adminStep{
		{name: "create", method: "POST", path: "/api/stores/", body: `{"name": "Airport", "location": "Terminal 1, Lisbon"}`,
			status: 201, want: `{"id": 4, "name": "Airport", "location": "Terminal 1, Lisbon"}`, location: "/api/stores/4/"},
		{name: "read back", method: "GET", path: "/api/stores/4", status: 200,
			want: `{"id": 4, "name": "Airport", "location": "Terminal 1, Lisbon"}`},
		{name: "create without a location", method: "POST", path: "/api/stores", body: `{"name": "Kiosk"}`,
			status: 201, want: `{"id": 5, "name": "Kiosk", "location": ""}`, location: "/api/stores/5/"},
		{name: "names need not be unique", method: "POST", path: "/api/stores", body: `{"name": "Kiosk"}`,
			status: 201, want: `{"id": 6, "name": "Kiosk", "location": ""}`, location: "/api/stores/6/"},
		{name: "missing name", method: "POST", path: "/api/stores", body: `{"location": "x"}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "is required"}},
		{name: "name too long", method: "POST", path: "/api/stores", body: `{"name": "` + strings.Repeat("n", aforro.MaxStoreName+1) + `"}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must be at most 100 characters"}},
		{name: "location too long", method: "POST", path: "/api/stores",
			body:   `{"name": "X", "location": "` + strings.Repeat("l", aforro.MaxStoreLocation+1) + `"}`,
			status: 400, want: "Invalid location", fields: map[string]string{"location": "must be at most 200 characters"}},
		{name: "line break in a location", method: "POST", path: "/api/stores", body: `{"name": "X", "location": "a\nb"}`,
			status: 400, want: "Invalid location", fields: map[string]string{"location": "must not contain control characters"}},
		{name: "not an object", method: "POST", path: "/api/stores", body: `["Airport"]`,
			status: 400, want: "must be a JSON object"},

		{name: "move", method: "PATCH", path: "/api/stores/3", body: `{"location": "Somewhere"}`,
			status: 200, want: `{"id": 3, "name": "Empty", "location": "Somewhere"}`},
		{name: "rename", method: "PATCH", path: "/api/stores/3/", body: `{"name": "Full"}`,
			status: 200, want: `{"id": 3, "name": "Full", "location": "Somewhere"}`},
		{name: "empty patch", method: "PATCH", path: "/api/stores/3", body: `{}`,
			status: 400, want: "Nothing to change: send at least one of name or location."},
		{name: "patch an unknown store", method: "PATCH", path: "/api/stores/99", body: `{"name": "Z"}`,
			status: 404, want: "Store 99 not found."},

		{name: "delete a store with orders and stock", method: "DELETE", path: "/api/stores/1",
			status: 409, want: "Store 1 has 1 order and stocks 4 products; it cannot be deleted."},
		{name: "delete a store with stock", method: "DELETE", path: "/api/stores/2",
			status: 409, want: "Store 2 stocks 1 product; it cannot be deleted."},
		{name: "delete", method: "DELETE", path: "/api/stores/3", status: 204},
		{name: "deleted", method: "GET", path: "/api/stores/3", status: 404, want: "Store 3 not found."},
		{name: "delete an unknown store", method: "DELETE", path: "/api/stores/3", status: 404, want: "Store 3 not found."},
	})

	// A staff token scoped to a store must not outlive the store: with no
	// store left in its scope it would cover every store.
	scoped := srv.token(t, "staff", 5)
	runSteps(t, srv, []adminStep{
		{name: "delete a store in a token's scope", method: "DELETE", path: "/api/stores/5",
			status: 409, want: "Store 5 is in the scope of 1 live API token; it cannot be deleted."},
		{name: "the token still covers only its store", method: "GET", path: "/api/stores/1/inventory",
			auth: "Bearer " + scoped, status: 403, want: "does not cover store 1"},
	})
	toks, err := srv.db.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if len(tok.Stores) == 1 && tok.Stores[0] == 5 {
			if err := srv.db.RevokeToken(context.Background(), tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	runSteps(t, srv, []adminStep{
		{name: "a revoked token does not hold a store", method: "DELETE", path: "/api/stores/5", status: 204},
	})
}

// TestAdminWritesNeedAdmin checks what the route-table walk cannot: a staff
// token of every store is refused before the body is even read, and the
// refusal changes nothing.
func TestAdminWritesNeedAdmin(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue)
	staffAll := "Bearer " + srv.token(t, "staff")
	runSteps(t, srv, []adminStep{
		{name: "staff cannot create", method: "POST", path: "/api/categories", body: `{"name": "Garden"}`,
			auth: staffAll, status: 403, want: "admin token"},
		{name: "staff cannot rename", method: "PATCH", path: "/api/stores/1", body: `{"name": "Mine"}`,
			auth: staffAll, status: 403, want: "admin token"},
		{name: "staff cannot delete", method: "DELETE", path: "/api/stores/3", auth: staffAll, status: 403, want: "admin token"},
		{name: "nothing changed", method: "GET", path: "/api/stores/1", status: 200,
			want: `{"id": 1, "name": "Downtown", "location": "1 Main St, Lisbon"}`},
		{name: "wrong method on a collection", method: "DELETE", path: "/api/categories", status: 405, want: "use GET, HEAD, POST"},
		{name: "wrong method on an item", method: "PUT", path: "/api/products/1", status: 405,
			want: "use DELETE, GET, HEAD, PATCH"},
		{name: "a made-up method", method: "BREW", path: "/api/products/1/", status: 405,
			want: "Method BREW is not allowed on /api/products/1; use DELETE, GET, HEAD, PATCH."},
	})
}

// TestTextThePostgreSQLRefuses sends text PostgreSQL cannot store or compare
// (NUL, invalid UTF-8) wherever text reaches a query: each is the client's
// mistake, a 400, never a 500.
func TestTextThePostgreSQLRefuses(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	runSteps(t, srv, []adminStep{
		{name: "NUL in an inventory filter", method: "GET", path: "/api/stores/1/inventory?q=a%00b",
			status: 400, want: "Invalid q", fields: map[string]string{"q": "must be UTF-8 text without control characters"}},
		{name: "invalid UTF-8 in an inventory filter", method: "GET", path: "/api/stores/1/inventory?q=%FF%FE",
			status: 400, want: "Invalid q", fields: map[string]string{"q": "must be valid UTF-8"}},
		{name: "NUL in a stock note", method: "PUT", path: "/api/stores/1/inventory/1", body: `{"quantity": 3, "reason": "count", "note": "a\u0000"}`,
			status: 400, want: "Invalid note", fields: map[string]string{"note": "must be text without control characters other than line breaks and tabs"}},
		{name: "NUL in an adjustment reference", method: "POST", path: "/api/stores/1/inventory/1/adjust", body: `{"delta": 1, "reason": "other", "reference": "\u0000"}`,
			status: 400, want: "Invalid reference", fields: map[string]string{"reference": "must be one line without control characters"}},
		{name: "NUL in an adjustment reason", method: "POST", path: "/api/stores/1/inventory/1/adjust", body: `{"delta": 1, "reason": "\u0000"}`,
			status: 400, want: "Invalid reason", fields: map[string]string{"reason": aforro.StockReasonProblem()}},
		{name: "NUL in an email", method: "POST", path: "/api/orders",
			body:   `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}], "customer_email": "a\u0000@example.com"}`,
			status: 400, want: "Invalid customer_email", fields: map[string]string{"customer_email": "must be a plain email address such as ana@example.com"}},
		{name: "NUL in a transfer note", method: "POST", path: "/api/transfers",
			body:   `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 1}], "note": "a\u0000"}`,
			status: 400, want: "Invalid note", fields: map[string]string{"note": "must not contain control characters"}},
		{name: "NUL in a store name", method: "POST", path: "/api/stores", body: `{"name": "\u0000"}`,
			status: 400, want: "Invalid name", fields: map[string]string{"name": "must not contain control characters"}},
		{name: "nothing was written", method: "GET", path: "/api/stores/1/inventory/1", status: 200,
			want: `{"id": 1, "product_id": 1, "product_title": "Laptop Pro 15", "price": "1299.99", "category_name": "Electronics", "quantity": 10, "updated_at": "2026-02-01T00:00:00Z", "incoming": 0, "reorder_point": null, "reorder_quantity": null}`},
	})
}
