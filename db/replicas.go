package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aforro/aforro"
)

// Read replicas take the reads a caller marks as able to be a little behind
// (the public catalogue), through Read. The caller says what may go to a
// replica, never the SQL: a read that must see a write (its own response,
// the same client's next read) simply calls the method on the primary.
//
// A replica's lag is measured against the primary's WAL positions: every
// check samples pg_current_wal_lsn() on the primary, then reads the
// replica's replay position, and the replica is as far behind as the oldest
// sample it has not replayed yet. An idle primary is thus no lag (the
// replica has everything), and a replica whose replay is paused falls
// behind by the clock as soon as the primary writes, which
// pg_last_xact_replay_timestamp() alone would get wrong in both directions
// after an idle spell. Only when a replica is behind every sample kept (just
// after start) does its own replay timestamp stand in.

// DefaultMaxReplicaLag is how far behind the primary a replica may be and
// still serve reads.
const DefaultMaxReplicaLag = 5 * time.Second

// ReplicaConfig says which replicas serve reads and how stale they may be.
type ReplicaConfig struct {
	// URLs are the replicas' connection URLs.
	URLs []string
	// MaxLag is the most a replica may be behind the primary and still
	// serve reads; 0 means DefaultMaxReplicaLag.
	MaxLag time.Duration
	// CheckInterval is how often each replica is checked; 0 picks a fifth
	// of MaxLag, between 100ms and 1s.
	CheckInterval time.Duration
}

// PoolStat is one pool's share of the reads, for metrics.
type PoolStat struct {
	// Name is "primary" or a replica's host:port.
	Name    string
	Replica bool
	// Reads counts the calls of Read this pool answered or tried to answer;
	// Errors those that failed here (on a replica, each was retried on the
	// primary unless the client was at fault or went away).
	Reads, Errors uint64
	// Healthy and Lag are a replica's state at its last check.
	Healthy bool
	Lag     time.Duration
}

// replica is one read pool and what the checker last found.
type replica struct {
	name    string
	db      *DB // a DB over the replica's pool alone
	healthy atomic.Bool
	lag     atomic.Int64 // nanoseconds
	reads   atomic.Uint64
	errors  atomic.Uint64
	down    string // why it was last unhealthy, for the log; the checker's alone

	mu sync.Mutex
	// alive is the context of the reads on the replica while it is
	// healthy; marking it down cancels them, and Read retries them on the
	// primary, so a replica that stops answering (a network partition
	// holds a query for minutes) costs a read at most a check interval.
	alive context.Context
	kill  context.CancelFunc
}

// markUp makes r eligible for reads; it reports whether it already was.
func (r *replica) markUp() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.healthy.Load() {
		return true
	}
	r.alive, r.kill = context.WithCancel(context.Background())
	r.healthy.Store(true)
	return false
}

// markDown takes r out of the reads and cancels those under way on it; it
// reports whether r was healthy.
func (r *replica) markDown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.healthy.Load() {
		return false
	}
	r.healthy.Store(false)
	r.kill()
	return true
}

// aliveContext is the context that ends when r is next marked down.
func (r *replica) aliveContext() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.alive == nil { // never healthy: nothing should read it
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	return r.alive
}

// replicaSet is the replicas of a primary and their checker.
type replicaSet struct {
	primary  *DB
	replicas []*replica
	maxLag   time.Duration
	interval time.Duration
	log      *slog.Logger
	next     atomic.Uint64 // round-robin position

	primaryReads, primaryErrors atomic.Uint64

	samples []walSample // the checker's alone
	stop    context.CancelFunc
	done    chan struct{}
}

// walSample is the primary's WAL position at a moment.
type walSample struct {
	at  time.Time
	lsn int64
}

