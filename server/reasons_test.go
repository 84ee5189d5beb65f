package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/server/servertest"
)

// TestReasonCodes: PUT and adjust take each code of the list with a note and
// a reference, which the ledger shows; an unknown code, a code only Aforro
// writes, and an over-long note or reference are 400 naming the field, the
// reason's message listing the allowed codes.
func TestReasonCodes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	for i, code := range aforro.StockReasons() {
		body := fmt.Sprintf(`{"quantity": %d, "reason": %q, "note": " counted twice ", "reference": "DN-%d"}`, 20+i, code, i)
		if r := srv.do(t, "PUT", "/api/stores/1/inventory/1/", body); r.status != http.StatusOK {
			t.Errorf("PUT with %q: %d %s", code, r.status, r.body)
		}
		body = fmt.Sprintf(`{"delta": 1, "reason": %q}`, code)
		if r := srv.do(t, "POST", "/api/stores/1/inventory/1/adjust/", body); r.status != http.StatusOK {
			t.Errorf("adjust with %q: %d %s", code, r.status, r.body)
		}
	}
	var moves aforro.Page[aforro.StockMovement]
	srv.get(t, "/api/stores/1/inventory/1/movements/?page_size=2").decode(t, &moves)
	last := aforro.StockReasons()[len(aforro.StockReasons())-1]
	if len(moves.Results) != 2 || moves.Results[1].Reason != last || moves.Results[1].Note != "counted twice" ||
		moves.Results[1].Reference != fmt.Sprintf("DN-%d", len(aforro.StockReasons())-1) || moves.Results[0].Note != "" {
		t.Errorf("newest movements: %+v", moves.Results)
	}

	list := strings.Join(aforro.StockReasons(), ", ")
	for _, c := range []struct{ name, method, path, body, field, problem string }{
		{"unknown code", "PUT", "/api/stores/1/inventory/1/", `{"quantity": 1, "reason": "found"}`, "reason", "must be one of " + list},
		{"free text", "POST", "/api/stores/1/inventory/1/adjust/", `{"delta": 1, "reason": "delivery 2211"}`, "reason", "must be one of " + list},
		{"a code only Aforro writes", "POST", "/api/stores/1/inventory/1/adjust/", `{"delta": 1, "reason": "order"}`, "reason", "must be one of " + list},
		{"transfer code", "PUT", "/api/stores/1/inventory/1/", `{"quantity": 1, "reason": "transfer_in"}`, "reason", "must be one of " + list},
		{"no reason", "PUT", "/api/stores/1/inventory/1/", `{"quantity": 1}`, "reason", "is required: must be one of " + list},
		{"long note", "PUT", "/api/stores/1/inventory/1/", `{"quantity": 1, "reason": "count", "note": "` + strings.Repeat("n", 1001) + `"}`, "note", "must be at most 1000 characters"},
		{"long reference", "POST", "/api/stores/1/inventory/1/adjust/", `{"delta": 1, "reason": "count", "reference": "` + strings.Repeat("r", 201) + `"}`, "reference", "must be at most 200 characters"},
		{"two-line reference", "POST", "/api/stores/1/inventory/1/adjust/", `{"delta": 1, "reason": "count", "reference": "a\nb"}`, "reference", "must be one line without control characters"},
	} {
		r := srv.do(t, c.method, c.path, c.body)
		var e aforro.ErrorResponse
		r.decode(t, &e)
		if r.status != http.StatusBadRequest || e.Fields[c.field] != c.problem || len(e.Fields) != 1 {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	srv.checkLedger(t)
}

// TestAttributionOverHTTP: the token of each request is on its movements and
// its order, still named once revoked, and ?token_id= keeps its movements.
func TestAttributionOverHTTP(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	staff := srv.token(t, aforro.RoleStaff)
	var staffID int64
	if err := srv.db.Pool.QueryRow(t.Context(), `SELECT id FROM api_tokens WHERE secret_hash = $1`, db.HashToken(staff)).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	as := func(secret string) []string { return []string{"Authorization", "Bearer " + secret} }
	if r := srv.do(t, "POST", "/api/stores/1/inventory/1/adjust/", `{"delta": 2, "reason": "received"}`, as(staff)...); r.status != 200 {
		t.Fatalf("adjust: %d %s", r.status, r.body)
	}
	if r := srv.do(t, "PUT", "/api/stores/1/inventory/1/", `{"quantity": 5, "reason": "count"}`); r.status != 200 {
		t.Fatalf("set: %d %s", r.status, r.body)
	}
	r := srv.do(t, "POST", "/api/orders/", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}]}`, as(staff)...)
	var o aforro.Order
	r.decode(t, &o)
	if r.status != http.StatusCreated || o.PlacedBy == nil || o.PlacedBy.ID != staffID || o.PlacedBy.Name != "test staff" {
		t.Fatalf("order: %d %s", r.status, r.body)
	}
	if r := srv.do(t, "POST", fmt.Sprintf("/api/orders/%d/cancel/", o.ID), ""); r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if err := srv.db.RevokeToken(t.Context(), staffID); err != nil {
		t.Fatal(err)
	}

	var all, mine aforro.Page[aforro.StockMovement]
	srv.get(t, "/api/stores/1/inventory/1/movements/").decode(t, &all)
	var who []string
	for _, m := range all.Results {
		name := m.Source
		if m.Token != nil {
			name = m.Token.Name
		}
		who = append(who, m.Reason+" by "+name)
	}
	want := "cancel by test admin, order by test staff, count by test admin, received by test staff, initial by internal"
	if got := strings.Join(who, ", "); got != want {
		t.Errorf("ledger, newest first:\n got %s\nwant %s", got, want)
	}
	srv.get(t, fmt.Sprintf("/api/stores/1/inventory/1/movements/?token_id=%d", staffID)).decode(t, &mine)
	if len(mine.Results) != 2 || mine.Results[0].Reason != "order" || mine.Results[1].Reason != "received" {
		t.Errorf("the staff token's movements: %+v", mine.Results)
	}
	srv.get(t, fmt.Sprintf("/api/orders/%d/", o.ID)).decode(t, &o)
	if o.PlacedBy == nil || o.PlacedBy.Name != "test staff" || o.CancelledBy == nil || o.CancelledBy.Name != "test admin" {
		t.Errorf("order after revocation: placed by %+v, cancelled by %+v", o.PlacedBy, o.CancelledBy)
	}
	var orders aforro.Page[aforro.OrderSummary]
	srv.get(t, "/api/orders/").decode(t, &orders)
	if len(orders.Results) != 1 || orders.Results[0].PlacedBy == nil || orders.Results[0].PlacedBy.ID != staffID {
		t.Errorf("order list: %+v", orders.Results)
	}
	for _, q := range []string{"0", "x", "-1"} {
		if r := srv.get(t, "/api/stores/1/inventory/1/movements/?token_id="+q); r.status != http.StatusBadRequest {
			t.Errorf("token_id=%s: %d %s", q, r.status, r.body)
		}
	}
}
