package tui

import (
	"context"
	"testing"

	"github.com/aforro/aforro"
)

// withOrders gives store 1 a history, with fixed times:
//
//	order 1  CONFIRMED  product 1 x2, product 2 x1, ana@example.com
//	order 2  REJECTED   product 3 x1 (none in stock), product 4 x2
//	order 3  CANCELLED  product 4 x1
func withOrders(t *testing.T, srv *testServer) {
	t.Helper()
	c := srv.client(t)
	ctx := context.Background()
	for _, o := range []aforro.PlaceOrder{
		{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 2}, {ProductID: 2, QuantityRequested: 1}},
			CustomerEmail: "ana@example.com"},
		{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 3, QuantityRequested: 1}, {ProductID: 4, QuantityRequested: 2}}},
		{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 4, QuantityRequested: 1}}},
	} {
		if _, _, err := c.PlaceOrder(ctx, o, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CancelOrder(ctx, 3); err != nil {
		t.Fatal(err)
	}
	srv.Exec(t, `UPDATE orders SET created_at = '2026-03-01T09:00:00Z'::timestamptz + id * interval '1 hour',
  cancelled_at = CASE WHEN status = 'CANCELLED' THEN '2026-03-02T12:30:00Z'::timestamptz END`)
}

func TestOrders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Gaming Laptop")
		keys(tm, "4")
		waitFor(t, tm, "Page 1 of 1 · 3 orders")
		keys(tm, "c")
		waitFor(t, tm, "Only a CONFIRMED order can be cancelled; order #3 is CANCELLED.")
		requireGolden(t, finish(t, tm))
	})

	t.Run("status filter", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Gaming Laptop")
		keys(tm, "4")
		waitFor(t, tm, "3 orders")
		keys(tm, "t", "t")
		waitFor(t, tm, "status: REJECTED", "1 order")
		m := finish(t, tm)
		if got := m.screens[tabOrders].(*ordersModel).list.page.Results; len(got) != 1 || got[0].ID != 2 {
			t.Errorf("orders shown: %+v, want order 2 alone", got)
		}
	})

	t.Run("detail of a rejected order", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Gaming Laptop")
		keys(tm, "4")
		waitFor(t, tm, "3 orders")
		keys(tm, "j", "enter")
		waitFor(t, tm, "Order #2", "short: store had 0")
		requireGolden(t, finish(t, tm))
	})
}

func TestOrdersCancel(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	api := srv.client(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Gaming Laptop")
	keys(tm, "4")
	waitFor(t, tm, "3 orders")
	keys(tm, "G", "enter")
	waitFor(t, tm, "Order #1", "ana@example.com")
	keys(tm, "c")
	waitFor(t, tm, "Cancel order #1? Its stock goes back to the store. y/n")
	keys(tm, "n")
	waitFor(t, tm, "Order #1 is left as it is.")
	if got := stock(t, api, 1, 1); got != 8 {
		t.Fatalf("stock of product 1 is %d after saying no, want 8", got)
	}
	keys(tm, "c", "y")
	waitFor(t, tm, "Order #1 CANCELLED: its stock is back in the store.")
	keys(tm, "esc")
	// The list reloads after a cancel: wait for the reloaded row, not only
	// the page line, which shows while it is still loading.
	waitFor(t, tm, "#1  CANCELLED  2026-03-01 10:00")
	m := finish(t, tm)
	if got := stock(t, api, 1, 1); got != 10 {
		t.Errorf("stock of product 1 is %d after cancelling, want 10", got)
	}
	om := m.screens[tabOrders].(*ordersModel)
	if om.detailID != 0 || om.confirmCancel != 0 || len(om.list.page.Results) != 3 || om.list.page.Results[2].Status != aforro.StatusCancelled {
		t.Errorf("detail %d, prompt %d, orders %+v; want the list, order 1 CANCELLED", om.detailID, om.confirmCancel, om.list.page.Results)
	}
	requireGolden(t, m)
}
