package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aforro/aforro"
)

// JobsCmd shows the background jobs.
type JobsCmd struct{}

// Help is shown under the usage of the command.
func (JobsCmd) Help() string {
	return "Needs an admin token. Shows which instance leads the jobs (the daily summary and\n" +
		"its hourly catch-up, the idempotency-key purge) and, for the instance that\n" +
		"answered, what its scheduler did since it started; then, from PostgreSQL and so\n" +
		"for the whole cluster, the last run of each daily job and the order emails in\n" +
		"the outbox. Behind a load balancer each call may reach another instance.\n\n" +
		"Examples:\n\n" +
		"    aforroctl jobs\n" +
		"    aforroctl jobs -o json | jq .outbox.failed"
}

// Run shows the jobs.
func (c *JobsCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, cl.Jobs, func(st aforro.JobsStatus) error { return writeJobs(a.out, st) })
}

// writeJobs writes the jobs status: the instance and leader, the
// scheduler's jobs, the last runs and the outbox.
func writeJobs(p *printer, st aforro.JobsStatus) error {
	outbox := fmt.Sprintf("%d pending, %d sent, %d failed", st.Outbox.Pending, st.Outbox.Sent, st.Outbox.Failed)
	var marks map[string]mark
	if st.Outbox.Failed > 0 {
		marks = map[string]mark{"Outbox": markOut}
	}
	sched := st.Scheduler
	if sched == nil {
		fields := []field{{"Instance", "runs no jobs (aforrod serve --no-jobs)"}, {"Outbox", outbox}}
		if err := p.writeMarkedDetail(fields, marks); err != nil {
			return err
		}
		return writeJobRuns(p, st.LastRuns)
	}
	leader := sched.Leader
	switch {
	case sched.IsLeader && sched.LeaderSince != nil:
		leader = "this instance, since " + formatTime(*sched.LeaderSince)
	case sched.IsLeader:
		leader = "this instance"
	case leader == "":
		leader = "none"
	}
	fields := []field{
		{"Instance", sched.Instance},
		{"Leader", leader},
		{"Elections", fmtInt(sched.Elections) + " won by this instance"},
		{"Redis", sched.Redis},
		{"Emails", fmt.Sprintf("%d sent, %d retried, %d failed by this instance", sched.Outbox.Sent, sched.Outbox.Retried, sched.Outbox.Failed)},
		{"Outbox", outbox},
	}
	if sched.Redis != "ok" {
		if marks == nil {
			marks = map[string]mark{}
		}
		marks["Redis"] = markOut
	}
	if err := p.writeMarkedDetail(fields, marks); err != nil {
		return err
	}
	if len(sched.Jobs) > 0 {
		if err := p.blankLine(); err != nil {
			return err
		}
		if err := writeTable(p, jobStatsView, sched.Jobs); err != nil {
			return err
		}
	}
	return writeJobRuns(p, st.LastRuns)
}

// writeJobRuns writes the last run of each daily job, after a blank line.
func writeJobRuns(p *printer, runs []aforro.JobRun) error {
	if len(runs) == 0 {
		p.note("No daily job has completed a run yet.")
		return nil
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	return writeTable(p, jobRunView, runs)
}

// jobStatsView is the table of one instance's jobs, failing ones highlighted.
var jobStatsView = view[aforro.JobStats]{
	noun: "jobs",
	columns: []column{{title: "JOB"}, {title: "RUNS", right: true}, {title: "FAILURES", right: true},
		{title: "SKIPS", right: true}, {title: "LAST STARTED"}, {title: "TOOK", right: true}, {title: "NEXT RUN"},
		{title: "LAST ERROR", flex: true}},
	cells: func(j aforro.JobStats) []string {
		last, took := "", ""
		if j.LastStartedAt != nil {
			last, took = formatTime(*j.LastStartedAt), formatMS(j.LastDurationMS)
		}
		next := ""
		if j.NextRunAt != nil {
			next = formatTime(*j.NextRunAt)
		}
		return []string{j.Name, fmtInt(j.Runs), fmtInt(j.Failures), fmtInt(j.Skips), last, took, next, j.LastError}
	},
	mark: func(j aforro.JobStats) mark {
		if j.LastError != "" {
			return markOut
		}
		return unmarked
	},
}

// jobRunView is the table of the last completed run of each daily job.
var jobRunView = view[aforro.JobRun]{
	noun: "job runs",
	columns: []column{{title: "LAST RUN OF"}, {title: "DAY"}, {title: "INSTANCE", flex: true}, {title: "STARTED"},
		{title: "TOOK", right: true}, {title: "DETAIL", flex: true}},
	cells: func(r aforro.JobRun) []string {
		return []string{r.Job, r.RunDate, r.Instance, formatTime(r.StartedAt), formatMS(r.DurationMS), r.Detail}
	},
}

// formatMS writes a duration in milliseconds as people read it.
func formatMS(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return (time.Duration(ms) * time.Millisecond).Round(100 * time.Millisecond).String()
}
