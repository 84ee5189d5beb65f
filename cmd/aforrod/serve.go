package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/jobs"
	"github.com/aforro/aforro/server"
)

// ServeCmd runs the HTTP server.
type ServeCmd struct {
	RedisURL string `name:"redis-url" env:"AFORRO_REDIS_URL" default:"redis://127.0.0.1:6379/0" help:"Redis URL (rate limits, jobs leader lock)."`
	Addr     string `name:"addr" env:"AFORRO_ADDR" default:"127.0.0.1:8000" help:"Address to listen on."`
	LowStock int    `name:"low-stock" env:"AFORRO_LOW_STOCK" default:"5" help:"Stock at or below this is low."`

	ReadDatabaseURLs     []string      `name:"read-database-url" env:"AFORRO_READ_DATABASE_URLS" sep:"," help:"A streaming replica for catalogue reads (repeatable; in the environment comma-separated). Down or lagging replicas are skipped; with none healthy, reads go to the primary."`
	MaxReplicaLag        time.Duration `name:"max-replica-lag" env:"AFORRO_MAX_REPLICA_LAG" default:"5s" help:"Most a replica may be behind the primary (by its replayed WAL) and still serve reads."`
	ReadYourWritesWindow time.Duration `name:"read-your-writes-window" env:"AFORRO_READ_YOUR_WRITES_WINDOW" default:"10s" help:"For this long after a token writes through this instance, its reads go to the primary; must exceed --max-replica-lag."`
	ListenDatabaseURL    string        `name:"listen-database-url" env:"AFORRO_LISTEN_DATABASE_URL" help:"A direct (session) connection URL to the primary for LISTEN (token cache, outbox wake-ups); needed when --database-url goes through PgBouncer in transaction mode. Default: --database-url."`

	DrainDelay time.Duration `name:"drain-delay" env:"AFORRO_DRAIN_DELAY" default:"0s" help:"After SIGTERM, keep serving this long with /readyz answering 503 before closing the listener, so a load balancer moves new connections elsewhere first (set it above the balancer's health-check interval)."`

	MetricsAddr string `name:"metrics-addr" env:"AFORRO_METRICS_ADDR" help:"Serve Prometheus metrics at /metrics on this address, apart from the API (off when empty)."`
	Pprof       bool   `name:"pprof" env:"AFORRO_PPROF" help:"Also serve Go's profiler at /debug/pprof/ on --metrics-addr (which it needs); keep that address private."`

	NoJobs        bool          `name:"no-jobs" env:"AFORRO_NO_JOBS" help:"Run no background jobs in this process: no daily summary, no purge, no order emails (other instances run them)."`
	SummaryCron   string        `name:"summary-cron" env:"AFORRO_SUMMARY_CRON" default:"0 0 * * *" help:"Daily summary schedule, a five-field crontab in UTC; a run summarises the last complete UTC day."`
	SMTPURL       string        `name:"smtp-url" env:"AFORRO_SMTP_URL" help:"SMTP server for order emails: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://... (implicit TLS). Empty: emails are logged, not sent."`
	MailFrom      string        `name:"mail-from" env:"AFORRO_MAIL_FROM" default:"orders@aforro.local" help:"Sender address of order emails."`
	StockDigestTo string        `name:"low-stock-digest-to" env:"AFORRO_LOW_STOCK_DIGEST_TO" help:"Mail each store's daily low-stock digest (the rows that fell to their reorder point or ran out that day) to this address, with the daily summary. Empty: no digest."`
	LeaderTTL     time.Duration `name:"leader-ttl" env:"AFORRO_LEADER_TTL" default:"15s" help:"Jobs leader lease TTL (300ms-10m): a leader that dies is replaced within about this long."`

	OutboxBackoff     time.Duration `name:"outbox-backoff" env:"AFORRO_OUTBOX_BACKOFF" default:"30s" help:"Wait after an order email's first failed attempt; it doubles with each further one, up to 1h."`
	OutboxMaxAttempts int           `name:"outbox-max-attempts" env:"AFORRO_OUTBOX_MAX_ATTEMPTS" default:"8" help:"Attempts at an order email before it is marked failed."`
	OutboxSendTimeout time.Duration `name:"outbox-send-timeout" env:"AFORRO_OUTBOX_SEND_TIMEOUT" default:"30s" help:"Time one attempt at sending an order email may take."`
	OutboxLease       time.Duration `name:"outbox-lease" env:"AFORRO_OUTBOX_LEASE" default:"2m" help:"How long a claimed email is hidden from other instances; one whose sender died is sent again after it (must exceed --outbox-send-timeout)."`

	WebhookTimeout     time.Duration `name:"webhook-timeout" env:"AFORRO_WEBHOOK_TIMEOUT" default:"10s" help:"Time one webhook attempt may take, connection to answer; longer is a failed attempt."`
	WebhookBackoff     time.Duration `name:"webhook-backoff" env:"AFORRO_WEBHOOK_BACKOFF" default:"30s" help:"Wait after a webhook delivery's first failed attempt; it doubles with each further one, up to 1h."`
	WebhookLease       time.Duration `name:"webhook-lease" env:"AFORRO_WEBHOOK_LEASE" default:"1m" help:"How long a claimed webhook delivery is hidden from other instances; one whose sender died is tried again after it (must exceed --webhook-timeout)."`
	WebhookRetryFor    time.Duration `name:"webhook-retry-for" env:"AFORRO_WEBHOOK_RETRY_FOR" default:"25h" help:"How long a webhook delivery is retried after its event before it is marked failed (at least 24h)."`
	WebhookDenyPrivate bool          `name:"webhook-deny-private" env:"AFORRO_WEBHOOK_DENY_PRIVATE" help:"Refuse to deliver webhooks to loopback and private addresses too (link-local, multicast and unspecified addresses are always refused)."`

	SuggestLimit          int           `name:"suggest-limit" env:"AFORRO_SUGGEST_LIMIT" default:"20" help:"Autocomplete requests allowed per client IP per --suggest-window (also the burst), shared by every instance through Redis."`
	SuggestWindow         time.Duration `name:"suggest-window" env:"AFORRO_SUGGEST_WINDOW" default:"1m" help:"Autocomplete rate-limit window (at least 1s)."`
	RateLimitRedisTimeout time.Duration `name:"rate-limit-redis-timeout" env:"AFORRO_RATE_LIMIT_REDIS_TIMEOUT" default:"150ms" help:"Time one rate-limit decision may wait for Redis before this process decides alone (10ms to 10s)."`
	SuggestTokenLimit     int           `name:"suggest-token-limit" env:"AFORRO_SUGGEST_TOKEN_LIMIT" default:"60" help:"Autocomplete requests allowed per live token (a till) per --suggest-window, instead of its IP's budget."`
	TrustedProxies        []string      `name:"trusted-proxies" env:"AFORRO_TRUSTED_PROXIES" sep:"," help:"Comma-separated CIDRs of proxies whose X-Forwarded-For names the client (default: none, the TCP peer is the client)."`
}

