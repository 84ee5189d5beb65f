//go:build faults

package faults_test

import (
	"context"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"
)

// suggestBudget is the autocomplete limit the three instances share.
const suggestBudget = 30

// TestThreeInstances runs three instances against one Redis and one
// PostgreSQL: the autocomplete budget of a client is one across all three;
// exactly one of them runs the jobs; and a rolling restart under load, each
// instance in turn sent SIGTERM with a drain delay while the load client
// (playing the proxy) follows /readyz, loses no order that a retry with its
// Idempotency-Key does not recover, and runs no daily job twice. It also
// logs the WAL the orders wrote, for docs/scaling.md.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t)
	// A generous Redis bound: the budget is counted in Redis even when the
	// machine is loaded (past the bound each process would decide alone).
	env := append(slices.Clip(c.env), "AFORRO_DRAIN_DELAY=1s", "AFORRO_SUGGEST_LIMIT=30", "AFORRO_SUGGEST_WINDOW=1m",
		"AFORRO_RATE_LIMIT_REDIS_TIMEOUT=5s")
	ins := []*instance{startInstance(t, "a", env), startInstance(t, "b", env), startInstance(t, "c", env)}

	// One budget: twice the limit, spread over the three, is allowed the
	// limit (and at most a token or two refilled meanwhile), and each
	// instance refuses some.
	allowed, limitedBy := 0, map[string]int{}
	for n := range 2 * suggestBudget {
		in := ins[n%len(ins)]
		switch status, body := get(t, in.url()+"/api/search/suggest/?q=pro", ""); status {
		case http.StatusOK:
			allowed++
		case http.StatusTooManyRequests:
			limitedBy[in.name]++
		default:
			t.Fatalf("suggest on %s: %d %s", in.name, status, body)
		}
	}
	if allowed < suggestBudget || allowed > suggestBudget+2 || len(limitedBy) != len(ins) {
		t.Errorf("%d of %d autocomplete requests allowed (limit %d), refused by %v; want one budget across the instances",
			allowed, 2*suggestBudget, suggestBudget, limitedBy)
	}

	leaders := func() (n int) {
		for _, in := range ins {
			if jobsStatus(c, in).IsLeader {
				n++
			}
		}
		return n
	}
	waitFor(t, 10*time.Second, "a jobs leader", func() bool { return leaders() >= 1 })
	if n := leaders(); n != 1 {
		t.Errorf("%d instances lead the jobs, want 1", n)
	}
	waitFor(t, 10*time.Second, "the catch-up summary", func() bool { return summaryRuns(ins...) >= 1 })

	var walBefore int64
	db := c.pg.conn(t)
	if err := db.QueryRow(ctx, `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint`).Scan(&walBefore); err != nil {
		t.Fatal(err)
	}
	l := newLoad(c, ins...)
	during(l, 20*time.Second, func(ctx context.Context) {
		// The proxy: every 100ms, send new requests to the ready instances.
		pctx, stopProxy := context.WithCancel(ctx)
		defer stopProxy()
		go func() {
			for pctx.Err() == nil {
				var ready []*instance
				for _, in := range ins {
					if readyStatus(in) == http.StatusOK {
						ready = append(ready, in)
					}
				}
				if len(ready) > 0 {
					l.setTargets(ready...)
				}
				sleepCtx(pctx, 100*time.Millisecond)
			}
		}()
		sleepCtx(ctx, 2*time.Second)
		for _, in := range ins {
			in.signal(syscall.SIGTERM)
			if code, ok := in.wait(30 * time.Second); !ok || code != 0 {
				t.Errorf("%s after SIGTERM: exit code %d, exited %v\n%s", in.name, code, ok, in.logs())
				return
			}
			in.start()
			waitFor(t, 10*time.Second, in.name+" to be ready again", func() bool { return readyStatus(in) == http.StatusOK })
		}
	})
	l.check(t)
	for _, lost := range l.lost {
		t.Errorf("lost its answer to the rolling restart: %s", lost)
	}
	waitFor(t, 10*time.Second, "a jobs leader after the restarts", func() bool { return leaders() >= 1 })
	if n := leaders(); n != 1 {
		t.Errorf("%d instances lead the jobs after the restarts, want 1", n)
	}
	if n := summaryRuns(ins...); n != 1 {
		t.Errorf("the daily summary ran %d times, want once", n)
	}
	var walAfter, orders int64
	if err := db.QueryRow(ctx, `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint, (SELECT count(*) FROM orders)`).Scan(&walAfter, &orders); err != nil {
		t.Fatal(err)
	}
	t.Logf("WAL: %d bytes for %d orders answered (%d in the database, confirmed and rejected, with their emails sent and %d cancellations): %d bytes per order",
		walAfter-walBefore, len(l.placed), orders, len(l.cancelled), (walAfter-walBefore)/int64(max(len(l.placed), 1)))
}
