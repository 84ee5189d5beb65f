package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// TestTransferAccess checks each action against tokens scoped to the source,
// the destination, another store, unscoped staff and admin.
func TestTransferAccess(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	tokens := map[string]string{
		"source":      srv.token(t, "staff", 1),
		"destination": srv.token(t, "staff", 2),
		"other":       srv.token(t, "staff", 3),
		"unscoped":    srv.token(t, "staff"),
		"admin":       srv.admin,
	}
	as := func(who string) []string { return []string{"Authorization", "Bearer " + tokens[who]} }
	newDraft := func() int64 {
		t.Helper()
		r := srv.do(t, http.MethodPost, "/api/transfers/", `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 4, "quantity": 1}]}`)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var tr aforro.Transfer
		r.decode(t, &tr)
		return tr.ID
	}
	shipped := func() int64 {
		t.Helper()
		id := newDraft()
		if r := srv.do(t, http.MethodPost, fmt.Sprintf("/api/transfers/%d/ship/", id), ""); r.status != http.StatusOK {
			t.Fatalf("ship: %d %s", r.status, r.body)
		}
		return id
	}
	allowed := map[string][]string{
		"create":  {"source", "unscoped", "admin"},
		"edit":    {"source", "unscoped", "admin"},
		"ship":    {"source", "unscoped", "admin"},
		"cancel":  {"source", "unscoped", "admin"},
		"receive": {"destination", "unscoped", "admin"},
		"get":     {"source", "destination", "unscoped", "admin"},
		"list":    {"source", "unscoped", "admin"}, // the source store's list
	}
	actions := map[string]func(who string) response{
		"create": func(who string) response {
			return srv.do(t, http.MethodPost, "/api/transfers/", `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 4, "quantity": 1}]}`, as(who)...)
		},
		"edit": func(who string) response {
			return srv.do(t, http.MethodPatch, fmt.Sprintf("/api/transfers/%d/", newDraft()), `{"reference": "R"}`, as(who)...)
		},
		"ship": func(who string) response {
			return srv.do(t, http.MethodPost, fmt.Sprintf("/api/transfers/%d/ship/", newDraft()), "", as(who)...)
		},
		"cancel": func(who string) response {
			return srv.do(t, http.MethodPost, fmt.Sprintf("/api/transfers/%d/cancel/", shipped()), "", as(who)...)
		},
		"receive": func(who string) response {
			return srv.do(t, http.MethodPost, fmt.Sprintf("/api/transfers/%d/receive/", shipped()), `{"lines": [{"product_id": 4, "accepted": 1}]}`, as(who)...)
		},
		"get": func(who string) response {
			return srv.do(t, http.MethodGet, fmt.Sprintf("/api/transfers/%d/", newDraft()), "", as(who)...)
		},
		"list": func(who string) response {
			return srv.do(t, http.MethodGet, "/api/stores/1/transfers/", "", as(who)...)
		},
	}
	for action, do := range actions {
		for who := range tokens {
			t.Run(action+"/"+who, func(t *testing.T) {
				r := do(who)
				want := http.StatusForbidden
				for _, w := range allowed[action] {
					if w == who {
						want = map[string]int{"create": http.StatusCreated}[action]
						if want == 0 {
							want = http.StatusOK
						}
					}
				}
				if r.status != want {
					t.Errorf("%s as %s: %d %s, want %d", action, who, r.status, r.body, want)
				}
			})
		}
	}
	// A refused change left the stock alone: store 1's books moved only
	// by the allowed ships and cancels.
	var moved int64
	if err := srv.db.Pool.QueryRow(t.Context(), `SELECT coalesce(sum(delta), 0) FROM stock_movements
		WHERE store_id = 1 AND reason IN ('transfer_out', 'transfer_return')`).Scan(&moved); err != nil {
		t.Fatal(err)
	}
	if want := 50 + moved; want != int64(queryStock(t, srv, 1, 4)) || moved != -(10+3)+3 {
		t.Errorf("store 1 has %d books after transfers that moved %d, want %d and -10 (13 ships, 3 cancels)", queryStock(t, srv, 1, 4), moved, want)
	}
	if r := srv.do(t, http.MethodGet, "/api/transfers/1/", "", "Authorization", ""); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
}