// Validate checks the settings before anything starts.
func (c *ServeCmd) Validate() error {
	if c.LowStock < 0 {
		return fmt.Errorf("--low-stock must be >= 0")
	}
	if c.DrainDelay < 0 || c.DrainDelay > 5*time.Minute {
		return fmt.Errorf("--drain-delay must be between 0s and 5m")
	}
	// "a,,b" or an empty variable name no replica.
	c.ReadDatabaseURLs = slices.DeleteFunc(c.ReadDatabaseURLs, func(u string) bool { return strings.TrimSpace(u) == "" })
	if c.MaxReplicaLag < 100*time.Millisecond {
		return fmt.Errorf("--max-replica-lag must be at least 100ms")
	}
	if len(c.ReadDatabaseURLs) > 0 && c.ReadYourWritesWindow <= c.MaxReplicaLag {
		return fmt.Errorf("--read-your-writes-window (%s) must exceed --max-replica-lag (%s), or a replica could still miss the write", c.ReadYourWritesWindow, c.MaxReplicaLag)
	}
	for _, u := range c.ReadDatabaseURLs {
		if _, err := db.ConnConfig(u); err != nil {
			return fmt.Errorf("--read-database-url %s: %w", db.Redact(u), err)
		}
	}
	if c.ListenDatabaseURL != "" {
		if _, err := db.ConnConfig(c.ListenDatabaseURL); err != nil {
			return fmt.Errorf("--listen-database-url: %w", err)
		}
	}
	if c.Pprof && c.MetricsAddr == "" {
		return fmt.Errorf("--pprof needs --metrics-addr: the profiler is served there, never on the API's address")
	}
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return fmt.Errorf("--redis-url: %w", err)
	}
	if _, err := jobs.ParseCron(c.SummaryCron); err != nil {
		return fmt.Errorf("--summary-cron: %w", err)
	}
	if err := c.jobsConfig().Validate(); err != nil {
		return fmt.Errorf("jobs settings: %w", err)
	}
	if c.SMTPURL != "" {
		if _, err := jobs.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("--smtp-url: %w", err)
		}
	}
	if c.WebhookRetryFor < 24*time.Hour {
		return fmt.Errorf("--webhook-retry-for must be at least 24h: receivers are promised a day of retries")
	}
	if c.SuggestLimit < 1 {
		return fmt.Errorf("--suggest-limit must be >= 1")
	}
	if c.SuggestTokenLimit < 1 {
		return fmt.Errorf("--suggest-token-limit must be >= 1")
	}
	if c.SuggestWindow < time.Second {
		return fmt.Errorf("--suggest-window must be at least 1s")
	}
	if c.RateLimitRedisTimeout < 10*time.Millisecond || c.RateLimitRedisTimeout > 10*time.Second {
		return fmt.Errorf("--rate-limit-redis-timeout must be between 10ms and 10s")
	}
	if _, err := server.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	return nil
}

