package server

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/uptrace/bunrouter"
	"golang.org/x/time/rate"

	"github.com/aforro/aforro"
)

// DefaultRateLimitRedisTimeout is Config.RateLimitRedisTimeout's default:
// Redis answers in well under a millisecond when it is well.
const DefaultRateLimitRedisTimeout = 150 * time.Millisecond

// Rate limiter tuning.
const (
	// redisProbeInterval is how often, while Redis is down, one request tries
	// it again; the others go straight to the in-process limiter.
	redisProbeInterval = time.Second
	// localLimiterMaxKeys bounds the in-process limiter's memory (about 100
	// bytes a key).
	localLimiterMaxKeys = 100_000
)

// rateLimiter enforces one GCRA limit per client key. The budget lives in
// Redis (redis_rate's script, on Redis's clock), so every aforrod instance
// shares it. When Redis cannot be reached the same limit is enforced per
// process, a warning is logged once per outage, each such decision is
// counted (aforro_rate_limit_decisions_total{backend="local"}), and Redis is
// probed again every redisProbeInterval until it answers.
type rateLimiter struct {
	policy       string // the quota policy's name in the RateLimit headers
	limit        redis_rate.Limit
	redisTimeout time.Duration // one round trip's bound; past it, the local limiter decides
	prefix       string        // Redis key prefix
	redis        *redis_rate.Limiter
	client       *redis.Client // the limiter's own client, with short timeouts; nil without Redis
	local        *localLimiter
	log          *slog.Logger

	mu      sync.Mutex
	down    bool      // Redis failed and has not answered since
	probeAt time.Time // while down: when a request may try Redis again
}

// newRateLimiter builds a limiter of limit requests (burst limit) per window.
// rdb may be nil: then every decision is made in process. The limiter dials
// Redis through a client of its own built from rdb's options, with timeouts
// short enough that an unreachable Redis degrades the limit, not the endpoint.
func newRateLimiter(policy string, limit int, window time.Duration, prefix string,
	redisTimeout time.Duration, rdb *redis.Client, log *slog.Logger) *rateLimiter {
	limit = max(limit, 1)
	window = max(window, time.Second)
	if redisTimeout <= 0 {
		redisTimeout = DefaultRateLimitRedisTimeout
	}
	l := &rateLimiter{
		policy:       policy,
		redisTimeout: redisTimeout,
		limit:        redis_rate.Limit{Rate: limit, Burst: limit, Period: window},
		prefix:       prefix,
		local:        newLocalLimiter(limit, window, localLimiterMaxKeys),
		log:          log,
	}
	if rdb != nil {
		opts := *rdb.Options()
		opts.Dialer = nil // rdb's dialer has rdb's dial timeout baked in
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = redisTimeout, redisTimeout, redisTimeout
		opts.PoolTimeout = redisTimeout
		opts.DialerRetries = 1
		opts.MaxRetries = -1 // a retry would double the wait; the fallback is the retry
		opts.ContextTimeoutEnabled = true
		// Maintenance notifications (RESP3 cluster handoffs) register per
		// client; the copied options would share rdb's.
		opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		l.client = redis.NewClient(&opts)
		l.redis = redis_rate.NewLimiter(l.client)
	}
	return l
}

// close releases the limiter's Redis connections.
func (l *rateLimiter) close() error {
	if l.client == nil {
		return nil
	}
	if err := l.client.Close(); err != nil {
		return fmt.Errorf("close rate limiter Redis client: %w", err)
	}
	return nil
}

// rateDecision is the outcome of one request against a limit.
type rateDecision struct {
	backend    string // rateBackendRedis, or rateBackendLocal while Redis is down
	allowed    bool
	remaining  int           // requests that could be made right now
	retryAfter time.Duration // when denied: until the next request is allowed
	resetAfter time.Duration // until the budget is full again
}

// allow counts one request of key against the limit.
func (l *rateLimiter) allow(ctx context.Context, key string) rateDecision {
	if l.redis != nil && l.tryRedis(time.Now()) {
		rctx, cancel := context.WithTimeout(ctx, l.redisTimeout)
		res, err := l.redis.Allow(rctx, l.prefix+key, l.limit)
		cancel()
		if err == nil {
			l.redisUp()
			return rateDecision{backend: rateBackendRedis, allowed: res.Allowed > 0, remaining: res.Remaining,
				retryAfter: max(res.RetryAfter, 0), resetAfter: max(res.ResetAfter, 0)}
		}
		// A client that went away says nothing about Redis.
		if ctx.Err() == nil {
			l.redisDown(err)
		}
	}
	return l.local.allow(key, time.Now())
}

// tryRedis reports whether this request should ask Redis: always while it
// works, and during an outage only one request per redisProbeInterval.
func (l *rateLimiter) tryRedis(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		return true
	}
	if now.Before(l.probeAt) {
		return false
	}
	l.probeAt = now.Add(redisProbeInterval)
	return true
}

