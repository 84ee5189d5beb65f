package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// RunOnce runs fn for (job, day) at most once cluster-wide: in one
// transaction it inserts the job_runs row ON CONFLICT DO NOTHING, and only
// when the row is new runs fn in that transaction and records how it went.
// A concurrent caller for the same (job, day) waits on the row and then finds
// it taken. When fn fails the row rolls back with its work, so a later
// catch-up can run the day again. ran reports whether fn ran and committed.
// detail is a short account of the run stored with the row (at most 1,000
// characters).
func (d *DB) RunOnce(ctx context.Context, job string, day time.Time, instance string,
	fn func(pgx.Tx) (detail string, err error)) (ran bool, err error) {
	err = d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO job_runs (job, run_date, instance) VALUES ($1, $2, $3)
			ON CONFLICT (job, run_date) DO NOTHING`, job, utcDay(day), instance)
		if err != nil {
			return wrapError(err, fmt.Sprintf("claim %s run of %s", job, utcDay(day).Format(aforro.DateLayout)))
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		detail, err := fn(tx)
		if err != nil {
			return err
		}
		if r := []rune(detail); len(r) > 1000 {
			detail = string(r[:1000])
		}
		if _, err := tx.Exec(ctx, `UPDATE job_runs SET finished_at = clock_timestamp(), detail = $3
			WHERE job = $1 AND run_date = $2`, job, utcDay(day), detail); err != nil {
			return wrapError(err, fmt.Sprintf("record %s run", job))
		}
		ran = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return ran, nil
}

// HasJobRun reports whether (job, day) has a completed run.
func (d *DB) HasJobRun(ctx context.Context, job string, day time.Time) (bool, error) {
	var ok bool
	err := d.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM job_runs WHERE job = $1 AND run_date = $2)`,
		job, utcDay(day)).Scan(&ok)
	if err != nil {
		return false, wrapError(err, fmt.Sprintf("look up %s run", job))
	}
	return ok, nil
}

// LastJobRuns returns the newest completed run of every job, by job name.
func (d *DB) LastJobRuns(ctx context.Context) ([]aforro.JobRun, error) {
	rows, err := d.Pool.Query(ctx, `SELECT DISTINCT ON (job) job, run_date, instance, started_at, finished_at, detail
		  FROM job_runs ORDER BY job, run_date DESC`)
	if err != nil {
		return nil, wrapError(err, "last job runs")
	}
	runs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.JobRun, error) {
		var jr aforro.JobRun
		var day time.Time
		err := r.Scan(&jr.Job, &day, &jr.Instance, &jr.StartedAt, &jr.FinishedAt, &jr.Detail)
		jr.RunDate = day.Format(aforro.DateLayout)
		jr.StartedAt, jr.FinishedAt = jr.StartedAt.UTC(), jr.FinishedAt.UTC()
		jr.DurationMS = jr.FinishedAt.Sub(jr.StartedAt).Milliseconds()
		return jr, err
	})
	if err != nil {
		return nil, wrapError(err, "last job runs")
	}
	if runs == nil {
		runs = []aforro.JobRun{}
	}
	return runs, nil
}
