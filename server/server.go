// Package server is Aforro's HTTP layer: the route table, handlers that parse
// and validate requests, middleware (request id, access log, recovery, body
// limit), and the mapping of domain errors onto statuses and the JSON error
// envelope. It never builds SQL: the db package does.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro/db"
)

// Config holds the server's settings.
type Config struct {
	// LowStock is the threshold at or below which stock counts as low.
	LowStock int
	// MaxBodyBytes bounds every request body; larger ones are answered 413.
	MaxBodyBytes int64
	// ShutdownTimeout bounds how long in-flight requests may finish on shutdown.
	ShutdownTimeout time.Duration
	// DrainDelay is how long the API keeps serving after the shutdown signal
	// with /readyz answering 503, so that a load balancer stops sending new
	// connections before the listener closes (closing it resets connections
	// the kernel has accepted but the server has not yet read).
	DrainDelay time.Duration
	// Jobs reports this process's background jobs in GET /api/admin/jobs/;
	// nil when it runs none (aforrod serve --no-jobs, tests).
	Jobs JobsReporter
	// Registry receives the server's Prometheus metrics; nil: New makes one.
	// A registry serves one Server.
	Registry *prometheus.Registry
	// SuggestLimit requests per SuggestWindow (burst SuggestLimit) is the
	// autocomplete rate limit per client IP, shared through Redis.
	SuggestLimit  int
	SuggestWindow time.Duration
	// SuggestTokenLimit requests per SuggestWindow is the budget of each
	// live token instead (a till's), so tills behind one router do not
	// share one IP's.
	SuggestTokenLimit int
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// RateLimitPrefix starts every rate-limit key in Redis.
	RateLimitPrefix string
	// RateLimitRedisTimeout bounds one Redis round trip of a rate limit;
	// past it the decision falls back to this process's limiter, so a slow
	// Redis costs a request milliseconds, never the request.
	RateLimitRedisTimeout time.Duration
	// Pprof adds Go's profiler at /debug/pprof/ to the metrics listener.
	Pprof bool
	// ReadYourWritesWindow is how long after a token's write its reads go
	// to the primary rather than a replica (replicas.go).
	ReadYourWritesWindow time.Duration
}

// DefaultConfig returns the settings API.md documents as defaults.
func DefaultConfig() Config {
	return Config{LowStock: 5, MaxBodyBytes: 1 << 20, ShutdownTimeout: 30 * time.Second,
		SuggestLimit: 20, SuggestWindow: time.Minute, SuggestTokenLimit: 60, RateLimitPrefix: "aforro:",
		RateLimitRedisTimeout: DefaultRateLimitRedisTimeout,
		ReadYourWritesWindow:  DefaultReadYourWritesWindow}
}

// Server serves Aforro's REST API.
type Server struct {
	cfg     Config
	db      *db.DB
	redis   *redis.Client
	log     *slog.Logger
	handler http.Handler
	metrics *metrics

	openapiDoc []byte // the rendered OpenAPI document, or
	openapiErr error  // why it could not be rendered

	suggestLimiter *rateLimiter
	// suggestTokenLimiter is autocomplete's budget per token.
	suggestTokenLimiter *rateLimiter
	cursorKey           atomic.Pointer[[]byte] // signs list cursors, loaded on first use
	tokens              tokenCache
	writes              recentWrites // tokens' last writes, for read-your-writes

	dbDown    atomic.Bool   // a PostgreSQL outage is under way (dbOutage)
	draining  atomic.Bool   // shutting down: /readyz answers 503
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// New builds a server over its dependencies. rdb may be nil when Redis is not
// configured; readiness then reports it as such.
func New(cfg Config, d *db.DB, rdb *redis.Client, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, db: d, redis: rdb, log: log, done: make(chan struct{})}
	s.writes.window = cfg.ReadYourWritesWindow
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(cfg.Registry, d)
	s.openapiDoc, s.openapiErr = openAPIJSON()
	s.suggestLimiter = newRateLimiter("suggest", cfg.SuggestLimit, cfg.SuggestWindow, cfg.RateLimitPrefix, cfg.RateLimitRedisTimeout, rdb, log)
	s.suggestTokenLimiter = newRateLimiter("suggest", cfg.SuggestTokenLimit, cfg.SuggestWindow, cfg.RateLimitPrefix, cfg.RateLimitRedisTimeout, rdb, log)
	s.handler = s.middleware(s.router())
	return s
}

// Close releases what New opened besides the handler: the rate limiter's
// Redis connections. The database and rdb belong to the caller.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		err = errors.Join(s.suggestLimiter.close(), s.suggestTokenLimiter.close())
	})
	return err
}

// dbOutage logs the first answer that found PostgreSQL unreachable, once
// per outage rather than per request, and then pings it every second until
// it answers, which it logs too.
func (s *Server) dbOutage(cause error) {
	if !s.dbDown.CompareAndSwap(false, true) {
		return
	}
	s.log.Warn("PostgreSQL is unreachable; answering 503 with Retry-After until it is back", "error", cause)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := s.db.Ping(ctx)
			cancel()
			if err == nil {
				s.dbDown.Store(false)
				s.log.Info("PostgreSQL answers again")
				return
			}
		}
	}()
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully: it stops accepting connections and lets in-flight requests
// finish within the shutdown timeout.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on an existing listener. While it serves, it caches
// tokens (see tokenCache).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.listenTokens(lctx)
	}()
	defer func() { stop(); <-done }()
	return s.serve(ctx, ln, s.handler, "API", 64<<10, s.cfg.DrainDelay)
}

// serve runs an HTTP server with h on ln until ctx is cancelled, then keeps
// serving for drain (readiness failing, keep-alives off) and shuts it down
// gracefully: in-flight requests get up to ShutdownTimeout to finish.
func (s *Server) serve(ctx context.Context, ln net.Listener, h http.Handler, what string, maxHeader int, drain time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("serving "+what, "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", what, err)
	case <-ctx.Done():
	}
	if drain > 0 {
		s.draining.Store(true)
		srv.SetKeepAlivesEnabled(false) // each client's next request opens a new connection, elsewhere
		s.log.Info("draining "+what+": still serving, /readyz answers 503", "drain_delay", drain)
		select {
		case err := <-errc:
			return fmt.Errorf("serve %s: %w", what, err)
		case <-time.After(drain):
		}
	}
	s.log.Info("shutting down "+what+": letting in-flight requests finish", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down %s: %w", what, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", what, err)
	}
	return nil
}

// handlerFunc is a route's handler: it writes a success answer or returns an
// error, which the error middleware turns into the envelope.
type handlerFunc = bunrouter.HandlerFunc