func (l *rateLimiter) redisDown(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		l.down = true
		l.log.Warn("Redis is unreachable: rate limits are enforced per process until it returns",
			"policy", l.policy, "error", err.Error())
	}
	l.probeAt = time.Now().Add(redisProbeInterval)
}

func (l *rateLimiter) redisUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		l.down = false
		l.log.Info("Redis answers again: rate limits are shared again", "policy", l.policy)
	}
}

// localLimiter is the in-process fallback: a token bucket per key with the
// same rate and burst as the shared limit, in bounded memory.
type localLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	maxKeys int
	keys    map[string]*rate.Limiter
}

func newLocalLimiter(limit int, window time.Duration, maxKeys int) *localLimiter {
	return &localLimiter{
		rate:    rate.Limit(float64(limit) / window.Seconds()),
		burst:   limit,
		maxKeys: maxKeys,
		keys:    map[string]*rate.Limiter{},
	}
}

func (l *localLimiter) allow(key string, now time.Time) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= l.maxKeys {
			l.evict(now)
		}
		lim = rate.NewLimiter(l.rate, l.burst)
		l.keys[key] = lim
	}
	allowed := lim.AllowN(now, 1)
	tokens := lim.TokensAt(now)
	d := rateDecision{
		backend:    rateBackendLocal,
		allowed:    allowed,
		remaining:  max(0, int(math.Floor(tokens))),
		resetAfter: l.duration(float64(l.burst) - tokens),
	}
	if !allowed {
		d.retryAfter = l.duration(1 - tokens)
	}
	return d
}

// evict drops the keys whose bucket is full again (they are the same as a
// new one), and if that is not enough, arbitrary others: under a flood of
// distinct addresses forgetting some budgets beats running out of memory.
func (l *localLimiter) evict(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.keys, k)
		}
	}
	for k := range l.keys {
		if len(l.keys) < l.maxKeys*3/4 {
			break
		}
		delete(l.keys, k)
	}
}

// duration is how long the bucket takes to gain tokens.
func (l *localLimiter) duration(tokens float64) time.Duration {
	if tokens <= 0 {
		return 0
	}
	return time.Duration(tokens / float64(l.rate) * float64(time.Second))
}

// rateLimited wraps a handler with l, keyed by client IP. Every answer carries
// RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and the IETF draft's
// RateLimit-Policy and RateLimit fields; over the limit the answer is 429 with
// Retry-After and retry_after in the body, and next is not called.
func (s *Server) rateLimited(l *rateLimiter, next handlerFunc) handlerFunc {
	return s.rateLimitedBy(l, s.clientKey, next)
}

// clientKey is the rate-limit key of a request's client: its IP.
func (s *Server) clientKey(req bunrouter.Request) string {
	client := req.RemoteAddr // a peer that is not IP (a Unix socket) is its own key
	if ip, ok := clientIP(req.Request, s.cfg.TrustedProxies); ok {
		client = ip.String()
	}
	return client
}

// rateLimitedBy is rateLimited with the key of each request chosen by key.
func (s *Server) rateLimitedBy(l *rateLimiter, key func(bunrouter.Request) string, next handlerFunc) handlerFunc {
	policy := fmt.Sprintf(`%q;q=%d;w=%d`, l.policy, l.limit.Rate, int(l.limit.Period.Seconds()))
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		d := l.allow(req.Context(), l.policy+":"+key(req))
		s.metrics.RateLimit(l.policy, d.backend, d.allowed)
		reset := ceilSeconds(d.resetAfter)
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(l.limit.Rate))
		h.Set("RateLimit-Remaining", strconv.Itoa(d.remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(reset))
		h.Set("RateLimit-Policy", policy)
		h.Set("RateLimit", fmt.Sprintf(`%q;r=%d;t=%d`, l.policy, d.remaining, reset))
		if d.allowed {
			return next(w, req)
		}
		retry := max(1, ceilSeconds(d.retryAfter))
		h.Set("Retry-After", strconv.Itoa(retry))
		writeJSON(w, statusOf(aforro.ERATELIMITED), aforro.ErrorResponse{
			Error: fmt.Sprintf("Rate limit exceeded. Maximum %d %s per %s.",
				l.limit.Rate, plural(l.limit.Rate, "request"), windowPhrase(l.limit.Period)),
			Code:       aforro.ERATELIMITED,
			RetryAfter: retry,
		})
		return nil
	}
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// windowPhrase names a rate window in a sentence: "minute", "30 seconds".
func windowPhrase(d time.Duration) string {
	switch {
	case d == time.Second:
		return "second"
	case d == time.Minute:
		return "minute"
	case d == time.Hour:
		return "hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
}
