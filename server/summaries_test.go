package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

func summaryStore(id int64) *int64 { return &id }

func summaryItem(id int64, title string, q int64) aforro.SummaryItem {
	return aforro.SummaryItem{ProductID: id, Title: title, Quantity: q}
}

// summaryPage decodes a page of summary rows.
func summaryPage(t *testing.T, r response) aforro.Page[aforro.Summary] {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var p aforro.Page[aforro.Summary]
	r.decode(t, &p)
	return p
}

// rowKeys names the rows of a list as date/store ("all" for the all-stores row).
func rowKeys(rows []aforro.Summary) []string {
	var out []string
	for _, r := range rows {
		k := r.Date + "/all"
		if r.StoreID != nil {
			k = r.Date + "/" + r.StoreName
		}
		out = append(out, k)
	}
	return out
}

func TestSummaries(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	ctx := context.Background()
	today := time.Now().UTC().Format(aforro.DateLayout)

	// Nothing generated yet.
	if p := summaryPage(t, srv.get(t, "/api/summaries/")); p.Count != 0 || len(p.Results) != 0 {
		t.Fatalf("empty list = %+v", p)
	}
	if r := srv.get(t, "/api/summaries/latest/"); r.status != http.StatusNotFound {
		t.Fatalf("latest with no summary: status %d, want 404: %s", r.status, r.body)
	}

	// Today's activity at Downtown (store 1): one confirmed order of two
	// mice, one rejected, and one confirmed laptop order cancelled again.
	for _, body := range []string{
		`{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": 2}]}`,
		`{"store_id": 1, "items": [{"product_id": 3, "quantity_requested": 1}]}`,
		`{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}]}`,
	} {
		if r := srv.post(t, "/api/orders/", body); r.status != http.StatusCreated {
			t.Fatalf("place order: %d %s", r.status, r.body)
		}
	}
	var laptopOrder int64
	if err := srv.db.Pool.QueryRow(ctx, `SELECT max(id) FROM orders`).Scan(&laptopOrder); err != nil {
		t.Fatal(err)
	}
	if r := srv.post(t, fmt.Sprintf("/api/orders/%d/cancel/", laptopOrder), ""); r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}

	// Two past days, as the scheduled job would have written them.
	for _, day := range []time.Time{time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)} {
		if _, err := srv.db.GenerateSummaries(ctx, day, 5); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("run as staff is forbidden", func(t *testing.T) {
		r := srv.do(t, http.MethodPost, "/api/summaries/run/", "", "Authorization", "Bearer "+srv.token(t, aforro.RoleStaff))
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403: %s", r.status, r.body)
		}
	})

	t.Run("run computes today so far", func(t *testing.T) {
		r := srv.post(t, "/api/summaries/run/", "")
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var got aforro.DaySummaries
		r.decode(t, &got)
		empty := []aforro.SummaryItem{}
		// Stock after the orders: mice 3-2 = 1, the cancelled laptop is back
		// at 10; the cancelled laptop order sold nothing.
		want := aforro.DaySummaries{Date: today, Results: []aforro.Summary{
			{Date: today, StoreName: aforro.AllStoresName, SKUCount: 5, TotalUnits: 68, OutOfStock: 1,
				LowStock:        []aforro.SummaryItem{summaryItem(3, "Gaming Laptop", 0), summaryItem(2, "Wireless Mouse", 1)},
				OrdersConfirmed: 2, OrdersRejected: 1, OrdersCancelled: 1, UnitsSold: 2, Revenue: 2 * 2999},
			{Date: today, StoreID: summaryStore(1), StoreName: "Downtown", SKUCount: 4, TotalUnits: 61, OutOfStock: 1,
				LowStock:        []aforro.SummaryItem{summaryItem(3, "Gaming Laptop", 0), summaryItem(2, "Wireless Mouse", 1)},
				OrdersConfirmed: 2, OrdersRejected: 1, OrdersCancelled: 1, UnitsSold: 2, Revenue: 2 * 2999},
			{Date: today, StoreID: summaryStore(2), StoreName: "Harbour", SKUCount: 1, TotalUnits: 7, LowStock: empty},
			{Date: today, StoreID: summaryStore(3), StoreName: "Empty", LowStock: empty},
		}}
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(aforro.Summary{}, "GeneratedAt")); d != "" {
			t.Fatalf("run (-want +got):\n%s", d)
		}
		// Running again replaces today's rows.
		if r := srv.post(t, "/api/summaries/run", ""); r.status != http.StatusOK {
			t.Fatalf("second run: %d %s", r.status, r.body)
		}
		if n := srv.count(t, `SELECT count(*) FROM inventory_summaries WHERE summary_date = $1`, today); n != 4 {
			t.Fatalf("%d rows for today after two runs, want 4", n)
		}
	})

	t.Run("today is live", func(t *testing.T) {
		// A fourth order after the run: the live row has it, the stored
		// row of today does not.
		if r := srv.post(t, "/api/orders/", `{"store_id": 1, "items": [{"product_id": 2, "quantity_requested": 1}]}`); r.status != http.StatusCreated {
			t.Fatalf("place order: %d %s", r.status, r.body)
		}
		before := time.Now().UTC()
		tests := []struct {
			query, auth string
			status      int
			store       *int64
			units       int64
		}{
			{"", "", http.StatusOK, nil, 3},
			{"?store_id=all", "", http.StatusOK, nil, 3},
			{"?store_id=1", "", http.StatusOK, summaryStore(1), 3},
			{"?store_id=2", "", http.StatusOK, summaryStore(2), 0},
			{"?store_id=42", "", http.StatusNotFound, nil, 0},
			{"?store_id=0", "", http.StatusBadRequest, nil, 0},
			{"?date=2026-03-09", "", http.StatusBadRequest, nil, 0},
			// A token scoped to one store gets its store by default.
			{"", srv.token(t, aforro.RoleStaff, 1), http.StatusOK, summaryStore(1), 3},
			{"?store_id=all", srv.token(t, aforro.RoleStaff, 1), http.StatusForbidden, nil, 0},
			{"?store_id=2", srv.token(t, aforro.RoleStaff, 1), http.StatusForbidden, nil, 0},
			{"", srv.token(t, aforro.RoleStaff, 1, 2), http.StatusBadRequest, nil, 0},
			{"?store_id=2", srv.token(t, aforro.RoleStaff, 1, 2), http.StatusOK, summaryStore(2), 0},
			{"", srv.token(t, aforro.RoleStaff), http.StatusOK, nil, 3},
		}
		for _, tc := range tests {
			var r response
			if tc.auth == "" {
				r = srv.get(t, "/api/summaries/today/"+tc.query)
			} else {
				r = srv.do(t, http.MethodGet, "/api/summaries/today/"+tc.query, "", "Authorization", "Bearer "+tc.auth)
			}
			if r.status != tc.status {
				t.Errorf("%s: status %d, want %d: %s", tc.query, r.status, tc.status, r.body)
				continue
			}
			if r.status != http.StatusOK {
				var e aforro.ErrorResponse
				if r.decode(t, &e); e.Code == "" {
					t.Errorf("%s: no error envelope: %s", tc.query, r.body)
				}
				continue
			}
			var got aforro.LiveSummary
			r.decode(t, &got)
			if !got.Live || got.Date != today || !cmp.Equal(got.StoreID, tc.store) || got.UnitsSold != tc.units ||
				got.ComputedAt.Before(before.Add(-time.Minute)) || !got.GeneratedAt.Equal(got.ComputedAt) {
				t.Errorf("%s: %+v; want live, today, store %v, %d units sold", tc.query, got, tc.store, tc.units)
			}
		}
		var stored aforro.Page[aforro.Summary]
		srv.get(t, "/api/summaries/?store_id=1&date="+today).decode(t, &stored)
		if len(stored.Results) != 1 || stored.Results[0].UnitsSold != 2 {
			t.Errorf("stored row of today: %+v; want the run's 2 units, not the live 3", stored.Results)
		}
	})

	t.Run("latest", func(t *testing.T) {
		r := srv.get(t, "/api/summaries/latest")
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var got aforro.DaySummaries
		r.decode(t, &got)
		if got.Date != today || len(got.Results) != 4 || got.Results[0].StoreID != nil {
			t.Fatalf("latest = %s with %v", got.Date, rowKeys(got.Results))
		}
	})

	t.Run("filters and paging", func(t *testing.T) {
		tests := []struct {
			query string
			count int
			want  []string
		}{
			{"?page_size=5", 12, []string{today + "/all", today + "/Downtown", today + "/Harbour", today + "/Empty", "2026-03-09/all"}},
			{"?page_size=5&page=3", 12, []string{"2026-03-08/Harbour", "2026-03-08/Empty"}},
			{"?date=2026-03-09", 4, []string{"2026-03-09/all", "2026-03-09/Downtown", "2026-03-09/Harbour", "2026-03-09/Empty"}},
			{"?store_id=2", 3, []string{today + "/Harbour", "2026-03-09/Harbour", "2026-03-08/Harbour"}},
			{"?store_id=all", 3, []string{today + "/all", "2026-03-09/all", "2026-03-08/all"}},
			{"?store_id=1&date=2026-03-08", 1, []string{"2026-03-08/Downtown"}},
			{"?date=2025-01-01", 0, nil},
		}
		for _, tc := range tests {
			p := summaryPage(t, srv.get(t, "/api/summaries/"+tc.query))
			if p.Count != tc.count || !cmp.Equal(rowKeys(p.Results), tc.want) {
				t.Errorf("%s: count %d rows %v; want %d %v", tc.query, p.Count, rowKeys(p.Results), tc.count, tc.want)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for query, want := range map[string]int{
			"?date=2026-13-01":               http.StatusBadRequest,
			"?date=yesterday":                http.StatusBadRequest,
			"?store_id=0":                    http.StatusBadRequest,
			"?store_id=x":                    http.StatusBadRequest,
			"?store_id=99999999999999999999": http.StatusBadRequest,
			"?page=0":                        http.StatusBadRequest,
			"?page=9":                        http.StatusNotFound,
			"?store_id=42":                   http.StatusNotFound,
		} {
			r := srv.get(t, "/api/summaries/"+query)
			if r.status != want {
				t.Errorf("%s: status %d, want %d: %s", query, r.status, want, r.body)
			}
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if e.Code == "" || e.Error == "" {
				t.Errorf("%s: no error envelope: %s", query, r.body)
			}
		}
		if r := srv.get(t, "/api/summaries/run/"); r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET run: status %d, want 405", r.status)
		}
	})

	t.Run("store scope", func(t *testing.T) {
		scoped := "Bearer " + srv.token(t, aforro.RoleStaff, 2)
		r := srv.do(t, http.MethodGet, "/api/summaries/", "", "Authorization", scoped)
		p := summaryPage(t, r)
		want := []string{today + "/Harbour", "2026-03-09/Harbour", "2026-03-08/Harbour"}
		if p.Count != 3 || !cmp.Equal(rowKeys(p.Results), want) {
			t.Errorf("scoped list: %d %v; want only Harbour's rows, never the all-stores ones", p.Count, rowKeys(p.Results))
		}
		for _, q := range []string{"?store_id=1", "?store_id=all"} {
			if r := srv.do(t, http.MethodGet, "/api/summaries/"+q, "", "Authorization", scoped); r.status != http.StatusForbidden {
				t.Errorf("scoped %s: status %d, want 403", q, r.status)
			}
		}
		r = srv.do(t, http.MethodGet, "/api/summaries/latest/", "", "Authorization", scoped)
		var latest aforro.DaySummaries
		r.decode(t, &latest)
		if latest.Date != today || !cmp.Equal(rowKeys(latest.Results), []string{today + "/Harbour"}) {
			t.Errorf("scoped latest: %s %v", latest.Date, rowKeys(latest.Results))
		}
		// An unscoped staff token sees everything, the all-stores rows included.
		staff := "Bearer " + srv.token(t, aforro.RoleStaff)
		if p := summaryPage(t, srv.do(t, http.MethodGet, "/api/summaries/?store_id=all", "", "Authorization", staff)); p.Count != 3 {
			t.Errorf("unscoped staff sees %d all-stores rows, want 3", p.Count)
		}
		if r := srv.do(t, http.MethodGet, "/api/summaries/", "", "Authorization", ""); r.status != http.StatusUnauthorized {
			t.Errorf("no token: status %d, want 401", r.status)
		}
	})
}

