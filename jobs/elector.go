package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors IsLeader answers with; gocron skips the tick on any of them.
var (
	ErrNotLeader     = errors.New("jobs: another instance holds the leader lease")
	ErrLeaseUnsure   = errors.New("jobs: the leader lease could not be renewed in time (Redis unreachable?)")
	ErrLeaseSettling = errors.New("jobs: leadership was just gained; waiting for the settle time")
)

// extendLua renews the lease only for its owner: compare, then extend.
const extendLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`

// releaseLua deletes the lease only for its owner.
const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

// Elector elects one leader per cluster over a Redis lease, for gocron's
// WithDistributedElector. The lease is a key holding the leader's instance id
// with a TTL: taken with SET NX PX and renewed every TTL/3 only by its owner
// (a Lua compare-and-extend). It is never released after a run, only on a
// clean shutdown, so an instance whose scheduler fires a little late cannot
// take it and run the same tick again. A standby tries to take it every TTL/10, so when a leader dies
// another takes over at most TTL + TTL/10 + the settle time after the last
// renewal; after a clean shutdown, within TTL/10 + the settle time.
//
// The leader counts itself the leader only until its own conservative
// deadline (the time it sent its last successful renewal plus 90% of the
// TTL), which passes before Redis expires the key, so two instances never
// both believe they lead. With Redis unreachable the leader stops leading at
// that deadline: jobs pause, a warning is logged, and they resume when Redis
// answers again. A new leader also waits a settle time (TTL/10, at most one
// second) before running anything, so a tick the previous leader ran just
// before losing the lease is not run again by a scheduler that evaluated it
// late.
type Elector struct {
	rdb       redis.UniversalClient
	key       string
	id        string
	ttl       time.Duration
	log       *slog.Logger
	onElected func(ctx context.Context)
	extend    *redis.Script
	drop      *redis.Script

	mu         sync.Mutex
	holding    bool      // this instance holds the lease as far as it knows
	validUntil time.Time // no one else can hold the lease before then
	settledAt  time.Time // when the current term may run jobs
	term       int64     // counts the terms won
	leader     string    // the holder Redis last named, "" for none or unknown
	redisDown  bool
	since      time.Time // start of the current term
}

// NewElector returns an elector for instance id over the lease at key with
// the given TTL (at least 300ms, so renewals and polls keep a sane pace).
// onElected, when not nil, is called in its own goroutine each time a term
// becomes effective (after the settle time), with a context that ends with
// the term or with Run.
func NewElector(rdb redis.UniversalClient, key, id string, ttl time.Duration, log *slog.Logger,
	onElected func(ctx context.Context)) (*Elector, error) {
	switch {
	case rdb == nil:
		return nil, errors.New("jobs: the elector needs a Redis client")
	case key == "" || id == "":
		return nil, errors.New("jobs: the elector needs a lease key and an instance id")
	case ttl < 300*time.Millisecond:
		return nil, fmt.Errorf("jobs: leader TTL %s is too short; use at least 300ms", ttl)
	}
	return &Elector{rdb: rdb, key: key, id: id, ttl: ttl, log: log, onElected: onElected,
		extend: redis.NewScript(extendLua), drop: redis.NewScript(releaseLua)}, nil
}

// ID is this instance's identity in the lease.
func (e *Elector) ID() string { return e.id }

// IsLeader implements gocron.Elector: nil only while this instance holds the
// lease, before its deadline and after the settle time.
func (e *Elector) IsLeader(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leading(time.Now())
}

// leading is IsLeader with e.mu held.
func (e *Elector) leading(now time.Time) error {
	switch {
	case !e.holding:
		return ErrNotLeader
	case !now.Before(e.validUntil):
		return ErrLeaseUnsure
	case now.Before(e.settledAt):
		return ErrLeaseSettling
	}
	return nil
}

// Run keeps the lease (or tries to take it) until ctx ends, then releases it
// if held. Stop the jobs that depend on leadership before cancelling ctx.
func (e *Elector) Run(ctx context.Context) {
	var termDone chan struct{} // closed when the current term ends
	endTerm := func() {
		if termDone != nil {
			close(termDone)
			termDone = nil
		}
	}
	var wg sync.WaitGroup
	defer func() {
		endTerm()
		wg.Wait()
		e.release()
	}()
	for {
		newTerm, lost := e.step(ctx)
		if lost || newTerm {
			endTerm()
		}
		if newTerm && e.onElected != nil {
			termDone = make(chan struct{})
			wg.Add(1)
			go func(done <-chan struct{}) {
				defer wg.Done()
				e.elected(ctx, done)
			}(termDone)
		}
		wait := e.ttl / 10 // a standby polls often so it takes over soon after the lease lapses
		if e.holdingNow() {
			wait = e.ttl / 3
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// elected calls onElected once the settle time has passed, with a context
// that ends when the term does.
func (e *Elector) elected(ctx context.Context, termDone <-chan struct{}) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-termDone:
			cancel()
		case <-ctx.Done():
		}
	}()
	select {
	case <-ctx.Done():
		return
	case <-time.After(e.settle()):
	}
	e.onElected(ctx)
}

// settle is how long a new term waits before running jobs.
func (e *Elector) settle() time.Duration { return min(e.ttl/10, time.Second) }

func (e *Elector) holdingNow() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.holding
}

// step renews or takes the lease once. newTerm reports a term just won; lost
// a term that just ended.
func (e *Elector) step(ctx context.Context) (newTerm, lost bool) {
	cctx, cancel := context.WithTimeout(ctx, e.ttl/3)
	defer cancel()
	sent := time.Now()
	e.mu.Lock()
	holding := e.holding
	e.mu.Unlock()

	if holding {
		n, err := e.extend.Run(cctx, e.rdb, []string{e.key}, e.id, e.ttl.Milliseconds()).Int()
		if err != nil {
			return false, e.redisError(ctx, err)
		}
		e.redisUp()
		if n == 1 {
			e.mu.Lock()
			e.validUntil = sent.Add(e.ttl * 9 / 10)
			e.leader = e.id
			e.mu.Unlock()
			return false, false
		}
		e.mu.Lock()
		e.holding = false
		e.mu.Unlock()
		lost = true
		e.log.Warn("jobs: lost the leader lease; another instance may lead now", "instance", e.id)
	}

	ok, err := e.rdb.SetNX(cctx, e.key, e.id, e.ttl).Result()
	if err != nil {
		return false, e.redisError(ctx, err) || lost
	}
	e.redisUp()
	if ok {
		return e.won(sent), lost
	}
	holder, err := e.rdb.Get(cctx, e.key).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, e.redisError(ctx, err) || lost
	}
	if holder == e.id {
		// Our own lease from before Redis went away: it is still ours to extend.
		n, err := e.extend.Run(cctx, e.rdb, []string{e.key}, e.id, e.ttl.Milliseconds()).Int()
		if err != nil {
			return false, e.redisError(ctx, err) || lost
		}
		if n == 1 {
			return e.won(sent), lost
		}
		holder = ""
	}
	e.mu.Lock()
	e.leader = holder
	e.mu.Unlock()
	return false, lost
}

// won starts a term whose lease was taken at sent.
func (e *Elector) won(sent time.Time) bool {
	e.mu.Lock()
	e.holding = true
	e.validUntil = sent.Add(e.ttl * 9 / 10)
	e.settledAt = sent.Add(e.settle())
	e.since = sent
	e.term++
	e.leader = e.id
	e.mu.Unlock()
	e.log.Info("jobs: this instance is now the leader", "instance", e.id, "lease_ttl", e.ttl.String())
	return true
}

// redisError records a failed Redis call. A leader keeps leading until its
// deadline, since no one else can take the lease before then; past it, the
// term ends. It reports whether a term ended.
func (e *Elector) redisError(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.redisDown {
		e.redisDown = true
		e.log.Warn("jobs: Redis is unreachable; scheduled jobs pause until it answers",
			"instance", e.id, "error", err)
	}
	e.leader = ""
	if e.holding && !time.Now().Before(e.validUntil) {
		e.holding = false
		return true
	}
	return false
}

func (e *Elector) redisUp() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.redisDown {
		e.redisDown = false
		e.log.Info("jobs: Redis answers again; scheduled jobs resume on the leader", "instance", e.id)
	}
}

// release gives the lease up on shutdown, if still ours, so a standby takes
// over at its next poll instead of after the TTL.
func (e *Elector) release() {
	e.mu.Lock()
	holding := e.holding
	e.holding = false
	e.mu.Unlock()
	if !holding {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e.drop.Run(ctx, e.rdb, []string{e.key}, e.id).Err(); err != nil {
		e.log.Warn("jobs: could not release the leader lease; it lapses after its TTL",
			"instance", e.id, "error", err)
		return
	}
	e.log.Info("jobs: released the leader lease", "instance", e.id)
}

// electorState is a snapshot of the elector for status reports.
type electorState struct {
	leader    string
	isLeader  bool
	since     time.Time
	elections int64
	redisDown bool
}

// state reads everything under one lock, so that it never says this
// instance leads while naming another leader, or none.
func (e *Elector) state() electorState {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := electorState{leader: e.leader, isLeader: e.leading(time.Now()) == nil, elections: e.term, redisDown: e.redisDown}
	if st.isLeader {
		st.leader = e.id
	}
	if e.term > 0 {
		st.since = e.since
	}
	return st
}
