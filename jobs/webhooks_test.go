package jobs_test

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/jobs"
)

// VerifyAforroSignature checks an Aforro-Signature header against the raw
// request body and the endpoint's secret, and refuses a signature older
// (or newer) than tolerance, so a captured request cannot be replayed later.
// The README gives this very function to receivers; a test checks it is
// the same text.
func VerifyAforroSignature(header string, body []byte, secret string, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed Aforro-Signature header")
	}
	if age := time.Since(time.Unix(unix, 0)); age > tolerance || age < -tolerance {
		return errors.New("signature timestamp outside the tolerance")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("signature does not match")
	}
	return nil
}

// TestReadmeReceiverIsTested checks that the README's receiver code is the
// VerifyAforroSignature these tests use.
func TestReadmeReceiverIsTested(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("webhooks_test.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "func VerifyAforroSignature(")
	end := strings.Index(string(src[start:]), "\n}\n")
	fn := string(src[start : start+end+2])
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), fn) {
		t.Errorf("README.md does not contain the tested receiver function verbatim:\n%s", fn)
	}
}

func TestVerifyAforroSignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":1}`)
	now := time.Now()
	for _, tc := range []struct {
		name, header, secret string
		ok                   bool
	}{
		{"valid", jobs.Sign("whsec_0123456789abcdef", now, body), "whsec_0123456789abcdef", true},
		{"other secret", jobs.Sign("whsec_0123456789abcdef", now, body), "whsec_fedcba9876543210", false},
		{"old", jobs.Sign("whsec_0123456789abcdef", now.Add(-10*time.Minute), body), "whsec_0123456789abcdef", false},
		{"malformed", "v1=abc", "whsec_0123456789abcdef", false},
		{"tampered time", strings.Replace(jobs.Sign("whsec_0123456789abcdef", now, body), "t=", "t=1", 1), "whsec_0123456789abcdef", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyAforroSignature(tc.header, body, tc.secret, 5*time.Minute)
			if (err == nil) != tc.ok {
				t.Errorf("verify = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if err := VerifyAforroSignature(jobs.Sign("s3cr3t-s3cr3t-16", now, body), []byte(`{"id":2}`), "s3cr3t-s3cr3t-16", time.Minute); err == nil {
		t.Error("a changed body verified")
	}
}

// hookRequest is one request a receiver got.
type hookRequest struct {
	event, delivery, signature string
	body                       []byte
	verified                   error
}

// receiver is a real HTTP endpoint that answers each request with what
// answer says for its 1-based number; an answer of 0 holds the request
// until the client gives up (a timeout).
type receiver struct {
	*httptest.Server
	secret string
	answer func(n int) int

	mu   sync.Mutex
	reqs []hookRequest
}

func newReceiver(t *testing.T, secret string, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{secret: secret, answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		h := hookRequest{event: req.Header.Get("Aforro-Event"), delivery: req.Header.Get("Aforro-Delivery"),
			signature: req.Header.Get("Aforro-Signature"), body: body}
		h.verified = VerifyAforroSignature(h.signature, body, r.secret, 5*time.Minute)
		r.mu.Lock()
		r.reqs = append(r.reqs, h)
		n := len(r.reqs)
		r.mu.Unlock()
		status := r.answer(n)
		if status == 0 {
			<-req.Context().Done() // the dispatcher's timeout ends it
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.reqs...)
}

// byEvent returns the requests in the order of their events, as receivers
// order them: deliveries run concurrently, so a later event's may arrive
// first.
func (r *receiver) byEvent() []hookRequest {
	got := r.requests()
	slices.SortFunc(got, func(a, b hookRequest) int {
		x, _ := strconv.ParseInt(a.delivery, 10, 64)
		y, _ := strconv.ParseInt(b.delivery, 10, 64)
		return cmp.Compare(x, y)
	})
	return got
}

// testWebhooks is a fast configuration.
func testWebhooks() jobs.WebhookConfig {
	c := jobs.DefaultWebhookConfig()
	c.Poll = 20 * time.Millisecond
	c.Timeout = 500 * time.Millisecond
	c.Lease = 5 * time.Second
	c.Backoff = 10 * time.Millisecond
	c.MaxBackoff = 40 * time.Millisecond
	return c
}

func startWebhooks(t *testing.T, cfg jobs.WebhookConfig, d *db.DB) *jobs.WebhookDispatcher {
	t.Helper()
	log, _ := newLogger()
	w, err := jobs.NewWebhookDispatcher(cfg, d, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func createEndpoint(t *testing.T, d *db.DB, url, secret string, events ...string) aforro.WebhookEndpoint {
	t.Helper()
	w, err := d.CreateWebhook(context.Background(), db.NewWebhook{URL: url, Secret: secret, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func deliveries(t *testing.T, d *db.DB, endpointID int64) []aforro.WebhookDelivery {
	t.Helper()
	p, err := d.ListDeliveries(context.Background(), endpointID, aforro.DeliveryFilter{}, aforro.PageRequest{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Results
}

// TestWebhookDelivered places and cancels an order and expects both events,
// signed, with the event id in the body and the header, the order as data,
// and one recorded attempt each. An endpoint subscribed to cancels only
// gets only the cancel.
func TestWebhookDelivered(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	secret := "whsec_test_secret_0001"
	rcv := newReceiver(t, secret, func(int) int { return http.StatusNoContent })
	cancels := newReceiver(t, secret, func(int) int { return http.StatusOK })
	ep := createEndpoint(t, d, rcv.URL+"/hooks", secret, aforro.EventOrderConfirmed, aforro.EventOrderCancelled)
	cep := createEndpoint(t, d, cancels.URL, secret, aforro.EventOrderCancelled)
	cfg := testWebhooks()
	cfg.Poll = time.Hour // the trigger's NOTIFY wakes the dispatcher
	w := startWebhooks(t, cfg, d)

	o := placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 2})
	if _, err := d.CancelOrder(context.Background(), o.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "both deliveries settled", func() bool {
		ds := deliveries(t, d, ep.ID)
		return len(ds) == 2 && ds[0].Status == aforro.DeliveryDelivered && ds[1].Status == aforro.DeliveryDelivered &&
			w.Stats().Delivered == 3
	})
	got := rcv.byEvent() // the cancel may arrive first; the confirm's event id is the smaller
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for i, want := range []string{aforro.EventOrderConfirmed, aforro.EventOrderCancelled} {
		r := got[i]
		if r.verified != nil {
			t.Errorf("%s: signature: %v", want, r.verified)
		}
		var ev struct {
			ID        int64     `json:"id"`
			Type      string    `json:"type"`
			CreatedAt time.Time `json:"created_at"`
			Data      struct {
				Order aforro.Order `json:"order"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &ev); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
		if ev.Type != want || r.event != want || r.delivery != strconv.FormatInt(ev.ID, 10) || ev.CreatedAt.IsZero() {
			t.Errorf("request %d: type %q, header %q, delivery %q, body id %d", i, ev.Type, r.event, r.delivery, ev.ID)
		}
		wantStatus := map[string]string{aforro.EventOrderConfirmed: aforro.StatusConfirmed, aforro.EventOrderCancelled: aforro.StatusCancelled}[want]
		if ev.Data.Order.ID != o.ID || ev.Data.Order.Status != wantStatus || len(ev.Data.Order.Items) != 1 {
			t.Errorf("request %d: data %+v", i, ev.Data.Order)
		}
	}
	ds := deliveries(t, d, ep.ID)
	for _, dl := range ds {
		if len(dl.Attempts) != 1 || dl.Attempts[0].StatusCode == nil || *dl.Attempts[0].StatusCode != http.StatusNoContent ||
			dl.DeliveredAt == nil || dl.NextAttemptAt != nil {
			t.Errorf("delivery %+v", dl)
		}
	}
	waitFor(t, 10*time.Second, "the cancel-only endpoint's delivery", func() bool { return len(cancels.requests()) == 1 })
	if c := cancels.requests()[0]; c.event != aforro.EventOrderCancelled {
		t.Errorf("the cancel-only endpoint got %s", c.event)
	}
	if n := len(deliveries(t, d, cep.ID)); n != 1 {
		t.Errorf("the cancel-only endpoint has %d deliveries, want 1", n)
	}
}

// TestWebhookRetries answers 500, then holds the request past the
// dispatcher's timeout, then 200: three attempts, each recorded, the same
// event id and body every time, and the delivery delivered.
func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	secret := "whsec_test_secret_0002"
	rcv := newReceiver(t, secret, func(n int) int {
		switch n {
		case 1:
			return http.StatusInternalServerError
		case 2:
			return 0 // a timeout
		}
		return http.StatusOK
	})
	ep := createEndpoint(t, d, rcv.URL, secret, aforro.EventOrderConfirmed)
	w := startWebhooks(t, testWebhooks(), d)
	placeOrder(t, d, "ana@example.com", aforro.OrderLine{ProductID: 2, QuantityRequested: 1})

	waitFor(t, 20*time.Second, "the delivery after two failures", func() bool {
		ds := deliveries(t, d, ep.ID)
		return len(ds) == 1 && ds[0].Status == aforro.DeliveryDelivered && w.Stats().Delivered == 1
	})
	dl := deliveries(t, d, ep.ID)[0]
	if dl.AttemptCount != 3 || len(dl.Attempts) != 3 {
		t.Fatalf("attempts: %d, %+v", dl.AttemptCount, dl.Attempts)
	}
	a := dl.Attempts
	if a[0].StatusCode == nil || *a[0].StatusCode != 500 || !strings.Contains(a[0].Error, "500") {
		t.Errorf("attempt 1: %+v", a[0])
	}
	if a[1].StatusCode != nil || !strings.Contains(a[1].Error, "no answer within") {
		t.Errorf("attempt 2: %+v", a[1])
	}
	if a[2].StatusCode == nil || *a[2].StatusCode != 200 || a[2].Error != "" {
		t.Errorf("attempt 3: %+v", a[2])
	}
	if st := w.Stats(); st.Retried != 2 {
		t.Errorf("stats %+v, want 2 retried", st)
	}
	reqs := rcv.requests()
	for _, r := range reqs {
		if r.delivery != reqs[0].delivery || string(r.body) != string(reqs[0].body) || r.verified != nil {
			t.Errorf("a retry differs: delivery %q body %s (%v), first %q %s", r.delivery, r.body, r.verified, reqs[0].delivery, reqs[0].body)
		}
	}
}

// TestWebhookGivesUp ends the retry window at once: the first failure marks
// the delivery failed.
func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	rcv := newReceiver(t, "whsec_test_secret_0003", func(int) int { return http.StatusBadGateway })
	ep := createEndpoint(t, d, rcv.URL, "whsec_test_secret_0003", aforro.EventOrderConfirmed)
	cfg := testWebhooks()
	cfg.RetryFor = time.Nanosecond
	w := startWebhooks(t, cfg, d)
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	waitFor(t, 10*time.Second, "the delivery failed", func() bool {
		ds := deliveries(t, d, ep.ID)
		return len(ds) == 1 && ds[0].Status == aforro.DeliveryFailed && w.Stats().Failed == 1
	})
	dl := deliveries(t, d, ep.ID)[0]
	if dl.AttemptCount != 1 || dl.LastError == nil || !strings.Contains(*dl.LastError, "given up") {
		t.Errorf("delivery %+v", dl)
	}
}

// TestWebhookGoneDisables answers 410: the endpoint is disabled and says
// why, its later events are not delivered, and enabling it again resumes
// the paused ones.
func TestWebhookGoneDisables(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	var gone sync.Mutex
	answer := http.StatusGone
	rcv := newReceiver(t, "whsec_test_secret_0004", func(int) int {
		gone.Lock()
		defer gone.Unlock()
		return answer
	})
	ep := createEndpoint(t, d, rcv.URL, "whsec_test_secret_0004", aforro.EventOrderConfirmed)
	w := startWebhooks(t, testWebhooks(), d)
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	waitFor(t, 10*time.Second, "the endpoint disabled", func() bool {
		e, err := d.Webhook(context.Background(), ep.ID)
		return err == nil && !e.Enabled && w.Stats().Disabled == 1
	})
	e, _ := d.Webhook(context.Background(), ep.ID)
	if e.DisabledReason == nil || !strings.Contains(*e.DisabledReason, "410 Gone") {
		t.Errorf("disabled_reason %v", e.DisabledReason)
	}
	if ds := deliveries(t, d, ep.ID); len(ds) != 1 || ds[0].Status != aforro.DeliveryFailed {
		t.Errorf("deliveries %+v", ds)
	}
	// A disabled endpoint gets no delivery for a new event.
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	if ds := deliveries(t, d, ep.ID); len(ds) != 1 {
		t.Errorf("a disabled endpoint got %d deliveries, want still 1", len(ds))
	}

	// Paused deliveries resume when an admin enables the endpoint.
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO webhook_deliveries (endpoint_id, event_id, status)
		SELECT $1, max(id), 'paused' FROM outbox`, ep.ID); err != nil {
		t.Fatal(err)
	}
	gone.Lock()
	answer = http.StatusOK
	gone.Unlock()
	on := true
	if e, err := d.UpdateWebhook(context.Background(), ep.ID, aforro.WebhookEndpointInput{Enabled: &on}); err != nil || !e.Enabled || e.DisabledReason != nil {
		t.Fatalf("enable: %+v, %v", e, err)
	}
	waitFor(t, 10*time.Second, "the paused delivery delivered", func() bool {
		ds := deliveries(t, d, ep.ID)
		return len(ds) == 2 && ds[0].Status == aforro.DeliveryDelivered
	})
}

// TestConcurrentWebhookDispatchers runs three dispatchers over one database
// against one receiver: every event arrives at least once, always with its
// own event id and the same body, and every delivery ends delivered.
func TestConcurrentWebhookDispatchers(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	secret := "whsec_test_secret_0005"
	rcv := newReceiver(t, secret, func(int) int { return http.StatusAccepted })
	ep := createEndpoint(t, d, rcv.URL, secret, aforro.EventOrderConfirmed)
	var ws []*jobs.WebhookDispatcher
	for range 3 {
		cfg := testWebhooks()
		cfg.Batch = 2
		ws = append(ws, startWebhooks(t, cfg, d))
	}
	const orders = 30
	var wg sync.WaitGroup
	for i := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			placeOrder(t, d, "", aforro.OrderLine{ProductID: int64(1 + i%2), QuantityRequested: 1})
		}()
	}
	wg.Wait()
	waitFor(t, 30*time.Second, "every delivery delivered", func() bool {
		var n int
		if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM webhook_deliveries
			WHERE endpoint_id = $1 AND status = 'delivered'`, ep.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, w := range ws {
			sum += w.Stats().Delivered
		}
		return n == orders && sum == orders
	})
	bodies := map[string]string{}
	for _, r := range rcv.requests() {
		if r.verified != nil {
			t.Errorf("delivery %s: %v", r.delivery, r.verified)
		}
		var ev struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(r.body, &ev); err != nil || strconv.FormatInt(ev.ID, 10) != r.delivery {
			t.Errorf("delivery header %q, body %s", r.delivery, r.body)
		}
		if b, seen := bodies[r.delivery]; seen && b != string(r.body) {
			t.Errorf("delivery %s came twice with different bodies", r.delivery)
		}
		bodies[r.delivery] = string(r.body)
	}
	if len(bodies) != orders {
		t.Errorf("%d distinct events received, want %d", len(bodies), orders)
	}
}

// TestWebhookRefusesForbiddenAddresses: a link-local address is never
// dialled, and with DenyPrivate neither is loopback; the attempt records
// why and nothing reaches the receiver.
func TestWebhookRefusesForbiddenAddresses(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	rcv := newReceiver(t, "whsec_test_secret_0006", func(int) int { return http.StatusOK })
	loop := createEndpoint(t, d, rcv.URL, "whsec_test_secret_0006", aforro.EventOrderConfirmed)
	meta := createEndpoint(t, d, "http://169.254.169.254/latest/meta-data/", "whsec_test_secret_0006", aforro.EventOrderConfirmed)
	cfg := testWebhooks()
	cfg.DenyPrivate = true
	cfg.Backoff, cfg.MaxBackoff = time.Hour, time.Hour // one attempt each is enough
	startWebhooks(t, cfg, d)
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	for _, c := range []struct {
		endpoint int64
		want     string
	}{{loop.ID, "loopback or private"}, {meta.ID, "link-local"}} {
		waitFor(t, 10*time.Second, "the refused attempt", func() bool {
			ds := deliveries(t, d, c.endpoint)
			return len(ds) == 1 && len(ds[0].Attempts) == 1
		})
		a := deliveries(t, d, c.endpoint)[0].Attempts[0]
		if a.StatusCode != nil || !strings.Contains(a.Error, c.want) {
			t.Errorf("endpoint %d: attempt %+v, want an error saying %q", c.endpoint, a, c.want)
		}
	}
	if n := len(rcv.requests()); n != 0 {
		t.Errorf("the receiver got %d requests", n)
	}
}

// TestJobsDeliverWebhooks runs the whole jobs process: it delivers a
// webhook and counts it in the collector, and its email dispatcher settles
// a pending event it has no email for as skipped instead of failing it.
func TestJobsDeliverWebhooks(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	rcv := newReceiver(t, "whsec_test_secret_0007", func(int) int { return http.StatusOK })
	ep := createEndpoint(t, d, rcv.URL, "whsec_test_secret_0007", aforro.EventOrderCancelled)
	r := runJobs(t, d, leaderKey(t), "node-w")
	o := placeOrder(t, d, "ana@example.com", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	if _, err := d.CancelOrder(context.Background(), o.ID); err != nil {
		t.Fatal(err)
	}
	// An event written as pending by something older than the skipped status.
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO outbox (event, payload) VALUES ('order.cancelled', '{"order_id": 1}')`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the cancel delivered and the stray event skipped", func() bool {
		var pending int
		if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		ds := deliveries(t, d, ep.ID)
		return pending == 0 && len(ds) == 2 && ds[0].Status == aforro.DeliveryDelivered && ds[1].Status == aforro.DeliveryDelivered
	})
	var statuses []string
	rows, err := d.Pool.Query(context.Background(), `SELECT event || ':' || status FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, s)
	}
	want := []string{"order.confirmed:sent", "order.cancelled:skipped", "order.cancelled:skipped"}
	if strings.Join(statuses, " ") != strings.Join(want, " ") {
		t.Errorf("outbox %v, want %v", statuses, want)
	}
	// The dispatcher counts, then logs, just after settling.
	waitFor(t, 5*time.Second, "the dispatcher's count", func() bool {
		return strings.Count(r.logs.String(), "jobs: webhook delivered") == 2
	})
	checkMetrics(t, r.j, map[string]float64{
		"aforro_webhook_deliveries_total{outcome=delivered}": 2,
		"aforro_webhook_deliveries_total{outcome=failed}":    0,
		"aforro_webhook_deliveries_pending":                  0,
	})
}
