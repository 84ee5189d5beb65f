package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// WebhookChannel is the channel the outbox trigger notifies, with the event
// id, when it creates webhook deliveries (migration 009).
const WebhookChannel = "webhooks"

const webhookColumns = `id, url, description, events, enabled, disabled_reason, created_at, updated_at`

func scanWebhook(row pgx.Row) (aforro.WebhookEndpoint, error) {
	var w aforro.WebhookEndpoint
	err := row.Scan(&w.ID, &w.URL, &w.Description, &w.Events, &w.Enabled, &w.DisabledReason, &w.CreatedAt, &w.UpdatedAt)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, err
}

// NewWebhook is a validated endpoint to create; the server generates the
// secret when the admin gives none.
type NewWebhook struct {
	URL, Description, Secret string
	Events                   []string
}

// CreateWebhook registers an endpoint; the answer carries its secret, which
// no other read does.
func (d *DB) CreateWebhook(ctx context.Context, in NewWebhook) (aforro.WebhookEndpoint, error) {
	w, err := scanWebhook(d.Pool.QueryRow(ctx, `INSERT INTO webhook_endpoints (url, description, secret, events)
		VALUES ($1, $2, $3, $4) RETURNING `+webhookColumns, in.URL, in.Description, in.Secret, in.Events))
	w.Secret = in.Secret
	return w, wrapError(err, "create webhook endpoint")
}

// Webhook returns one endpoint, without its secret. An unknown id is
// ENOTFOUND.
func (d *DB) Webhook(ctx context.Context, id int64) (aforro.WebhookEndpoint, error) {
	w, err := scanWebhook(d.Pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = $1`, id))
	return w, wrapError(err, "get webhook endpoint", noRow("Webhook endpoint", id))
}

// ListWebhooks returns a page of endpoints by id.
func (d *DB) ListWebhooks(ctx context.Context, req aforro.PageRequest) (aforro.Page[aforro.WebhookEndpoint], error) {
	return listPage(ctx, d.Pool, req, listQuery{
		from:    `webhook_endpoints`,
		columns: webhookColumns,
		order:   []sortKey{{expr: "id", cast: "bigint"}},
	}, scanWebhook, func(w aforro.WebhookEndpoint) []string { return []string{itoa(w.ID)} })
}

// UpdateWebhook changes the fields of in that are set (validated by the
// caller). Disabling an endpoint pauses its pending deliveries and enabling
// it resumes them, due at once, in the same transaction; an admin's disable
// says so in disabled_reason. The answer carries the secret only when in
// sets it. An unknown id is ENOTFOUND.
func (d *DB) UpdateWebhook(ctx context.Context, id int64, in aforro.WebhookEndpointInput) (aforro.WebhookEndpoint, error) {
	var w aforro.WebhookEndpoint
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var was bool
		if err := tx.QueryRow(ctx, `SELECT enabled FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, id).Scan(&was); err != nil {
			return wrapError(err, "lock webhook endpoint", noRow("Webhook endpoint", id))
		}
		var events []string
		if in.Events != nil {
			events = in.Events
		}
		var reason *string
		if in.Enabled != nil && !*in.Enabled && was {
			r := "Disabled by an admin at " + time.Now().UTC().Format(time.RFC3339) + "."
			reason = &r
		}
		var err error
		w, err = scanWebhook(tx.QueryRow(ctx, `UPDATE webhook_endpoints SET url = coalesce($2, url),
			       description = coalesce($3, description), secret = coalesce($4, secret),
			       events = coalesce($5, events), enabled = coalesce($6, enabled),
			       disabled_reason = CASE WHEN coalesce($6, enabled) THEN NULL ELSE coalesce($7, disabled_reason) END,
			       updated_at = now()
			 WHERE id = $1 RETURNING `+webhookColumns, id, in.URL, in.Description, in.Secret, events, in.Enabled, reason))
		if err != nil {
			return wrapError(err, "update webhook endpoint")
		}
		if in.Enabled != nil && *in.Enabled != was {
			return setDeliveriesPaused(ctx, tx, id, !*in.Enabled)
		}
		return nil
	})
	if err == nil && in.Secret != nil {
		w.Secret = *in.Secret
	}
	return w, wrapError(err, "update webhook endpoint")
}

// setDeliveriesPaused pauses an endpoint's pending deliveries, or resumes
// its paused ones, due now.
func setDeliveriesPaused(ctx context.Context, tx pgx.Tx, endpointID int64, pause bool) error {
	sql := `UPDATE webhook_deliveries SET status = 'paused' WHERE endpoint_id = $1 AND status = 'pending'`
	if !pause {
		sql = `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now()
			WHERE endpoint_id = $1 AND status = 'paused'`
	}
	if _, err := tx.Exec(ctx, sql, endpointID); err != nil {
		return wrapError(err, "pause or resume webhook deliveries")
	}
	if !pause {
		if _, err := tx.Exec(ctx, `SELECT pg_notify('webhooks', $1::text)`, itoa(endpointID)); err != nil {
			return wrapError(err, "wake webhook dispatchers")
		}
	}
	return nil
}

