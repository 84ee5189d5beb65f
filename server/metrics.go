package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aforro/aforro/db"
)

// Rate-limit metric labels: which limiter decided, and what.
const (
	rateBackendRedis = "redis" // the GCRA limiter shared by every instance
	rateBackendLocal = "local" // the per-process fallback while Redis is unreachable
)

// metrics holds the server's Prometheus collectors. They live on a registry
// the server owns, never the global one, so several servers in one process
// (as in tests) do not collide. Every method is safe on a nil *metrics, which
// a Server built without New has.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	rateLimit *prometheus.CounterVec
	orders    *prometheus.CounterVec
	// dbUnavailable counts the answers a PostgreSQL outage made 503.
	dbUnavailable prometheus.Counter
}

// newMetrics registers the server's collectors on reg: HTTP requests, order
// outcomes, rate-limit decisions, the Go runtime and the process, and, when d
// is not nil, the database pool and the outbox depth (both read at scrape
// time). It panics if reg already holds any of them, which is a wiring bug.
func newMetrics(reg *prometheus.Registry, d *db.DB) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aforro_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern (\"unmatched\" when no route matched) and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aforro_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		rateLimit: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aforro_rate_limit_decisions_total",
			Help: "Rate-limit decisions, by policy, backend (redis, or local while Redis is unreachable) and decision (allowed or limited).",
		}, []string{"policy", "backend", "decision"}),
		orders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aforro_orders_total",
			Help: "Orders placed (CONFIRMED or REJECTED) and cancelled (CANCELLED) by this process, by resulting status.",
		}, []string{"status"}),
		dbUnavailable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aforro_db_unavailable_total",
			Help: "Requests answered 503 because PostgreSQL could not be reached or went away during the request.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.rateLimit, m.orders, m.dbUnavailable,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d != nil {
		reg.MustRegister(newPoolCollector(d.Pool), newPoolReadsCollector(d), &outboxCollector{db: d,
			depth: prometheus.NewDesc("aforro_outbox_pending", "Outbox events waiting to be sent, counted at scrape time.", nil, nil)})
	}
	return m
}

// methodLabel bounds the method label: a client may send any token as a
// method, and each would otherwise become a new time series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// observeRequest records one answered request. route is the matched pattern,
// or "" when none matched.
func (m *metrics) observeRequest(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	method = methodLabel(method)
	if route == "" {
		route = "unmatched"
	}
	if status == 0 {
		status = http.StatusOK // net/http's answer when a handler writes nothing
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, code).Inc()
	m.duration.WithLabelValues(method, route, code).Observe(d.Seconds())
}

// RateLimit counts one decision of a rate limiter. policy names the limit
// ("suggest"); backend is rateBackendRedis or rateBackendLocal; allowed says
// whether the request went through.
func (m *metrics) RateLimit(policy, backend string, allowed bool) {
	if m == nil {
		return
	}
	decision := "limited"
	if allowed {
		decision = "allowed"
	}
	m.rateLimit.WithLabelValues(policy, backend, decision).Inc()
}

// order counts an order that reached status: CONFIRMED or REJECTED when
// placed, CANCELLED when cancelled. Idempotent replays are not counted.
func (m *metrics) order(status string) {
	if m == nil {
		return
	}
	m.orders.WithLabelValues(status).Inc()
}

// instrument records every request's count and latency by method, route
// pattern and status. It sits inside requestID (whose requestInfo carries the
// route that named fills in) and outside recoverPanic, so panics count as the
// 500s they become.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.metrics.observeRequest(r.Method, infoFrom(r.Context()).route, sw.status, time.Since(start))
	})
}

// Registry returns the registry the server's metrics are on, so that other
// parts of the process (the jobs) can register theirs next to them.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// MetricsHandler serves the server's registry in the Prometheus exposition
// format. A collector that fails (the outbox count while PostgreSQL is down)
// is logged and left out; the rest are still served.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.InstrumentMetricHandler(s.metrics.registry,
		promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{
			ErrorLog:            slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
			ErrorHandling:       promhttp.ContinueOnError,
			MaxRequestsInFlight: 4,
			Timeout:             10 * time.Second,
		}))
}

// ServeMetrics serves MetricsHandler at /metrics on ln, a listener apart from
// the API's so that metrics need not be public, until ctx is cancelled; it
// then shuts down gracefully like Serve.
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.MetricsHandler())
	if s.cfg.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return s.serve(ctx, ln, mux, "metrics", 16<<10, s.cfg.DrainDelay)
}

// poolCollector reads the pgx pool's statistics at scrape time.
type poolCollector struct {
	pool *pgxpool.Pool

	acquired, idle, constructing, total, max           *prometheus.Desc
	acquires, acquireSeconds, emptyAcquires, cancelled *prometheus.Desc
	emptyWaitSeconds, newConns, lifetimeDestroyed      *prometheus.Desc
	idleDestroyed                                      *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("aforro_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:              pool,
		acquired:          desc("acquired_connections", "Connections currently in use."),
		idle:              desc("idle_connections", "Connections idle in the pool."),
		constructing:      desc("constructing_connections", "Connections being opened."),
		total:             desc("total_connections", "Connections in the pool: acquired, idle and constructing."),
		max:               desc("max_connections", "The pool's size limit."),
		acquires:          desc("acquires_total", "Successful connection acquisitions."),
		acquireSeconds:    desc("acquire_duration_seconds_total", "Time spent in successful acquisitions."),
		emptyAcquires:     desc("empty_acquires_total", "Successful acquisitions that had to wait for a connection."),
		cancelled:         desc("canceled_acquires_total", "Acquisitions cancelled by their context."),
		emptyWaitSeconds:  desc("empty_acquire_wait_seconds_total", "Time acquisitions spent waiting for a connection."),
		newConns:          desc("new_connections_total", "Connections opened."),
		lifetimeDestroyed: desc("max_lifetime_destroyed_total", "Connections closed for reaching their maximum lifetime."),
		idleDestroyed:     desc("max_idle_destroyed_total", "Connections closed for idling too long."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.constructing, c.total, c.max,
		c.acquires, c.acquireSeconds, c.emptyAcquires, c.cancelled, c.emptyWaitSeconds,
		c.newConns, c.lifetimeDestroyed, c.idleDestroyed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.acquired, float64(st.AcquiredConns()))
	gauge(c.idle, float64(st.IdleConns()))
	gauge(c.constructing, float64(st.ConstructingConns()))
	gauge(c.total, float64(st.TotalConns()))
	gauge(c.max, float64(st.MaxConns()))
	counter(c.acquires, float64(st.AcquireCount()))
	counter(c.acquireSeconds, st.AcquireDuration().Seconds())
	counter(c.emptyAcquires, float64(st.EmptyAcquireCount()))
	counter(c.cancelled, float64(st.CanceledAcquireCount()))
	counter(c.emptyWaitSeconds, st.EmptyAcquireWaitTime().Seconds())
	counter(c.newConns, float64(st.NewConnsCount()))
	counter(c.lifetimeDestroyed, float64(st.MaxLifetimeDestroyCount()))
	counter(c.idleDestroyed, float64(st.MaxIdleDestroyCount()))
}

// outboxCollector counts pending outbox events at scrape time, so the gauge
// is exact on every instance without a background poller.
type outboxCollector struct {
	db    *db.DB
	depth *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth }

// Collect implements prometheus.Collector. A failed count is reported as an
// invalid metric, which the handler logs and leaves out of the answer.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.db.OutboxDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n))
}