func queryStock(t *testing.T, srv *testServer, store, product int64) int {
	t.Helper()
	var n int
	if err := srv.db.Pool.QueryRow(t.Context(), `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2`, store, product).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTransferHTTP covers validation, the refused shipment's envelope,
// illegal changes, replays and the inventory's incoming over HTTP.
func TestTransferHTTP(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)

	for _, c := range []struct{ body, field string }{
		{`{"source_store_id": 1, "destination_store_id": 1, "lines": [{"product_id": 1, "quantity": 1}]}`, "destination_store_id"},
		{`{"source_store_id": 1, "destination_store_id": 2, "lines": []}`, "lines"},
		{`{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 0}]}`, "lines[0].quantity"},
		{`{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 1}, {"product_id": 1, "quantity": 2}]}`, "lines[1].product_id"},
		{`{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 77, "quantity": 1}]}`, "lines[0].product_id"},
		{`{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 1, "quantity": 1}], "reference": "` + strings.Repeat("x", 101) + `"}`, "reference"},
	} {
		r := srv.do(t, http.MethodPost, "/api/transfers/", c.body)
		var e aforro.ErrorResponse
		r.decode(t, &e)
		if r.status != http.StatusBadRequest || e.Fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, r.status, r.body, c.field)
		}
	}
	if r := srv.do(t, http.MethodPost, "/api/transfers/", `{"source_store_id": 1, "destination_store_id": 9, "lines": [{"product_id": 1, "quantity": 1}]}`); r.status != http.StatusNotFound {
		t.Errorf("unknown store: %d %s", r.status, r.body)
	}

	// Create with a key, replayed.
	body := `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 2, "quantity": 5}, {"product_id": 1, "quantity": 4}], "note": "for the weekend"}`
	first := srv.do(t, http.MethodPost, "/api/transfers/", body, "Idempotency-Key", "k1")
	again := srv.do(t, http.MethodPost, "/api/transfers/", body, "Idempotency-Key", "k1")
	if first.status != http.StatusCreated || again.status != http.StatusCreated || string(first.body) != string(again.body) ||
		again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed create: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	var tr aforro.Transfer
	first.decode(t, &tr)
	path := fmt.Sprintf("/api/transfers/%d/", tr.ID)
	// The same key on another route is a conflict.
	if r := srv.do(t, http.MethodPost, path+"ship/", "", "Idempotency-Key", "k1"); r.status != http.StatusConflict {
		t.Errorf("key reused on ship: %d %s", r.status, r.body)
	}

	// Store 1 has 3 mice: the shipment is refused, naming the line.
	r := srv.do(t, http.MethodPost, path+"ship/", "")
	var refused aforro.ErrorResponse
	r.decode(t, &refused)
	if r.status != http.StatusConflict || len(refused.RejectedItems) != 1 ||
		refused.RejectedItems[0] != (aforro.ShortItem{ProductID: 2, Requested: 5, Available: 3}) {
		t.Fatalf("short ship: %d %s", r.status, r.body)
	}
	if r := srv.do(t, http.MethodPatch, path, `{"lines": [{"product_id": 2, "quantity": 3}, {"product_id": 1, "quantity": 4}]}`); r.status != http.StatusOK {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	ship := srv.do(t, http.MethodPost, path+"ship/", "", "Idempotency-Key", "s1")
	shipAgain := srv.do(t, http.MethodPost, path+"ship/", "", "Idempotency-Key", "s1")
	if ship.status != http.StatusOK || shipAgain.status != http.StatusOK || shipAgain.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("ship: %d %s / %d %s", ship.status, ship.body, shipAgain.status, shipAgain.body)
	}
	if r := srv.do(t, http.MethodPost, path+"ship/", ""); r.status != http.StatusConflict || !strings.Contains(string(r.body), "is shipped") {
		t.Errorf("ship again: %d %s", r.status, r.body)
	}
	if r := srv.do(t, http.MethodPatch, path, `{"note": "late"}`); r.status != http.StatusConflict {
		t.Errorf("edit after ship: %d %s", r.status, r.body)
	}

	// Incoming at store 2, through the list filter and the row.
	var inv aforro.Page[aforro.InventoryItem]
	srv.get(t, "/api/stores/2/inventory/?incoming=true").decode(t, &inv)
	if len(inv.Results) != 2 || inv.Results[0].Incoming == 0 {
		t.Fatalf("incoming rows %+v", inv.Results)
	}
	var it aforro.InventoryItem
	srv.get(t, "/api/stores/2/inventory/1/").decode(t, &it)
	if it.Incoming != 4 || it.Quantity != 0 {
		t.Errorf("incoming row %+v", it)
	}

	for _, c := range []struct {
		body   string
		status int
	}{
		{`{"lines": [{"product_id": 1, "accepted": 1, "rejected": 1}]}`, http.StatusBadRequest},
		{`{"lines": [{"product_id": 1, "accepted": 1, "reason": "damaged"}]}`, http.StatusBadRequest},
		{`{"lines": [{"product_id": 1}]}`, http.StatusBadRequest},
		{`{"lines": [{"product_id": 5, "accepted": 1}]}`, http.StatusBadRequest},
		{`{"lines": [{"product_id": 1, "accepted": 5}]}`, http.StatusConflict},
	} {
		if r := srv.do(t, http.MethodPost, path+"receive/", c.body); r.status != c.status {
			t.Errorf("receive %s: %d %s, want %d", c.body, r.status, r.body, c.status)
		}
	}
	rcv := `{"lines": [{"product_id": 1, "accepted": 3, "rejected": 1, "reason": "damaged"}]}`
	if r := srv.do(t, http.MethodPost, path+"receive/", rcv, "Idempotency-Key", "r1"); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"status":"partially_received"`) {
		t.Fatalf("receive: %d %s", r.status, r.body)
	}
	if r := srv.do(t, http.MethodPost, path+"receive/", rcv, "Idempotency-Key", "r1"); r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("receive replay: %d %s", r.status, r.body)
	}
	var moves aforro.Page[aforro.StockMovement]
	srv.get(t, "/api/stores/2/inventory/1/movements/").decode(t, &moves)
	if len(moves.Results) != 2 || moves.Results[0].Reason != "write_off_damaged" || moves.Results[0].TransferID == nil ||
		*moves.Results[0].TransferID != tr.ID {
		t.Errorf("destination ledger %+v", moves.Results)
	}
	if r := srv.do(t, http.MethodPost, path+"cancel/", ""); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"returned":3`) {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if got := queryStock(t, srv, 1, 2); got != 3 {
		t.Errorf("mice back at store 1: %d, want 3", got)
	}
	if r := srv.do(t, http.MethodPost, path+"cancel/", ""); r.status != http.StatusConflict || !strings.Contains(string(r.body), "is cancelled") {
		t.Errorf("cancel again: %d %s", r.status, r.body)
	}
	var list aforro.Page[aforro.TransferSummary]
	srv.get(t, "/api/stores/2/transfers/?direction=in&status=cancelled").decode(t, &list)
	if len(list.Results) != 1 || list.Results[0].ID != tr.ID || list.Results[0].TotalUnits != 7 {
		t.Errorf("list %+v", list.Results)
	}
	if r := srv.get(t, "/api/stores/2/transfers/?direction=sideways"); r.status != http.StatusBadRequest {
		t.Errorf("bad direction: %d", r.status)
	}
}
