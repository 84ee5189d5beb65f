package tui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// orderCount returns how many orders store has.
func orderCount(t *testing.T, c *client.Client, store int64) int {
	t.Helper()
	p, err := c.ListStoreOrders(context.Background(), store, "", client.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

// stock returns store's quantity of product.
func stock(t *testing.T, c *client.Client, store, product int64) int {
	t.Helper()
	it, err := c.InventoryItem(context.Background(), store, product)
	if err != nil {
		t.Fatal(err)
	}
	return it.Quantity
}

func TestOrderConfirmed(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	api := srv.client(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	// Go Programming (50 in stock) twice, Laptop Pro 15 (10) once, then one
	// more of the laptop on the Order screen and one less of the book.
	keys(tm, "down", "a", "a")
	waitFor(t, tm, "Added Go Programming: 2 in the basket.")
	keys(tm, "down", "a", "3")
	waitFor(t, tm, "Basket for Downtown", "2 lines, 3 items")
	keys(tm, "down", "+", "up", "-")
	waitFor(t, tm, "Total 2639.48")
	keys(tm, "e", "ana@example.com", "enter", "enter", "enter")
	waitFor(t, tm, "CONFIRMED: 3 items, total 2639.48.")
	m := finish(t, tm)
	if len(m.order.lines) != 0 || m.order.key != "" || m.order.placing {
		t.Errorf("after CONFIRMED: %d lines, key %q, placing %v; want an empty basket and no key",
			len(m.order.lines), m.order.key, m.order.placing)
	}
	// The second enter came while the first order was in flight: one order.
	if n := orderCount(t, api, 1); n != 1 {
		t.Errorf("store 1 has %d orders, want 1", n)
	}
	if got := []int{stock(t, api, 1, 1), stock(t, api, 1, 4)}; !cmp.Equal(got, []int{8, 49}) {
		t.Errorf("stock of products 1 and 4 = %v, want [8 49]", got)
	}
	o, err := api.Order(context.Background(), m.order.last.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.CustomerEmail != "ana@example.com" {
		t.Errorf("customer email %q", o.CustomerEmail)
	}
	requireGolden(t, m)
}

func TestOrderRejected(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	api := srv.client(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	// Gaming Laptop (none in stock), Wireless Mouse (3 in stock) four times.
	keys(tm, "a")
	waitFor(t, tm, "Added Gaming Laptop")
	keys(tm, "G", "a", "a", "a", "a", "3")
	waitFor(t, tm, "2 lines, 5 items")
	keys(tm, "enter")
	waitFor(t, tm, "REJECTED", "Wireless Mouse: asked 4, the store has 3")
	m := finish(t, tm)
	if len(m.order.lines) != 2 || m.order.key != "" {
		t.Errorf("after REJECTED: %d lines, key %q; want the basket kept, with no key", len(m.order.lines), m.order.key)
	}
	if got := stock(t, api, 1, 2); got != 3 {
		t.Errorf("stock of the mouse is %d after a rejected order, want 3", got)
	}
	requireGolden(t, m)
}

func TestOrderBasketKeys(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	keys(tm, "3", "enter")
	waitFor(t, tm, "The basket is empty")
	keys(tm, "1", "a")
	waitFor(t, tm, "Added Gaming Laptop")
	keys(tm, "j", "a")
	waitFor(t, tm, "Added Go Programming")
	keys(tm, "3", "-")
	waitFor(t, tm, "x removes the line.")
	keys(tm, "x")
	waitFor(t, tm, "Removed Gaming Laptop.")
	keys(tm, "e", "not an email", "enter")
	waitFor(t, tm, `"not an email" is not an email address.`)
	keys(tm, "esc", "q")
	waitFor(t, tm, "The basket holds 1 line, which will be lost. Quit anyway? y/n")
	keys(tm, "n")
	waitFor(t, tm, "Nothing is lost.")
	keys(tm, "X")
	waitFor(t, tm, "The basket is empty.")
	m := finish(t, tm)
	if len(m.order.lines) != 0 || m.order.email.Value() != "" {
		t.Errorf("basket %v, email %q; want both empty", m.order.lines, m.order.email.Value())
	}
}

// losingTransport passes requests on, but loses the answer to the first
// order placed, as a connection that breaks after the server did its work.
type losingTransport struct{ lost atomic.Bool }

func (lt *losingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/orders") || lt.lost.Swap(true) {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset by peer")
}

// A retry after an answer was lost must not place a second order: the
// basket keeps its idempotency key until an order comes back.
func TestOrderRetryAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	api := srv.client(t)
	c := srv.client(t, client.WithRetries(0), client.WithHTTPClient(&http.Client{Transport: &losingTransport{}}))
	opts := testOptions(c)
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	keys(tm, "j", "a")
	waitFor(t, tm, "Added Go Programming")
	keys(tm, "3", "enter")
	waitFor(t, tm, "No answer: the order may or may not be placed.", "unanswered: enter retries safely")
	keys(tm, "enter")
	waitFor(t, tm, "CONFIRMED: 1 item, total 39.50 (retried, placed once).")
	m := finish(t, tm)
	if n := orderCount(t, api, 1); n != 1 {
		t.Errorf("store 1 has %d orders after a retry, want 1", n)
	}
	if got := stock(t, api, 1, 4); got != 49 {
		t.Errorf("stock of the book is %d, want 49", got)
	}
	if !m.order.replay || m.order.last == nil || m.order.last.Status != aforro.StatusConfirmed {
		t.Errorf("last order %+v, replay %v", m.order.last, m.order.replay)
	}
}