// DeleteWebhook deletes an endpoint with its deliveries and their attempts.
// An unknown id is ENOTFOUND.
func (d *DB) DeleteWebhook(ctx context.Context, id int64) error {
	tag, err := d.Pool.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
	if err != nil {
		return wrapError(err, "delete webhook endpoint")
	}
	if tag.RowsAffected() == 0 {
		return errNotFound("Webhook endpoint", id)
	}
	return nil
}

// ListDeliveries returns a page of an endpoint's deliveries, newest first
// (the order of webhook_deliveries_endpoint_idx, or with a status of
// webhook_deliveries_endpoint_status_idx), each with its attempts; the
// attempts of the whole page are read in one more statement. An unknown
// endpoint is ENOTFOUND.
func (d *DB) ListDeliveries(ctx context.Context, endpointID int64, f aforro.DeliveryFilter, req aforro.PageRequest) (aforro.Page[aforro.WebhookDelivery], error) {
	lq := listQuery{
		from:  `webhook_deliveries d`,
		alias: "d",
		// The event's type by its primary key, row by row: a join let a
		// generic plan hash the whole outbox for a page of 20.
		columns: `d.id, d.event_id, (SELECT o.event FROM outbox o WHERE o.id = d.event_id), d.status, d.attempts,
			CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, d.last_error, d.created_at, d.delivered_at`,
		order: []sortKey{{expr: "d.id", cast: "bigint", desc: true}},
		missing: func(ctx context.Context) error {
			_, err := d.Webhook(ctx, endpointID)
			return err
		},
	}
	// Endpoints differ wildly in their share of the deliveries, and a
	// generic plan, which assumes the average share, walked the whole
	// table newest first for a quiet endpoint's page; so the list is
	// planned with its values: the endpoint's index then for a quiet
	// endpoint or a rare status, the newest-first walk for a busy one.
	lq.custom = true
	lq.filter("d.endpoint_id = ?", endpointID)
	if f.Status != "" {
		lq.filter("d.status = ?", f.Status)
	}
	page, err := listPage(ctx, d.Pool, req, lq, func(row pgx.Row) (aforro.WebhookDelivery, error) {
		var w aforro.WebhookDelivery
		err := row.Scan(&w.ID, &w.EventID, &w.EventType, &w.Status, &w.AttemptCount, &w.NextAttemptAt,
			&w.LastError, &w.CreatedAt, &w.DeliveredAt)
		w.CreatedAt = w.CreatedAt.UTC()
		w.NextAttemptAt, w.DeliveredAt = utcPtr(w.NextAttemptAt), utcPtr(w.DeliveredAt)
		w.Attempts = []aforro.WebhookAttempt{}
		return w, err
	}, func(w aforro.WebhookDelivery) []string { return []string{itoa(w.ID)} })
	if err != nil || len(page.Results) == 0 {
		return page, err
	}
	ids := make([]int64, len(page.Results))
	at := make(map[int64]*aforro.WebhookDelivery, len(ids))
	for i := range page.Results {
		ids[i] = page.Results[i].ID
		at[ids[i]] = &page.Results[i]
	}
	rows, err := d.Pool.Query(ctx, `SELECT delivery_id, attempt, started_at, duration_ms, status_code, error
		FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt`, ids)
	if err != nil {
		return page, wrapError(err, "list webhook attempts")
	}
	var id int64
	var a aforro.WebhookAttempt
	if _, err := pgx.ForEachRow(rows, []any{&id, &a.Attempt, &a.At, &a.DurationMS, &a.StatusCode, &a.Error}, func() error {
		a.At = a.At.UTC()
		at[id].Attempts = append(at[id].Attempts, a)
		return nil
	}); err != nil {
		return page, wrapError(err, "list webhook attempts")
	}
	return page, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ClaimedDelivery is one webhook delivery claimed for an attempt, with what
// sending it needs.
type ClaimedDelivery struct {
	ID         int64
	EndpointID int64
	URL        string
	Secret     string
	// Attempts counts the claims of the delivery, this one included; with
	// the ID it identifies this claim (see OutboxEvent.Attempts).
	Attempts  int
	CreatedAt time.Time // when the delivery (and its event) was created
	EventID   int64
	Event     string
	Payload   json.RawMessage
	EventAt   time.Time
}

// ClaimDeliveries claims up to n due pending deliveries, oldest due first,
// for lease, as ClaimOutbox does for emails: one statement counts the
// attempt and moves next_attempt_at past the lease, with FOR UPDATE SKIP
// LOCKED so dispatchers on several instances claim side by side; a claim
// whose dispatcher dies is claimed again when its lease runs out.
func (d *DB) ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]ClaimedDelivery, error) {
	rows, err := d.Pool.Query(ctx, `
		UPDATE webhook_deliveries w SET attempts = w.attempts + 1,
		       next_attempt_at = now() + $2 * interval '1 millisecond'
		  FROM (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
		         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due,
		       webhook_endpoints e, outbox o
		 WHERE w.id = due.id AND e.id = w.endpoint_id AND o.id = w.event_id
		RETURNING w.id, w.endpoint_id, e.url, e.secret, w.attempts, w.created_at, o.id, o.event, o.payload, o.created_at`,
		n, lease.Milliseconds())
	if err != nil {
		return nil, wrapError(err, "claim webhook deliveries")
	}
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClaimedDelivery, error) {
		var c ClaimedDelivery
		err := r.Scan(&c.ID, &c.EndpointID, &c.URL, &c.Secret, &c.Attempts, &c.CreatedAt, &c.EventID, &c.Event, &c.Payload, &c.EventAt)
		c.CreatedAt, c.EventAt = c.CreatedAt.UTC(), c.EventAt.UTC()
		return c, err
	})
	return ds, wrapError(err, "claim webhook deliveries")
}