// jobsConfig is the jobs' configuration the flags describe.
func (c *ServeCmd) jobsConfig() jobs.Config {
	cfg := jobs.DefaultConfig()
	cfg.SummaryCron = c.SummaryCron
	cfg.LowStock = c.LowStock
	cfg.MailFrom = c.MailFrom
	cfg.StockDigestTo = c.StockDigestTo
	cfg.LeaderTTL = c.LeaderTTL
	cfg.Outbox.Backoff, cfg.Outbox.MaxAttempts = c.OutboxBackoff, c.OutboxMaxAttempts
	cfg.Outbox.SendTimeout, cfg.Outbox.Lease = c.OutboxSendTimeout, c.OutboxLease
	cfg.Outbox.MaxBackoff = max(cfg.Outbox.MaxBackoff, c.OutboxBackoff)
	cfg.Webhooks.Timeout, cfg.Webhooks.Backoff = c.WebhookTimeout, c.WebhookBackoff
	cfg.Webhooks.MaxBackoff = max(cfg.Webhooks.MaxBackoff, c.WebhookBackoff)
	cfg.Webhooks.Lease = c.WebhookLease
	cfg.Webhooks.RetryFor, cfg.Webhooks.DenyPrivate = c.WebhookRetryFor, c.WebhookDenyPrivate
	return cfg
}