// OpenReplicas adds read replicas to d and starts checking them: each is
// used once a check finds it answering within the lag limit, which the
// first, run before OpenReplicas returns, may already. A replica that does
// not answer is no error: it is skipped until it does. Close stops the
// checks and closes the replicas' pools.
func (d *DB) OpenReplicas(ctx context.Context, cfg ReplicaConfig, log *slog.Logger) error {
	if len(cfg.URLs) == 0 {
		return nil
	}
	if d.replicas != nil {
		return errors.New("replicas are already open")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxLag <= 0 {
		cfg.MaxLag = DefaultMaxReplicaLag
	}
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = min(max(cfg.MaxLag/5, 100*time.Millisecond), time.Second)
	}
	rs := &replicaSet{primary: d, maxLag: cfg.MaxLag, interval: cfg.CheckInterval, log: log, done: make(chan struct{})}
	for _, url := range cfg.URLs {
		pcfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			rs.closePools()
			return fmt.Errorf("read replica %s: %w", Redact(url), wrapError(err, "parse database url"))
		}
		if pcfg.ConnConfig.ConnectTimeout == 0 || pcfg.ConnConfig.ConnectTimeout > cfg.CheckInterval*5 {
			// A replica that cannot be reached must not hold a request
			// long before it is retried on the primary.
			pcfg.ConnConfig.ConnectTimeout = max(cfg.CheckInterval*5, time.Second)
		}
		if !strings.Contains(url, "pool_max_conns") {
			pcfg.MaxConns = d.Pool.Config().MaxConns // as many readers as the primary has
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg) // connects lazily
		if err != nil {
			rs.closePools()
			return fmt.Errorf("read replica %s: %w", Redact(url), wrapError(err, "open database pool"))
		}
		name := net.JoinHostPort(pcfg.ConnConfig.Host, strconv.Itoa(int(pcfg.ConnConfig.Port)))
		rs.replicas = append(rs.replicas, &replica{name: name, db: &DB{Pool: pool}, down: "not checked yet"})
	}
	rs.check(ctx)
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	rs.stop = stop
	go rs.run(cctx)
	d.replicas = rs
	return nil
}

// closePools closes every replica pool opened so far.
func (rs *replicaSet) closePools() {
	for _, r := range rs.replicas {
		r.db.Pool.Close()
	}
}

// close stops the checker and closes the pools.
func (rs *replicaSet) close() {
	rs.stop()
	<-rs.done
	rs.closePools()
}

// run checks the replicas every interval until ctx ends.
func (rs *replicaSet) run(ctx context.Context) {
	defer close(rs.done)
	t := time.NewTicker(rs.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rs.check(ctx)
	}
}

// check samples the primary's WAL position, then checks every replica at
// once (one that hangs delays no other); the sample and the replicas'
// checks are each bounded by the interval, so a slow primary does not make
// a replica look down.
func (rs *replicaSet) check(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, rs.interval)
	var lsn int64
	// While the primary does not answer, the samples taken before stand: a
	// replica that has replayed them all keeps serving reads.
	if err := rs.primary.Pool.QueryRow(pctx, `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint`).Scan(&lsn); err == nil {
		rs.samples = append(rs.samples, walSample{at: time.Now(), lsn: lsn})
	}
	cancel()
	cctx, cancel := context.WithTimeout(ctx, rs.interval)
	defer cancel()
	// Samples older than twice the limit say no more than that a replica
	// behind them all is too far behind; the newest is always kept.
	keep := time.Now().Add(-2*rs.maxLag - 2*rs.interval)
	for len(rs.samples) > 1 && rs.samples[0].at.Before(keep) {
		rs.samples = rs.samples[1:]
	}
	var wg sync.WaitGroup
	for _, r := range rs.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lag, err := rs.lagOf(cctx, r)
			rs.record(r, lag, err)
		}()
	}
	wg.Wait()
}

// lagOf measures how far behind the primary replica r is.
func (rs *replicaSet) lagOf(ctx context.Context, r *replica) (time.Duration, error) {
	var replayed *int64
	var replayAge *float64
	err := r.db.Pool.QueryRow(ctx, `SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn,
		extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8`).Scan(&replayed, &replayAge)
	if err != nil {
		return 0, err
	}
	if replayed == nil {
		return 0, errors.New("no WAL replayed yet")
	}
	now := time.Now()
	for i, s := range rs.samples {
		if s.lsn <= *replayed {
			continue
		}
		lag := now.Sub(s.at) // the replica lacks WAL the primary had by then
		if i == 0 && replayAge != nil {
			// Behind every sample kept: how far is not known from them.
			lag = max(lag, time.Duration(*replayAge*float64(time.Second)))
		}
		return lag, nil
	}
	return 0, nil
}

// record keeps a check's outcome, logging each change of health.
func (rs *replicaSet) record(r *replica, lag time.Duration, err error) {
	r.lag.Store(int64(lag))
	why := ""
	switch {
	case err != nil:
		why = "unreachable: " + err.Error()
	case lag > rs.maxLag:
		why = fmt.Sprintf("lagging by %s, more than --max-replica-lag %s", lag.Round(time.Millisecond), rs.maxLag)
	}
	var was bool
	if why == "" {
		was = r.markUp()
	} else {
		was = r.markDown()
	}
	switch {
	case why == "" && !was:
		rs.log.Info("read replica in use", "replica", r.name, "lag", lag.Round(time.Millisecond))
	case why != "" && (was || r.down == "not checked yet"):
		rs.log.Warn("read replica skipped until it recovers; its reads go elsewhere", "replica", r.name, "reason", why)
	}
	if why != "" {
		r.down = why
	}
}

