//go:build faults

package faults_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aforro/aforro"
)

// clients is how many clients place orders at once in every scenario.
const clients = 16

// during runs the load for d against targets while fault runs, and returns
// once every client has its last order answered.
func during(l *load, d time.Duration, fault func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { l.run(ctx, clients) })
	fault(ctx)
	wg.Wait()
}

// jobsStatus is an instance's GET /api/admin/jobs/ (zero when it does not
// answer).
func jobsStatus(c *cluster, in *instance) aforro.SchedulerStatus {
	req, _ := http.NewRequest(http.MethodGet, in.url()+"/api/admin/jobs/", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return aforro.SchedulerStatus{}
	}
	defer resp.Body.Close()
	var st aforro.JobsStatus
	if json.NewDecoder(resp.Body).Decode(&st) != nil || st.Scheduler == nil {
		return aforro.SchedulerStatus{}
	}
	return *st.Scheduler
}

// summaryRuns counts the daily summaries the instances generated for one
// day, from their logs: the guard in PostgreSQL allows one per day.
func summaryRuns(ins ...*instance) int {
	n := 0
	for _, in := range ins {
		n += strings.Count(in.logs(), "jobs: daily summary generated")
	}
	return n
}

// TestKillInstance kills the jobs leader with SIGKILL while two instances
// take orders: clients retry on the other with their keys, the other takes
// the jobs over within the lease, and no daily job runs twice.
func TestKillInstance(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := startInstance(t, "a", c.env), startInstance(t, "b", c.env)
	var leader, other *instance
	waitFor(t, 10*time.Second, "a leader", func() bool {
		switch {
		case jobsStatus(c, a).IsLeader:
			leader, other = a, b
		case jobsStatus(c, b).IsLeader:
			leader, other = b, a
		}
		return leader != nil
	})
	// The leader caught up yesterday's summary when it was elected.
	waitFor(t, 10*time.Second, "the catch-up summary", func() bool { return summaryRuns(a, b) == 1 })
	l := newLoad(c, a, b)
	during(l, 8*time.Second, func(ctx context.Context) {
		sleepCtx(ctx, 3*time.Second)
		leader.kill()
		waitFor(t, 5*time.Second, "the other instance to lead", func() bool { return jobsStatus(c, other).IsLeader })
	})
	l.check(t)
	if n := summaryRuns(a, b); n != 1 {
		t.Errorf("the daily summary ran %d times, want once", n)
	}
}

// TestPostgreSQLRestartAndOutage restarts PostgreSQL under load, then
// crashes it and keeps it down for several seconds: clients get 503 with
// Retry-After meanwhile, aforrod recovers without a restart, and nothing is
// half-written (the WAL recovery after the crash included).
func TestPostgreSQLRestartAndOutage(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := startInstance(t, "a", c.env), startInstance(t, "b", c.env)
	pids := []int{a.pid(), b.pid()}
	l := newLoad(c, a, b)
	during(l, 14*time.Second, func(ctx context.Context) {
		sleepCtx(ctx, 2*time.Second)
		c.pg.restart()
		sleepCtx(ctx, 2*time.Second)
		c.pg.crash()
		time.Sleep(4 * time.Second)
		c.pg.start()
	})
	l.check(t)
	if l.statuses[http.StatusServiceUnavailable] == 0 {
		t.Error("no client was told 503 while PostgreSQL was down")
	}
	for i, in := range []*instance{a, b} {
		select {
		case <-in.done:
			t.Errorf("%s exited:\n%s", in.name, in.logs())
		default:
		}
		if in.pid() != pids[i] {
			t.Errorf("%s was restarted", in.name)
		}
		logs := in.logs()
		if n := strings.Count(logs, "PostgreSQL is unreachable"); n < 1 || n > 4 {
			t.Errorf("%s logged the outages %d times, want once each (2)", in.name, n)
		}
		if strings.Contains(logs, `"msg":"internal error"`) {
			t.Errorf("%s answered internal errors:\n%s", in.name, logs)
		}
	}
}

