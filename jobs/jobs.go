// Package jobs runs Aforro's background work next to the API (aforrod serve;
// --no-jobs opts an instance out).
//
// Scheduled jobs run on one leader per cluster: a gocron v2 scheduler asks an
// Elector, a lease in Redis (SET NX PX, renewed by its owner through a Lua
// compare-and-extend, given up only on a clean shutdown), before every tick.
// A dead leader is replaced about one lease TTL (--leader-ttl, 15 s by
// default) after its last renewal; one that stops cleanly, within a tenth of
// it. While Redis is unreachable the leader keeps leading only until its
// lease could have lapsed, then its jobs pause (a warning is logged) until
// Redis answers again; no two instances ever lead at once. Because gocron
// skips a tick silently on a non-leader, every daily run is also guarded in
// PostgreSQL: its job_runs (job, run_date) row is inserted in the run's own
// transaction, so one day is summarised once whatever the lease did, and an
// hourly check (also run on winning an election) catches up a day whose tick
// no leader ran.
//
// The jobs:
//   - daily_summary (--summary-cron, midnight UTC by default) summarises the
//     last complete UTC day before the run: the midnight run summarises the
//     day that just ended. POST /api/summaries/run/ computes today so far.
//   - daily_summary_catch_up (hourly) runs it for the latest tick's day when
//     job_runs says no one did.
//   - purge_idempotency_keys (hourly) deletes keys older than 24 hours.
//
// The WebhookDispatcher delivers the outbox events to the webhook endpoints
// subscribed to them, the same way: on every instance, claims with a lease,
// at least once, retried with backoff for 25 hours.
//
// The outbox Dispatcher sends order confirmation emails. It runs on every
// instance, not only the leader: claims use FOR UPDATE SKIP LOCKED with a
// lease, so instances never claim one event at once, and emails keep flowing
// while Redis is down. Delivery is at least once, with exponential backoff
// and a final "failed" state.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Job names, as they appear in job_runs, logs and the admin view.
const (
	JobDailySummary  = "daily_summary"
	JobSummaryCatch  = "daily_summary_catch_up"
	JobPurgeIdemKeys = "purge_idempotency_keys"
)

// Fixed schedules: the purge and the summary catch-up run hourly, off the
// hour so they do not meet the midnight summary.
const (
	purgeCron   = "7 * * * *"
	catchUpCron = "37 * * * *"
	// idempotencyKeyAge is how long keys are kept; API.md promises 24 hours.
	idempotencyKeyAge = 24 * time.Hour
)

// Config holds the jobs' settings.
type Config struct {
	// Instance identifies this process in the leader lease, logs and
	// job_runs; empty means hostname-pid-random.
	Instance string
	// LeaderKey is the Redis key of the leader lease; instances sharing it
	// form one cluster.
	LeaderKey string
	// LeaderTTL is the lease's time to live: a dead leader is replaced at
	// most about this long after its last renewal.
	LeaderTTL time.Duration
	// SummaryCron is the daily summary's schedule, a five-field crontab in
	// UTC. A run summarises the last complete UTC day before it.
	SummaryCron string
	// LowStock is the threshold at or below which stock counts as low.
	LowStock int
	// StockDigestTo, when set, receives each store's daily digest of the
	// rows that fell to their reorder point (or ran out) that day, written
	// with the day's summary.
	StockDigestTo string
	// MailFrom is the sender of order emails.
	MailFrom string
	// StopTimeout bounds how long shutdown waits for a running job.
	StopTimeout time.Duration
	// Outbox tunes the email dispatcher.
	Outbox OutboxConfig
	// Webhooks tunes the webhook dispatcher.
	Webhooks WebhookConfig
}

// DefaultConfig returns the settings API.md documents as defaults.
func DefaultConfig() Config {
	return Config{
		LeaderKey:   "aforro:jobs:leader",
		LeaderTTL:   15 * time.Second,
		SummaryCron: "0 0 * * *",
		LowStock:    5,
		MailFrom:    "orders@aforro.local",
		StopTimeout: 30 * time.Second,
		Outbox:      DefaultOutboxConfig(),
		Webhooks:    DefaultWebhookConfig(),
	}
}

