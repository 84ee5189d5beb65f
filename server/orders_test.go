package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

func (ts *testServer) post(t *testing.T, path, body string, header ...string) response {
	t.Helper()
	return ts.do(t, http.MethodPost, path, body, header...)
}

// quantity reads one inventory quantity straight from the database.
func (ts *testServer) quantity(t *testing.T, store, product int64) int {
	t.Helper()
	var q int
	if err := ts.db.Pool.QueryRow(context.Background(),
		`SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2`, store, product).Scan(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

func (ts *testServer) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkLedger proves that every inventory row's quantity equals the sum of its
// ledger deltas and that no quantity is negative.
func (ts *testServer) checkLedger(t *testing.T) {
	t.Helper()
	bad := ts.count(t, `SELECT count(*) FROM inventory i
		LEFT JOIN (SELECT store_id, product_id, sum(delta) AS s FROM stock_movements GROUP BY 1, 2) m USING (store_id, product_id)
		WHERE i.quantity <> coalesce(m.s, 0) OR i.quantity < 0`)
	if bad != 0 {
		t.Errorf("%d inventory rows disagree with their ledger", bad)
	}
}

// ledgerFixture records the fixture's stock as initial movements, as seeding does.
const ledgerFixture = `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
	SELECT store_id, product_id, quantity, 0, quantity, 'initial' FROM inventory;`

func TestPlaceOrderRules(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	// Store 1: laptop(1) 10, mouse(2) 3, gaming laptop(3) 0, book(4) 50; skillet(5) not stocked.

	t.Run("all lines sufficient confirms and deducts", func(t *testing.T) {
		r := srv.post(t, "/api/orders/", `{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": 1}, {"product_id": 1, "quantity_requested": 2}]}`)
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var o aforro.Order
		r.decode(t, &o)
		want := aforro.Order{ID: o.ID, Store: 1, StoreName: "Downtown", StoreLocation: "1 Main St, Lisbon",
			Status: aforro.StatusConfirmed, CreatedAt: o.CreatedAt, TotalAmount: 2*129999 + 2999,
			PlacedBy: &aforro.TokenRef{ID: 1, Name: "test admin"}, Source: aforro.SourceAPI,
			Items: []aforro.OrderItem{
				{ID: o.Items[0].ID, ProductID: 1, ProductTitle: "Laptop Pro 15", ProductPrice: 129999, QuantityRequested: 2},
				{ID: o.Items[1].ID, ProductID: 2, ProductTitle: "Wireless Mouse", ProductPrice: 2999, QuantityRequested: 1},
			}}
		if d := cmp.Diff(want, o); d != "" {
			t.Errorf("order (-want +got):\n%s", d)
		}
		if !strings.Contains(string(r.body), `"total_amount":"2629.97"`) || strings.Contains(string(r.body), "rejected_items") {
			t.Errorf("body: %s", r.body)
		}
		if q1, q2 := srv.quantity(t, 1, 1), srv.quantity(t, 1, 2); q1 != 8 || q2 != 2 {
			t.Errorf("stock after = %d, %d; want 8, 2", q1, q2)
		}
		if n := srv.count(t, `SELECT count(*) FROM stock_movements WHERE order_id = $1 AND reason = 'order'`, o.ID); n != 2 {
			t.Errorf("%d ledger rows for the order, want 2", n)
		}
		var got aforro.Order
		srv.get(t, fmt.Sprintf("/api/orders/%d/", o.ID)).decode(t, &got)
		if d := cmp.Diff(o, got); d != "" {
			t.Errorf("GET differs from create response (-create +get):\n%s", d)
		}
	})
	t.Run("one short line rejects and deducts nothing", func(t *testing.T) {
		before1, before4 := srv.quantity(t, 1, 1), srv.quantity(t, 1, 4)
		r := srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 4, "quantity_requested": 5},
			{"product_id": 1, "quantity_requested": 1000}, {"product_id": 5, "quantity_requested": 1}]}`)
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var o aforro.Order
		r.decode(t, &o)
		if o.Status != aforro.StatusRejected {
			t.Fatalf("status = %s", o.Status)
		}
		want := []aforro.RejectedItem{{ProductID: 1, QuantityRequested: 1000, QuantityAvailable: before1},
			{ProductID: 5, QuantityRequested: 1, QuantityAvailable: 0}}
		if d := cmp.Diff(want, o.RejectedItems); d != "" {
			t.Errorf("rejected_items (-want +got):\n%s", d)
		}
		if srv.quantity(t, 1, 1) != before1 || srv.quantity(t, 1, 4) != before4 {
			t.Error("a rejected order changed stock")
		}
		if n := srv.count(t, `SELECT count(*) FROM stock_movements WHERE order_id = $1`, o.ID); n != 0 {
			t.Errorf("a rejected order wrote %d ledger rows", n)
		}
		var got aforro.Order
		srv.get(t, fmt.Sprintf("/api/orders/%d", o.ID)).decode(t, &got)
		if d := cmp.Diff(o, got); d != "" {
			t.Errorf("GET of a rejected order (-create +get):\n%s", d)
		}
	})
	t.Run("exact stock confirms and leaves zero", func(t *testing.T) {
		have := srv.quantity(t, 1, 2)
		var o aforro.Order
		srv.post(t, "/api/orders", fmt.Sprintf(`{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": %d}]}`, have)).decode(t, &o)
		if o.Status != aforro.StatusConfirmed || srv.quantity(t, 1, 2) != 0 {
			t.Errorf("status %s, left %d", o.Status, srv.quantity(t, 1, 2))
		}
		srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": 1}]}`).decode(t, &o)
		if o.Status != aforro.StatusRejected {
			t.Errorf("one more than stock: %s", o.Status)
		}
	})
	t.Run("confirmed order with email queues one outbox event", func(t *testing.T) {
		var o aforro.Order
		srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 4, "quantity_requested": 1}], "customer_email": "ana@example.com"}`).decode(t, &o)
		if n := srv.count(t, `SELECT count(*) FROM outbox WHERE event = 'order.confirmed' AND (payload->>'order_id')::bigint = $1`, o.ID); n != 1 {
			t.Errorf("%d outbox events", n)
		}
		srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 3, "quantity_requested": 1}], "customer_email": "ana@example.com"}`).decode(t, &o)
		if n := srv.count(t, `SELECT count(*) FROM outbox WHERE (payload->>'order_id')::bigint = $1`, o.ID); o.Status != aforro.StatusRejected || n != 0 {
			t.Errorf("rejected order: status %s, %d outbox events", o.Status, n)
		}
	})
	srv.checkLedger(t)
}

func TestPlaceOrderValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"product_id": %d, "quantity_requested": 1}`, i+1)
	}
	// Products at the highest price: 19 lines of nearly a million each
	// once wrapped the int64 total round to a small CONFIRMED one.
	srv.exec(t, `INSERT INTO products (id, title, price, category_id)
		SELECT g, 'Gold bar ' || g, 9999999999.99, 1 FROM generate_series(901, 919) AS g`)
	dear := func(qty int, lines int) string {
		items := make([]string, lines)
		for i := range items {
			items[i] = fmt.Sprintf(`{"product_id": %d, "quantity_requested": %d}`, 919-i, qty)
		}
		return `{"store_id": 1, "items": [` + strings.Join(items, ",") + `]}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		fields map[string]string
	}{
		{"missing store", `{"items": [{"product_id": 1, "quantity_requested": 1}]}`, 400, aforro.EINVALID,
			map[string]string{"store_id": "must be a positive integer"}},
		{"negative store", `{"store_id": -1, "items": [{"product_id": 1, "quantity_requested": 1}]}`, 400, aforro.EINVALID,
			map[string]string{"store_id": "must be a positive integer"}},
		{"no items", `{"store_id": 1, "items": []}`, 400, aforro.EINVALID, map[string]string{"items": "must contain at least one line"}},
		{"missing items", `{"store_id": 1}`, 400, aforro.EINVALID, map[string]string{"items": "must contain at least one line"}},
		{"too many lines", `{"store_id": 1, "items": [` + strings.Join(many, ",") + `]}`, 400, aforro.EINVALID,
			map[string]string{"items": "must have at most 100 lines"}},
		{"zero quantity", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 0}]}`, 400, aforro.EINVALID,
			map[string]string{"items[0].quantity_requested": "must be at least 1"}},
		{"huge quantity", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1000001}]}`, 400, aforro.EINVALID,
			map[string]string{"items[0].quantity_requested": "must be at most 1000000"}},
		{"bad product id", `{"store_id": 1, "items": [{"product_id": 0, "quantity_requested": 1}]}`, 400, aforro.EINVALID,
			map[string]string{"items[0].product_id": "must be a positive integer"}},
		{"duplicate product", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 6}, {"product_id": 1, "quantity_requested": 6}]}`, 400, aforro.EINVALID,
			map[string]string{"items[1].product_id": "duplicates items[0]: product 1 may appear once; add the quantities"}},
		{"unknown products named", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, {"product_id": 777, "quantity_requested": 1}, {"product_id": 778, "quantity_requested": 1}]}`, 400, aforro.EINVALID,
			map[string]string{"items[1].product_id": "unknown product 777", "items[2].product_id": "unknown product 778"}},
		{"bad email", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}], "customer_email": "not an email"}`, 400, aforro.EINVALID,
			map[string]string{"customer_email": "must be a plain email address such as ana@example.com"}},
		{"named email", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}], "customer_email": "Ana <ana@example.com>"}`, 400, aforro.EINVALID,
			map[string]string{"customer_email": "must be a plain email address such as ana@example.com"}},
		{"unknown store", `{"store_id": 99, "items": [{"product_id": 1, "quantity_requested": 1}]}`, 404, aforro.ENOTFOUND, nil},
		{"unknown field", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}], "coupon": "FREE"}`, 400, aforro.EINVALID,
			map[string]string{"coupon": "unknown field"}},
		{"wrong type", `{"store_id": "one", "items": []}`, 400, aforro.EINVALID, map[string]string{"store_id": "must be an integer"}},
		{"malformed JSON", `{"store_id": 1,`, 400, aforro.EINVALID, nil},
		{"trailing data", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}]} {}`, 400, aforro.EINVALID, nil},
		{"empty body", ``, 400, aforro.EINVALID, nil},
		{"array body", `[]`, 400, aforro.EINVALID, nil},
		// A type error inside the array names its element (defect 5).
		{"a huge number in the second line", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, {"product_id": 2, "quantity_requested": 1e309}]}`, 400, aforro.EINVALID,
			map[string]string{"items[1].quantity_requested": "must be an integer"}},
		{"a fraction in the first line", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1.5}]}`, 400, aforro.EINVALID,
			map[string]string{"items[0].quantity_requested": "must be an integer"}},
		{"a string id in the third line", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, {"product_id": 2, "quantity_requested": 1}, {"product_id": "3", "quantity_requested": 1}]}`, 400, aforro.EINVALID,
			map[string]string{"items[2].product_id": "must be an integer"}},
		{"a line that is not an object", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, 7]}`, 400, aforro.EINVALID,
			map[string]string{"items[1]": "must be an object"}},
		{"an object for a number", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": {"n": 1}}]}`, 400, aforro.EINVALID,
			map[string]string{"items[0].quantity_requested": "must be an integer"}},
		// Invalid UTF-8 is refused, not stored as U+FFFD (defect 7).
		{"invalid UTF-8 in the email", "{\"store_id\": 1, \"items\": [{\"product_id\": 1, \"quantity_requested\": 1}], \"customer_email\": \"ana\xff@example.com\"}", 400, aforro.EINVALID,
			map[string]string{"customer_email": "must be valid UTF-8"}},
		{"invalid UTF-8 in a key", "{\"store_id\": 1, \"\xfe\": 2}", 400, aforro.EINVALID, nil},
		{"a line total past the maximum", dear(999_999, 19), 400, aforro.EINVALID,
			// lines are added in product-id order: the request's last line first
			map[string]string{"items[18].quantity_requested": "makes a line total of 9999989999990000.01, past the maximum order total of 999999999999.99"}},
		{"an order total past the maximum", dear(9, 12), 400, aforro.EINVALID,
			map[string]string{"items[0].quantity_requested": "takes the order total past the maximum of 999999999999.99"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.post(t, "/api/orders/", tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code != tc.code || e.Error == "" {
				t.Errorf("envelope %s", r.body)
			}
			if d := cmp.Diff(tc.fields, e.Fields, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if tc.name == "unknown products named" && !strings.Contains(e.Error, "777") {
				t.Errorf("message does not name the product: %q", e.Error)
			}
		})
	}
	if n := srv.count(t, `SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("invalid requests created %d orders", n)
	}
	srv.checkLedger(t)
}

// TestConcurrentOrdersNeverOversell races 200 clients through the real HTTP
// server for the same few products.
func TestConcurrentOrdersNeverOversell(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+`UPDATE inventory SET quantity = 25 WHERE store_id = 1;`+ledgerFixture)
	initial := map[int64]int{1: 25, 2: 25, 3: 25, 4: 25}

	tests := []struct {
		name  string
		lines func(r *rand.Rand) []aforro.OrderLine
	}{
		{"one hot product", func(*rand.Rand) []aforro.OrderLine { return []aforro.OrderLine{{ProductID: 1, QuantityRequested: 1}} }},
		{"overlapping sets in random order", func(r *rand.Rand) []aforro.OrderLine {
			ids := r.Perm(4)[:1+r.IntN(4)]
			var ls []aforro.OrderLine
			for _, id := range ids {
				ls = append(ls, aforro.OrderLine{ProductID: int64(id + 1), QuantityRequested: 1 + r.IntN(3)})
			}
			return ls
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.exec(t, `UPDATE inventory SET quantity = 25 WHERE store_id = 1`)
			srv.exec(t, `DELETE FROM stock_movements; DELETE FROM orders;`+ledgerFixture)
			var wg sync.WaitGroup
			errs := make(chan string, 200)
			for g := range 200 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(g), 7))
					body, _ := json.Marshal(aforro.PlaceOrder{StoreID: 1, Items: tc.lines(r)})
					req, _ := http.NewRequest("POST", srv.URL+"/api/orders/", strings.NewReader(string(body)))
					req.Header.Set("Authorization", "Bearer "+srv.admin)
					resp, err := srv.Client().Do(req)
					if err != nil {
						errs <- err.Error()
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						errs <- fmt.Sprintf("status %d", resp.StatusCode)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Errorf("order failed: %s", e)
			}
			for pid, init := range initial {
				sold := srv.count(t, `SELECT coalesce(sum(oi.quantity_requested), 0) FROM order_items oi
					JOIN orders o ON o.id = oi.order_id WHERE o.status = 'CONFIRMED' AND oi.product_id = $1`, pid)
				if left := srv.quantity(t, 1, pid); left < 0 || sold+left != init {
					t.Errorf("product %d: sold %d + left %d != initial %d", pid, sold, left, init)
				}
			}
			if n := srv.count(t, `SELECT count(*) FROM orders`); n != 200 {
				t.Errorf("%d orders, want 200", n)
			}
			srv.checkLedger(t)
		})
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	body := `{"store_id": 1, "items": [{"product_id": 4, "quantity_requested": 1}]}`

	first := srv.post(t, "/api/orders", body, "Idempotency-Key", "key-1")
	again := srv.post(t, "/api/orders", `{"items": [{"quantity_requested": 1, "product_id": 4}], "store_id": 1}`, "Idempotency-Key", "key-1")
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) {
		t.Fatalf("replay differs:\n%d %s\n%d %s", first.status, first.body, again.status, again.body)
	}
	if first.header.Get("Idempotent-Replayed") != "" || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed: first %q, replay %q", first.header.Get("Idempotent-Replayed"), again.header.Get("Idempotent-Replayed"))
	}
	if q := srv.quantity(t, 1, 4); q != 49 {
		t.Errorf("stock %d after a replay, want 49", q)
	}
	// The replay is the first answer even after the order changed.
	var o aforro.Order
	first.decode(t, &o)
	srv.post(t, fmt.Sprintf("/api/orders/%d/cancel", o.ID), "")
	if r := srv.post(t, "/api/orders", body, "Idempotency-Key", "key-1"); string(r.body) != string(first.body) {
		t.Errorf("replay after cancel: %s", r.body)
	}

	r := srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 4, "quantity_requested": 2}]}`, "Idempotency-Key", "key-1")
	var e aforro.ErrorResponse
	r.decode(t, &e)
	if r.status != http.StatusConflict || e.Code != aforro.ECONFLICT {
		t.Errorf("different body: %d %s", r.status, r.body)
	}
	for _, bad := range []string{strings.Repeat("k", 256), "tab\there"} {
		if r := srv.post(t, "/api/orders", body, "Idempotency-Key", bad); r.status != http.StatusBadRequest {
			t.Errorf("key %q: status %d", bad, r.status)
		}
	}
	// A failed request does not burn its key.
	if r := srv.post(t, "/api/orders", `{"store_id": 99, "items": [{"product_id": 4, "quantity_requested": 1}]}`, "Idempotency-Key", "key-2"); r.status != 404 {
		t.Fatalf("status %d", r.status)
	}
	if r := srv.post(t, "/api/orders", body, "Idempotency-Key", "key-2"); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("key after a failed request: %d replayed=%q", r.status, r.header.Get("Idempotent-Replayed"))
	}

	t.Run("50 concurrent requests with one key make one order", func(t *testing.T) {
		before := srv.count(t, `SELECT count(*) FROM orders`)
		var wg sync.WaitGroup
		bodies := make([]string, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", srv.URL+"/api/orders", strings.NewReader(body))
				req.Header.Set("Idempotency-Key", "race")
				req.Header.Set("Authorization", "Bearer "+srv.admin)
				resp, err := srv.Client().Do(req)
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				defer resp.Body.Close()
				var b strings.Builder
				_, _ = fmt.Fprint(&b, resp.StatusCode, " ")
				buf := make([]byte, 4096)
				for {
					n, err := resp.Body.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						break
					}
				}
				bodies[i] = b.String()
			}()
		}
		wg.Wait()
		for i := range bodies {
			if bodies[i] != bodies[0] || !strings.HasPrefix(bodies[0], "201 ") {
				t.Fatalf("answers differ:\n%s\n%s", bodies[0], bodies[i])
			}
		}
		if n := srv.count(t, `SELECT count(*) FROM orders`) - before; n != 1 {
			t.Errorf("%d orders from one key", n)
		}
	})
	if n, err := srv.db.PurgeIdempotencyKeys(context.Background(), 0); err != nil || n != 3 {
		t.Errorf("purge = %d, %v; want 3", n, err)
	}
	srv.checkLedger(t)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	var o aforro.Order
	srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 4}, {"product_id": 4, "quantity_requested": 10}]}`).decode(t, &o)

	r := srv.post(t, fmt.Sprintf("/api/orders/%d/cancel/", o.ID), "")
	var c aforro.Order
	r.decode(t, &c)
	if r.status != 200 || c.Status != aforro.StatusCancelled || c.CancelledAt == nil {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if srv.quantity(t, 1, 1) != 10 || srv.quantity(t, 1, 4) != 50 {
		t.Error("cancel did not restock")
	}
	if n := srv.count(t, `SELECT count(*) FROM stock_movements WHERE order_id = $1 AND reason = 'cancel'`, o.ID); n != 2 {
		t.Errorf("%d cancel ledger rows", n)
	}
	tests := []struct {
		name   string
		path   string
		status int
	}{
		{"twice", fmt.Sprintf("/api/orders/%d/cancel", o.ID), 409},
		{"unknown", "/api/orders/9999/cancel", 404},
	}
	var rej aforro.Order
	srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 3, "quantity_requested": 1}]}`).decode(t, &rej)
	tests = append(tests, struct {
		name   string
		path   string
		status int
	}{"rejected", fmt.Sprintf("/api/orders/%d/cancel", rej.ID), 409})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := srv.post(t, tc.path, ""); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
	t.Run("concurrent cancels restock once", func(t *testing.T) {
		var o aforro.Order
		srv.post(t, "/api/orders", `{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 3}]}`).decode(t, &o)
		var wg sync.WaitGroup
		statuses := make([]int, 20)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/orders/%d/cancel", srv.URL, o.ID), nil)
				req.Header.Set("Authorization", "Bearer "+srv.admin)
				resp, err := srv.Client().Do(req)
				if err == nil {
					statuses[i] = resp.StatusCode
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			if s == 200 {
				ok++
			} else if s != 409 {
				t.Errorf("status %d", s)
			}
		}
		if ok != 1 || srv.quantity(t, 1, 1) != 10 {
			t.Errorf("%d successful cancels, stock %d (want 1, 10)", ok, srv.quantity(t, 1, 1))
		}
	})
	srv.checkLedger(t)
}

