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

const batchPath = "/api/stores/1/inventory/batch/"

// batchAnswer decodes a batch answer.
func batchAnswer(t *testing.T, r response) aforro.StockBatchResult {
	t.Helper()
	var out aforro.StockBatchResult
	r.decode(t, &out)
	return out
}

// stock is store 1's quantities of products 1-5 (-1: no row).
func (ts *testServer) stock(t *testing.T) [5]int {
	t.Helper()
	var out [5]int
	for p := range out {
		out[p] = ts.count(t, `SELECT coalesce((SELECT quantity FROM inventory WHERE store_id = 1 AND product_id = $1), -1)`, p+1)
	}
	return out
}

func TestStockBatch(t *testing.T) {
	t.Parallel()
	// Store 1: laptop(1) 10, mouse(2) 3, gaming laptop(3) 0, book(4) 50; skillet(5) not stocked.
	initial := [5]int{10, 3, 0, 50, -1}
	type row struct {
		before, after *int
		err           string // the row's fields, "rows[0].quantity" ...
	}
	n := func(v int) *int { return &v }
	cases := []struct {
		name   string
		body   string
		status int
		rows   []row
		stock  [5]int // afterwards
		moves  int    // new ledger rows
	}{
		{"set, reject_failed: the good rows apply, a set creates a row",
			`{"mode": "set", "error_policy": "reject_failed", "rows": [
				{"product_id": 2, "quantity": 7, "reason": "count"},
				{"product_id": 99, "quantity": 1, "reason": "count"},
				{"product_id": 5, "quantity": 4, "reason": "received", "note": "box 3"},
				{"product_id": 1, "quantity": 10, "reason": "count"}]}`,
			200, []row{{n(3), n(7), ""}, {nil, nil, "rows[1].product_id"}, {nil, n(4), ""}, {n(10), n(10), ""}},
			[5]int{10, 7, 0, 50, 4}, 3},
		{"add, reject_all: a row below zero rejects every row",
			`{"mode": "add", "error_policy": "reject_all", "rows": [
				{"product_id": 1, "quantity": 5, "reason": "received"},
				{"product_id": 2, "quantity": -4, "reason": "damaged"}]}`,
			422, []row{{n(10), n(15), ""}, {n(3), nil, "rows[1].quantity"}},
			initial, 0},
		{"add, reject_failed: the row below zero fails alone",
			`{"mode": "add", "error_policy": "reject_failed", "rows": [
				{"product_id": 1, "quantity": 5, "reason": "received"},
				{"product_id": 2, "quantity": -4, "reason": "damaged"},
				{"product_id": 4, "quantity": -50, "reason": "return"}]}`,
			200, []row{{n(10), n(15), ""}, {n(3), nil, "rows[1].quantity"}, {n(50), n(0), ""}},
			[5]int{15, 3, 0, 0, -1}, 2},
		{"add units to a row the store does not have: a delivery of a new product creates it",
			`{"mode": "add", "error_policy": "reject_failed", "rows": [{"product_id": 5, "quantity": 1, "reason": "received"}]}`,
			200, []row{{nil, n(1), ""}}, [5]int{10, 3, 0, 50, 1}, 1},
		{"remove units from a row the store does not have",
			`{"mode": "add", "error_policy": "reject_failed", "rows": [{"product_id": 5, "quantity": -1, "reason": "correction"}]}`,
			200, []row{{nil, nil, "rows[0].product_id"}}, initial, 0},
		{"a rejected batch leaves no row it would have created",
			`{"mode": "add", "error_policy": "reject_all", "rows": [
				{"product_id": 5, "quantity": 2, "reason": "received"}, {"product_id": 3, "quantity": -1, "reason": "other"}]}`,
			422, []row{{nil, n(2), ""}, {n(0), nil, "rows[1].quantity"}}, initial, 0},
		{"dry run: a preview that changes nothing",
			`{"mode": "set", "error_policy": "reject_all", "dry_run": true, "rows": [
				{"product_id": 3, "quantity": 9, "reason": "count"}, {"product_id": 5, "quantity": 2, "reason": "count"}]}`,
			200, []row{{n(0), n(9), ""}, {nil, n(2), ""}}, initial, 0},
		{"dry run of a batch reject_all rejects",
			`{"mode": "add", "error_policy": "reject_all", "dry_run": true, "rows": [
				{"product_id": 3, "quantity": -1, "reason": "other"}, {"product_id": 4, "quantity": 1, "reason": "other"}]}`,
			422, []row{{n(0), nil, "rows[0].quantity"}, {n(50), n(51), ""}}, initial, 0},
		{"row validation: each row's own fields",
			`{"mode": "set", "error_policy": "reject_failed", "rows": [
				{"product_id": 1, "reason": "count"},
				{"product_id": 2, "quantity": -1, "reason": "count"},
				{"product_id": 3, "quantity": 1, "reason": "  "},
				{"quantity": 1, "reason": "count"},
				{"product_id": 4, "quantity": 49, "reason": "count"}]}`,
			200, []row{{nil, nil, "rows[0].quantity"}, {nil, nil, "rows[1].quantity"}, {nil, nil, "rows[2].reason"},
				{nil, nil, "rows[3].product_id"}, {n(50), n(49), ""}},
			[5]int{10, 3, 0, 49, -1}, 1},
		{"a product twice fails both times",
			`{"mode": "add", "error_policy": "reject_failed", "rows": [
				{"product_id": 1, "quantity": 1, "reason": "other"}, {"product_id": 2, "quantity": 1, "reason": "other"},
				{"product_id": 1, "quantity": 2, "reason": "other"}]}`,
			200, []row{{nil, nil, "rows[0].product_id"}, {n(3), n(4), ""}, {nil, nil, "rows[2].product_id"}},
			[5]int{10, 4, 0, 50, -1}, 1},
		{"add of zero is refused as adjust refuses it",
			`{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 1, "quantity": 0, "reason": "other"}]}`,
			422, []row{{nil, nil, "rows[0].quantity"}}, initial, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			srv.exec(t, servertest.Catalogue+ledgerFixture)
			moves := srv.count(t, `SELECT count(*) FROM stock_movements`)
			r := srv.post(t, batchPath, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			out := batchAnswer(t, r)
			failed := 0
			var got []row
			for i, rr := range out.Rows {
				g := row{before: rr.QuantityBefore, after: rr.QuantityAfter}
				if rr.Error != nil {
					failed++
					var keys []string
					for k := range rr.Error.Fields {
						keys = append(keys, k)
					}
					g.err = strings.Join(keys, ",")
					if rr.Error.Code == "" || rr.Error.Message == "" {
						t.Errorf("row %d: error without a code or message: %+v", i, rr.Error)
					}
				}
				got = append(got, g)
			}
			if d := cmp.Diff(tc.rows, got, cmp.AllowUnexported(row{})); d != "" {
				t.Errorf("rows (-want +got):\n%s\n%s", d, r.body)
			}
			wantApplied := len(tc.rows) - failed
			if tc.status == 422 {
				wantApplied = 0
			}
			if out.Failed != failed || out.Applied != wantApplied {
				t.Errorf("applied %d, failed %d; want %d, %d", out.Applied, out.Failed, wantApplied, failed)
			}
			if s := srv.stock(t); s != tc.stock {
				t.Errorf("stock %v, want %v", s, tc.stock)
			}
			if d := srv.count(t, `SELECT count(*) FROM stock_movements`) - moves; d != tc.moves {
				t.Errorf("%d new movements, want %d", d, tc.moves)
			}
			srv.checkLedger(t)
		})
	}
}

func TestStockBatchRequestErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	var many strings.Builder
	for i := range aforro.MaxBatchRows + 1 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"product_id": %d, "quantity": 1, "reason": "other"}`, i+1)
	}
	row := `[{"product_id": 1, "quantity": 1, "reason": "other"}]`
	cases := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"no mode", batchPath, `{"error_policy": "reject_all", "rows": ` + row + `}`, 400, "mode"},
		{"a mode guessed", batchPath, `{"mode": "replace", "error_policy": "reject_all", "rows": ` + row + `}`, 400, "mode"},
		{"no error policy", batchPath, `{"mode": "add", "rows": ` + row + `}`, 400, "error_policy"},
		{"an unknown policy", batchPath, `{"mode": "add", "error_policy": "best_effort", "rows": ` + row + `}`, 400, "error_policy"},
		{"no rows", batchPath, `{"mode": "add", "error_policy": "reject_all", "rows": []}`, 400, "rows"},
		{"too many rows", batchPath, `{"mode": "add", "error_policy": "reject_all", "rows": [` + many.String() + `]}`, 400, "rows"},
		{"a quantity of the wrong type", batchPath, `{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 1, "quantity": "2", "reason": "other"}]}`, 400, "rows[0].quantity"},
		{"an unknown field", batchPath, `{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 1, "quantity": 2, "reason": "other", "qty": 1}]}`, 400, "qty"},
		{"an unknown store", "/api/stores/99/inventory/batch/", `{"mode": "add", "error_policy": "reject_all", "rows": ` + row + `}`, 404, ""},
	}
	for _, tc := range cases {
		r := srv.post(t, tc.path, tc.body)
		var e aforro.ErrorResponse
		r.decode(t, &e)
		if r.status != tc.status || e.Code == "" {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		if _, ok := e.Fields[tc.field]; tc.field != "" && !ok {
			t.Errorf("%s: fields %v, want %s", tc.name, e.Fields, tc.field)
		}
	}
	if r := srv.get(t, batchPath); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET batch: %d %s", r.status, r.body)
	}
	// A token of another store may not write this one's stock.
	other := srv.token(t, aforro.RoleStaff, 2)
	if r := srv.post(t, batchPath, `{"mode": "add", "error_policy": "reject_all", "rows": `+row+`}`, "Authorization", "Bearer "+other); r.status != 403 {
		t.Errorf("another store's token: %d %s", r.status, r.body)
	}
	if s := srv.stock(t); s != [5]int{10, 3, 0, 50, -1} {
		t.Errorf("stock %v changed", s)
	}
}

func TestStockBatchIdempotency(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	key := func(k string) []string { return []string{"Idempotency-Key", k} }
	body := `{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 1, "quantity": 2, "reason": "received"}, {"product_id": 4, "quantity": -5, "reason": "shrinkage"}]}`

	first := srv.post(t, batchPath, body, key("b-1")...)
	replay := srv.post(t, "/api/stores/1/inventory/batch", body, key("b-1")...)
	if first.status != 200 || replay.status != 200 || string(first.body) != string(replay.body) ||
		replay.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("replay: %d %s / %d %s", first.status, first.body, replay.status, replay.body)
	}
	if r := srv.post(t, batchPath, strings.Replace(body, `"quantity": 2`, `"quantity": 3`, 1), key("b-1")...); r.status != 409 {
		t.Errorf("same key, other body: %d %s", r.status, r.body)
	}
	if r := srv.post(t, "/api/stores/2/inventory/batch/", body, key("b-1")...); r.status != 409 {
		t.Errorf("same key and body, other store: %d %s", r.status, r.body)
	}
	if s := srv.stock(t); s[0] != 12 || s[3] != 45 {
		t.Errorf("stock %v, want the batch applied once", s)
	}

	// A rejected batch and a dry run store nothing under their key.
	bad := `{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 2, "quantity": -10, "reason": "shrinkage"}]}`
	if r := srv.post(t, batchPath, bad, key("b-2")...); r.status != 422 {
		t.Fatalf("rejected: %d %s", r.status, r.body)
	}
	srv.do(t, "PUT", "/api/stores/1/inventory/2", `{"quantity": 20, "reason": "received"}`)
	if r := srv.post(t, batchPath, bad, key("b-2")...); r.status != 200 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("after the rejection: %d %s", r.status, r.body)
	}
	dry := `{"mode": "add", "error_policy": "reject_all", "dry_run": true, "rows": [{"product_id": 3, "quantity": 1, "reason": "other"}]}`
	for range 2 {
		if r := srv.post(t, batchPath, dry, key("b-3")...); r.status != 200 || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("dry run: %d %s", r.status, r.body)
		}
	}
	if q := srv.quantity(t, 1, 3); q != 0 {
		t.Errorf("a dry run changed product 3 to %d", q)
	}

	// Concurrent duplicates make one change.
	const n = 8
	dup := `{"mode": "add", "error_policy": "reject_failed", "rows": [{"product_id": 3, "quantity": 1, "reason": "correction"}, {"product_id": 1, "quantity": 1, "reason": "correction"}]}`
	answers := make([]response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = srv.post(t, batchPath, dup, key("b-4")...)
		}()
	}
	close(start)
	wg.Wait()
	replayed := 0
	for _, r := range answers {
		if r.status != 200 || string(r.body) != string(answers[0].body) {
			t.Errorf("duplicate: %d %s, first %s", r.status, r.body, answers[0].body)
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if q := srv.quantity(t, 1, 3); q != 1 || replayed != n-1 {
		t.Errorf("product 3 at %d (want 1), %d replayed (want %d)", q, replayed, n-1)
	}
	srv.checkLedger(t)
}

// TestStockBatchRacesOrders runs batches over a store's rows, listed in
// descending product order, against orders and transfer shipments over the
// same rows: every
// request answers (no deadlock surfaces as a 503), and the stock is exactly
// what the confirmed orders and the batches say.
func TestStockBatchRacesOrders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	srv.do(t, "PUT", "/api/stores/1/inventory/1", `{"quantity": 100, "reason": "received"}`)
	srv.do(t, "PUT", "/api/stores/1/inventory/4", `{"quantity": 100, "reason": "received"}`)
	const rounds = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	confirmed, added, shipped := 0, 0, 0
	for i := range rounds {
		wg.Add(3)
		go func() {
			defer wg.Done()
			r := srv.post(t, "/api/transfers/", `{"source_store_id": 1, "destination_store_id": 2, "lines": [{"product_id": 4, "quantity": 1}, {"product_id": 1, "quantity": 1}]}`)
			var tr aforro.Transfer
			r.decode(t, &tr)
			if r.status != 201 {
				t.Errorf("transfer: %d %s", r.status, r.body)
				return
			}
			r = srv.post(t, fmt.Sprintf("/api/transfers/%d/ship/", tr.ID), `{}`)
			mu.Lock()
			defer mu.Unlock()
			if r.status != 200 {
				t.Errorf("ship: %d %s", r.status, r.body)
				return
			}
			shipped++
		}()
		go func() {
			defer wg.Done()
			r := srv.post(t, "/api/orders/", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, {"product_id": 4, "quantity_requested": 1}]}`)
			var o aforro.Order
			r.decode(t, &o)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.status == 201 && o.Status == aforro.StatusConfirmed:
				confirmed++
			case r.status != 201:
				t.Errorf("order: %d %s", r.status, r.body)
			}
		}()
		go func() {
			defer wg.Done()
			body := `{"mode": "add", "error_policy": "reject_all", "rows": [{"product_id": 4, "quantity": 2, "reason": "received"}, {"product_id": 2, "quantity": 1, "reason": "received"}, {"product_id": 1, "quantity": 2, "reason": "received"}]}`
			r := srv.post(t, batchPath, body, "Idempotency-Key", fmt.Sprintf("race-%d", i))
			mu.Lock()
			defer mu.Unlock()
			if r.status != 200 {
				t.Errorf("batch: %d %s", r.status, r.body)
				return
			}
			added++
		}()
	}
	wg.Wait()
	for _, p := range []int64{1, 4} {
		if q := srv.quantity(t, 1, p); q != 100+2*added-confirmed-shipped {
			t.Errorf("product %d at %d: want 100 + 2×%d added - %d sold - %d shipped", p, q, added, confirmed, shipped)
		}
	}
	if q := srv.quantity(t, 1, 2); q != 3+added {
		t.Errorf("product 2 at %d: want 3 + %d", q, added)
	}
	srv.checkLedger(t)
}