// fakeJobs stands in for the jobs of the process.
type fakeJobs struct{}

func (fakeJobs) Status() aforro.SchedulerStatus {
	return aforro.SchedulerStatus{Instance: "node-a", Leader: "node-a", IsLeader: true, Redis: "ok",
		Jobs: []aforro.JobStats{{Name: "daily_summary", Runs: 1}}}
}

func TestJobsStatus(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.exec(t, servertest.Catalogue+`
		INSERT INTO outbox (event, payload, status) VALUES ('order.confirmed', '{}', 'pending'),
		  ('order.confirmed', '{}', 'sent'), ('order.confirmed', '{}', 'sent'), ('order.confirmed', '{}', 'failed');
		INSERT INTO job_runs (job, run_date, instance, started_at, finished_at, detail) VALUES
		  ('daily_summary', '2026-03-08', 'node-b', '2026-03-09T00:00:00Z', '2026-03-09T00:00:01.5Z', '4 rows'),
		  ('daily_summary', '2026-03-09', 'node-a', '2026-03-10T00:00:00Z', '2026-03-10T00:00:02Z', '4 rows')`)

	// This process runs no jobs: the scheduler is null, the rest comes from PostgreSQL.
	r := ts.get(t, "/api/admin/jobs/")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got aforro.JobsStatus
	r.decode(t, &got)
	want := aforro.JobsStatus{
		LastRuns: []aforro.JobRun{{Job: "daily_summary", RunDate: "2026-03-09", Instance: "node-a",
			StartedAt: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 3, 10, 0, 0, 2, 0, time.UTC),
			DurationMS: 2000, Detail: "4 rows"}},
		Outbox: aforro.OutboxCounts{Pending: 1, Sent: 2, Failed: 1},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("jobs status (-want +got):\n%s", d)
	}
	if r := ts.do(t, http.MethodGet, "/api/admin/jobs/", "", "Authorization", "Bearer "+ts.token(t, aforro.RoleStaff)); r.status != http.StatusForbidden {
		t.Errorf("staff: status %d, want 403", r.status)
	}

	// A process running jobs reports its scheduler too.
	cfg := server.DefaultConfig()
	cfg.Jobs = fakeJobs{}
	api := server.New(cfg, ts.db, dbtest.Redis(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := httptest.NewServer(api.Handler())
	t.Cleanup(h.Close)
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/api/admin/jobs", nil)
	req.Header.Set("Authorization", "Bearer "+ts.admin)
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var withJobs aforro.JobsStatus
	response{status: resp.StatusCode, body: b}.decode(t, &withJobs)
	if withJobs.Scheduler == nil || withJobs.Scheduler.Leader != "node-a" || !withJobs.Scheduler.IsLeader {
		t.Fatalf("scheduler = %+v, want the process's own status", withJobs.Scheduler)
	}
}
