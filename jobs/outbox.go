package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// EventOrderConfirmed is the outbox event the order transaction writes for a
// CONFIRMED order; it is mailed when the order has a customer email.
const EventOrderConfirmed = aforro.EventOrderConfirmed

// OutboxConfig tunes the dispatcher.
type OutboxConfig struct {
	// Poll is how often the outbox is read when no notification arrives.
	Poll time.Duration
	// Batch is how many events one claim takes; they are sent in parallel.
	Batch int
	// Lease hides a claimed event from other dispatchers while it is being
	// sent; it must exceed SendTimeout. If the claimer dies, the event is
	// claimed again when the lease runs out.
	Lease time.Duration
	// SendTimeout bounds the rendering and sending of one email.
	SendTimeout time.Duration
	// MaxAttempts is how many times an event is tried before it is marked
	// failed.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt; it doubles with
	// every further one, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// DefaultOutboxConfig returns the production settings: a 5 s poll, 8 attempts
// over about 2 hours (30 s, 1 min, 2 min, ... capped at 1 h).
func DefaultOutboxConfig() OutboxConfig {
	return OutboxConfig{
		Poll:        5 * time.Second,
		Batch:       10,
		Lease:       2 * time.Minute,
		SendTimeout: 30 * time.Second,
		MaxAttempts: 8,
		Backoff:     30 * time.Second,
		MaxBackoff:  time.Hour,
	}
}

// Validate checks the settings.
func (c OutboxConfig) Validate() error {
	switch {
	case c.Poll <= 0 || c.SendTimeout <= 0 || c.Backoff <= 0:
		return errors.New("jobs: outbox poll, send timeout and backoff must be positive")
	case c.Lease <= c.SendTimeout:
		return fmt.Errorf("jobs: the outbox lease (%s) must exceed the send timeout (%s)", c.Lease, c.SendTimeout)
	case c.Batch < 1 || c.MaxAttempts < 1:
		return errors.New("jobs: outbox batch and max attempts must be at least 1")
	case c.MaxBackoff < c.Backoff:
		return errors.New("jobs: the outbox max backoff must be at least the backoff")
	}
	return nil
}

// backoff is the wait after failed attempt n (1-based).
func (c OutboxConfig) backoff(n int) time.Duration {
	wait := c.Backoff
	for i := 1; i < n && wait < c.MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, c.MaxBackoff)
}

// Dispatcher delivers outbox events: it claims due events with FOR UPDATE
// SKIP LOCKED and a lease (see db.ClaimOutbox), sends their email, and marks
// them sent, or reschedules them with exponential backoff, or after
// MaxAttempts (or a permanent error) marks them failed with their last error.
// It polls every Poll and is woken at once by the NOTIFY the order
// transaction sends on commit.
//
// It runs on every instance, not only on the leader: the claim makes that
// safe (two dispatchers never claim one event while its lease lasts), it
// spreads the sending, and emails keep flowing while Redis is down. Delivery
// is at least once: a process killed after sending but before marking the
// event sent sends it again after the lease.
type Dispatcher struct {
	cfg    OutboxConfig
	db     *db.DB
	mailer Mailer
	from   string
	log    *slog.Logger

	sent, retried, failed atomic.Int64
	dbDown                atomic.Bool
}

// NewDispatcher returns a dispatcher sending from the address from.
func NewDispatcher(cfg OutboxConfig, d *db.DB, m Mailer, from string, log *slog.Logger) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if m == nil || d == nil {
		return nil, errors.New("jobs: the dispatcher needs a database and a mailer")
	}
	return &Dispatcher{cfg: cfg, db: d, mailer: m, from: from, log: log}, nil
}

// Stats counts what this dispatcher did since it started.
func (d *Dispatcher) Stats() aforro.DispatcherStats {
	return aforro.DispatcherStats{Sent: d.sent.Load(), Retried: d.retried.Load(), Failed: d.failed.Load()}
}

// Run dispatches until ctx ends, then waits for the sends in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		listenLoop(ctx, d.log, "outbox", d.db.ListenOutbox, notify)
	}()
	defer wg.Wait()
	for {
		d.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(d.cfg.Poll):
		}
	}
}

