package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/jobs"
)

// running is a jobs.Jobs running until stop is called.
type running struct {
	j    *jobs.Jobs
	stop func() error
	logs *logBuffer
}

func runJobs(t *testing.T, d *db.DB, key, instance string) *running {
	t.Helper()
	cfg := jobs.DefaultConfig()
	cfg.Instance = instance
	cfg.LeaderKey = key
	cfg.LeaderTTL = 600 * time.Millisecond
	cfg.Outbox = testOutbox()
	log, logs := newLogger()
	j, err := jobs.New(cfg, d, dbtest.Redis(t), jobs.LogMailer{Log: log}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- j.Run(ctx) }()
	var stopped bool
	var runErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			runErr = <-done
		}
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return &running{j: j, stop: stop, logs: logs}
}

// TestJobsCatchUp starts the jobs on a database that has no summary of
// yesterday: on winning the election the instance summarises yesterday (the
// day the last midnight tick was for), once. A second instance neither leads
// nor summarises again, even after it takes over; stopping releases the
// lease.
func TestJobsCatchUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := shopDB(t)
	key := leaderKey(t)
	yesterday := jobs.SummaryDay(time.Now())

	a := runJobs(t, d, key, "node-a")
	waitFor(t, 10*time.Second, "the catch-up summary", func() bool {
		ok, err := d.HasJobRun(ctx, jobs.JobDailySummary, yesterday)
		return err == nil && ok
	})
	rows, err := d.ListSummaries(ctx, aforro.SummaryFilter{Date: yesterday}, aforro.PageRequest{Page: 1, PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rows.Count != 2 || rows.Results[0].StoreID != nil || rows.Results[0].SKUCount != 2 {
		t.Fatalf("summaries of yesterday = %+v; want the all-stores row and Downtown's", rows.Results)
	}
	st := a.j.Status()
	if !st.IsLeader || st.Leader != "node-a" || st.Instance != "node-a" || st.Elections != 1 || st.Redis != "ok" ||
		st.LeaderSince == nil {
		t.Fatalf("status of node-a = %+v", st)
	}
	names := map[string]aforro.JobStats{}
	for _, js := range st.Jobs {
		names[js.Name] = js
	}
	if c := names[jobs.JobSummaryCatch]; c.Runs != 1 || c.Failures != 0 || c.LastStartedAt == nil {
		t.Errorf("catch-up stats = %+v, want one successful run", c)
	}
	if s := names[jobs.JobDailySummary]; s.NextRunAt == nil || s.NextRunAt.Hour() != 0 || s.NextRunAt.Minute() != 0 {
		t.Errorf("daily summary stats = %+v, want the next run at midnight UTC", s)
	}
	if _, ok := names[jobs.JobPurgeIdemKeys]; !ok {
		t.Errorf("no %s job among %v", jobs.JobPurgeIdemKeys, st.Jobs)
	}

	checkMetrics(t, a.j, map[string]float64{
		"aforro_jobs_leader":                                1,
		"aforro_jobs_elections_total":                       1,
		"aforro_jobs_redis_up":                              1,
		"aforro_job_runs_total{job=daily_summary_catch_up}": 1,
		"aforro_job_runs_total{job=daily_summary}":          0,
	})

	b := runJobs(t, d, key, "node-b")
	waitFor(t, 5*time.Second, "node-b to see node-a lead", func() bool { return b.j.Status().Leader == "node-a" })
	if b.j.Status().IsLeader {
		t.Fatal("node-b leads while node-a holds the lease")
	}

	if err := a.stop(); err != nil {
		t.Fatalf("stop node-a: %v", err)
	}
	waitFor(t, 5*time.Second, "node-b to lead", func() bool { return b.j.Status().IsLeader })
	// node-b's catch-up check ends with its status line, which names the run
	// node-a made. (Its stats count the run from its start, so waiting on them
	// would race the line.)
	want := "daily_summary_last=\"" + yesterday.Format(aforro.DateLayout) + " by node-a"
	waitFor(t, 5*time.Second, "node-b's status line naming node-a's run", func() bool {
		return strings.Contains(b.logs.String(), want)
	})
	if strings.Contains(b.logs.String(), "msg=\"jobs: run failed\"") {
		t.Errorf("a run failed on node-b:\n%s", b.logs)
	}
	for _, js := range b.j.Status().Jobs {
		if js.Name == jobs.JobSummaryCatch && (js.Runs != 1 || js.LastStartedAt == nil) {
			t.Errorf("node-b's catch-up stats = %+v, want one run", js)
		}
	}
	runs, err := d.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Instance != "node-a" || runs[0].RunDate != yesterday.Format(aforro.DateLayout) {
		t.Fatalf("job runs = %+v; want node-a's one run of yesterday", runs)
	}

	if err := b.stop(); err != nil {
		t.Fatalf("stop node-b: %v", err)
	}
	if err := dbtest.Redis(t).Get(ctx, key).Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("the lease is still held after every instance stopped cleanly: %v", err)
	}
	if !strings.Contains(b.logs.String(), "jobs: stopped") {
		t.Error("node-b did not log its clean stop")
	}
}

