package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// TestWebhookPlansTouchFewBuffers checks the webhook statements against
// 40,000 events fanned out to three endpoints (about 44,000 deliveries,
// over 600 table pages, which a scan would read): the
// deliveries list (every status filter, numbered and cursor pages) and the
// dispatcher's claim read a few index entries each, not the table, with
// custom and generic plans alike.
func TestWebhookPlansTouchFewBuffers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	plain, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	for _, e := range []struct {
		url    string
		events []string
	}{
		{"https://busy.example/", []string{aforro.EventOrderConfirmed, aforro.EventOrderCancelled}},
		{"https://cancels.example/", []string{aforro.EventOrderCancelled}},
		{"https://quiet.example/", []string{aforro.EventOrderConfirmed}},
	} {
		if _, err := plain.CreateWebhook(ctx, db.NewWebhook{URL: e.url, Secret: "0123456789abcdef", Events: e.events}); err != nil {
			t.Fatal(err)
		}
	}
	// Every tenth event is a cancel. Endpoint 3 was added for the last ten
	// events (of which it gets the nine confirmations, all due); nearly
	// everything else is delivered, and some of endpoint 2's failed. The
	// fan-out is the trigger's, done set-based for speed (TestWebhookFanOut
	// checks the trigger itself).
	if _, err := plain.Pool.Exec(ctx, `
		ALTER TABLE outbox DISABLE TRIGGER outbox_webhook_fan_out;
		INSERT INTO outbox (event, payload, status, created_at)
		SELECT CASE WHEN i % 10 = 0 THEN 'order.cancelled' ELSE 'order.confirmed' END, '{"data": {}}', 'skipped',
		       now() - (40000 - i) * interval '1 second'
		  FROM generate_series(1, 40000) i;
		ALTER TABLE outbox ENABLE TRIGGER outbox_webhook_fan_out;
		INSERT INTO webhook_deliveries (endpoint_id, event_id, created_at, status, attempts, delivered_at)
		SELECT e.id, o.id, o.created_at, x.status, CASE x.status WHEN 'pending' THEN 0 WHEN 'failed' THEN 30 ELSE 1 END,
		       CASE WHEN x.status = 'delivered' THEN o.created_at END
		  FROM outbox o JOIN webhook_endpoints e ON o.event = ANY (e.events),
		       LATERAL (SELECT CASE WHEN e.id = 3 THEN 'pending' WHEN e.id = 2 AND o.id % 1000 = 0 THEN 'failed'
		                            ELSE 'delivered' END AS status) x
		 WHERE e.id <> 3 OR o.id > 39990
		 ORDER BY o.id, e.id;
		INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code)
		SELECT id, 1, created_at, 12, 200 FROM webhook_deliveries WHERE status = 'delivered';`); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		t.Fatal(err)
	}
	type call func(d *db.DB, req aforro.PageRequest) ([]string, error)
	deliveries := func(endpoint int64, status string) call {
		return func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListDeliveries(ctx, endpoint, aforro.DeliveryFilter{Status: status}, req)
			return p.Next, err
		}
	}
	// The deliveries lists are planned per call (genericSafe false), as the
	// inventory's filters are in TestListPlansTouchFewBuffers.
	lists := []struct {
		name        string
		list        call
		genericSafe bool
	}{
		{"busy endpoint", deliveries(1, ""), false},
		{"quiet endpoint", deliveries(3, ""), false},
		{"busy endpoint, delivered", deliveries(1, aforro.DeliveryDelivered), false},
		{"busy endpoint, failed (none)", deliveries(1, aforro.DeliveryFailed), false},
		{"cancels endpoint, failed", deliveries(2, aforro.DeliveryFailed), false},
		{"quiet endpoint, pending", deliveries(3, aforro.DeliveryPending), false},
		{"quiet endpoint, delivered (none)", deliveries(3, aforro.DeliveryDelivered), false},
		{"endpoints", func(d *db.DB, req aforro.PageRequest) ([]string, error) {
			p, err := d.ListWebhooks(ctx, req)
			return p.Next, err
		}, true},
	}
	const maxBuffers = 600
	check := func(t *testing.T, rec *planRecorder, what string) {
		t.Helper()
		var total int64
		var detail []string
		for _, p := range rec.take() {
			total += p.Buffers
			detail = append(detail, fmt.Sprintf("%d buffers: %s\n%s", p.Buffers, p.Query, p.Plan))
		}
		if total > maxBuffers {
			t.Errorf("%s: %d buffers\n%s", what, total, strings.Join(detail, "\n"))
		}
	}
	for _, mode := range []string{"auto", "force_generic_plan"} {
		rec := newPlanRecorder(t, url, mode)
		for _, l := range lists {
			if mode == "force_generic_plan" && !l.genericSafe {
				continue
			}
			next, err := l.list(rec.DB, aforro.PageRequest{Page: 1, PageSize: 20})
			if err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			reqs := map[string]aforro.PageRequest{"page 1": {Page: 1, PageSize: 20}, "page 30": {Page: 30, PageSize: 20}}
			if next != nil {
				reqs["cursor"] = aforro.PageRequest{Page: 1, PageSize: 20, After: next}
			}
			for which, req := range reqs {
				for range 6 {
					rec.take()
					if _, err := l.list(rec.DB, req); err != nil && aforro.ErrorCode(err) != aforro.EPAGEOUTOFRANGE {
						t.Fatalf("%s, %s: %v", l.name, which, err)
					}
				}
				check(t, rec, fmt.Sprintf("%s, %s, plan_cache_mode %s", l.name, which, mode))
			}
		}
		// The claim, with nothing due and then with the ten due ones (its
		// lease hides them again after each claim).
		for i := range 7 {
			rec.take()
			claimed, err := rec.ClaimDeliveries(ctx, 10, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 && mode == "auto" && len(claimed) != 9 {
				t.Fatalf("claimed %d, want the 9 due", len(claimed))
			}
			check(t, rec, fmt.Sprintf("claim %d, plan_cache_mode %s", i, mode))
		}
		if _, err := plain.Pool.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWebhookFanOut checks the outbox trigger: one delivery per enabled
// endpoint subscribed to the event, none for a disabled or unsubscribed one,
// and none when the event's transaction rolls back.
func TestWebhookFanOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	both, _ := d.CreateWebhook(ctx, db.NewWebhook{URL: "https://a.example/", Secret: "0123456789abcdef",
		Events: []string{aforro.EventOrderConfirmed, aforro.EventOrderCancelled}})
	cancels, _ := d.CreateWebhook(ctx, db.NewWebhook{URL: "https://b.example/", Secret: "0123456789abcdef",
		Events: []string{aforro.EventOrderCancelled}})
	off, err := d.CreateWebhook(ctx, db.NewWebhook{URL: "https://c.example/", Secret: "0123456789abcdef",
		Events: []string{aforro.EventOrderConfirmed}})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	if _, err := d.UpdateWebhook(ctx, off.ID, aforro.WebhookEndpointInput{Enabled: &no}); err != nil {
		t.Fatal(err)
	}
	runSQL(t, d, `INSERT INTO outbox (event, payload, status) VALUES ('order.confirmed', '{}', 'skipped'), ('order.cancelled', '{}', 'skipped')`)
	runSQL(t, d, `BEGIN; INSERT INTO outbox (event, payload, status) VALUES ('order.cancelled', '{}', 'skipped'); ROLLBACK`)
	for _, c := range []struct {
		endpoint int64
		want     int
	}{{both.ID, 2}, {cancels.ID, 1}, {off.ID, 0}} {
		if got := len(deliveryPage(t, d, c.endpoint)); got != c.want {
			t.Errorf("endpoint %d: %d deliveries, want %d", c.endpoint, got, c.want)
		}
	}
}

func deliveryPage(t *testing.T, d *db.DB, endpoint int64) []aforro.WebhookDelivery {
	t.Helper()
	p, err := d.ListDeliveries(context.Background(), endpoint, aforro.DeliveryFilter{}, aforro.PageRequest{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Results
}
