package main

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server"
)

// withSummaries gives the fixture withOrders' history, leaves store 2 short
// of product 1, and generates the daily summaries of 2026-03-01 (the orders'
// day) and 2026-03-02 (the cancellation's), generated at fixed times.
func withSummaries(t *testing.T, srv *testServer) {
	t.Helper()
	withOrders(t, srv)
	ctx := context.Background()
	if _, _, err := srv.apiClient(t).SetStock(ctx, 2, 1, 4, "received"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-03-01", "2026-03-02"} {
		day, _ := time.Parse(aforro.DateLayout, d)
		if _, err := srv.DB.GenerateSummaries(ctx, day, 5); err != nil {
			t.Fatal(err)
		}
	}
	srv.Exec(t, `UPDATE inventory_summaries SET generated_at = summary_date + interval '1 day 5 seconds'`)
}

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withSummaries(t, srv)
	harbourStaff := srv.Token(t, aforro.RoleStaff, 2)
	unreachable := closedURL(t)
	runGolden(t, srv, unreachable, []goldenRun{
		{"summary-latest", []string{"summary", "latest"}, nil},
		{"summary-latest-json", []string{"summary", "latest", "-o", "json"}, nil},
		{"summary-latest-csv", []string{"summary", "latest", "-o", "csv"}, nil},
		{"summary-latest-store-csv", []string{"summary", "latest", "--store", "1", "-o", "csv"}, nil},
		{"summary-latest-store", []string{"summary", "latest", "--store", "1"}, nil},
		{"summary-latest-store-json", []string{"summary", "latest", "--store", "2", "-o", "json"}, nil},
		{"summary-latest-scoped", []string{"summary", "latest"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"summary-latest-wide", []string{"summary", "latest"}, map[string]string{"COLUMNS": "120"}},
		{"summary-latest-narrow", []string{"summary", "latest"}, map[string]string{"COLUMNS": "64"}},
		{"summary-show", []string{"summary", "show", "--date", "2026-03-01"}, nil},
		{"summary-show-json", []string{"summary", "show", "--date", "2026-03-01", "-o", "json"}, nil},
		{"summary-show-store", []string{"summary", "show", "--date", "2026-03-01", "--store", "2"}, nil},
		{"summary-show-all-stores", []string{"summary", "show", "--date", "2026-03-01", "--store", "all"}, nil},
		{"summary-show-no-low-stock", []string{"summary", "show", "--date", "2026-03-01", "--store", "3"}, nil},
		{"summary-show-page", []string{"summary", "show", "--date", "2026-03-02", "--page-size", "3"}, nil},
		{"summary-show-all-json", []string{"summary", "show", "--date", "2026-03-02", "--all", "--page-size", "3", "-o", "json"}, nil},
		{"summary-show-csv", []string{"summary", "show", "--date", "2026-03-01", "-o", "csv"}, nil},
		{"summary-show-all-csv", []string{"summary", "show", "--date", "2026-03-02", "--all", "--page-size", "3", "-o", "csv"}, nil},
		{"summary-show-empty", []string{"summary", "show", "--date", "2020-01-01"}, nil},

		// API errors: exit 1.
		{"summary-show-forbidden", []string{"summary", "show", "--date", "2026-03-01", "--store", "all"},
			map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"summary-latest-other-store", []string{"summary", "latest", "--store", "1"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"summary-run-staff", []string{"summary", "run"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"summary-latest-unknown-store", []string{"summary", "latest", "--store", "99"}, nil},
		{"summary-latest-no-token", []string{"summary", "latest"}, map[string]string{"AFORRO_TOKEN": ""}},
		// Usage errors: exit 2.
		{"usage-summary-show-no-date", []string{"summary", "show"}, nil},
		{"usage-summary-show-bad-date", []string{"summary", "show", "--date", "1/3/2026"}, nil},
		{"usage-summary-show-bad-store", []string{"summary", "show", "--date", "2026-03-01", "--store", "downtown"}, nil},
		// The server cannot be reached: exit 3.
		{"unreachable-summary-latest", []string{"summary", "latest"}, map[string]string{"AFORRO_URL": unreachable}},
	})
}

// TestSummaryNotYet: before the first summary, latest fails with the
// server's sentence, and a store without rows says so.
func TestSummaryNotYet(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	runGolden(t, srv, srv.URL, []goldenRun{
		{"summary-latest-none", []string{"summary", "latest"}, nil},
		{"summary-latest-store-none", []string{"summary", "latest", "--store", "3"}, nil},
	})
}

// TestSummaryRun computes today's summary: its date and times are the
// clock's, so the transcripts name them <today> and <now>.
func TestSummaryRun(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	today := regexp.MustCompile(regexp.QuoteMeta(time.Now().UTC().Format(aforro.DateLayout)) + `\b`)
	runGolden(t, srv, srv.URL, []goldenRun{
		{"summary-run", []string{"summary", "run"}, nil},
		{"summary-run-json", []string{"summary", "run", "-o", "json"}, nil},
	}, replacement{clockTimes, "<now>"}, replacement{today, "<today>"})
}

// TestSummaryToday shows today's live row: orders placed today, one of them
// cancelled again, which sold nothing. Its date and times are the clock's.
func TestSummaryToday(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	c := srv.apiClient(t)
	mustPlace(t, c, 1, "", lines(1, 2, 2, 1))
	mustPlace(t, c, 1, "", lines(5, 2000))
	mustPlace(t, c, 1, "", lines(4, 1))
	if _, err := c.CancelOrder(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	harbourStaff := srv.Token(t, aforro.RoleStaff, 2)
	today := regexp.MustCompile(regexp.QuoteMeta(time.Now().UTC().Format(aforro.DateLayout)) + `\b`)
	runGolden(t, srv, srv.URL, []goldenRun{
		{"summary-today", []string{"summary", "today"}, nil},
		{"summary-today-store", []string{"summary", "today", "--store", "1"}, nil},
		{"summary-today-json", []string{"summary", "today", "--store", "1", "-o", "json"}, nil},
		{"summary-today-scoped", []string{"summary", "today"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"summary-today-scoped-all", []string{"summary", "today", "--store", "all"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"usage-summary-today-bad-store", []string{"summary", "today", "--store", "downtown"}, nil},
	}, replacement{clockTimes, "<now>"}, replacement{today, "<today>"})
}

// fixedJobs reports a fixed scheduler state, standing in for the jobs of an
// aforrod process, whose times would change from run to run.
type fixedJobs aforro.SchedulerStatus

func (f fixedJobs) Status() aforro.SchedulerStatus { return aforro.SchedulerStatus(f) }

func TestJobsGolden(t *testing.T) {
	t.Parallel()
	at := func(s string) *time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return &t
	}
	cfg := server.DefaultConfig()
	cfg.Jobs = fixedJobs{Instance: "web-1-4242", Leader: "web-1-4242", IsLeader: true, LeaderSince: at("2026-03-01T08:00:00Z"),
		Elections: 1, Redis: "ok", Outbox: aforro.DispatcherStats{Sent: 3, Retried: 1},
		Jobs: []aforro.JobStats{
			{Name: "daily_summary", Runs: 2, NextRunAt: at("2026-03-04T00:00:00Z"), LastStartedAt: at("2026-03-03T00:00:00Z"), LastDurationMS: 1520},
			{Name: "daily_summary_catch_up", Runs: 50, Skips: 3, NextRunAt: at("2026-03-03T10:37:00Z"), LastStartedAt: at("2026-03-03T09:37:00Z"), LastDurationMS: 12},
			{Name: "purge_idempotency_keys", Runs: 50, Failures: 1, LastError: "purge idempotency keys: timeout: context deadline exceeded",
				NextRunAt: at("2026-03-03T10:07:00Z"), LastStartedAt: at("2026-03-03T09:07:00Z"), LastDurationMS: 30000},
		}}
	srv := newTestServerWith(t, cfg)
	withOrders(t, srv) // one confirmation email in the outbox
	srv.Exec(t, `INSERT INTO job_runs (job, run_date, instance, started_at, finished_at, detail) VALUES
		('daily_summary', '2026-03-01', 'web-2-77', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00.4Z', '4 rows'),
		('daily_summary', '2026-03-02', 'web-1-4242', '2026-03-03T00:00:00Z', '2026-03-03T00:00:01.52Z', '4 rows')`)
	follower := cfg
	follower.Jobs = fixedJobs{Instance: "web-2-77", Leader: "web-1-4242", Redis: "unreachable"}
	withoutJobs := newTestServer(t)
	unreachable := closedURL(t)
	runGolden(t, srv, unreachable, []goldenRun{
		{"jobs", []string{"jobs"}, nil},
		{"jobs-json", []string{"jobs", "-o", "json"}, nil},
		{"jobs-staff", []string{"jobs"}, map[string]string{"AFORRO_TOKEN": srv.Token(t, aforro.RoleStaff)}},
		{"unreachable-jobs", []string{"jobs"}, map[string]string{"AFORRO_URL": unreachable}},
	})
	runGolden(t, withoutJobs, unreachable, []goldenRun{{"jobs-no-scheduler", []string{"jobs"}, nil}})
	runGolden(t, newTestServerWith(t, follower), unreachable, []goldenRun{{"jobs-follower", []string{"jobs"}, nil}})
}

// TestSummaryHighlight checks the colours of the summary tables: red for
// out-of-stock counts and items and for rejected orders, yellow for low
// stock, nothing for zeros.
func TestSummaryHighlight(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withSummaries(t, srv)
	const (
		red    = "\x1b[1;31m"
		yellow = "\x1b[33m"
	)
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"], env["CLICOLOR_FORCE"] = srv.URL, srv.Admin, "1"
	tests := []struct {
		args  []string
		lines map[string][]string // a line's start: which of red and yellow it holds
	}{
		{[]string{"summary", "show", "--date", "2026-03-01"}, map[string][]string{
			"All stor": {red, yellow}, "Downtown": {red, yellow}, "Harbour": {yellow}, "Empty": nil}},
		{[]string{"summary", "show", "--date", "2026-03-01", "--store", "1"}, map[string][]string{
			"      3": {red}}},
		{[]string{"summary", "latest", "--store", "2"}, map[string][]string{
			"      1": {yellow}}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCLI(t, invocation{args: tc.args, env: env})
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			found := map[string]bool{}
			for l := range strings.SplitSeq(r.stdout, "\n") {
				plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(l, "")
				for start, want := range tc.lines {
					if !strings.HasPrefix(plain, start) {
						continue
					}
					found[start] = true
					for _, esc := range []string{red, yellow} {
						if got := strings.Contains(l, esc); got != slices.Contains(want, esc) {
							t.Errorf("line %q holds %q: %v, want %v", l, esc, got, !got)
						}
					}
				}
			}
			if len(found) != len(tc.lines) {
				t.Errorf("found the lines %v of %v:\n%s", found, slices.Sorted(maps.Keys(tc.lines)), r.stdout)
			}
		})
	}
}