// newJobs wires the background jobs: SMTP when --smtp-url is set, else a
// mailer that logs.
func (c *ServeCmd) newJobs(d *db.DB, rdb *redis.Client, log *slog.Logger) (*jobs.Jobs, error) {
	var m jobs.Mailer = jobs.LogMailer{Log: log}
	if c.SMTPURL != "" {
		// Each SMTP command within the send timeout: a server that stops
		// answering must not hold a send past it (and past the lease, when
		// another instance would send the email again).
		sm, err := jobs.NewSMTPMailer(jobs.SMTPConfig{URL: c.SMTPURL, Timeout: c.OutboxSendTimeout})
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		m = sm
		log.Info("order emails go out through SMTP", "smtp", jobs.RedactSMTPURL(c.SMTPURL), "from", c.MailFrom)
	} else {
		log.Info("no --smtp-url: order emails are logged, not sent")
	}
	return jobs.New(c.jobsConfig(), d, rdb, m, log)
}

// Run serves, and runs the background jobs unless --no-jobs, until ctx is
// cancelled (SIGINT/SIGTERM); then it drains in-flight requests and stops the
// jobs cleanly.
func (c *ServeCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	d, err := db.Open(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if c.ListenDatabaseURL != "" {
		if err := d.ListenThrough(c.ListenDatabaseURL); err != nil {
			return err
		}
	}
	if len(c.ReadDatabaseURLs) > 0 {
		rcfg := db.ReplicaConfig{URLs: c.ReadDatabaseURLs, MaxLag: c.MaxReplicaLag}
		if err := d.OpenReplicas(ctx, rcfg, log); err != nil {
			return err
		}
		log.Info("catalogue reads go to read replicas while they keep up", "replicas", len(c.ReadDatabaseURLs), "max_lag", c.MaxReplicaLag)
	}
	redis.SetLogger(server.NewRedisLogger(log)) // the library's own lines, into this log
	opts, _ := redis.ParseURL(c.RedisURL)       // checked in Validate
	opts.ContextTimeoutEnabled = true           // a request's deadline bounds its Redis calls
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Warn("Redis is unreachable; serving without it", "redis", c.RedisURL, "error", err)
	}
	// The stock-alert trigger reads the threshold from the database
	// (migration 013): every write path, in its own transaction.
	if err := d.SetLowStockThreshold(ctx, c.LowStock); err != nil {
		return err
	}
	cfg := server.DefaultConfig()
	cfg.LowStock = c.LowStock
	cfg.DrainDelay = c.DrainDelay
	cfg.ReadYourWritesWindow = c.ReadYourWritesWindow
	cfg.Pprof = c.Pprof
	cfg.SuggestLimit, cfg.SuggestWindow = c.SuggestLimit, c.SuggestWindow
	cfg.SuggestTokenLimit = c.SuggestTokenLimit
	cfg.RateLimitRedisTimeout = c.RateLimitRedisTimeout
	cfg.TrustedProxies, _ = server.ParseTrustedProxies(c.TrustedProxies) // checked in Validate
	var bg *jobs.Jobs
	if c.NoJobs {
		log.Info("--no-jobs: this instance runs no background jobs")
	} else {
		if bg, err = c.newJobs(d, rdb, log); err != nil {
			return err
		}
		cfg.Jobs = bg
	}
	srv := server.New(cfg, d, rdb, log)
	defer srv.Close()
	var mln net.Listener
	if c.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if bg != nil {
		if err := srv.Registry().Register(bg.Collector()); err != nil {
			return fmt.Errorf("register the jobs' metrics: %w", err)
		}
	}
	// Whichever part fails first stops the others; each stops cleanly.
	grp, gctx := errgroup.WithContext(ctx)
	if bg != nil {
		grp.Go(func() error { return bg.Run(gctx) })
	}
	if mln != nil {
		grp.Go(func() error { return srv.ServeMetrics(gctx, mln) })
	}
	grp.Go(func() error {
		jobs.SyncStockedStores(gctx, d, jobs.StockSyncInterval, log)
		return nil
	})
	grp.Go(func() error { return srv.ListenAndServe(gctx, c.Addr) })
	return grp.Wait()
}
