package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := server.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

// TestOpenAPICoversRouteTable checks that every registered route is
// documented and every documented operation is registered.
func TestOpenAPICoversRouteTable(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	doc := loadOpenAPI(t)
	param := regexp.MustCompile(`:(\w+)`)
	var registered, documented []string
	for _, rt := range srv.api.Routes() {
		registered = append(registered, rt.Method+" "+param.ReplaceAllString(rt.Path, "{$1}"))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("registered but not documented: %s", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("documented but not registered: %s", d)
		}
	}
	// The served document is the embedded one.
	r := srv.do(t, http.MethodGet, "/api/openapi.json", "", "Authorization", "")
	served, err := openapi3.NewLoader().LoadFromData(r.body)
	if r.status != http.StatusOK || err != nil || served.Info.Title != doc.Info.Title {
		t.Errorf("GET /api/openapi.json: %d, %v", r.status, err)
	}
}

// conformanceRequests exercise every documented operation, successes and
// errors, so their answers can be checked against the document.
var conformanceRequests = []struct{ method, path, body string }{
	{"GET", "/healthz", ""},
	{"GET", "/readyz", ""},
	{"GET", "/api/categories", ""},
	{"GET", "/api/categories?page=9", ""},
	{"GET", "/api/categories/1", ""},
	{"GET", "/api/categories/99", ""},
	{"GET", "/api/products?category=1&page_size=2", ""},
	{"GET", "/api/products?page=x", ""},
	{"GET", "/api/products/1", ""},
	{"GET", "/api/stores", ""},
	{"GET", "/api/stores/1", ""},
	{"GET", "/api/stores/1/inventory?low_stock=true", ""},
	{"GET", "/api/stores/1/inventory/1", ""},
	{"GET", "/api/stores/2/inventory/1", ""},
	{"PUT", "/api/stores/1/inventory/5", `{"quantity": 3, "reason": "received"}`},
	{"PUT", "/api/stores/1/inventory/5", `{"quantity": 4, "reason": "count"}`},
	{"PUT", "/api/stores/1/inventory/5", `{"quantity": -4, "reason": "count"}`},
	{"POST", "/api/stores/1/inventory/5/adjust", `{"delta": 2, "reason": "correction"}`},
	{"POST", "/api/stores/1/inventory/5/adjust", `{"delta": -99, "reason": "shrinkage"}`},
	{"GET", "/api/stores/1/inventory/5/movements", ""},
	{"POST", "/api/orders", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}], "customer_email": "a@example.com"}`},
	{"POST", "/api/orders", `{"store_id": 1, "items": [{"product_id": 3, "quantity_requested": 1}]}`},
	{"POST", "/api/orders", `{"store_id": 1, "items": []}`},
	{"POST", "/api/orders", `{"store_id": 99, "items": [{"product_id": 1, "quantity_requested": 1}]}`},
	{"GET", "/api/orders/1", ""},
	{"GET", "/api/orders/2", ""},
	{"POST", "/api/orders/1/cancel", ""},
	{"POST", "/api/orders/1/cancel", ""},
	{"POST", "/api/transfers", `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 1}], "reference": "T-1"}`},
	{"POST", "/api/transfers", `{"source_store_id": 1, "destination_store_id": 1, "lines": []}`},
	{"PATCH", "/api/transfers/1", `{"note": "fragile"}`},
	{"GET", "/api/transfers/1", ""},
	{"GET", "/api/transfers/99", ""},
	{"POST", "/api/transfers/1/receive", `{"lines": [{"product_id": 1, "accepted": 1}]}`},
	{"POST", "/api/transfers/1/ship", ""},
	{"POST", "/api/transfers/1/ship", ""},
	{"GET", "/api/stores/2/inventory?incoming=true", ""},
	{"POST", "/api/transfers/1/receive", `{"lines": [{"product_id": 1, "accepted": 2}]}`},
	{"POST", "/api/transfers/1/receive", `{"lines": [{"product_id": 1, "rejected": 1, "reason": "damaged"}]}`},
	{"POST", "/api/transfers/1/cancel", ""},
	{"POST", "/api/transfers", `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 999}]}`},
	{"POST", "/api/transfers/2/ship", ""},
	{"POST", "/api/transfers/2/cancel", ""},
	{"GET", "/api/stores/1/transfers?direction=out", ""},
	{"GET", "/api/stores/1/transfers?status=nope", ""},
	{"GET", "/api/stores/1/orders?status=cancelled", ""},
	{"GET", "/api/stores/1/orders?status=x", ""},
	{"POST", "/api/categories", `{"name": "Garden"}`},
	{"POST", "/api/categories", `{"name": "garden"}`},
	{"PATCH", "/api/categories/4", `{"name": "Garden & Patio"}`},
	{"PATCH", "/api/categories/4", `{}`},
	{"POST", "/api/products", `{"title": "Rake", "description": "Steel", "price": "19.90", "category_id": 4}`},
	{"POST", "/api/products", `{"title": "Rake", "price": "19.999", "category_id": 4}`},
	{"PATCH", "/api/products/6", `{"price": 21}`},
	{"DELETE", "/api/products/6", ""},
	{"DELETE", "/api/products/1", ""},
	{"DELETE", "/api/categories/4", ""},
	{"DELETE", "/api/categories/1", ""},
	{"POST", "/api/stores", `{"name": "Airport", "location": "Terminal 2"}`},
	{"PATCH", "/api/stores/4", `{"location": "Terminal 1"}`},
	{"DELETE", "/api/stores/4", ""},
	{"DELETE", "/api/stores/1", ""},
	{"GET", "/api/summaries/latest", ""},
	{"POST", "/api/summaries/run", ""},
	{"GET", "/api/summaries?store_id=1", ""},
	{"GET", "/api/summaries?date=yesterday", ""},
	{"GET", "/api/summaries/latest", ""},
	{"GET", "/api/admin/jobs", ""},
	{"GET", "/api/auth/token", ""},
	{"GET", "/api/search/products?q=lap", ""},
	{"GET", "/api/search/products?store_id=1&in_stock=true&sort=price_desc&min_price=1", ""},
	{"GET", "/api/search/products?in_stock=true&sort=cheapest", ""},
	{"GET", "/api/search/products?store_id=99", ""},
	{"GET", "/api/search/suggest?q=lap", ""},
	{"GET", "/api/search/suggest?q=%20a%20", ""},

	{"PUT", "/api/stores/1/inventory/5", `{"quantity": 9, "reason": "count", "expected_quantity": 0}`},
	{"POST", "/api/stores/1/inventory/5/adjust", `{"delta": 1, "reason": "correction", "note": "found in the back", "reference": "DN-1", "expected_quantity": 0}`},
	{"POST", "/api/admin/webhooks", `{"url": "http://127.0.0.1:9/hook", "events": ["order.confirmed"], "description": "ERP"}`},
	{"POST", "/api/admin/webhooks", `{"url": "ftp://example.com/", "events": ["order.shipped"]}`},
	{"GET", "/api/admin/webhooks", ""},
	{"GET", "/api/admin/webhooks/1", ""},
	{"GET", "/api/admin/webhooks/99", ""},
	{"PATCH", "/api/admin/webhooks/1", `{"enabled": false}`},
	{"PATCH", "/api/admin/webhooks/1", `{}`},
	{"GET", "/api/admin/webhooks/1/deliveries", ""},
	{"GET", "/api/admin/webhooks/1/deliveries?status=x", ""},
	{"DELETE", "/api/admin/webhooks/1", ""},
	{"DELETE", "/api/admin/webhooks/1", ""},
}

// TestOpenAPIConformance validates real answers of the test server against
// the document: status documented, headers and bodies matching their schemas.
func TestOpenAPIConformance(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	doc := loadOpenAPI(t)
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, rq := range conformanceRequests {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			validate(t, router, srv, rq.method, rq.path, rq.body)
		})
	}
}

func validate(t *testing.T, router routers.Router, srv *testServer, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.admin)
	req.Header.Set("Content-Type", "application/json")
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no documented operation: %v", err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(b)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("answer %d %s does not match the document: %v", resp.StatusCode, b, err)
	}
}

// TestOpenAPIReasonCodes: the document's reason enums are the package's
// lists, so a new code cannot be added in one place only.
func TestOpenAPIReasonCodes(t *testing.T) {
	doc, err := server.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{"StockReason": aforro.StockReasons(), "LedgerReason": aforro.LedgerReasons()} {
		var got []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			got = append(got, fmt.Sprint(v))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s enum %v, want %v", name, got, want)
		}
	}
}
