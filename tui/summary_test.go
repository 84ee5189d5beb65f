package tui

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// latestPath and todayPath are the endpoints the Summary screen polls.
const (
	latestPath = "/api/summaries/latest/"
	todayPath  = "/api/summaries/today/"
)

// summaryFixture holds two days of summaries: the latest, 2026-03-04, has
// the all-stores row and stores 1 and 2 (not 3); the day before only store 1.
const summaryFixture = `
INSERT INTO inventory_summaries (summary_date, store_id, store_name, sku_count, total_units, out_of_stock,
  low_stock, orders_confirmed, orders_rejected, orders_cancelled, units_sold, revenue, generated_at) VALUES
  ('2026-03-03', 1, 'Downtown', 4, 70, 0, '[]', 1, 0, 0, 2, 59.98, '2026-03-04T00:00:05Z'),
  ('2026-03-04', NULL, 'All stores', 5, 70, 1,
   '[{"product_id": 3, "title": "Gaming Laptop", "quantity": 0}, {"product_id": 2, "title": "Wireless Mouse", "quantity": 3}]',
   4, 1, 1, 9, 2729.46, '2026-03-05T00:00:05Z'),
  ('2026-03-04', 1, 'Downtown', 4, 63, 1,
   '[{"product_id": 3, "title": "Gaming Laptop", "quantity": 0}, {"product_id": 2, "title": "Wireless Mouse", "quantity": 3}]',
   3, 1, 1, 7, 2639.48, '2026-03-05T00:00:05Z'),
  ('2026-03-04', 2, 'Harbour', 1, 7, 0, '[]', 1, 0, 0, 2, 90.00, '2026-03-05T00:00:05Z');
`

// nextDay adds 2026-03-05 for store 1 and all stores.
const nextDay = `
INSERT INTO inventory_summaries (summary_date, store_id, store_name, sku_count, total_units, out_of_stock,
  orders_confirmed, units_sold, revenue, generated_at) VALUES
  ('2026-03-05', NULL, 'All stores', 5, 61, 1, 2, 2, 79.00, '2026-03-06T00:00:05Z'),
  ('2026-03-05', 1, 'Downtown', 4, 54, 1, 2, 2, 79.00, '2026-03-06T00:00:05Z');
`

// summaryScreen returns the final model's Summary screen.
func summaryScreen(m *Model) *summaryModel { return m.screens[tabSummary].(*summaryModel) }

func TestSummary(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, summaryFixture)

	for _, tc := range []struct {
		name     string
		store    int64
		scoped   bool // a staff token limited to the store
		wait     []string
		wantRows [2]bool // the store's row, the all-stores row
		golden   bool
	}{
		{"store and all stores", 1, false, []string{"Daily 2026-03-04", "Wireless Mouse"}, [2]bool{true, true}, true},
		{"token limited to the store", 1, true, []string{"All stores: not shown"}, [2]bool{true, false}, true},
		{"store without a row that day", 3, false, []string{"Empty is not in that day's summary."}, [2]bool{false, true}, true},
		{"another store", 2, false, []string{"Harbour (#2)", "None: every product is above"}, [2]bool{true, true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := srv.client(t)
			if tc.scoped {
				c = srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, tc.store)))
			}
			opts := testOptions(c)
			opts.StoreID = tc.store
			tm := start(t, opts)
			waitFor(t, tm, "● online")
			keys(tm, "5")
			waitFor(t, tm, append(tc.wait, "refreshed 14:30:00 · every 30s")...)
			m := finish(t, tm)
			s := summaryScreen(m)
			if got := [2]bool{s.store != nil, s.all != nil}; got != tc.wantRows {
				t.Errorf("store row, all-stores row = %v, want %v", got, tc.wantRows)
			}
			if s.day.Date != "2026-03-04" {
				t.Errorf("day %q, want the latest, 2026-03-04", s.day.Date)
			}
			if tc.golden {
				requireGolden(t, m)
			}
		})
	}

	t.Run("no summary yet", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "● online")
		keys(tm, "5")
		waitFor(t, tm, "No daily summary yet")
		m := finish(t, tm)
		if s := summaryScreen(m); !s.none || s.failed || m.status.kind == statusError {
			t.Errorf("none %v, failed %v, status %q; want a calm empty screen", s.none, s.failed, m.status.text)
		}
		requireGolden(t, m)
	})
}

