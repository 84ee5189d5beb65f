package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aforro/aforro/server/servertest"
)

// TestRouteTableAuth walks every registered route and proves that each
// non-public one refuses no token, a wrong token, a revoked token and a staff
// token of another store, and that admin routes refuse staff tokens.
func TestRouteTableAuth(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture+`
		INSERT INTO orders (id, store_id, status) VALUES (1, 1, 'CONFIRMED');
		INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES (1, 1, 'Laptop Pro 15', 1299.99, 1);
		INSERT INTO transfers (id, source_store_id, destination_store_id) VALUES (1, 1, 3);
		INSERT INTO transfer_lines (transfer_id, destination_store_id, product_id, quantity) VALUES (1, 3, 4, 1);`)
	otherStore := srv.token(t, "staff", 2)
	ownStore := srv.token(t, "staff", 1)
	anyStore := srv.token(t, "staff")
	revoked := srv.token(t, "staff")
	toks, err := srv.db.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.db.RevokeToken(context.Background(), toks[len(toks)-1].ID); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"POST /api/orders":                                  `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}]}`,
		"PUT /api/stores/:id/inventory/:product_id":         `{"quantity": 3, "reason": "count"}`,
		"POST /api/stores/:id/inventory/:product_id/adjust": `{"delta": 1, "reason": "correction"}`,
		"POST /api/categories":                              `{"name": "Garden"}`,
		"PATCH /api/categories/:id":                         `{"name": "Gadgets"}`,
		"POST /api/products":                                `{"title": "Lamp", "price": "9.99", "category_id": 1}`,
		"PATCH /api/products/:id":                           `{"price": "9.99"}`,
		"POST /api/stores":                                  `{"name": "Airport"}`,
		"PATCH /api/stores/:id":                             `{"name": "Central"}`,
		"POST /api/transfers":                               `{"source_store_id": 1, "destination_store_id": 3, "lines": [{"product_id": 4, "quantity": 1}]}`,
		"PATCH /api/transfers/:id":                          `{"note": "fragile"}`,
		"POST /api/transfers/:id/receive":                   `{"lines": [{"product_id": 4, "accepted": 1}]}`,
	}
	// Lists that a scoped token may read: they answer with its own stores'
	// rows instead of refusing it (summaries_test.go checks the filtering).
	scopeFiltered := map[string]bool{"GET /api/summaries": true, "GET /api/summaries/latest": true, "GET /api/orders": true,
		// Without store_id, a token of one store gets that store's live row.
		"GET /api/summaries/today": true,
		// Where a product is stocked is for every staff token: sending a
		// customer to another store is what it is for.
		"GET /api/products/:id/stores": true,
		"GET /api/auth/token":          true} // about the token itself, whatever its stores
	// Transfer 1 goes from store 1 to store 3: store 1's token is its
	// source, which may not receive (transfers_test.go checks each side).
	sourceOnly := map[string]bool{"POST /api/transfers/:id/receive": true}
	checked := 0
	for _, rt := range srv.api.Routes() {
		if rt.Access == "public" {
			continue
		}
		checked++
		path := strings.NewReplacer(":product_id", "1", ":id", "1").Replace(rt.Path)
		body := bodies[rt.Method+" "+rt.Path]
		name := rt.Method + " " + rt.Path
		t.Run(name, func(t *testing.T) {
			cases := []struct {
				who    string
				auth   string
				status int
			}{
				{"no token", "", http.StatusUnauthorized},
				{"not bearer", "Basic YWRtaW46YWRtaW4=", http.StatusUnauthorized},
				{"wrong token", "Bearer afr_" + strings.Repeat("x", 43), http.StatusUnauthorized},
				{"revoked token", "Bearer " + revoked, http.StatusUnauthorized},
			}
			if !scopeFiltered[name] {
				cases = append(cases, struct {
					who    string
					auth   string
					status int
				}{"staff of another store", "Bearer " + otherStore, http.StatusForbidden})
			}
			if rt.Access == "admin" {
				cases = append(cases, struct {
					who    string
					auth   string
					status int
				}{"staff of every store", "Bearer " + anyStore, http.StatusForbidden})
			}
			for _, c := range cases {
				r := srv.do(t, rt.Method, path, body, "Authorization", c.auth)
				if r.status != c.status {
					t.Errorf("%s: status %d, want %d: %s", c.who, r.status, c.status, r.body)
				}
				if c.status == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: WWW-Authenticate = %q", c.who, r.header.Get("WWW-Authenticate"))
				}
			}
			if rt.Access == "staff" && !sourceOnly[name] {
				if r := srv.do(t, rt.Method, path, body, "Authorization", "Bearer "+ownStore); r.status == 401 || r.status == 403 {
					t.Errorf("staff of the store: status %d: %s", r.status, r.body)
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no protected routes found")
	}
	t.Run("public routes need no token", func(t *testing.T) {
		for _, rt := range srv.api.Routes() {
			if rt.Access != "public" || rt.Method != http.MethodGet {
				continue
			}
			path := strings.NewReplacer(":product_id", "1", ":id", "1").Replace(rt.Path)
			if r := srv.do(t, rt.Method, path, "", "Authorization", ""); r.status == 401 || r.status == 403 {
				t.Errorf("%s: status %d", path, r.status)
			}
		}
	})
}