func TestStoreOrders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+`
		INSERT INTO orders (id, store_id, status, created_at, cancelled_at) VALUES
			(1, 1, 'CONFIRMED', '2026-03-01T10:00:00Z', NULL),
			(2, 1, 'REJECTED',  '2026-03-02T10:00:00Z', NULL),
			(3, 1, 'CANCELLED', '2026-03-02T10:00:00Z', '2026-03-03T00:00:00Z'),
			(4, 2, 'CONFIRMED', '2026-03-04T10:00:00Z', NULL);
		INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested) VALUES
			(1, 1, 'Laptop Pro 15', 1299.99, 2), (1, 2, 'Wireless Mouse', 29.99, 5),
			(2, 3, 'Gaming Laptop', 999, 1), (3, 4, 'Go Programming', 39.5, 7), (4, 5, 'Cast Iron Skillet', 45, 1);`)
	tests := []struct {
		path string
		want []aforro.OrderSummary
	}{
		{"/api/stores/1/orders/", []aforro.OrderSummary{
			{ID: 3, Store: 1, Status: "CANCELLED", CreatedAt: ts("2026-03-02T10:00:00Z"), TotalItems: 7},
			{ID: 2, Store: 1, Status: "REJECTED", CreatedAt: ts("2026-03-02T10:00:00Z"), TotalItems: 1},
			{ID: 1, Store: 1, Status: "CONFIRMED", CreatedAt: ts("2026-03-01T10:00:00Z"), TotalItems: 7}}},
		{"/api/stores/1/orders?status=rejected", []aforro.OrderSummary{
			{ID: 2, Store: 1, Status: "REJECTED", CreatedAt: ts("2026-03-02T10:00:00Z"), TotalItems: 1}}},
		{"/api/stores/1/orders?page_size=1&page=3", []aforro.OrderSummary{
			{ID: 1, Store: 1, Status: "CONFIRMED", CreatedAt: ts("2026-03-01T10:00:00Z"), TotalItems: 7}}},
		{"/api/stores/3/orders", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := srv.get(t, tc.path)
			var p aforro.Page[aforro.OrderSummary]
			r.decode(t, &p)
			if d := cmp.Diff(tc.want, p.Results, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	for path, status := range map[string]int{"/api/stores/1/orders?status=PENDING": 400, "/api/stores/99/orders": 404} {
		if r := srv.get(t, path); r.status != status {
			t.Errorf("%s: %d, want %d", path, r.status, status)
		}
	}
}
