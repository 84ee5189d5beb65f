package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Webhook request headers (README, "Webhooks").
const (
	HeaderEvent     = "Aforro-Event"
	HeaderDelivery  = "Aforro-Delivery"
	HeaderSignature = "Aforro-Signature"
)

// WebhookConfig tunes the webhook dispatcher.
type WebhookConfig struct {
	// Poll is how often deliveries are read when no notification arrives.
	Poll time.Duration
	// Batch is how many deliveries one claim takes; they are sent in parallel.
	Batch int
	// Lease hides a claimed delivery from other dispatchers; it must exceed
	// Timeout. A dead claimer's deliveries are claimed again after it.
	Lease time.Duration
	// Timeout bounds one HTTP attempt, connection to last byte.
	Timeout time.Duration
	// Backoff is the wait after the first failed attempt; it doubles with
	// every further one, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// RetryFor is how long after its event a delivery keeps being retried:
	// an attempt that fails once RetryFor has passed marks it failed.
	RetryFor time.Duration
	// DenyPrivate refuses to connect to loopback and private addresses as
	// well; link-local (cloud metadata), multicast and unspecified addresses
	// are always refused.
	DenyPrivate bool
}

// DefaultWebhookConfig returns the production settings: a 5 s poll, a 10 s
// timeout and retries at 30 s, 1 min, 2 min, ... then hourly, for 25 hours.
func DefaultWebhookConfig() WebhookConfig {
	return WebhookConfig{
		Poll:       5 * time.Second,
		Batch:      10,
		Lease:      time.Minute,
		Timeout:    10 * time.Second,
		Backoff:    30 * time.Second,
		MaxBackoff: time.Hour,
		RetryFor:   25 * time.Hour,
	}
}

// Validate checks the settings.
func (c WebhookConfig) Validate() error {
	switch {
	case c.Poll <= 0 || c.Timeout <= 0 || c.Backoff <= 0 || c.RetryFor <= 0:
		return errors.New("jobs: webhook poll, timeout, backoff and retry window must be positive")
	case c.Lease <= c.Timeout:
		return fmt.Errorf("jobs: the webhook lease (%s) must exceed the timeout (%s)", c.Lease, c.Timeout)
	case c.Batch < 1:
		return errors.New("jobs: the webhook batch must be at least 1")
	case c.MaxBackoff < c.Backoff:
		return errors.New("jobs: the webhook max backoff must be at least the backoff")
	}
	return nil
}

// backoff is the wait after failed attempt n (1-based).
func (c WebhookConfig) backoff(n int) time.Duration {
	wait := c.Backoff
	for i := 1; i < n && wait < c.MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, c.MaxBackoff)
}

// Sign returns the Aforro-Signature header of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookStats counts what one instance's webhook dispatcher did.
type WebhookStats struct {
	Delivered int64 // attempts answered 2xx
	Retried   int64 // failed attempts rescheduled
	Failed    int64 // deliveries given up after the retry window
	Disabled  int64 // endpoints disabled by a 410 answer
}

// WebhookDispatcher delivers webhook deliveries: the outbox trigger creates
// one per subscribed endpoint with each event, and the dispatcher claims due
// ones with FOR UPDATE SKIP LOCKED and a lease (db.ClaimDeliveries), POSTs
// the signed event, records the attempt and settles the delivery. Like the
// email Dispatcher it runs on every instance and is woken by a NOTIFY, and
// delivery is at least once: receivers deduplicate on the event id.
type WebhookDispatcher struct {
	cfg  WebhookConfig
	db   *db.DB
	http *http.Client
	log  *slog.Logger
	now  func() time.Time

	delivered, retried, failed, disabled atomic.Int64
	dbDown                               atomic.Bool
}

// NewWebhookDispatcher returns a dispatcher with its own HTTP client, which
// follows no redirects, uses no proxy and refuses the addresses the
// settings forbid.
func NewWebhookDispatcher(cfg WebhookConfig, d *db.DB, log *slog.Logger) (*WebhookDispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errors.New("jobs: the webhook dispatcher needs a database")
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, Control: dialGuard(cfg.DenyPrivate)}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would hide the address the guard checks
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	hc := &http.Client{
		Transport: transport,
		// A redirect is answered as a failure: following it would send the
		// signed event somewhere the admin did not register.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &WebhookDispatcher{cfg: cfg, db: d, http: hc, log: log, now: time.Now}, nil
}

// dialGuard refuses connections to addresses no webhook should reach: the
// link-local range (where cloud metadata services answer), multicast and
// unspecified addresses, and with denyPrivate loopback and private ranges.
// It checks the address actually dialled, after DNS, so a name that
// resolves to a forbidden address is refused too.
func dialGuard(denyPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		switch {
		case ip == nil:
			return fmt.Errorf("webhook address %q is not an IP address", host)
		case ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
			return fmt.Errorf("webhooks may not connect to %s (link-local, multicast or unspecified)", ip)
		case denyPrivate && (ip.IsLoopback() || ip.IsPrivate()):
			return fmt.Errorf("webhooks may not connect to %s (loopback or private; --webhook-deny-private is set)", ip)
		}
		return nil
	}
}

// Stats counts what this dispatcher did since it started.
func (w *WebhookDispatcher) Stats() WebhookStats {
	return WebhookStats{Delivered: w.delivered.Load(), Retried: w.retried.Load(), Failed: w.failed.Load(),
		Disabled: w.disabled.Load()}
}

