package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// staleAnswer decodes a 409 stale_quantity envelope and returns its
// current_quantity.
func staleAnswer(t *testing.T, r response) int {
	t.Helper()
	var e aforro.ErrorResponse
	r.decode(t, &e)
	if r.status != http.StatusConflict || e.Code != aforro.ESTALEQUANTITY || e.CurrentQuantity == nil {
		t.Fatalf("want 409 stale_quantity with current_quantity, got %d %s", r.status, r.body)
	}
	return *e.CurrentQuantity
}

// movements counts the ledger rows of store 1's product.
func (ts *testServer) movements(t *testing.T, product int64) int {
	t.Helper()
	return ts.count(t, `SELECT count(*) FROM stock_movements WHERE store_id = 1 AND product_id = $1`, product)
}

func TestExpectedQuantity(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	// Store 1: laptop(1) 10, mouse(2) 3; skillet(5) not stocked.
	steps := []struct {
		name, method, path, body string
		status                   int
		current                  int // for a stale answer
		quantity                 int // the row's quantity afterwards
	}{
		{"set with the right expectation", "PUT", "/api/stores/1/inventory/1", `{"quantity": 8, "reason": "count", "expected_quantity": 10}`, 200, 0, 8},
		{"set with a stale expectation", "PUT", "/api/stores/1/inventory/1", `{"quantity": 7, "reason": "count", "expected_quantity": 10}`, 409, 8, 8},
		{"adjust with the right expectation", "POST", "/api/stores/1/inventory/1/adjust", `{"delta": -1, "reason": "shrinkage", "expected_quantity": 8}`, 200, 0, 7},
		{"adjust with a stale expectation", "POST", "/api/stores/1/inventory/1/adjust", `{"delta": -1, "reason": "shrinkage", "expected_quantity": 8}`, 409, 7, 7},
		{"a stale expectation wins over below zero", "POST", "/api/stores/1/inventory/1/adjust", `{"delta": -100, "reason": "other", "expected_quantity": 1}`, 409, 7, 7},
		{"an expectation without it", "PUT", "/api/stores/1/inventory/1", `{"quantity": 7, "reason": "count"}`, 200, 0, 7},
		{"a negative expectation", "PUT", "/api/stores/1/inventory/1", `{"quantity": 7, "reason": "count", "expected_quantity": -1}`, 400, 0, 7},
		{"a row not stocked holds 0: stale", "PUT", "/api/stores/1/inventory/5", `{"quantity": 2, "reason": "received", "expected_quantity": 3}`, 409, 0, -1},
		{"a row not stocked holds 0: created", "PUT", "/api/stores/1/inventory/5", `{"quantity": 2, "reason": "received", "expected_quantity": 0}`, 201, 0, 2},
	}
	for _, st := range steps {
		before := srv.movements(t, 1) + srv.movements(t, 5)
		r := srv.do(t, st.method, st.path, st.body)
		if r.status != st.status {
			t.Fatalf("%s: %d %s, want %d", st.name, r.status, r.body, st.status)
		}
		if st.status == 409 {
			if got := staleAnswer(t, r); got != st.current {
				t.Errorf("%s: current_quantity %d, want %d", st.name, got, st.current)
			}
			if after := srv.movements(t, 1) + srv.movements(t, 5); after != before {
				t.Errorf("%s: a stale write wrote %d ledger rows", st.name, after-before)
			}
		}
		if st.quantity >= 0 {
			product := int64(1)
			if strings.Contains(st.path, "/inventory/5") {
				product = 5
			}
			if q := srv.quantity(t, 1, product); q != st.quantity {
				t.Errorf("%s: quantity %d, want %d", st.name, q, st.quantity)
			}
		} else if n := srv.count(t, `SELECT count(*) FROM inventory WHERE store_id = 1 AND product_id = 5`); n != 0 {
			t.Errorf("%s: a stale PUT left the row it would have created", st.name)
		}
	}
	srv.checkLedger(t)
}