// The Summary screen refreshes itself while shown, r refreshes at once, and
// the watch stops when another screen is shown.
func TestSummaryWatch(t *testing.T) {
	t.Parallel()

	t.Run("refreshes by itself", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		srv.Exec(t, summaryFixture)
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		opts.WatchEvery = 50 * time.Millisecond
		tm := start(t, opts)
		waitFor(t, tm, "● online")
		keys(tm, "5")
		waitFor(t, tm, "Daily 2026-03-04", "every 50ms")
		srv.Exec(t, nextDay)
		waitFor(t, tm, "Daily 2026-03-05") // no key pressed
		m := finish(t, tm)
		if s := summaryScreen(m); s.day.Date != "2026-03-05" || s.store == nil || s.store.TotalUnits != 54 {
			t.Errorf("day %q, store row %+v; want 2026-03-05's", s.day.Date, s.store)
		}
	})

	t.Run("today so far is live", func(t *testing.T) {
		// An order placed while the screen is shown appears in the live
		// column at the next refresh, never in the stored one.
		t.Parallel()
		srv := newTestServer(t)
		srv.Exec(t, summaryFixture)
		c := srv.client(t)
		opts := testOptions(c)
		opts.StoreID = 1
		opts.WatchEvery = 50 * time.Millisecond
		tm := start(t, opts)
		waitFor(t, tm, "● online")
		keys(tm, "5")
		waitFor(t, tm, "Today so far", "(live)", "Daily 2026-03-04")
		if _, _, err := c.PlaceOrder(context.Background(),
			aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 4, QuantityRequested: 2}}}, ""); err != nil {
			t.Fatal(err)
		}
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			return regexp.MustCompile(`Units sold +2 +7 +9`).Match(b)
		}, teatest.WithDuration(waitLimit), teatest.WithCheckInterval(10*time.Millisecond))
		m := finish(t, tm)
		s := summaryScreen(m)
		if s.live == nil || !s.live.Live || s.live.UnitsSold != 2 || s.live.OrdersConfirmed != 1 || s.store.UnitsSold != 7 {
			t.Errorf("live %+v, stored %+v; want the order in the live row only", s.live, s.store)
		}
		if srv.requests(todayPath) < 2 {
			t.Errorf("%d requests for today's live row, want one per refresh", srv.requests(todayPath))
		}
	})

	t.Run("r refreshes now", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		srv.Exec(t, summaryFixture)
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		opts.WatchEvery = time.Hour
		tm := start(t, opts)
		waitFor(t, tm, "● online")
		keys(tm, "5")
		waitFor(t, tm, "Daily 2026-03-04", "every 1h")
		srv.Exec(t, nextDay)
		keys(tm, "r")
		waitFor(t, tm, "Daily 2026-03-05")
		finish(t, tm)
		if n := srv.requests(latestPath); n != 2 {
			t.Errorf("%d requests for the latest summary, want 2", n)
		}
	})

	t.Run("stops on another screen", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		srv.Exec(t, summaryFixture)
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		opts.WatchEvery = 20 * time.Millisecond
		tm := start(t, opts)
		waitFor(t, tm, "● online")
		keys(tm, "5")
		waitFor(t, tm, "Daily 2026-03-04")
		srv.waitRequests(t, latestPath, 3) // watching: a request every 20ms
		keys(tm, "1")
		waitFor(t, tm, "[1 Inventory]")
		before := srv.requests(latestPath)
		time.Sleep(15 * opts.WatchEvery)
		// One request may have been on its way when the screen changed.
		if after := srv.requests(latestPath); after > before+1 {
			t.Errorf("%d requests for the latest summary while another screen was shown", after-before)
		}
		m := finish(t, tm)
		if s := summaryScreen(m); s.active {
			t.Error("the Summary screen is still active")
		}
	})
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "30s"},
		{50 * time.Millisecond, "50ms"},
		{5 * time.Minute, "5m"},
		{90 * time.Second, "1m30s"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{1500 * time.Millisecond, "2s"},
	} {
		if got := shortDuration(tc.d); got != tc.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
