package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// healthz says the process is alive; it touches no dependency.
func (s *Server) healthz(w http.ResponseWriter, _ bunrouter.Request) error {
	writeJSON(w, http.StatusOK, aforro.Health{Status: "ok"})
	return nil
}

// The readiness probes' bounds: PostgreSQL answers a ping in well under a
// millisecond when it is up, Redis too.
const (
	postgresProbeTimeout = time.Second
	redisProbeTimeout    = 250 * time.Millisecond
)

// readyz checks PostgreSQL (required: 503 when down) and Redis (degraded but
// still ready when down: rate limits fall back to per-process counters); it
// answers 503 while the server drains before shutting down.
func (s *Server) readyz(w http.ResponseWriter, req bunrouter.Request) error {
	if s.draining.Load() {
		return aforro.Errorf(aforro.EUNAVAILABLE, "Not ready: shutting down.")
	}
	// Both probes at once, each bounded, so a dependency that hangs costs
	// the probe at most its own bound rather than a client's whole timeout.
	pgDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(req.Context(), postgresProbeTimeout)
		defer cancel()
		pgDone <- s.db.Ping(ctx)
	}()
	checks := map[string]string{"postgres": "ok", "redis": "ok"}
	if s.redis == nil {
		checks["redis"] = "not configured"
	} else {
		ctx, cancel := context.WithTimeout(req.Context(), redisProbeTimeout)
		if bounded(ctx, func(ctx context.Context) error { return s.redis.Ping(ctx).Err() }) != nil {
			checks["redis"] = "unreachable"
		}
		cancel()
	}
	if err := <-pgDone; err != nil {
		s.dbOutage(err) // logged once per outage, as for any request
		return aforro.Errorf(aforro.EUNAVAILABLE, "Not ready: PostgreSQL is unreachable.")
	}
	if stats := s.db.PoolStats(); stats != nil {
		// Informative only: reads go to the primary while no replica is well.
		healthy := 0
		for _, st := range stats[1:] {
			if st.Healthy {
				healthy++
			}
		}
		checks["replicas"] = fmt.Sprintf("%d of %d healthy", healthy, len(stats)-1)
	}
	status := "ok"
	if checks["redis"] != "ok" {
		status = "degraded"
	}
	writeJSON(w, http.StatusOK, aforro.Health{Status: status, Checks: checks})
	return nil
}

// bounded runs probe and returns its error, or ctx's once ctx ends first. A
// go-redis client honours a context's deadline only with
// ContextTimeoutEnabled; without it a Redis that accepts and never answers
// would hold the probe for the client's own read timeout, or for ever. The
// probe left running ends with its client's timeout or Close.
func bounded(ctx context.Context, probe func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- probe(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