// TestStaleWritesRace: two clients read 5 and both write 4 expecting 5, at
// once: one is 200, the other 409 with the 4 the first wrote. Rounds of PUT
// and of adjust.
func TestStaleWritesRace(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	for round := range 10 {
		method, path, body := "PUT", "/api/stores/1/inventory/4", `{"quantity": 4, "reason": "count", "expected_quantity": 5}`
		if round%2 == 1 {
			method, path, body = "POST", "/api/stores/1/inventory/4/adjust", `{"delta": -1, "reason": "shrinkage", "expected_quantity": 5}`
		}
		if r := srv.do(t, "PUT", "/api/stores/1/inventory/4", `{"quantity": 5, "reason": "correction"}`); r.status != 200 {
			t.Fatalf("reset: %d %s", r.status, r.body)
		}
		start := make(chan struct{})
		answers := make([]response, 2)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = srv.do(t, method, path, body)
			}()
		}
		close(start)
		wg.Wait()
		ok, stale := 0, 0
		for _, r := range answers {
			switch r.status {
			case 200:
				ok++
			case 409:
				stale++
				if c := staleAnswer(t, r); c != 4 {
					t.Errorf("round %d: current_quantity %d, want 4", round, c)
				}
			default:
				t.Errorf("round %d: %d %s", round, r.status, r.body)
			}
		}
		if ok != 1 || stale != 1 || srv.quantity(t, 1, 4) != 4 {
			t.Fatalf("round %d (%s): %d ok, %d stale, quantity %d; want 1, 1, 4", round, method, ok, stale, srv.quantity(t, 1, 4))
		}
	}
	srv.checkLedger(t)
}

func TestIdempotentStockWrites(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	key := func(k string) []string { return []string{"Idempotency-Key", k} }
	set := `{"quantity": 12, "reason": "received"}`

	first := srv.do(t, "PUT", "/api/stores/1/inventory/5", set, key("put-1")...)
	replay := srv.do(t, "PUT", "/api/stores/1/inventory/5/", set, key("put-1")...)
	if first.status != 201 || replay.status != 201 || string(replay.body) != string(first.body) ||
		replay.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("PUT replay: %d %s / %d %s %v", first.status, first.body, replay.status, replay.body, replay.header)
	}
	if r := srv.do(t, "PUT", "/api/stores/1/inventory/5", `{"quantity": 13, "reason": "received"}`, key("put-1")...); r.status != 409 {
		t.Errorf("same key, other body: %d %s", r.status, r.body)
	}
	if r := srv.do(t, "PUT", "/api/stores/1/inventory/4", set, key("put-1")...); r.status != 409 {
		t.Errorf("same key and body on another row: %d %s", r.status, r.body)
	}
	if srv.movements(t, 5) != 1 {
		t.Errorf("%d movements of product 5, want 1", srv.movements(t, 5))
	}

	// A failed write stores nothing under its key: the same request later
	// runs afresh.
	adjust := `{"delta": -20, "reason": "shrinkage"}`
	if r := srv.do(t, "POST", "/api/stores/1/inventory/5/adjust", adjust, key("adj-1")...); r.status != 409 {
		t.Fatalf("below zero: %d %s", r.status, r.body)
	}
	srv.do(t, "PUT", "/api/stores/1/inventory/5", `{"quantity": 30, "reason": "received"}`)
	if r := srv.do(t, "POST", "/api/stores/1/inventory/5/adjust", adjust, key("adj-1")...); r.status != 200 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("after the failure: %d %s", r.status, r.body)
	}
	if q := srv.quantity(t, 1, 5); q != 10 {
		t.Errorf("quantity %d, want 10", q)
	}

	// Concurrent duplicates make one change; every answer is the same row.
	const n = 8
	answers := make([]response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = srv.do(t, "POST", "/api/stores/1/inventory/5/adjust", `{"delta": 1, "reason": "correction"}`, key("adj-2")...)
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
	if q := srv.quantity(t, 1, 5); q != 11 || replayed != n-1 {
		t.Errorf("quantity %d (want 11), %d replayed (want %d)", q, replayed, n-1)
	}

	// Keys are the token's: another token's same key is its own.
	other := srv.token(t, aforro.RoleStaff)
	r := srv.do(t, "POST", "/api/stores/1/inventory/5/adjust", `{"delta": 1, "reason": "correction"}`, "Idempotency-Key", "adj-2",
		"Authorization", "Bearer "+other)
	if r.status != 200 || r.header.Get("Idempotent-Replayed") != "" || srv.quantity(t, 1, 5) != 12 {
		t.Errorf("another token's key: %d %s", r.status, r.body)
	}
	if r := srv.do(t, "PUT", "/api/stores/1/inventory/5", set, key(strings.Repeat("k", 256))...); r.status != 400 {
		t.Errorf("a long key: %d", r.status)
	}
	srv.checkLedger(t)
}