// Run dispatches until ctx ends, then waits for the attempts in flight.
func (w *WebhookDispatcher) Run(ctx context.Context) {
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		listenLoop(ctx, w.log, "webhook", w.db.ListenWebhooks, notify)
	}()
	defer wg.Wait()
	for {
		w.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(w.cfg.Poll):
		}
	}
}

// listenLoop keeps a LISTEN connection open through listen, reconnecting
// with backoff; polling goes on meanwhile, so a lost connection only delays.
func listenLoop(ctx context.Context, log *slog.Logger, what string, listen func(context.Context, func()) error, wake func()) {
	wait := 100 * time.Millisecond
	for {
		start := time.Now()
		err := listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			wait = 100 * time.Millisecond
		}
		log.Warn("jobs: "+what+" listener disconnected; polling until it reconnects",
			"error", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 30*time.Second)
	}
}

// Drain claims and attempts due deliveries until none is left or ctx ends.
func (w *WebhookDispatcher) Drain(ctx context.Context) {
	for ctx.Err() == nil {
		ds, err := w.db.ClaimDeliveries(ctx, w.cfg.Batch, w.cfg.Lease)
		if err != nil {
			if ctx.Err() == nil && !w.dbDown.Swap(true) {
				w.log.Warn("jobs: cannot read the webhook deliveries; retrying every poll", "error", err)
			}
			return
		}
		if w.dbDown.Swap(false) {
			w.log.Info("jobs: the webhook deliveries are readable again")
		}
		if len(ds) == 0 {
			return
		}
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.attempt(ctx, d)
			}()
		}
		wg.Wait()
	}
}

// Body is the JSON a delivery POSTs: the same bytes on every attempt.
func Body(c db.ClaimedDelivery) ([]byte, error) {
	var p struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(c.Payload, &p); err != nil {
		return nil, fmt.Errorf("event %d: malformed payload: %w", c.EventID, err)
	}
	data := any(p.Data)
	if p.Data == nil {
		data = struct{}{}
	}
	return json.Marshal(aforro.WebhookEvent{ID: c.EventID, Type: c.Event, CreatedAt: c.EventAt, Data: data})
}

// attempt POSTs one claimed delivery and settles it.
func (w *WebhookDispatcher) attempt(ctx context.Context, c db.ClaimedDelivery) {
	log := w.log.With("delivery_id", c.ID, "event_id", c.EventID, "event", c.Event, "endpoint_id", c.EndpointID,
		"attempt", c.Attempts)
	started := w.now()
	status, retryAfter, err := w.post(ctx, c)
	a := db.DeliveryAttempt{Started: started, Duration: w.now().Sub(started), StatusCode: status}
	if ctx.Err() != nil && err != nil {
		log.Info("jobs: webhook interrupted by shutdown; it will be retried")
		return
	}
	switch {
	case err == nil && status >= 200 && status < 300:
		a.Outcome = db.Delivered
	case err == nil && status == http.StatusGone:
		a.Outcome, a.Error = db.Gone, "the receiver answered 410 Gone; the endpoint is disabled"
	default:
		if err != nil {
			a.Error = err.Error()
		} else {
			a.Error = fmt.Sprintf("the receiver answered %d %s", status, http.StatusText(status))
		}
		a.Outcome, a.Wait = db.Retry, max(w.cfg.backoff(c.Attempts), min(retryAfter, w.cfg.MaxBackoff))
		if w.now().Sub(c.CreatedAt) >= w.cfg.RetryFor {
			a.Outcome = db.GiveUp
			a.Error += fmt.Sprintf("; given up after %d attempts over %s", c.Attempts, w.cfg.RetryFor)
		}
	}
	settle, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	ok, gone, serr := w.db.SettleDelivery(settle, c, a)
	switch {
	case serr != nil:
		log.Error("jobs: could not record the webhook attempt; the delivery is retried after its lease", "error", serr)
		return
	case !ok:
		log.Warn("jobs: the webhook delivery's claim was lost before it was settled (lease over, endpoint disabled or deleted)")
		return
	}
	switch a.Outcome {
	case db.Delivered:
		w.delivered.Add(1)
		log.Info("jobs: webhook delivered", "status", status, "duration", a.Duration.String())
	case db.Retry:
		w.retried.Add(1)
		log.Warn("jobs: webhook failed; retrying later", "error", a.Error, "retry_in", a.Wait.String())
	case db.GiveUp:
		w.failed.Add(1)
		log.Error("jobs: webhook failed for good", "error", a.Error)
	case db.Gone:
		w.failed.Add(1)
		if gone {
			w.disabled.Add(1)
			log.Warn("jobs: the receiver answered 410 Gone; its endpoint is disabled")
		}
	}
}

// maxResponseRead bounds how much of an answer is read, so the connection
// can be reused without a hostile receiver streaming forever.
const maxResponseRead = 64 << 10

// post sends the delivery once: the status code (0 when no answer came), a
// Retry-After the receiver asked for, and a transport error.
func (w *WebhookDispatcher) post(ctx context.Context, c db.ClaimedDelivery) (int, time.Duration, error) {
	body, err := Body(c)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("cannot build the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Aforro-Webhooks/1")
	req.Header.Set(HeaderEvent, c.Event)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(c.EventID, 10))
	req.Header.Set(HeaderSignature, Sign(c.Secret, w.now(), body))
	resp, err := w.http.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return 0, 0, fmt.Errorf("no answer within %s", w.cfg.Timeout)
		}
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead)) // for connection reuse only
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, after, fmt.Errorf("the receiver answered %d %s; redirects are not followed (register the final URL)",
			resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.StatusCode, after, nil
}