// Drain claims and delivers due events until none is left or ctx ends.
func (d *Dispatcher) Drain(ctx context.Context) {
	for ctx.Err() == nil {
		evs, err := d.db.ClaimOutbox(ctx, d.cfg.Batch, d.cfg.Lease)
		if err != nil {
			if ctx.Err() == nil && !d.dbDown.Swap(true) {
				d.log.Warn("jobs: cannot read the outbox; retrying every poll", "error", err)
			}
			return
		}
		if d.dbDown.Swap(false) {
			d.log.Info("jobs: the outbox is readable again")
		}
		if len(evs) == 0 {
			return
		}
		var wg sync.WaitGroup
		for _, ev := range evs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.deliver(ctx, ev)
			}()
		}
		wg.Wait()
	}
}

// deliver sends one claimed event and settles it.
func (d *Dispatcher) deliver(ctx context.Context, ev db.OutboxEvent) {
	sctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	msg, err := d.render(sctx, ev)
	if err == nil {
		err = d.mailer.Send(sctx, msg)
	}
	cancel()
	if err != nil && ctx.Err() != nil {
		// Shutting down mid-send: the lease runs out and another claim
		// retries the event.
		d.log.Info("jobs: email interrupted by shutdown; it will be retried", "event_id", ev.ID)
		return
	}
	// Settle even during shutdown: an email that went out must be marked sent.
	settle, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	log := d.log.With("event_id", ev.ID, "event", ev.Event, "attempt", ev.Attempts, "to", msg.To)
	var ok bool
	var serr error
	switch {
	case errors.Is(err, errNoEmail):
		if ok, serr = d.db.SkipOutbox(settle, ev); ok {
			log.Info("jobs: the event has no email to send; marked skipped")
		}
	case err == nil:
		if ok, serr = d.db.MarkOutboxSent(settle, ev); ok {
			d.sent.Add(1)
			log.Info("jobs: email sent", "subject", msg.Subject)
		}
	case isPermanent(err) || ev.Attempts >= d.cfg.MaxAttempts:
		if ok, serr = d.db.FailOutbox(settle, ev, err.Error()); ok {
			d.failed.Add(1)
			log.Error("jobs: email failed for good; the event is marked failed", "error", err,
				"permanent", isPermanent(err))
		}
	default:
		wait := d.cfg.backoff(ev.Attempts)
		if ok, serr = d.db.RetryOutbox(settle, ev, err.Error(), wait); ok {
			d.retried.Add(1)
			log.Warn("jobs: email failed; retrying later", "error", err, "retry_in", wait.String())
		}
	}
	switch {
	case serr != nil:
		log.Error("jobs: could not record the email's outcome; the event is retried after its lease", "error", serr)
	case !ok:
		log.Warn("jobs: the event's lease ran out before it was settled; another claim owns it now")
	}
}

// errNoEmail is render's answer for an event that mails nobody; the event
// is settled as skipped.
var errNoEmail = errors.New("jobs: the event has no email")

// render turns an event into its email. An event that can never be rendered
// is a permanent error.
func (d *Dispatcher) render(ctx context.Context, ev db.OutboxEvent) (Message, error) {
	switch ev.Event {
	case db.EventStockDigest:
		dg, err := db.ParseStockDigest(ev.Payload)
		if err != nil {
			return Message{}, permanent(fmt.Errorf("event %d: malformed %s payload: %w", ev.ID, ev.Event, err))
		}
		return stockDigestEmail(d.from, dg), nil
	case aforro.EventOrderCancelled, aforro.EventStockLow, aforro.EventStockOut, aforro.EventTransferShipped, aforro.EventTransferPartiallyReceived,
		aforro.EventTransferReceived, aforro.EventTransferCancelled:
		// Written for webhooks only (as skipped); should one be pending
		// all the same, there is no email for it.
		return Message{}, errNoEmail
	case EventOrderConfirmed:
		var p struct {
			OrderID       int64  `json:"order_id"`
			CustomerEmail string `json:"customer_email"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err == nil && p.OrderID > 0 && p.CustomerEmail == "" {
			return Message{}, errNoEmail // an order without a customer email
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.OrderID < 1 || p.CustomerEmail == "" {
			return Message{}, permanent(fmt.Errorf("event %d: malformed %s payload %s", ev.ID, ev.Event, ev.Payload))
		}
		o, err := d.db.Order(ctx, p.OrderID)
		if aforro.ErrorCode(err) == aforro.ENOTFOUND {
			return Message{}, permanent(fmt.Errorf("event %d: order %d does not exist", ev.ID, p.OrderID))
		}
		if err != nil {
			return Message{}, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		return orderConfirmedEmail(d.from, p.CustomerEmail, o), nil
	}
	return Message{}, permanent(fmt.Errorf("event %d: unknown event %q", ev.ID, ev.Event))
}
