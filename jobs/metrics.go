package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// collector exports the jobs' status as Prometheus metrics, read at scrape
// time from the elector, the scheduler and the dispatcher.
type collector struct {
	j *Jobs

	leader, elections, redisUp       *prometheus.Desc
	runs, failures, skips            *prometheus.Desc
	lastDuration, lastStart, nextRun *prometheus.Desc
	emails                           *prometheus.Desc
	webhooks, webhooksPending        *prometheus.Desc
}

// Collector returns the jobs' metrics, to be registered next to the
// server's: leadership, runs, failures and skipped ticks per job, the last
// run's start and duration, and the emails this instance sent, retried and
// failed. (The outbox's pending count is the server's aforro_outbox_pending.)
func (j *Jobs) Collector() prometheus.Collector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, prometheus.Labels{"instance_id": j.cfg.Instance})
	}
	return &collector{
		j:               j,
		leader:          desc("aforro_jobs_leader", "1 while this instance leads the jobs cluster and may run scheduled jobs, else 0."),
		elections:       desc("aforro_jobs_elections_total", "Times this instance became the jobs leader."),
		redisUp:         desc("aforro_jobs_redis_up", "1 when the jobs elector's last Redis call succeeded, else 0."),
		runs:            desc("aforro_job_runs_total", "Runs of a scheduled job started by this instance.", "job"),
		failures:        desc("aforro_job_failures_total", "Runs of a scheduled job on this instance that ended in an error.", "job"),
		skips:           desc("aforro_job_skips_total", "Ticks of a scheduled job this instance skipped: not the leader, or the previous run still going.", "job"),
		lastDuration:    desc("aforro_job_last_duration_seconds", "Duration of the job's last run on this instance.", "job"),
		lastStart:       desc("aforro_job_last_start_timestamp_seconds", "Unix time the job's last run on this instance started.", "job"),
		nextRun:         desc("aforro_job_next_run_timestamp_seconds", "Unix time of the job's next tick.", "job"),
		emails:          desc("aforro_outbox_emails_total", "Outbox emails this instance settled, by outcome: sent, retried (a failed attempt rescheduled) or failed (given up).", "outcome"),
		webhooks:        desc("aforro_webhook_deliveries_total", "Webhook attempts this instance settled, by outcome: delivered (2xx), retried (a failed attempt rescheduled), failed (given up or 410 Gone) and disabled (endpoints disabled by a 410).", "outcome"),
		webhooksPending: desc("aforro_webhook_deliveries_pending", "Webhook deliveries waiting for an attempt, cluster-wide (absent when PostgreSQL does not answer)."),
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.leader, c.elections, c.redisUp, c.runs, c.failures, c.skips,
		c.lastDuration, c.lastStart, c.nextRun, c.emails, c.webhooks, c.webhooksPending} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.j.Status()
	metric := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	metric(c.leader, prometheus.GaugeValue, boolValue(st.IsLeader))
	metric(c.elections, prometheus.CounterValue, float64(st.Elections))
	metric(c.redisUp, prometheus.GaugeValue, boolValue(st.Redis == "ok"))
	for _, js := range st.Jobs {
		metric(c.runs, prometheus.CounterValue, float64(js.Runs), js.Name)
		metric(c.failures, prometheus.CounterValue, float64(js.Failures), js.Name)
		metric(c.skips, prometheus.CounterValue, float64(js.Skips), js.Name)
		if js.LastStartedAt != nil {
			metric(c.lastDuration, prometheus.GaugeValue, float64(js.LastDurationMS)/1000, js.Name)
			metric(c.lastStart, prometheus.GaugeValue, float64(js.LastStartedAt.UnixMilli())/1000, js.Name)
		}
		if js.NextRunAt != nil {
			metric(c.nextRun, prometheus.GaugeValue, float64(js.NextRunAt.Unix()), js.Name)
		}
	}
	metric(c.emails, prometheus.CounterValue, float64(st.Outbox.Sent), "sent")
	metric(c.emails, prometheus.CounterValue, float64(st.Outbox.Retried), "retried")
	metric(c.emails, prometheus.CounterValue, float64(st.Outbox.Failed), "failed")
	ws := c.j.webhooks.Stats()
	metric(c.webhooks, prometheus.CounterValue, float64(ws.Delivered), "delivered")
	metric(c.webhooks, prometheus.CounterValue, float64(ws.Retried), "retried")
	metric(c.webhooks, prometheus.CounterValue, float64(ws.Failed), "failed")
	metric(c.webhooks, prometheus.CounterValue, float64(ws.Disabled), "disabled")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := c.j.db.WebhookDepth(ctx); err == nil {
		metric(c.webhooksPending, prometheus.GaugeValue, float64(n))
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