// checkMetrics gathers the jobs' collector and compares the named series.
func checkMetrics(t *testing.T, j *jobs.Jobs, want map[string]float64) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(j.Collector())
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Fatalf("metrics lint: %v %v", problems, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				if l.GetName() != "instance_id" {
					name += "{" + l.GetName() + "=" + l.GetValue() + "}"
				}
			}
			switch {
			case m.GetGauge() != nil:
				got[name] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				got[name] = m.GetCounter().GetValue()
			}
		}
	}
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("metric %s = %v (present: %v), want %v", name, g, ok, v)
		}
	}
}

// TestSummaryDay pins down which day a run summarises.
func TestSummaryDay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ at, want string }{
		{"2026-03-10T00:00:00Z", "2026-03-09"},
		{"2026-03-10T23:59:59Z", "2026-03-09"},
		{"2026-03-01T00:00:05Z", "2026-02-28"},
		{"2026-03-10T01:30:00+02:00", "2026-03-08"}, // 23:30 UTC on the 9th
	} {
		at, err := time.Parse(time.RFC3339, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := jobs.SummaryDay(at).Format(aforro.DateLayout); got != tc.want {
			t.Errorf("SummaryDay(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

// TestLastTick checks the catch-up's notion of the latest due tick.
func TestLastTick(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		cron string
		want time.Time
	}{
		{"0 0 * * *", time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)},
		{"0 12 * * *", time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)},
		{"30 9 * * *", now},
		{"0 0 * * 1", time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)}, // Monday
	} {
		c, err := jobs.ParseCron(tc.cron)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := jobs.LastTick(c, now)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("LastTick(%q) = %s, %v; want %s", tc.cron, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "* * *", "61 * * * *", "CRON_TZ=Europe/Lisbon 0 0 * * *", "0 0 * * * *"} {
		if _, err := jobs.ParseCron(bad); err == nil {
			t.Errorf("ParseCron(%q) succeeded", bad)
		}
	}
}

// TestConfigValidate checks the settings aforrod serve passes on.
func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := jobs.DefaultConfig().Validate(); err != nil {
		t.Fatalf("the default config is invalid: %v", err)
	}
	for name, change := range map[string]func(*jobs.Config){
		"ttl too short":   func(c *jobs.Config) { c.LeaderTTL = 100 * time.Millisecond },
		"ttl too long":    func(c *jobs.Config) { c.LeaderTTL = time.Hour },
		"bad cron":        func(c *jobs.Config) { c.SummaryCron = "every day" },
		"bad sender":      func(c *jobs.Config) { c.MailFrom = "Orders <orders@example.com>" },
		"lease too short": func(c *jobs.Config) { c.Outbox.Lease = c.Outbox.SendTimeout },
		"no key":          func(c *jobs.Config) { c.LeaderKey = "" },
		"negative stock":  func(c *jobs.Config) { c.LowStock = -1 },
	} {
		c := jobs.DefaultConfig()
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
}

// TestPurgeIdempotencyKeys runs the hourly purge: keys older than 24 hours
// go, younger ones stay.
func TestPurgeIdempotencyKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := shopDB(t)
	if _, err := d.Pool.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES
		('1', 'old', '\x00', now() - interval '25 hours'), ('1', 'young', '\x00', now() - interval '23 hours')`); err != nil {
		t.Fatal(err)
	}
	cfg := jobs.DefaultConfig()
	cfg.LeaderKey = leaderKey(t)
	log, logs := newLogger()
	j, err := jobs.New(cfg, d, dbtest.Redis(t), jobs.LogMailer{Log: log}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RunJob(ctx, jobs.JobPurgeIdemKeys); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := d.Pool.Query(ctx, `SELECT key FROM idempotency_keys ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if rows.Err() != nil || len(keys) != 1 || keys[0] != "young" {
		t.Fatalf("keys left = %v (%v); want only the young one", keys, rows.Err())
	}
	if !strings.Contains(logs.String(), "deleted=1") {
		t.Errorf("the purge did not log what it deleted:\n%s", logs)
	}
	if err := j.RunJob(ctx, "no_such_job"); err == nil {
		t.Error("RunJob of an unknown job succeeded")
	}
}
