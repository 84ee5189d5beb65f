package server

import (
	"context"
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

// readyz checks PostgreSQL (required: 503 when down) and Redis (degraded but
// still ready when down: rate limits fall back to per-process counters).
func (s *Server) readyz(w http.ResponseWriter, req bunrouter.Request) error {
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "redis": "ok"}
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readiness: PostgreSQL unreachable", "request_id", infoFrom(ctx).id, "error", err)
		return aforro.Errorf(aforro.EUNAVAILABLE, "Not ready: PostgreSQL is unreachable.")
	}
	switch {
	case s.redis == nil:
		checks["redis"] = "not configured"
	case s.redis.Ping(ctx).Err() != nil:
		checks["redis"] = "unreachable"
	}
	status := "ok"
	if checks["redis"] != "ok" {
		status = "degraded"
	}
	writeJSON(w, http.StatusOK, aforro.Health{Status: status, Checks: checks})
	return nil
}