// TestRedisOutage stops Redis under load and starts it again: orders never
// notice, autocomplete keeps answering (limited per process), the jobs
// pause without a leader and resume with one, and no daily job runs twice.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := startInstance(t, "a", c.env), startInstance(t, "b", c.env)
	waitFor(t, 10*time.Second, "a leader", func() bool { return jobsStatus(c, a).IsLeader || jobsStatus(c, b).IsLeader })
	l := newLoad(c, a, b)
	var suggestBad []string
	during(l, 10*time.Second, func(ctx context.Context) {
		var wg sync.WaitGroup
		wg.Go(func() { // autocomplete throughout
			for ctx.Err() == nil {
				status, _, body := l.do(http.MethodGet, "/api/search/suggest/?q=pro", nil, "")
				if status != http.StatusOK && status != http.StatusTooManyRequests {
					suggestBad = append(suggestBad, string(body))
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		sleepCtx(ctx, 2*time.Second)
		c.redis.stop()
		waitFor(t, 5*time.Second, "the jobs to pause", func() bool {
			return !jobsStatus(c, a).IsLeader && !jobsStatus(c, b).IsLeader
		})
		time.Sleep(2 * time.Second)
		c.redis.start()
		waitFor(t, 10*time.Second, "a leader again", func() bool { return jobsStatus(c, a).IsLeader || jobsStatus(c, b).IsLeader })
		wg.Wait()
	})
	l.check(t)
	if n := l.statuses[http.StatusServiceUnavailable]; n != 0 {
		t.Errorf("%d answers were 503 while only Redis was down", n)
	}
	if len(suggestBad) > 0 {
		t.Errorf("%d autocomplete answers were neither 200 nor 429, e.g. %s", len(suggestBad), suggestBad[0])
	}
	if n := summaryRuns(a, b); n != 1 {
		t.Errorf("the daily summary ran %d times, want once", n)
	}
}

// TestGracefulShutdown sends SIGTERM to an instance under load, as a
// rolling restart does: for its drain delay it keeps serving while /readyz
// fails, the load (playing the load balancer) moves to the other instance
// when it sees that, the orders in flight are answered, and the process
// exits 0 well within its grace period.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := startInstance(t, "a", append(slices.Clip(c.env), "AFORRO_DRAIN_DELAY=2s"))
	b := startInstance(t, "b", c.env)
	l := newLoad(c, a, b)
	during(l, 7*time.Second, func(ctx context.Context) {
		sleepCtx(ctx, 2*time.Second)
		start := time.Now()
		a.signal(syscall.SIGTERM)
		waitFor(t, 2*time.Second, "a's /readyz to fail", func() bool { return readyStatus(a) != http.StatusOK })
		l.setTargets(b)
		if s := readyStatus(a); s != http.StatusServiceUnavailable {
			t.Errorf("a's /readyz while draining answered %d, want 503", s)
		}
		code, ok := a.wait(30 * time.Second)
		if took := time.Since(start); !ok || code != 0 || took < 2*time.Second {
			t.Errorf("after SIGTERM: exit code %d, exited %v after %s; want 0 after the 2 s drain, within the grace period\n%s",
				code, ok, took, a.logs())
		}
	})
	l.check(t)
	for _, lost := range l.lost {
		t.Errorf("lost its answer to a graceful shutdown: %s", lost)
	}
}

// readyStatus is in's /readyz status, 0 when it does not answer.
func readyStatus(in *instance) int {
	resp, err := http.Get(in.url() + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOutboxUnderSMTPFaults has the mail server refuse, hang past the
// sender's timeout and hang up in the middle of messages while orders with
// emails come in, and refuse one recipient for good: every email is
// delivered in the end, retried with backoff, and the refused one is marked
// failed with the server's reason.
func TestOutboxUnderSMTPFaults(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := startInstance(t, "a", c.env)
	l := newLoad(c, a)
	db := c.pg.conn(t)
	var store, product int64
	if err := db.QueryRow(context.Background(), `SELECT store_id, product_id FROM inventory WHERE quantity > 10 LIMIT 1`).
		Scan(&store, &product); err != nil {
		t.Fatal(err)
	}
	c.smtp.refuseForGood("refused@")
	body, _ := json.Marshal(aforro.PlaceOrder{StoreID: store, CustomerEmail: "refused@example.com",
		Items: []aforro.OrderLine{{ProductID: product, QuantityRequested: 1}}})
	if o, ok := l.place("refused-1", body); !ok || o.Status != aforro.StatusConfirmed {
		t.Fatalf("the order for the refused recipient: %+v", o)
	}
	during(l, 9*time.Second, func(ctx context.Context) {
		for _, m := range []smtpMode{smtpRefuse, smtpHang, smtpHangUp, smtpAccept} {
			c.smtp.setMode(m)
			sleepCtx(ctx, 2*time.Second)
		}
	})
	c.smtp.setMode(smtpAccept)
	l.check(t)
	var retried int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE attempts > 1`).Scan(&retried); err != nil {
		t.Fatal(err)
	}
	if retried == 0 {
		t.Error("no email was retried although the server failed them")
	}
	var status, lastErr string
	err := db.QueryRow(context.Background(), `SELECT status, coalesce(last_error, '') FROM outbox
		WHERE payload->>'customer_email' = 'refused@example.com'`).Scan(&status, &lastErr)
	switch {
	case err != nil:
		t.Fatal(err)
	case status != "failed" || !strings.Contains(lastErr, "550"):
		t.Errorf("the refused recipient's event: %s with %q; want failed with the 550", status, lastErr)
	}
}
