//go:build faults

package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aforro/aforro"
)

// load places orders from many clients against a set of instances, taken
// in turn, as a round-robin load balancer would. A client retries an order
// with the same Idempotency-Key whenever it gets no answer (a connection
// refused or cut) or a 503, until it gets one, so that every order it
// started ends with an answer; it cancels a few of its confirmed orders the
// same way.
type load struct {
	c       *cluster
	targets []*instance
	next    atomic.Uint64
	http    *http.Client

	mu        sync.Mutex
	placed    map[string]aforro.Order // by Idempotency-Key: the answer the client got
	cancelled map[int64]bool
	statuses  map[int]int // HTTP status -> answers
	retryless int         // 503s without Retry-After
	failures  []string    // answers no client should ever get
	lost      []string    // orders sent on a fresh connection whose answer never came
}

func newLoad(c *cluster, targets ...*instance) *load {
	return &load{c: c, targets: targets, http: &http.Client{Timeout: 30 * time.Second},
		placed: map[string]aforro.Order{}, cancelled: map[int64]bool{}, statuses: map[int]int{}}
}

// setTargets changes the instances the load goes to.
func (l *load) setTargets(targets ...*instance) {
	l.mu.Lock()
	l.targets = targets
	l.mu.Unlock()
}

func (l *load) target() *instance {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.targets[l.next.Add(1)%uint64(len(l.targets))]
}

// run drives clients until ctx ends; each then finishes the order in hand
// (retrying for up to a minute) and run returns.
func (l *load) run(ctx context.Context, clients int) {
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for n := 0; ctx.Err() == nil; n++ {
				key := fmt.Sprintf("faults-%d-%d", c, n)
				o, ok := l.place(key, orderBody(r, key))
				if ok && o.Status == aforro.StatusConfirmed && r.IntN(10) == 0 {
					l.cancel(o.ID)
				}
			}
		})
	}
	wg.Wait()
}

// orderBody is one to three distinct lines at a random store, a third of
// them with an email.
func orderBody(r *rand.Rand, key string) []byte {
	lines := map[int64]int{}
	for range 1 + r.IntN(3) {
		lines[int64(1+r.IntN(seedProducts))] = 1 + r.IntN(3)
	}
	o := aforro.PlaceOrder{StoreID: int64(1 + r.IntN(seedStores))}
	for p, q := range lines {
		o.Items = append(o.Items, aforro.OrderLine{ProductID: p, QuantityRequested: q})
	}
	if r.IntN(3) == 0 {
		o.CustomerEmail = key + "@example.com"
	}
	b, _ := json.Marshal(o)
	return b
}

// do sends one request and reads the answer; status 0 means no answer.
func (l *load) do(method, path string, body []byte, key string) (int, http.Header, []byte) {
	req, err := http.NewRequest(method, l.target().url()+path, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+l.c.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	var reused bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	}))
	resp, err := l.http.Do(req)
	if err != nil {
		// Refused: nothing was sent. Cut on a reused keep-alive connection:
		// the server may have closed it as idle just as the request went
		// out, which HTTP/1.1 cannot rule out and a retry with the key
		// recovers. Anything else on a fresh connection is an answer lost
		// in flight, which a graceful shutdown never causes.
		if key != "" && !reused && !errors.Is(err, syscall.ECONNREFUSED) {
			l.mu.Lock()
			l.lost = append(l.lost, fmt.Sprintf("order %s: %v", key, err))
			l.mu.Unlock()
		}
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil
	}
	l.mu.Lock()
	l.statuses[resp.StatusCode]++
	if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
		l.retryless++
	}
	l.mu.Unlock()
	return resp.StatusCode, resp.Header, b
}

// retrying sends a request until it is answered with anything but a 503,
// for at most a minute.
func (l *load) retrying(method, path string, body []byte, key string) (int, []byte) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		status, _, b := l.do(method, path, body, key)
		if status != 0 && status != http.StatusServiceUnavailable {
			return status, b
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, nil
}

func (l *load) fail(format string, args ...any) {
	l.mu.Lock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *load) place(key string, body []byte) (aforro.Order, bool) {
	status, b := l.retrying(http.MethodPost, "/api/orders/", body, key)
	if status != http.StatusCreated {
		l.fail("order %s: %d %s", key, status, b)
		return aforro.Order{}, false
	}
	var o aforro.Order
	if err := json.Unmarshal(b, &o); err != nil {
		l.fail("order %s: %v", key, err)
		return o, false
	}
	l.mu.Lock()
	if prev, ok := l.placed[key]; ok && prev.ID != o.ID {
		l.failures = append(l.failures, fmt.Sprintf("key %s answered orders %d and %d", key, prev.ID, o.ID))
	}
	l.placed[key] = o
	l.mu.Unlock()
	return o, true
}

