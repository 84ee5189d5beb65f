package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

// fixedJobs reports a fixed scheduler state, standing in for the jobs of an
// aforrod process, whose times would change from run to run.
type fixedJobs aforro.SchedulerStatus

func (f fixedJobs) Status() aforro.SchedulerStatus { return aforro.SchedulerStatus(f) }

func storeID(id int64) *int64 { return &id }

// ignoreGenerated leaves out when the server generated a summary row.
var ignoreGenerated = cmpopts.IgnoreFields(aforro.Summary{}, "GeneratedAt")

func TestSummaries(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	harbourStaff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 2)))
	ctx := context.Background()

	if _, err := c.LatestSummaries(ctx); apiError(t, err).Status != 404 {
		t.Fatalf("LatestSummaries before any summary: %v, want a 404", err)
	}
	// Two days: an order on 2026-03-01 at Downtown, then nothing.
	if _, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(2, 2)}}, ""); err != nil {
		t.Fatal(err)
	}
	srv.Exec(t, `UPDATE orders SET created_at = '2026-03-01T10:00:00Z'`)
	for _, day := range []string{"2026-03-01", "2026-03-02"} {
		d, _ := time.Parse(aforro.DateLayout, day)
		if _, err := srv.DB.GenerateSummaries(ctx, d, 5); err != nil {
			t.Fatal(err)
		}
	}
	low := func(items ...aforro.SummaryItem) []aforro.SummaryItem {
		return append([]aforro.SummaryItem{}, items...)
	}
	all := aforro.Summary{Date: "2026-03-02", StoreName: aforro.AllStoresName, SKUCount: 5, TotalUnits: 68, OutOfStock: 1,
		LowStock: low(aforro.SummaryItem{ProductID: 3, Title: "Gaming Laptop"}, aforro.SummaryItem{ProductID: 2, Title: "Wireless Mouse", Quantity: 1})}
	store1 := aforro.Summary{Date: "2026-03-02", StoreID: storeID(1), StoreName: "Downtown", SKUCount: 4, TotalUnits: 61, OutOfStock: 1,
		LowStock: low(aforro.SummaryItem{ProductID: 3, Title: "Gaming Laptop"}, aforro.SummaryItem{ProductID: 2, Title: "Wireless Mouse", Quantity: 1})}
	store2 := aforro.Summary{Date: "2026-03-02", StoreID: storeID(2), StoreName: "Harbour", SKUCount: 1, TotalUnits: 7,
		LowStock: low()}
	store3 := aforro.Summary{Date: "2026-03-02", StoreID: storeID(3), StoreName: "Empty", LowStock: low()}
	// The order day: the same stock, and the order's figures.
	sold := func(s aforro.Summary) aforro.Summary {
		s.Date = "2026-03-01"
		if s.StoreID == nil || *s.StoreID == 1 {
			s.OrdersConfirmed, s.UnitsSold, s.Revenue = 1, 2, 2*2999
		}
		return s
	}

	t.Run("Summaries", func(t *testing.T) {
		march1, _ := time.Parse(aforro.DateLayout, "2026-03-01")
		tests := []struct {
			name   string
			filter aforro.SummaryFilter
			page   client.PageOptions
			want   aforro.Page[aforro.Summary]
		}{
			{"every row, newest day first", aforro.SummaryFilter{}, client.PageOptions{PageSize: 5},
				aforro.Page[aforro.Summary]{Count: 8, Page: 1, PageSize: 5, TotalPages: 2, HasNext: true,
					NextCursor: anyCursor, Results: []aforro.Summary{all, store1, store2, store3, sold(all)}}},
			{"one day", aforro.SummaryFilter{Date: march1}, client.PageOptions{},
				aforro.Page[aforro.Summary]{Count: 4, Page: 1, PageSize: 20, TotalPages: 1,
					Results: []aforro.Summary{sold(all), sold(store1), sold(store2), sold(store3)}}},
			{"one store", aforro.SummaryFilter{StoreID: 1}, client.PageOptions{},
				aforro.Page[aforro.Summary]{Count: 2, Page: 1, PageSize: 20, TotalPages: 1,
					Results: []aforro.Summary{store1, sold(store1)}}},
			{"all stores of one day", aforro.SummaryFilter{Date: march1, AllStores: true}, client.PageOptions{},
				aforro.Page[aforro.Summary]{Count: 1, Page: 1, PageSize: 20, TotalPages: 1,
					Results: []aforro.Summary{sold(all)}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := c.Summaries(ctx, tc.filter, tc.page)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(tc.want, got, ignoreGenerated, cursorPresence); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		}
	})

	t.Run("LatestSummaries", func(t *testing.T) {
		got, err := c.LatestSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := aforro.DaySummaries{Date: "2026-03-02", Results: []aforro.Summary{all, store1, store2, store3}}
		if d := cmp.Diff(want, got, ignoreGenerated); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		// A token scoped to a store sees only that store's rows.
		got, err = harbourStaff.LatestSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want = aforro.DaySummaries{Date: "2026-03-02", Results: []aforro.Summary{store2}}
		if d := cmp.Diff(want, got, ignoreGenerated); d != "" {
			t.Errorf("scoped (-want +got):\n%s", d)
		}
	})

	t.Run("RunSummaries", func(t *testing.T) {
		before := time.Now()
		got, err := c.RunSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Format(aforro.DateLayout)
		if got.Date != today || len(got.Results) != 4 || got.Results[0].StoreID != nil ||
			got.Results[0].TotalUnits != 68 || got.Results[0].GeneratedAt.Before(before.Add(-time.Second)) {
			t.Errorf("RunSummaries = %+v; want today's %s, 4 rows, all stores first with 68 units, generated now", got, today)
		}
		latest, err := c.LatestSummaries(ctx)
		if err != nil || latest.Date != today {
			t.Errorf("LatestSummaries after a run = %+v, %v; want today's", latest.Date, err)
		}
	})

	t.Run("TodaySummary", func(t *testing.T) {
		// Today's order at Harbour: the live row has it; no stored row does.
		if _, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 2, Items: []aforro.OrderLine{line(5, 3)}}, ""); err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Format(aforro.DateLayout)
		tests := []struct {
			name   string
			client *client.Client
			filter aforro.SummaryFilter
			store  *int64
		}{
			{"all stores by default", c, aforro.SummaryFilter{}, nil},
			{"all stores", c, aforro.SummaryFilter{AllStores: true}, nil},
			{"one store", c, aforro.SummaryFilter{StoreID: 2}, storeID(2)},
			{"a scoped token's store by default", harbourStaff, aforro.SummaryFilter{}, storeID(2)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := tc.client.TodaySummary(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Live || got.Date != today || !cmp.Equal(got.StoreID, tc.store) || got.OrdersConfirmed != 1 ||
					got.UnitsSold != 3 || got.ComputedAt.IsZero() {
					t.Errorf("TodaySummary = %+v; want live, today, store %v, 1 order of 3 units", got, tc.store)
				}
			})
		}
		if _, err := harbourStaff.TodaySummary(ctx, aforro.SummaryFilter{AllStores: true}); apiError(t, err).Status != 403 {
			t.Errorf("scoped token asks for all stores today: %v, want a 403", err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name string
			call func() error
			want *client.APIError
		}{
			{"scoped token asks for all stores", func() error {
				_, err := harbourStaff.Summaries(ctx, aforro.SummaryFilter{AllStores: true}, client.PageOptions{})
				return err
			}, &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "The all-stores summary is not visible to a token scoped to stores."}},
			{"scoped token asks for another store", func() error {
				_, err := harbourStaff.Summaries(ctx, aforro.SummaryFilter{StoreID: 1}, client.PageOptions{})
				return err
			}, &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This token does not cover store 1."}},
			{"staff runs the summary", func() error { _, err := harbourStaff.RunSummaries(ctx); return err },
				&client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This needs an admin token."}},
			{"no token", func() error {
				_, err := srv.client(t, client.WithToken("")).LatestSummaries(ctx)
				return err
			}, &client.APIError{Status: 401, Code: aforro.EUNAUTHORIZED, Message: "Authentication required: send Authorization: Bearer <token>."}},
			{"unknown store", func() error {
				_, err := c.Summaries(ctx, aforro.SummaryFilter{StoreID: 99}, client.PageOptions{})
				return err
			}, &client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Store 99 not found."}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { checkAPIError(t, tc.call(), tc.want) })
		}
	})
}

func TestJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	next := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	since := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	sched := aforro.SchedulerStatus{Instance: "web-1", Leader: "web-1", IsLeader: true, LeaderSince: &since, Elections: 1,
		Redis: "ok", Jobs: []aforro.JobStats{{Name: "daily_summary", Runs: 2, Failures: 1, LastError: "boom", NextRunAt: &next}},
		Outbox: aforro.DispatcherStats{Sent: 3, Retried: 1}}
	cfg := server.DefaultConfig()
	cfg.Jobs = fixedJobs(sched)
	withJobs := newConfiguredServer(t, cfg)
	withJobs.Exec(t, `INSERT INTO job_runs (job, run_date, instance, started_at, finished_at, detail) VALUES
		('daily_summary', '2026-03-01', 'web-1', '2026-03-02T00:00:00Z', '2026-03-02T00:00:01.5Z', '4 rows'),
		('daily_summary', '2026-03-02', 'web-2', '2026-03-03T00:00:00Z', '2026-03-03T00:00:00.25Z', '4 rows')`)
	withoutJobs := newConfiguredServer(t, server.DefaultConfig())

	tests := []struct {
		name string
		srv  *testServer
		want aforro.JobsStatus
	}{
		{"scheduler and runs", withJobs, aforro.JobsStatus{Scheduler: &sched, LastRuns: []aforro.JobRun{{
			Job: "daily_summary", RunDate: "2026-03-02", Instance: "web-2", StartedAt: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
			FinishedAt: time.Date(2026, 3, 3, 0, 0, 0, 250e6, time.UTC), DurationMS: 250, Detail: "4 rows"}}}},
		{"an instance without jobs", withoutJobs, aforro.JobsStatus{LastRuns: []aforro.JobRun{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.srv.client(t).Jobs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	t.Run("staff token", func(t *testing.T) {
		_, err := withJobs.client(t, client.WithToken(withJobs.Token(t, aforro.RoleStaff))).Jobs(ctx)
		checkAPIError(t, err, &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This needs an admin token."})
	})
}