// Validate checks the settings.
func (c Config) Validate() error {
	if _, err := ParseCron(c.SummaryCron); err != nil {
		return err
	}
	if c.LeaderTTL < 300*time.Millisecond || c.LeaderTTL > 10*time.Minute {
		return fmt.Errorf("jobs: the leader TTL must be between 300ms and 10m, not %s", c.LeaderTTL)
	}
	if c.LeaderKey == "" {
		return errors.New("jobs: the leader key must not be empty")
	}
	if c.LowStock < 0 {
		return errors.New("jobs: the low-stock threshold must be >= 0")
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Name != "" || a.Address != c.MailFrom {
		return fmt.Errorf("jobs: the mail sender %q is not a plain email address", c.MailFrom)
	}
	if a, err := mail.ParseAddress(c.StockDigestTo); c.StockDigestTo != "" && (err != nil || a.Name != "" || a.Address != c.StockDigestTo) {
		return fmt.Errorf("jobs: the stock digest address %q is not a plain email address", c.StockDigestTo)
	}
	if c.StopTimeout <= 0 {
		return errors.New("jobs: the stop timeout must be positive")
	}
	if err := c.Outbox.Validate(); err != nil {
		return err
	}
	return c.Webhooks.Validate()
}

// ParseCron checks a five-field crontab meant for UTC and returns it ready
// to compute times. A time zone prefix is refused: summaries are for UTC
// days.
func ParseCron(crontab string) (gocron.Cron, error) {
	t := strings.TrimSpace(crontab)
	if strings.HasPrefix(t, "TZ=") || strings.HasPrefix(t, "CRON_TZ=") {
		return nil, fmt.Errorf("jobs: schedule %q: no time zone, please; schedules are in UTC", crontab)
	}
	c := gocron.NewDefaultCron(false)
	if err := c.IsValid(t, time.UTC, time.Now()); err != nil {
		// gocron joins its own sentence to the parser's; the parser's says what is wrong.
		lines := strings.Split(err.Error(), "\n")
		return nil, fmt.Errorf("jobs: schedule %q is not a five-field crontab (minute hour day month weekday): %s",
			crontab, lines[len(lines)-1])
	}
	return c, nil
}

// Jobs is the background work of one aforrod process.
type Jobs struct {
	cfg        Config
	db         *db.DB
	log        *slog.Logger
	cron       gocron.Cron
	elector    *Elector
	sched      *Scheduler
	dispatcher *Dispatcher
	webhooks   *WebhookDispatcher
}

// New wires the jobs over their dependencies; nothing runs until Run.
func New(cfg Config, d *db.DB, rdb redis.UniversalClient, m Mailer, log *slog.Logger) (*Jobs, error) {
	if cfg.Instance == "" {
		cfg.Instance = defaultInstance()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cron, _ := ParseCron(cfg.SummaryCron) // checked by Validate
	j := &Jobs{cfg: cfg, db: d, log: log.With("instance", cfg.Instance), cron: cron}
	var err error
	// The elector names the instance in its own log lines.
	if j.elector, err = NewElector(rdb, cfg.LeaderKey, cfg.Instance, cfg.LeaderTTL, log, j.elected); err != nil {
		return nil, err
	}
	if j.sched, err = NewScheduler(j.elector, cfg.StopTimeout, j.log); err != nil {
		return nil, err
	}
	if j.dispatcher, err = NewDispatcher(cfg.Outbox, d, m, cfg.MailFrom, j.log); err != nil {
		return nil, err
	}
	if j.webhooks, err = NewWebhookDispatcher(cfg.Webhooks, d, j.log); err != nil {
		return nil, err
	}
	for _, job := range []struct {
		name, crontab string
		fn            func(context.Context) error
	}{
		{JobDailySummary, cfg.SummaryCron, j.dailySummary},
		{JobSummaryCatch, catchUpCron, j.catchUp},
		{JobPurgeIdemKeys, purgeCron, j.purgeIdempotencyKeys},
	} {
		if err := j.sched.Add(job.name, gocron.CronJob(job.crontab, false), job.fn); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// Instance is this process's identity among the jobs' instances.
func (j *Jobs) Instance() string { return j.cfg.Instance }

// Run runs the jobs until ctx ends, then stops them cleanly: the scheduler
// first (waiting for a running job, at most StopTimeout), then the
// dispatcher (waiting for emails in flight), and last the elector, which
// gives the lease up so a standby takes over at once.
func (j *Jobs) Run(ctx context.Context) error {
	electorCtx, stopElector := context.WithCancel(context.WithoutCancel(ctx))
	defer stopElector()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		j.elector.Run(electorCtx)
	}()
	dispatched := make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(dispatched)
		var dwg sync.WaitGroup
		dwg.Add(1)
		go func() {
			defer dwg.Done()
			j.webhooks.Run(ctx)
		}()
		j.dispatcher.Run(ctx)
		dwg.Wait()
	}()
	j.sched.Start()
	j.log.Info("jobs: started", "summary_cron", j.cfg.SummaryCron, "leader_ttl", j.cfg.LeaderTTL.String(),
		"leader_key", j.cfg.LeaderKey)
	<-ctx.Done()
	err := j.sched.Shutdown()
	<-dispatched
	stopElector()
	wg.Wait()
	j.log.Info("jobs: stopped")
	return err
}

// RunJob runs the registered job name now on this instance, whoever leads,
// counted like a scheduled run. The daily summary's own guard still makes it
// a no-op for a day already summarised.
func (j *Jobs) RunJob(ctx context.Context, name string) error {
	return j.sched.Run(ctx, name)
}

// Status reports this instance's election and scheduler state.
func (j *Jobs) Status() aforro.SchedulerStatus {
	st := j.elector.state()
	s := aforro.SchedulerStatus{
		Instance:  j.cfg.Instance,
		Leader:    st.leader,
		IsLeader:  st.isLeader,
		Elections: st.elections,
		Redis:     "ok",
		Jobs:      j.sched.Stats(),
		Outbox:    j.dispatcher.Stats(),
	}
	if st.redisDown {
		s.Redis = "unreachable"
	}
	if st.isLeader {
		since := st.since.UTC()
		s.LeaderSince = &since
	}
	return s
}

// elected runs the summary catch-up as soon as this instance leads, so a day
// whose midnight tick fell on no leader (all down, Redis down, a handover)
// is summarised now rather than at the next hourly check.
func (j *Jobs) elected(ctx context.Context) {
	_ = j.sched.Run(ctx, JobSummaryCatch) // logged and counted by the scheduler
}

// purgeIdempotencyKeys deletes keys older than 24 hours.
func (j *Jobs) purgeIdempotencyKeys(ctx context.Context) error {
	n, err := j.db.PurgeIdempotencyKeys(ctx, idempotencyKeyAge)
	if err != nil {
		return err
	}
	j.log.Info("jobs: purged old idempotency keys", "deleted", n, "older_than", idempotencyKeyAge.String())
	return nil
}

// defaultInstance names this process: host, pid and a random suffix, so two
// processes never share an identity even in identical containers.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "aforrod"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