// pick returns a healthy replica, in turn, or nil when there is none.
func (rs *replicaSet) pick() *replica {
	n := uint64(len(rs.replicas))
	start := rs.next.Add(1)
	for i := range n {
		if r := rs.replicas[(start+i)%n]; r.healthy.Load() {
			return r
		}
	}
	return nil
}

// Read runs fn on a healthy replica of d, or on d itself when none is
// configured or healthy. A read that fails on a replica runs again on the
// primary, unless the client was at fault (the primary would say the same)
// or went away; so does one under way when the replica is found down or
// lagging, whose context is then cancelled. A replica that fails to answer
// is skipped until its next check finds it well. fn must only read, through
// the *DB and under the context it is given.
func Read[T any](ctx context.Context, d *DB, fn func(context.Context, *DB) (T, error)) (T, error) {
	rs := d.replicas
	if rs == nil {
		return fn(ctx, d)
	}
	if r := rs.pick(); r != nil {
		r.reads.Add(1)
		rctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(r.aliveContext(), cancel)
		v, err := fn(rctx, r.db)
		dropped := rctx.Err() != nil && ctx.Err() == nil // the replica was marked down
		stop()
		cancel()
		if err == nil || ctx.Err() != nil {
			return v, err
		}
		if !dropped && !replicaMayBeAtFault(err) {
			return v, err
		}
		r.errors.Add(1)
		if isConnFailure(err) || errors.Is(err, ErrUnavailable) {
			r.markDown()
		}
		rs.log.Warn("read failed on a replica; retrying it on the primary", "replica", r.name, "error", err)
	}
	return ReadPrimary(ctx, d, fn)
}

// ReadPrimary runs fn, a read that Read could have sent to a replica, on
// the primary because the caller must see its own recent write; it counts
// among the primary's reads.
func ReadPrimary[T any](ctx context.Context, d *DB, fn func(context.Context, *DB) (T, error)) (T, error) {
	rs := d.replicas
	if rs == nil {
		return fn(ctx, d)
	}
	rs.primaryReads.Add(1)
	v, err := fn(ctx, d)
	if err != nil && ctx.Err() == nil && replicaMayBeAtFault(err) {
		rs.primaryErrors.Add(1)
	}
	return v, err
}

// replicaMayBeAtFault reports whether err may be the replica's doing rather
// than the request's: anything but an answer the primary would give too.
func replicaMayBeAtFault(err error) bool {
	switch aforro.ErrorCode(err) {
	case aforro.EINTERNAL, aforro.EUNAVAILABLE:
		return true
	}
	return false
}

// HasReplicas reports whether read replicas are configured.
func (d *DB) HasReplicas() bool { return d.replicas != nil }

// PoolStats reports the reads of the primary and of each replica; nil
// when no replica is configured.
func (d *DB) PoolStats() []PoolStat {
	rs := d.replicas
	if rs == nil {
		return nil
	}
	out := []PoolStat{{Name: "primary", Reads: rs.primaryReads.Load(), Errors: rs.primaryErrors.Load(), Healthy: true}}
	for _, r := range rs.replicas {
		out = append(out, PoolStat{Name: r.name, Replica: true, Reads: r.reads.Load(), Errors: r.errors.Load(),
			Healthy: r.healthy.Load(), Lag: time.Duration(r.lag.Load())})
	}
	return out
}

// ListenThrough makes the LISTEN connections (the token cache's, the
// outbox's) connect to url rather than to the pool's URL. LISTEN needs a
// session of its own on the primary, which a pooler in transaction mode
// (PgBouncer's pool_mode = transaction) does not give: there, url must
// reach PostgreSQL directly.
func (d *DB) ListenThrough(url string) error {
	cfg, err := ConnConfig(url)
	if err != nil {
		return fmt.Errorf("listen database url: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	d.listen = cfg
	return nil
}

// listenConfig is the configuration of a LISTEN connection.
func (d *DB) listenConfig() *pgx.ConnConfig {
	if d.listen != nil {
		return d.listen.Copy()
	}
	return d.Pool.Config().ConnConfig.Copy()
}
