package main

import (
	"maps"
	"regexp"
	"testing"

	"github.com/aforro/aforro"
)

// generatedSecrets matches the secrets the server makes up.
var generatedSecrets = regexp.MustCompile(`whsec_[A-Za-z0-9_-]{43}`)

// deliveriesFixture gives endpoint 1 a failed delivery with two attempts
// and a delivered one, at fixed times, as the dispatcher would record them.
const deliveriesFixture = `
INSERT INTO outbox (id, event, payload, status, created_at) VALUES
  (1001, 'order.confirmed', '{"order_id": 1, "data": {}}', 'skipped', '2026-03-01T10:00:00Z'),
  (1002, 'order.cancelled', '{"order_id": 1, "data": {}}', 'skipped', '2026-03-01T11:00:00Z');
UPDATE webhook_deliveries SET created_at = '2026-03-01T10:00:00Z', status = 'failed', attempts = 2,
       last_status = 500, last_error = 'the receiver answered 500 Internal Server Error; given up after 2 attempts over 25h0m0s'
 WHERE event_id = 1001;
UPDATE webhook_deliveries SET created_at = '2026-03-01T11:00:00Z', status = 'delivered', attempts = 1,
       last_status = 204, delivered_at = '2026-03-01T11:00:01Z'
 WHERE event_id = 1002;
INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error)
SELECT id, 1, '2026-03-01T10:00:00Z'::timestamptz, 10000, NULL, 'no answer within 10s' FROM webhook_deliveries WHERE event_id = 1001
UNION ALL
SELECT id, 2, '2026-03-01T10:00:30Z', 31, 500, 'the receiver answered 500 Internal Server Error; given up after 2 attempts over 25h0m0s' FROM webhook_deliveries WHERE event_id = 1001
UNION ALL
SELECT id, 1, '2026-03-01T11:00:00Z', 12, 204, '' FROM webhook_deliveries WHERE event_id = 1002;
`

// TestWebhooksGolden runs the webhook commands in order on one server.
func TestWebhooksGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	staff := srv.Token(t, aforro.RoleStaff)
	unreachable := closedURL(t)
	steps := []goldenRun{
		{"webhooks-create", []string{"webhooks", "create", "--url", "https://erp.example.com/aforro", "--event", "order.confirmed,order.cancelled",
			"--secret", "whsec_given_by_the_admin_0001", "--description", "ERP"}, nil},
		{"webhooks-create-json", []string{"webhooks", "create", "--url", "http://10.0.0.7:8080/hook", "--event", "order.cancelled", "-o", "json"}, nil},
		{"webhooks-create-unknown-event", []string{"webhooks", "create", "--url", "https://erp.example.com/x", "--event", "order.shipped"}, nil},
		{"webhooks-create-bad-url", []string{"webhooks", "create", "--url", "ftp://erp.example.com/x", "--event", "order.confirmed"}, nil},
		{"webhooks-create-staff", []string{"webhooks", "create", "--url", "https://erp.example.com/x", "--event", "order.confirmed"},
			map[string]string{"AFORRO_TOKEN": staff}},
		{"webhooks-list", []string{"webhooks", "list"}, nil},
		{"webhooks-list-csv", []string{"webhooks", "list", "-o", "csv"}, nil},
		{"webhooks-show", []string{"webhooks", "show", "1"}, nil},
		{"webhooks-show-not-found", []string{"webhooks", "show", "99"}, nil},
		{"webhooks-update-disable", []string{"webhooks", "update", "2", "--disable"}, nil},
		{"webhooks-update-enable", []string{"webhooks", "update", "2", "--enable", "--event", "order.confirmed", "-o", "json"}, nil},
		{"usage-webhooks-update-nothing", []string{"webhooks", "update", "2"}, nil},
		{"webhooks-deliveries", []string{"webhooks", "deliveries", "1"}, nil},
		{"webhooks-deliveries-failed-json", []string{"webhooks", "deliveries", "1", "--status", "failed", "-o", "json"}, nil},
		{"webhooks-deliveries-csv", []string{"webhooks", "deliveries", "1", "-o", "csv"}, nil},
		{"webhooks-deliveries-not-found", []string{"webhooks", "deliveries", "99"}, nil},
		{"webhooks-delete", []string{"webhooks", "delete", "2"}, nil},
		{"webhooks-delete-not-found", []string{"webhooks", "delete", "2"}, nil},
		{"unreachable-webhooks-list", []string{"webhooks", "list"}, map[string]string{"AFORRO_URL": unreachable}},
	}
	for _, st := range steps {
		// Not parallel: each step builds on the ones before.
		t.Run(st.name, func(t *testing.T) {
			if st.name == "webhooks-deliveries" {
				srv.Exec(t, deliveriesFixture)
			}
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, st.env)
			inv := invocation{args: st.args, env: env}
			got := transcript(inv, runCLI(t, inv), placeholders(srv.URL, unreachable)...)
			got = generatedSecrets.ReplaceAllString(got, "<generated secret>")
			golden(t, st.name, clockTimes.ReplaceAllString(got, "<now>"))
		})
	}
}
