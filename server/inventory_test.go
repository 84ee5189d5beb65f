package server_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

func TestInventoryRow(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)

	var it aforro.InventoryItem
	r := srv.get(t, "/api/stores/1/inventory/2/")
	r.decode(t, &it)
	if r.status != 200 || it.ProductID != 2 || it.Quantity != 3 || it.ProductTitle != "Wireless Mouse" {
		t.Errorf("get: %d %s", r.status, r.body)
	}

	steps := []struct {
		name     string
		method   string
		path     string
		body     string
		status   int
		quantity int // expected after, when status is 2xx
	}{
		{"set creates a missing row", "PUT", "/api/stores/1/inventory/5", `{"quantity": 12, "reason": "received"}`, 201, 12},
		{"set an existing row", "PUT", "/api/stores/1/inventory/5/", `{"quantity": 4, "reason": "count"}`, 200, 4},
		{"adjust up", "POST", "/api/stores/1/inventory/5/adjust", `{"delta": 6, "reason": "return"}`, 200, 10},
		{"adjust down to zero", "POST", "/api/stores/1/inventory/5/adjust/", `{"delta": -10, "reason": "damaged"}`, 200, 0},
		{"adjust below zero is a conflict", "POST", "/api/stores/1/inventory/5/adjust", `{"delta": -1, "reason": "shrinkage"}`, 409, 0},
		{"adjust needs a reason", "POST", "/api/stores/1/inventory/5/adjust", `{"delta": 1, "reason": "  "}`, 400, 0},
		{"adjust needs a delta", "POST", "/api/stores/1/inventory/5/adjust", `{"reason": "other"}`, 400, 0},
		{"zero delta", "POST", "/api/stores/1/inventory/5/adjust", `{"delta": 0, "reason": "other"}`, 400, 0},
		{"set a negative quantity", "PUT", "/api/stores/1/inventory/5", `{"quantity": -1, "reason": "other"}`, 400, 0},
		{"set without quantity", "PUT", "/api/stores/1/inventory/5", `{"reason": "other"}`, 400, 0},
		{"set too much", "PUT", "/api/stores/1/inventory/5", `{"quantity": 1000000001, "reason": "other"}`, 400, 0},
		{"set a float", "PUT", "/api/stores/1/inventory/5", `{"quantity": 1.5, "reason": "other"}`, 400, 0},
		{"set on an unknown store", "PUT", "/api/stores/99/inventory/5", `{"quantity": 1, "reason": "other"}`, 404, 0},
		{"set an unknown product", "PUT", "/api/stores/1/inventory/99", `{"quantity": 1, "reason": "other"}`, 404, 0},
		{"adjust a row the store lacks", "POST", "/api/stores/2/inventory/1/adjust", `{"delta": 1, "reason": "other"}`, 404, 0},
	}
	for _, st := range steps {
		r := srv.do(t, st.method, st.path, st.body)
		if r.status != st.status {
			t.Fatalf("%s: status %d, want %d: %s", st.name, r.status, st.status, r.body)
		}
		if st.status < 300 {
			r.decode(t, &it)
			if it.Quantity != st.quantity {
				t.Errorf("%s: quantity %d, want %d", st.name, it.Quantity, st.quantity)
			}
		} else {
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code == "" || e.Error == "" {
				t.Errorf("%s: no envelope: %s", st.name, r.body)
			}
		}
	}
	if q := srv.quantity(t, 1, 5); q != 0 {
		t.Errorf("quantity %d after a refused adjustment", q)
	}

	var moves aforro.Page[aforro.StockMovement]
	srv.get(t, "/api/stores/1/inventory/5/movements/").decode(t, &moves)
	type mv struct {
		Delta, Before, After int
		Reason               string
	}
	var got []mv
	for _, m := range moves.Results {
		got = append(got, mv{m.Delta, m.QuantityBefore, m.QuantityAfter, m.Reason})
	}
	want := []mv{{-10, 10, 0, "damaged"}, {6, 4, 10, "return"}, {-8, 12, 4, "count"}, {12, 0, 12, "received"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ledger newest first (-want +got):\n%s", d)
	}
	for path, status := range map[string]int{
		"/api/stores/2/inventory/1":           404,
		"/api/stores/99/inventory/1":          404,
		"/api/stores/2/inventory/1/movements": 404,
		"/api/stores/1/inventory/x":           404,
	} {
		if r := srv.get(t, path); r.status != status {
			t.Errorf("%s: %d, want %d", path, r.status, status)
		}
	}
	if r := srv.do(t, http.MethodDelete, "/api/stores/1/inventory/1", ""); r.status != 405 || r.header.Get("Allow") != "GET, HEAD, PUT" {
		t.Errorf("DELETE: %d Allow=%q", r.status, r.header.Get("Allow"))
	}
	srv.checkLedger(t)
}
