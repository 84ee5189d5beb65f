package tui

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

func TestStorePicker(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)

	t.Run("choose", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var saved []int64
		opts := testOptions(srv.client(t))
		opts.SaveStore = func(id int64) error {
			mu.Lock()
			defer mu.Unlock()
			saved = append(saved, id)
			return nil
		}
		tm := start(t, opts)
		waitFor(t, tm, "Choose a store", "Downtown", "Harbour", "Empty")
		keys(tm, "harb")
		waitFor(t, tm, "1 of 3")
		keys(tm, "enter")
		waitFor(t, tm, "Cast Iron Skillet")
		m := finish(t, tm)
		if m.ctx.store.ID != 2 || m.picker.visible || m.active != tabInventory {
			t.Errorf("store %d, picker visible %v, tab %v; want store 2 on Inventory", m.ctx.store.ID, m.picker.visible, m.active)
		}
		mu.Lock()
		defer mu.Unlock()
		if d := cmp.Diff([]int64{2}, saved); d != "" {
			t.Errorf("stores remembered (-want +got):\n%s", d)
		}
		requireGolden(t, m)
	})

	t.Run("remembered store is gone", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 99
		tm := start(t, opts)
		waitFor(t, tm, "Store 99 no longer exists", "Choose a store", "Downtown")
		m := finish(t, tm)
		requireGolden(t, m)
	})

	t.Run("remembered store opens, s changes it", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Downtown (#1)", "Laptop Pro 15")
		keys(tm, "s")
		// The stores' rows, not just the title: "down" before they load moves nothing.
		waitFor(t, tm, "Choose a store", "2 Dock Rd")
		keys(tm, "down", "enter")
		waitFor(t, tm, "Harbour (#2)", "Cast Iron Skillet")
		m := finish(t, tm)
		if m.ctx.store.ID != 2 {
			t.Errorf("store %d, want 2", m.ctx.store.ID)
		}
	})
}

func TestInventory(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)

	t.Run("rows", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Go Programming", "Page 1 of 1 · 4 products")
		keys(tm, "down", "down")
		m := finish(t, tm)
		if got := m.screens[tabInventory].(*inventoryModel).table.cursor; got != 2 {
			t.Errorf("cursor on row %d, want 2", got)
		}
		requireGolden(t, m)
	})

	t.Run("filter, low stock, add", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Go Programming")
		keys(tm, "/", "lap")
		waitFor(t, tm, "2 products")
		keys(tm, "enter", "l")
		waitFor(t, tm, "1 product ", "[low stock only]")
		keys(tm, "a", "a")
		waitFor(t, tm, "Added Gaming Laptop: 2 in the basket, but the store has 0.")
		m := finish(t, tm)
		inv := m.screens[tabInventory].(*inventoryModel)
		if inv.q != "lap" || !inv.lowOnly || inv.filtering {
			t.Errorf("filter %q, low only %v, filtering %v; want \"lap\", true, false", inv.q, inv.lowOnly, inv.filtering)
		}
		want := []basketLine{{ProductID: 3, Title: "Gaming Laptop", Price: 99900, Qty: 2, Stock: intp(0)}}
		if d := cmp.Diff(want, m.order.lines); d != "" {
			t.Errorf("basket (-want +got):\n%s", d)
		}
		requireGolden(t, m)
	})

	t.Run("esc clears the filter", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Go Programming")
		keys(tm, "l")
		waitFor(t, tm, "2 products")
		keys(tm, "esc")
		waitFor(t, tm, "4 products")
		m := finish(t, tm)
		if inv := m.screens[tabInventory].(*inventoryModel); inv.lowOnly || inv.q != "" {
			t.Errorf("low only %v, filter %q after esc", inv.lowOnly, inv.q)
		}
	})

	t.Run("pages", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		opts.PageSize = 3
		tm := start(t, opts)
		waitFor(t, tm, "Page 1 of 2 · 4 products")
		keys(tm, "]")
		waitFor(t, tm, "Page 2 of 2", "Wireless Mouse")
		keys(tm, "]", "[")
		waitFor(t, tm, "Page 1 of 2")
		finish(t, tm)
	})

	t.Run("empty store", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 3
		tm := start(t, opts)
		waitFor(t, tm, "No products.")
		keys(tm, "a", "j", "]")
		requireGolden(t, finish(t, tm))
	})

	t.Run("token of another store", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 2))))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "This token does not cover store 1; choose one of its stores.", "1 of 1", "Harbour")
		requireGolden(t, finish(t, tm))
	})
}

func intp(n int) *int { return &n }
