package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// OutboxChannel is the channel the order transaction notifies, with the new
// event's id, when it writes an outbox event.
const OutboxChannel = "outbox"

// maxLastError bounds the error text kept with an outbox event.
const maxLastError = 1000

// OutboxEvent is one claimed outbox event.
type OutboxEvent struct {
	ID      int64
	Event   string
	Payload json.RawMessage
	// Attempts counts the claims of the event, this one included; with the
	// ID it identifies this claim, so a dispatcher whose lease ran out cannot
	// settle an event another dispatcher has claimed since.
	Attempts  int
	CreatedAt time.Time
}

// ClaimOutbox claims up to n pending events that are due, oldest due first,
// for lease: in one short statement (its own transaction) it counts an
// attempt and moves each event's next_attempt_at lease into the future, so no
// other dispatcher claims it while it is being sent, and no transaction stays
// open during delivery. FOR UPDATE SKIP LOCKED lets dispatchers claim side by
// side without waiting on each other. If the claimer dies before settling an
// event, the lease runs out and the event is claimed again: delivery is at
// least once.
func (d *DB) ClaimOutbox(ctx context.Context, n int, lease time.Duration) ([]OutboxEvent, error) {
	rows, err := d.Pool.Query(ctx, `
		UPDATE outbox o SET attempts = o.attempts + 1,
		       next_attempt_at = now() + $2 * interval '1 millisecond'
		  FROM (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
		         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
		 WHERE o.id = due.id
		RETURNING o.id, o.event, o.payload, o.attempts, o.created_at`, n, lease.Milliseconds())
	if err != nil {
		return nil, wrapError(err, "claim outbox events")
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxEvent, error) {
		var ev OutboxEvent
		err := r.Scan(&ev.ID, &ev.Event, &ev.Payload, &ev.Attempts, &ev.CreatedAt)
		ev.CreatedAt = ev.CreatedAt.UTC()
		return ev, err
	})
	if err != nil {
		return nil, wrapError(err, "claim outbox events")
	}
	return evs, nil
}

// MarkOutboxSent settles a claimed event as sent. ok is false when the claim
// was lost (the lease ran out and the event was claimed again), and then the
// event is left to its new claimer.
func (d *DB) MarkOutboxSent(ctx context.Context, ev OutboxEvent) (ok bool, err error) {
	tag, err := d.Pool.Exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, ev.ID, ev.Attempts)
	if err != nil {
		return false, wrapError(err, fmt.Sprintf("mark outbox event %d sent", ev.ID))
	}
	return tag.RowsAffected() == 1, nil
}

// RetryOutbox settles a failed attempt of a claimed event: it stays pending,
// due again after wait, with the attempt's error. ok is as for MarkOutboxSent.
func (d *DB) RetryOutbox(ctx context.Context, ev OutboxEvent, cause string, wait time.Duration) (ok bool, err error) {
	tag, err := d.Pool.Exec(ctx, `UPDATE outbox SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, ev.ID, ev.Attempts, wait.Milliseconds(), clip(cause))
	if err != nil {
		return false, wrapError(err, fmt.Sprintf("reschedule outbox event %d", ev.ID))
	}
	return tag.RowsAffected() == 1, nil
}

// SkipOutbox settles a claimed event that has no email to send as skipped.
// ok is as for MarkOutboxSent.
func (d *DB) SkipOutbox(ctx context.Context, ev OutboxEvent) (ok bool, err error) {
	tag, err := d.Pool.Exec(ctx, `UPDATE outbox SET status = 'skipped', last_error = NULL
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, ev.ID, ev.Attempts)
	if err != nil {
		return false, wrapError(err, fmt.Sprintf("mark outbox event %d skipped", ev.ID))
	}
	return tag.RowsAffected() == 1, nil
}

// FailOutbox settles a claimed event for good as failed, with its last error.
// ok is as for MarkOutboxSent.
func (d *DB) FailOutbox(ctx context.Context, ev OutboxEvent, cause string) (ok bool, err error) {
	tag, err := d.Pool.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = $3
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, ev.ID, ev.Attempts, clip(cause))
	if err != nil {
		return false, wrapError(err, fmt.Sprintf("mark outbox event %d failed", ev.ID))
	}
	return tag.RowsAffected() == 1, nil
}

// OutboxCounts counts the outbox events by status.
func (d *DB) OutboxCounts(ctx context.Context) (aforro.OutboxCounts, error) {
	var c aforro.OutboxCounts
	err := d.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'),
		       count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed')
		  FROM outbox`).Scan(&c.Pending, &c.Sent, &c.Failed)
	if err != nil {
		return c, wrapError(err, "count outbox events")
	}
	return c, nil
}

// ListenOutbox listens on OutboxChannel over a connection of its own (not one
// of the pool's) and calls wake once it listens and then for every
// notification, so a dispatcher can claim a committed event at once instead
// of at its next poll. It returns nil when ctx ends and an error when the
// connection fails; the caller may listen again.
func (d *DB) ListenOutbox(ctx context.Context, wake func()) error {
	return d.listenChannel(ctx, OutboxChannel, wake)
}

// listenChannel is ListenOutbox for any channel.
func (d *DB) listenChannel(ctx context.Context, channel string, wake func()) error {
	conn, err := pgx.ConnectConfig(ctx, d.listenConfig())
	if err != nil {
		return wrapError(err, "connect to listen for "+channel+" events")
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // closing after a failure has nothing useful to report
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return wrapError(err, "listen for "+channel+" events")
	}
	// Events committed before LISTEN took effect sent their notification to
	// nobody: let the caller look.
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return wrapError(err, "wait for "+channel+" events")
		}
		wake()
	}
}

// clip bounds an error text stored in the database, on a rune boundary.
func clip(s string) string {
	if r := []rune(s); len(r) > maxLastError {
		return string(r[:maxLastError])
	}
	return s
}

// OutboxDepth counts the outbox events still waiting to be sent; the partial
// index on pending events makes it cheap enough for every metrics scrape.
func (d *DB) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, wrapError(err, "count pending outbox events")
	}
	return n, nil
}
