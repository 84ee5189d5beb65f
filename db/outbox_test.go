package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// TestOutboxClaim checks the claim's lease: a claimed event is invisible to
// other claims until its lease runs out, a stale claim cannot settle it, and
// the settled states stick.
func TestOutboxClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, `INSERT INTO outbox (id, event, payload) VALUES
		(1, 'order.confirmed', '{"order_id": 1, "customer_email": "a@example.com"}'),
		(2, 'order.confirmed', '{"order_id": 2, "customer_email": "b@example.com"}'),
		(3, 'order.confirmed', '{"order_id": 3, "customer_email": "c@example.com"}')`)

	first, err := d.ClaimOutbox(ctx, 2, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].ID != 1 || first[1].ID != 2 || first[0].Attempts != 1 {
		t.Fatalf("first claim = %+v, want events 1 and 2 on their first attempt", first)
	}
	second, err := d.ClaimOutbox(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 1 || second[0].ID != 3 {
		t.Fatalf("second claim = %+v, want only event 3 (1 and 2 are leased)", second)
	}

	if ok, err := d.MarkOutboxSent(ctx, first[0]); !ok || err != nil {
		t.Fatalf("mark 1 sent = %v, %v", ok, err)
	}
	if ok, err := d.FailOutbox(ctx, second[0], "550 no such user"); !ok || err != nil {
		t.Fatalf("fail 3 = %v, %v", ok, err)
	}
	if ok, err := d.RetryOutbox(ctx, first[1], "451 try later", 0); !ok || err != nil {
		t.Fatalf("retry 2 = %v, %v", ok, err)
	}
	// Event 2 is due again at once: a new claim takes it on attempt 2, and
	// the first claim, now stale, can no longer settle it.
	again, err := d.ClaimOutbox(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].ID != 2 || again[0].Attempts != 2 {
		t.Fatalf("claim after retry = %+v, want event 2 on attempt 2", again)
	}
	if ok, err := d.MarkOutboxSent(ctx, first[1]); ok || err != nil {
		t.Fatalf("stale claim marked event 2 sent: %v, %v", ok, err)
	}
	if ok, err := d.MarkOutboxSent(ctx, again[0]); !ok || err != nil {
		t.Fatalf("mark 2 sent = %v, %v", ok, err)
	}

	counts, err := d.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Pending != 0 || counts.Sent != 2 || counts.Failed != 1 {
		t.Fatalf("counts = %+v, want 0 pending, 2 sent, 1 failed", counts)
	}
	var lastErr string
	if err := d.Pool.QueryRow(ctx, `SELECT last_error FROM outbox WHERE id = 3`).Scan(&lastErr); err != nil || lastErr != "550 no such user" {
		t.Fatalf("last_error of 3 = %q, %v", lastErr, err)
	}
}

// TestOutboxLeaseExpiry checks that an event whose claimer vanished is
// claimed again once its lease runs out.
func TestOutboxLeaseExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	runSQL(t, d, `INSERT INTO outbox (event, payload) VALUES ('order.confirmed', '{}')`)
	evs, err := d.ClaimOutbox(ctx, 1, 100*time.Millisecond)
	if err != nil || len(evs) != 1 {
		t.Fatalf("claim = %+v, %v", evs, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var again []db.OutboxEvent
	for len(again) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if again, err = d.ClaimOutbox(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if len(again) != 1 || again[0].ID != evs[0].ID || again[0].Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, want the same event on attempt 2", again)
	}
}

// TestListenOutbox checks that a committed order event wakes a listener and
// a rolled-back one does not.
func TestListenOutbox(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	woken := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() { done <- d.ListenOutbox(ctx, func() { woken <- struct{}{} }) }()
	select {
	case <-woken: // the wake-up once listening
	case <-time.After(5 * time.Second):
		t.Fatal("ListenOutbox did not start listening")
	}
	runSQL(t, d, `BEGIN; SELECT pg_notify('outbox', '1'); ROLLBACK`)
	runSQL(t, d, `SELECT pg_notify('outbox', '2')`)
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up for a committed notification")
	}
	select {
	case <-woken:
		t.Fatal("woken twice: the rolled-back notification was delivered")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenOutbox after cancel = %v, want nil", err)
	}
}
