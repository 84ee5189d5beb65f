package server

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro/db"
)

// DefaultReadYourWritesWindow is how long after a write a client's reads
// stay on the primary, above db.DefaultMaxReplicaLag.
const DefaultReadYourWritesWindow = 10 * time.Second

// Reads that a replica may answer go through replicaRead: the public
// catalogue (categories, products, stores, search, autocomplete, lookup by
// code, where a product is stocked) and a store's inventory and movements.
// Everything else reads the primary, and so does every response to a write,
// which the write's own transaction returns.
//
// Read-your-writes: for the window after a token's last successful write
// through this instance (any route but GET and HEAD), that token's reads go
// to the primary too. The window is kept per token rather than per token and
// store because a write's reach is not always in its path (an order's store
// is in its body, a cancellation's behind the order id), and per token
// covers every write route, including those added later, with one rule. It
// lives in this process's memory: behind a balancer that spreads one token's
// requests over several instances, another instance may answer the next
// read from a replica, stale by at most --max-replica-lag; the balancer
// keeps the promise whole by sending each token to one instance (hashing
// the Authorization header, README "Running many instances").

// recentWrites remembers when each token last wrote.
type recentWrites struct {
	window time.Duration
	mu     sync.Mutex
	last   map[[sha256.Size]byte]time.Time
}

// recentWritesSweep is the size at which expired entries are dropped.
const recentWritesSweep = 10_000

// tokenOf is the key of a request's bearer token, when it has one.
func tokenOf(req bunrouter.Request) ([sha256.Size]byte, bool) {
	scheme, secret, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(strings.TrimSpace(secret))), true
}

// note records that the request's token has just written.
func (w *recentWrites) note(req bunrouter.Request) {
	key, ok := tokenOf(req)
	if !ok {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == nil {
		w.last = map[[sha256.Size]byte]time.Time{}
	}
	if len(w.last) >= recentWritesSweep {
		for k, t := range w.last {
			if now.Sub(t) > w.window {
				delete(w.last, k)
			}
		}
	}
	w.last[key] = now
}

// wrote reports whether the request's token wrote within the window.
func (w *recentWrites) wrote(req bunrouter.Request) bool {
	key, ok := tokenOf(req)
	if !ok {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.last[key]
	return ok && time.Since(t) <= w.window
}

// notingWrites wraps a route's handler so a successful write is noted for
// read-your-writes; only when replicas serve reads, so that nothing changes
// without them.
func (s *Server) notingWrites(rt route, h handlerFunc) handlerFunc {
	if rt.method == http.MethodGet {
		return h
	}
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		err := h(w, req)
		if err == nil && s.db != nil && s.db.HasReplicas() {
			s.writes.note(req)
		}
		return err
	}
}

// replicaRead runs a read that a replica may answer (db.Read), unless the
// request's token wrote within the read-your-writes window: then the
// primary answers it.
func replicaRead[T any](s *Server, req bunrouter.Request, fn func(context.Context, *db.DB) (T, error)) (T, error) {
	// Without replicas every read is the primary's: the token's hash and
	// the lock of recentWrites are not worth taking.
	if s.db.HasReplicas() && s.writes.wrote(req) {
		return db.ReadPrimary(req.Context(), s.db, fn)
	}
	return db.Read(req.Context(), s.db, fn)
}

// poolReadsCollector reports each pool's reads, errors and, for a replica,
// lag and health, read at scrape time from db.PoolStats.
type poolReadsCollector struct {
	db                          *db.DB
	reads, errors, lag, healthy *prometheus.Desc
}

func newPoolReadsCollector(d *db.DB) *poolReadsCollector {
	return &poolReadsCollector{db: d,
		reads: prometheus.NewDesc("aforro_db_reads_total",
			"Reads that a replica may answer, by the pool that answered or tried to (primary, or a replica's host:port).", []string{"pool"}, nil),
		errors: prometheus.NewDesc("aforro_db_read_errors_total",
			"Such reads that failed in that pool; on a replica each was retried on the primary.", []string{"pool"}, nil),
		lag: prometheus.NewDesc("aforro_db_replica_lag_seconds",
			"How far behind the primary a replica was at its last check (at least; up to twice --max-replica-lag is told apart).", []string{"pool"}, nil),
		healthy: prometheus.NewDesc("aforro_db_replica_healthy",
			"1 while a replica serves reads, 0 while it is skipped (down or lagging).", []string{"pool"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *poolReadsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.reads
	ch <- c.errors
	ch <- c.lag
	ch <- c.healthy
}

// Collect implements prometheus.Collector.
func (c *poolReadsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.db.PoolStats() {
		ch <- prometheus.MustNewConstMetric(c.reads, prometheus.CounterValue, float64(st.Reads), st.Name)
		ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(st.Errors), st.Name)
		if !st.Replica {
			continue
		}
		healthy := 0.0
		if st.Healthy {
			healthy = 1
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, st.Lag.Seconds(), st.Name)
		ch <- prometheus.MustNewConstMetric(c.healthy, prometheus.GaugeValue, healthy, st.Name)
	}
}
