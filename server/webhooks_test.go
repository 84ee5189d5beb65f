package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aforro/aforro"
)

func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	staff := srv.token(t, aforro.RoleStaff)

	var w aforro.WebhookEndpoint
	r := srv.do(t, "POST", "/api/admin/webhooks/", `{"url": " https://erp.example.com/aforro ", "events": ["order.confirmed", "order.confirmed", "order.cancelled"]}`)
	r.decode(t, &w)
	if r.status != 201 || !strings.HasPrefix(w.Secret, "whsec_") || len(w.Secret) != 49 || w.URL != "https://erp.example.com/aforro" ||
		len(w.Events) != 2 || !w.Enabled || r.header.Get("Location") != "/api/admin/webhooks/1/" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := srv.get(t, "/api/admin/webhooks/1"); r.status != 200 || strings.Contains(string(r.body), "secret") {
		t.Errorf("get shows the secret or fails: %d %s", r.status, r.body)
	}
	if r := srv.get(t, "/api/admin/webhooks/"); r.status != 200 || strings.Contains(string(r.body), "secret") {
		t.Errorf("list shows the secret or fails: %d %s", r.status, r.body)
	}

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field                    string // the field error expected, for a 400
	}{
		{"unknown event type", "POST", "/api/admin/webhooks", `{"url": "https://x.example/", "events": ["order.shipped"]}`, 400, "events[0]"},
		{"no events", "POST", "/api/admin/webhooks", `{"url": "https://x.example/", "events": []}`, 400, "events"},
		{"events missing", "POST", "/api/admin/webhooks", `{"url": "https://x.example/"}`, 400, "events"},
		{"url missing", "POST", "/api/admin/webhooks", `{"events": ["order.confirmed"]}`, 400, "url"},
		{"ftp", "POST", "/api/admin/webhooks", `{"url": "ftp://x.example/", "events": ["order.confirmed"]}`, 400, "url"},
		{"relative", "POST", "/api/admin/webhooks", `{"url": "/hook", "events": ["order.confirmed"]}`, 400, "url"},
		{"credentials", "POST", "/api/admin/webhooks", `{"url": "https://u:p@x.example/", "events": ["order.confirmed"]}`, 400, "url"},
		{"fragment", "POST", "/api/admin/webhooks", `{"url": "https://x.example/#a", "events": ["order.confirmed"]}`, 400, "url"},
		{"short secret", "POST", "/api/admin/webhooks", `{"url": "https://x.example/", "events": ["order.confirmed"], "secret": "short"}`, 400, "secret"},
		{"created disabled", "POST", "/api/admin/webhooks", `{"url": "https://x.example/", "events": ["order.confirmed"], "enabled": false}`, 400, "enabled"},
		{"unknown field", "POST", "/api/admin/webhooks", `{"url": "https://x.example/", "events": ["order.confirmed"], "evnts": []}`, 400, ""},
		{"nothing to change", "PATCH", "/api/admin/webhooks/1", `{}`, 400, ""},
		{"patch an unknown event", "PATCH", "/api/admin/webhooks/1", `{"events": ["stock.sideways"]}`, 400, "events[0]"},
		{"patch unknown id", "PATCH", "/api/admin/webhooks/99", `{"description": "x"}`, 404, ""},
		{"get unknown id", "GET", "/api/admin/webhooks/99", ``, 404, ""},
		{"deliveries of an unknown id", "GET", "/api/admin/webhooks/99/deliveries", ``, 404, ""},
		{"deliveries with a bad status", "GET", "/api/admin/webhooks/1/deliveries?status=lost", ``, 400, "status"},
		{"deliveries past the end", "GET", "/api/admin/webhooks/1/deliveries?page=2", ``, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.do(t, tc.method, tc.path, tc.body)
			var e aforro.ErrorResponse
			r.decode(t, &e)
			if r.status != tc.status || e.Code == "" {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.field != "" && e.Fields[tc.field] == "" {
				t.Errorf("no problem with %s: %s", tc.field, r.body)
			}
			if tc.name == "unknown event type" && !strings.Contains(e.Fields["events[0]"], "order.confirmed, order.cancelled") {
				t.Errorf("the allowed types are not listed: %s", r.body)
			}
		})
	}
	if r := srv.do(t, "GET", "/api/admin/webhooks", "", "Authorization", "Bearer "+staff); r.status != http.StatusForbidden {
		t.Errorf("staff: %d", r.status)
	}

	// Disabling says why, pauses pending deliveries; enabling clears it.
	srv.exec(t, `INSERT INTO outbox (event, payload, status) VALUES ('order.confirmed', '{"data": {}}', 'skipped')`)
	r = srv.do(t, "PATCH", "/api/admin/webhooks/1", `{"enabled": false}`)
	r.decode(t, &w)
	if r.status != 200 || w.Enabled || w.DisabledReason == nil || !strings.Contains(*w.DisabledReason, "admin") {
		t.Errorf("disable: %d %s", r.status, r.body)
	}
	var page aforro.Page[aforro.WebhookDelivery]
	srv.get(t, "/api/admin/webhooks/1/deliveries?status=paused").decode(t, &page)
	if len(page.Results) != 1 || page.Results[0].Attempts == nil {
		t.Errorf("paused deliveries: %+v", page)
	}
	r = srv.do(t, "PATCH", "/api/admin/webhooks/1", `{"enabled": true, "secret": "a-new-secret-of-24-chars"}`)
	r.decode(t, &w)
	if r.status != 200 || !w.Enabled || w.DisabledReason != nil || w.Secret != "a-new-secret-of-24-chars" {
		t.Errorf("enable: %d %s", r.status, r.body)
	}
	srv.get(t, "/api/admin/webhooks/1/deliveries?status=pending").decode(t, &page)
	if len(page.Results) != 1 {
		t.Errorf("resumed deliveries: %+v", page)
	}
	if r := srv.do(t, "DELETE", "/api/admin/webhooks/1/", ""); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
	if n := srv.count(t, `SELECT count(*) FROM webhook_deliveries`); n != 0 {
		t.Errorf("%d deliveries left after delete", n)
	}
}
