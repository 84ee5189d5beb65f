package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// SummaryDay is the day a scheduled summary run at t summarises: the last
// complete UTC day before t, so the midnight run summarises the day that just
// ended. (POST /api/summaries/run/ computes today so far instead.)
func SummaryDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
}

// LastTick returns the latest time at or before now at which c fires,
// looking back at most eight days (a weekly schedule's reach); ok is false
// when c did not fire in that time.
func LastTick(c gocron.Cron, now time.Time) (tick time.Time, ok bool) {
	const maxTicks = 8*24*60 + 1 // one a minute for eight days bounds the loop
	t := now.Add(-8 * 24 * time.Hour)
	for range maxTicks {
		next := c.Next(t)
		if next.IsZero() || next.After(now) {
			break
		}
		tick, ok, t = next, true, next
	}
	return tick, ok
}

// dailySummary is the scheduled run.
func (j *Jobs) dailySummary(ctx context.Context) error {
	return j.Summarise(ctx, SummaryDay(time.Now()), "scheduled")
}

// catchUp summarises the day of the latest summary tick if no run did: a
// tick skipped because no instance led (or Redis was unreachable) at that
// moment is made up at the next hourly check or election.
func (j *Jobs) catchUp(ctx context.Context) error {
	j.logStatus(ctx)
	tick, ok := LastTick(j.cron, time.Now())
	if !ok {
		return nil
	}
	day := SummaryDay(tick)
	done, err := j.db.HasJobRun(ctx, JobDailySummary, day)
	if err != nil || done {
		return err
	}
	j.log.Warn("jobs: the daily summary of a past tick is missing; catching up",
		"date", day.Format(aforro.DateLayout), "tick", tick.Format(time.RFC3339))
	return j.Summarise(ctx, day, "catch-up")
}

// logStatus writes the hourly status line of the leader: the outbox counts
// and the latest run of every daily job, cluster-wide from PostgreSQL.
func (j *Jobs) logStatus(ctx context.Context) {
	counts, err := j.db.OutboxCounts(ctx)
	if err != nil {
		j.log.Warn("jobs: cannot count the outbox", "error", err)
		return
	}
	runs, err := j.db.LastJobRuns(ctx)
	if err != nil {
		j.log.Warn("jobs: cannot read the job runs", "error", err)
		return
	}
	attrs := []any{"outbox_pending", counts.Pending, "outbox_sent", counts.Sent, "outbox_failed", counts.Failed}
	for _, r := range runs {
		attrs = append(attrs, r.Job+"_last", fmt.Sprintf("%s by %s in %dms", r.RunDate, r.Instance, r.DurationMS))
	}
	j.log.Info("jobs: status", attrs...)
}

// Summarise runs the daily summary of day at most once cluster-wide: in one
// transaction with its job_runs row, which a run for the same day elsewhere
// (a late tick, a catch-up, another leader) finds taken. reason is logged.
func (j *Jobs) Summarise(ctx context.Context, day time.Time, reason string) error {
	start := time.Now()
	var rows int
	ran, err := j.db.RunOnce(ctx, JobDailySummary, day, j.cfg.Instance, func(tx pgx.Tx) (string, error) {
		res, err := db.GenerateSummaries(ctx, tx, day, j.cfg.LowStock)
		rows = len(res)
		if err != nil || j.cfg.StockDigestTo == "" {
			return fmt.Sprintf("%d rows (%s, low stock <= %d)", rows, reason, j.cfg.LowStock), err
		}
		// The day's digests are written under the summary's job_runs
		// guard, so a day is digested once cluster-wide; the dispatcher
		// mails each (at least once, as every outbox email).
		digests, err := db.EnqueueStockDigests(ctx, tx, day, j.cfg.StockDigestTo)
		return fmt.Sprintf("%d rows, %d stock digests (%s, low stock <= %d)", rows, digests, reason, j.cfg.LowStock), err
	})
	date := day.Format(aforro.DateLayout)
	if err != nil {
		return fmt.Errorf("daily summary of %s: %w", date, err)
	}
	if !ran {
		j.log.Info("jobs: daily summary already done by a run elsewhere", "date", date, "reason", reason)
		return nil
	}
	j.log.Info("jobs: daily summary generated", "date", date, "rows", rows, "reason", reason,
		"took", time.Since(start).Round(time.Millisecond).String())
	return nil
}