// DeliveryOutcome is how an attempt settles its delivery.
type DeliveryOutcome int

// The outcomes of an attempt.
const (
	Delivered DeliveryOutcome = iota // 2xx
	Retry                            // try again after Attempt.Wait
	GiveUp                           // failed for good: the retry window is over
	Gone                             // 410: failed, and its endpoint disabled
)

// DeliveryAttempt is what one attempt of a claimed delivery saw.
type DeliveryAttempt struct {
	Outcome    DeliveryOutcome
	Started    time.Time
	Duration   time.Duration
	StatusCode int    // 0: no answer
	Error      string // "" when delivered
	Wait       time.Duration
}

// SettleDelivery records an attempt of a claimed delivery and settles the
// delivery, in one transaction. The attempt is recorded whether or not the
// claim still holds (it happened); ok is false when the claim was lost (its
// lease ran out, or its endpoint was disabled or deleted meanwhile) and the
// delivery was left alone. Gone also disables the endpoint, saying why, and
// pauses its other pending deliveries; gone reports that this call did so.
func (d *DB) SettleDelivery(ctx context.Context, c ClaimedDelivery, a DeliveryAttempt) (ok, gone bool, err error) {
	err = d.retry(ctx, func(tx pgx.Tx) error {
		ok, gone = false, false
		var code *int
		if a.StatusCode != 0 {
			code = &a.StatusCode
		}
		tag, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error)
			SELECT id, $2, $3, $4, $5, $6 FROM webhook_deliveries WHERE id = $1`,
			c.ID, c.Attempts, a.Started, a.Duration.Milliseconds(), code, clip(a.Error))
		if err != nil {
			return wrapError(err, "record webhook attempt")
		}
		if tag.RowsAffected() == 0 {
			return nil // the endpoint was deleted with its deliveries
		}
		var lastErr *string
		if a.Error != "" {
			e := clip(a.Error)
			lastErr = &e
		}
		status, wait := aforro.DeliveryFailed, time.Duration(0)
		switch a.Outcome {
		case Delivered:
			status = aforro.DeliveryDelivered
		case Retry:
			status, wait = aforro.DeliveryPending, a.Wait
		}
		tag, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = $3, last_status = $4, last_error = $5,
			       next_attempt_at = now() + $6 * interval '1 millisecond',
			       delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
			 WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
			c.ID, c.Attempts, status, code, lastErr, wait.Milliseconds())
		if err != nil {
			return wrapError(err, "settle webhook delivery")
		}
		ok = tag.RowsAffected() == 1
		if !ok || a.Outcome != Gone {
			return nil
		}
		reason := fmt.Sprintf("The receiver answered 410 Gone at %s; enable the endpoint again to resume its deliveries.",
			a.Started.UTC().Format(time.RFC3339))
		tag, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now()
			WHERE id = $1 AND enabled`, c.EndpointID, reason)
		if err != nil {
			return wrapError(err, "disable webhook endpoint")
		}
		if gone = tag.RowsAffected() == 1; gone {
			return setDeliveriesPaused(ctx, tx, c.EndpointID, true)
		}
		return nil
	})
	return ok, gone, wrapError(err, "settle webhook delivery")
}

// WebhookDepth counts the deliveries waiting for an attempt, from the
// partial index on pending deliveries.
func (d *DB) WebhookDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, wrapError(err, "count pending webhook deliveries")
	}
	return n, nil
}

// ListenWebhooks is ListenOutbox for WebhookChannel.
func (d *DB) ListenWebhooks(ctx context.Context, wake func()) error {
	return d.listenChannel(ctx, WebhookChannel, wake)
}
