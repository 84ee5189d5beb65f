package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Scheduler runs jobs on the cluster's leader only: a gocron v2 scheduler in
// UTC whose distributed elector decides, at every tick, whether this
// instance runs it. A job never overlaps itself: a tick that comes while the
// previous run is still going is skipped. It counts runs, failures and
// skipped ticks per job, for the admin view.
type Scheduler struct {
	sched gocron.Scheduler
	log   *slog.Logger

	mu    sync.Mutex
	names []string // in registration order
	jobs  map[string]*registered
}

// registered is one job and what the scheduler counted for it.
type registered struct {
	fn    func(context.Context) error
	job   gocron.Job
	stats aforro.JobStats
}

// NewScheduler returns a stopped scheduler that asks el before every run.
// stopTimeout bounds how long Shutdown waits for running jobs.
func NewScheduler(el gocron.Elector, stopTimeout time.Duration, log *slog.Logger) (*Scheduler, error) {
	s := &Scheduler{log: log, jobs: map[string]*registered{}}
	sched, err := gocron.NewScheduler(
		gocron.WithLocation(time.UTC),
		gocron.WithDistributedElector(el),
		gocron.WithMonitor(monitor{s}),
		gocron.WithLogger(log.With("component", "gocron")),
		gocron.WithStopTimeout(stopTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("jobs: new scheduler: %w", err)
	}
	s.sched = sched
	return s, nil
}

// Add registers fn as the job name, run at def's times on the leader. fn gets
// a context that ends when the scheduler shuts down; an error it returns is
// logged and counted.
func (s *Scheduler) Add(name string, def gocron.JobDefinition, fn func(context.Context) error) error {
	r := &registered{fn: fn, stats: aforro.JobStats{Name: name}}
	s.mu.Lock()
	if _, dup := s.jobs[name]; dup {
		s.mu.Unlock()
		return fmt.Errorf("jobs: job %q is already registered", name)
	}
	s.jobs[name] = r
	s.mu.Unlock()
	// gocron is called without s.mu held: its goroutines call back into s.
	job, err := s.sched.NewJob(def,
		gocron.NewTask(func(ctx context.Context) error { return s.run(ctx, name) }),
		gocron.WithName(name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
	)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		delete(s.jobs, name)
		return fmt.Errorf("jobs: schedule %s: %w", name, err)
	}
	r.job = job
	s.names = append(s.names, name)
	return nil
}

// Start starts ticking.
func (s *Scheduler) Start() { s.sched.Start() }

// Shutdown stops ticking and waits for running jobs, at most the stop
// timeout; their contexts are cancelled first.
func (s *Scheduler) Shutdown() error {
	if err := s.sched.Shutdown(); err != nil {
		return fmt.Errorf("jobs: shut the scheduler down: %w", err)
	}
	return nil
}

// Run runs the registered job name now, in the caller's goroutine and
// whatever the elector says, counting it like a scheduled run. Callers use it
// for work that must not wait for the next tick, such as a catch-up on
// gaining leadership.
func (s *Scheduler) Run(ctx context.Context, name string) error {
	return s.run(ctx, name)
}

func (s *Scheduler) run(ctx context.Context, name string) error {
	s.mu.Lock()
	r, ok := s.jobs[name]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("jobs: no job %q", name)
	}
	start := time.Now().UTC()
	r.stats.Runs++
	r.stats.LastStartedAt = &start
	s.mu.Unlock()

	// Whatever a job changes records the job as its maker (migration 012).
	err := r.fn(db.WithActor(ctx, db.Actor{Source: aforro.SourceJob}))

	took := time.Since(start)
	s.mu.Lock()
	r.stats.LastDurationMS = took.Milliseconds()
	r.stats.LastError = ""
	if err != nil {
		r.stats.Failures++
		r.stats.LastError = err.Error()
	}
	s.mu.Unlock()
	switch {
	case err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil:
		s.log.Info("jobs: run interrupted by shutdown", "job", name, "took", took.String())
	case err != nil:
		s.log.Error("jobs: run failed", "job", name, "took", took.String(), "error", err)
	default:
		s.log.Debug("jobs: run finished", "job", name, "took", took.String())
	}
	return err
}

// Stats returns what the scheduler counted per job, in registration order.
func (s *Scheduler) Stats() []aforro.JobStats {
	s.mu.Lock()
	out := make([]aforro.JobStats, 0, len(s.names))
	jobs := make([]gocron.Job, 0, len(s.names))
	for _, name := range s.names {
		out = append(out, s.jobs[name].stats)
		jobs = append(jobs, s.jobs[name].job)
	}
	s.mu.Unlock()
	// gocron is asked without s.mu held: its goroutines call back into s.
	for i, job := range jobs {
		if next, err := job.NextRun(); err == nil && !next.IsZero() {
			next = next.UTC()
			out[i].NextRunAt = &next
		}
	}
	return out
}

// skipped counts a tick gocron did not run.
func (s *Scheduler) skipped(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.jobs[name]; ok {
		r.stats.Skips++
	}
}

// monitor receives gocron's per-run outcomes; only skips are news to us,
// since Scheduler.run counts runs and failures itself.
type monitor struct{ s *Scheduler }

// IncrementJob implements gocron.Monitor.
func (m monitor) IncrementJob(_ uuid.UUID, name string, _ []string, status gocron.JobStatus) {
	if slices.Contains([]gocron.JobStatus{gocron.Skip, gocron.SingletonRescheduled}, status) {
		m.s.skipped(name)
	}
}

// RecordJobTiming implements gocron.Monitor.
func (monitor) RecordJobTiming(time.Time, time.Time, uuid.UUID, string, []string) {}