func (l *load) cancel(id int64) {
	path := fmt.Sprintf("/api/orders/%d/cancel/", id)
	status, b := l.retrying(http.MethodPost, path, nil, "")
	// A retry after a cancel whose answer was lost finds it cancelled.
	if status != http.StatusOK && !(status == http.StatusConflict && strings.Contains(string(b), "CANCELLED")) {
		l.fail("cancel %d: %d %s", id, status, b)
		return
	}
	l.mu.Lock()
	l.cancelled[id] = true
	l.mu.Unlock()
}

// check verifies every invariant of the data after a scenario, once the
// outbox has drained.
func (l *load) check(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.failures {
		t.Error(f)
	}
	for status, n := range l.statuses {
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d", n, status)
		}
	}
	if l.retryless > 0 {
		t.Errorf("%d 503 answers without Retry-After", l.retryless)
	}
	if len(l.placed) == 0 {
		t.Fatal("no order was placed")
	}
	db := l.c.pg.conn(t)
	one := func(what, sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return n
	}
	checks := []struct{ what, sql string }{
		{"inventory rows whose initial stock is not the remaining stock plus the confirmed orders' quantities", `
			SELECT count(*) FROM inventory i
			 WHERE (SELECT coalesce(sum(delta), 0) FROM stock_movements m
			         WHERE m.store_id = i.store_id AND m.product_id = i.product_id AND m.reason = 'initial')
			       <> i.quantity + (SELECT coalesce(sum(oi.quantity_requested), 0) FROM order_items oi JOIN orders o ON o.id = oi.order_id
			                         WHERE o.status = 'CONFIRMED' AND o.store_id = i.store_id AND oi.product_id = i.product_id)`},
		{"inventory rows whose ledger does not sum to the quantity", `
			SELECT count(*) FROM inventory i
			 WHERE i.quantity <> (SELECT coalesce(sum(delta), 0) FROM stock_movements m
			                       WHERE m.store_id = i.store_id AND m.product_id = i.product_id)`},
		{"inventory rows whose newest movement is not their quantity", `
			SELECT count(*) FROM inventory i
			 WHERE i.quantity <> (SELECT m.quantity_after FROM stock_movements m
			                       WHERE m.store_id = i.store_id AND m.product_id = i.product_id ORDER BY m.id DESC LIMIT 1)`},
		{"inventory rows below zero", `SELECT count(*) FROM inventory WHERE quantity < 0`},
		{"orders without lines", `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items WHERE order_id = o.id)`},
		{"confirmed orders without exactly one order.confirmed event", `
			SELECT count(*) FROM orders o
			 WHERE o.status <> 'REJECTED'
			   AND (SELECT count(*) FROM outbox e WHERE e.event = 'order.confirmed' AND (e.payload->>'order_id')::bigint = o.id) <> 1`},
		{"cancelled orders without exactly one order.cancelled event", `
			SELECT count(*) FROM orders o
			 WHERE (o.status = 'CANCELLED') <> ((SELECT count(*) FROM outbox e
			         WHERE e.event = 'order.cancelled' AND (e.payload->>'order_id')::bigint = o.id) = 1)`},
		{"mailed outbox events for orders that are not confirmed or have no email", `
			SELECT count(*) FROM outbox e LEFT JOIN orders o ON o.id = (e.payload->>'order_id')::bigint
			 WHERE e.status <> 'skipped' AND (e.event <> 'order.confirmed' OR o.id IS NULL OR o.status = 'REJECTED' OR o.customer_email IS NULL)`},
		{"skipped outbox events that should have been mailed", `
			SELECT count(*) FROM outbox e JOIN orders o ON o.id = (e.payload->>'order_id')::bigint
			 WHERE e.status = 'skipped' AND e.event = 'order.confirmed' AND o.customer_email IS NOT NULL`},
		{"idempotency keys without their order", `SELECT count(*) FROM idempotency_keys WHERE order_id IS NULL`},
	}
	for _, c := range checks {
		if n := one(c.what, c.sql); n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	// Every answer a client got is in the database, under its key.
	for key, o := range l.placed {
		var id int64
		var status string
		err := db.QueryRow(ctx, `SELECT o.id, o.status FROM idempotency_keys k JOIN orders o ON o.id = k.order_id WHERE k.key = $1`, key).Scan(&id, &status)
		if err != nil {
			t.Errorf("key %s (order %d): %v", key, o.ID, err)
			continue
		}
		want := string(o.Status)
		if l.cancelled[o.ID] {
			want = aforro.StatusCancelled
		}
		if id != o.ID || status != want {
			t.Errorf("key %s: the client got order %d %s, the database has %d %s", key, o.ID, want, id, status)
		}
	}

	// The outbox drains, and each email reaches the server once; more than
	// once only for an event whose sender died or timed out after sending,
	// which claimed it again (delivery is at least once).
	waitFor(t, 90*time.Second, "the outbox to drain", func() bool {
		return one("pending events", `SELECT count(*) FROM outbox WHERE status = 'pending'`) == 0
	})
	// Only a recipient the server refuses for good may fail.
	if n := one("failed events", `SELECT count(*) FROM outbox WHERE status = 'failed'
		AND ($1 = '' OR position($1 in payload->>'customer_email') = 0)`, l.c.smtp.permanent()); n != 0 {
		var reasons []string
		rows, err := db.Query(ctx, `SELECT attempts || ' attempts: ' || coalesce(last_error, '') FROM outbox WHERE status = 'failed'
			AND ($1 = '' OR position($1 in payload->>'customer_email') = 0) LIMIT 5`, l.c.smtp.permanent())
		if err == nil {
			for rows.Next() {
				var r string
				_ = rows.Scan(&r)
				reasons = append(reasons, r)
			}
			rows.Close()
		}
		t.Errorf("%d outbox events failed: %s", n, strings.Join(reasons, "; "))
	}
	got := l.c.smtp.deliveries()
	permanent := map[int64]bool{}
	if p := l.c.smtp.permanent(); p != "" {
		rows, err := db.Query(ctx, `SELECT (payload->>'order_id')::bigint FROM outbox WHERE position($1 in payload->>'customer_email') > 0`, p)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			permanent[id] = true
		}
		rows.Close()
	}
	rows, err := db.Query(ctx, `SELECT (payload->>'order_id')::bigint, attempts FROM outbox WHERE status <> 'skipped'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	events := 0
	for rows.Next() {
		var id int64
		var attempts int
		if err := rows.Scan(&id, &attempts); err != nil {
			t.Fatal(err)
		}
		events++
		if n := got[id]; (n < 1 && !permanent[id]) || n > attempts {
			t.Errorf("order %d: %d emails delivered in %d attempts", id, n, attempts)
		}
		delete(got, id)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	for id, n := range got {
		t.Errorf("%d emails for order %d, which has no outbox event", n, id)
	}
	l.checkWebhooks(t, one)
	t.Logf("%d orders answered (%d cancelled), %d emails; answers by status: %v", len(l.placed), len(l.cancelled), events, l.statuses)
}

// checkWebhooks applies the emails' invariant to webhooks: every order
// event has exactly one delivery to the cluster's receiver, every delivery
// ends delivered, and the receiver accepted each event at least once and no
// more often than it was attempted, always signed and with its own id.
func (l *load) checkWebhooks(t *testing.T, one func(what, sql string, args ...any) int64) {
	t.Helper()
	ctx := context.Background()
	db := l.c.pg.conn(t)
	// The receiver is subscribed to the order events; the stock.low and
	// stock.out events the orders also write go to no endpoint here.
	if n := one("events without one delivery", `SELECT count(*) FROM outbox o
		WHERE o.event IN ('order.confirmed', 'order.cancelled')
		  AND (SELECT count(*) FROM webhook_deliveries d WHERE d.event_id = o.id) <> 1`); n != 0 {
		t.Errorf("%d order events without exactly one webhook delivery", n)
	}
	if n := one("other events delivered", `SELECT count(*) FROM webhook_deliveries d JOIN outbox o ON o.id = d.event_id
		WHERE o.event NOT IN ('order.confirmed', 'order.cancelled')`); n != 0 {
		t.Errorf("%d deliveries of events the receiver is not subscribed to", n)
	}
	waitFor(t, 90*time.Second, "the webhook deliveries to settle", func() bool {
		return one("pending deliveries", `SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`) == 0
	})
	if n := one("undelivered", `SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'`); n != 0 {
		t.Errorf("%d webhook deliveries not delivered", n)
	}
	got, problems := l.c.hooks.snapshot()
	for _, p := range problems {
		t.Error("webhook receiver: " + p)
	}
	rows, err := db.Query(ctx, `SELECT event_id, attempts FROM webhook_deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var attempts int
		if err := rows.Scan(&id, &attempts); err != nil {
			t.Fatal(err)
		}
		if n := got[id]; n < 1 || n > attempts {
			t.Errorf("event %d: accepted %d times in %d attempts", id, n, attempts)
		}
		delete(got, id)
	}
	for id, n := range got {
		t.Errorf("the receiver accepted event %d %d times, which has no delivery", id, n)
	}
}
