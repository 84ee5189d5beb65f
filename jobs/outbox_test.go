package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/jobs"
)

const mailFrom = "orders@aforro.test"

// shopFixture is one store stocking two products.
const shopFixture = `
INSERT INTO categories (id, name) VALUES (1, 'Electronics');
INSERT INTO products (id, title, price, category_id) VALUES
  (1, 'Laptop Pro 15', 1299.99, 1), (2, 'Wireless Mouse', 29.99, 1);
INSERT INTO stores (id, name, location) VALUES (1, 'Downtown', '1 Main St, Lisbon');
INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 1000), (1, 2, 1000);
`

// shopDB is a fresh database holding shopFixture.
func shopDB(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.Open(t)
	if _, err := d.Pool.Exec(context.Background(), shopFixture); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return d
}

// placeOrder places a confirmed order through the real order transaction.
func placeOrder(t *testing.T, d *db.DB, email string, lines ...aforro.OrderLine) aforro.Order {
	t.Helper()
	res, err := d.PlaceOrder(context.Background(), aforro.PlaceOrder{StoreID: 1, Items: lines, CustomerEmail: email}, nil)
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	if res.Order.Status != aforro.StatusConfirmed {
		t.Fatalf("order is %s, want CONFIRMED", res.Order.Status)
	}
	return res.Order
}

// testOutbox is a fast configuration: short polls and backoff.
func testOutbox() jobs.OutboxConfig {
	c := jobs.DefaultOutboxConfig()
	c.Poll = 20 * time.Millisecond
	c.Backoff = 100 * time.Millisecond
	c.MaxBackoff = time.Second
	c.SendTimeout = 5 * time.Second
	c.Lease = 30 * time.Second
	return c
}

// startDispatcher runs a dispatcher until the test ends.
func startDispatcher(t *testing.T, cfg jobs.OutboxConfig, d *db.DB, m jobs.Mailer) *jobs.Dispatcher {
	t.Helper()
	log, _ := newLogger()
	disp, err := jobs.NewDispatcher(cfg, d, m, mailFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		disp.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return disp
}

func smtpMailer(t *testing.T, s *smtpServer) jobs.Mailer {
	t.Helper()
	m, err := jobs.NewSMTPMailer(jobs.SMTPConfig{URL: s.URL("smtp", "", ""), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// outboxRow reads the outbox's only mailed event (events written for
// webhooks only are skipped and not read).
func outboxRow(t *testing.T, d *db.DB) (status string, attempts int, lastErr string) {
	t.Helper()
	var le *string
	err := d.Pool.QueryRow(context.Background(), `SELECT status, attempts, last_error FROM outbox WHERE status <> 'skipped'`).Scan(&status, &attempts, &le)
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	if le != nil {
		lastErr = *le
	}
	return status, attempts, lastErr
}

// TestOrderEmail places an order with a customer email and expects exactly
// one email, with the store, the lines, their quantities and prices, and the
// total. The dispatcher polls once an hour here: the order's NOTIFY is what
// wakes it.
func TestOrderEmail(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	srv := newSMTPServer(t, smtpOptions{})
	cfg := testOutbox()
	cfg.Poll = time.Hour
	disp := startDispatcher(t, cfg, d, smtpMailer(t, srv))

	// Neither a confirmed order without an email nor a rejected one queues an
	// email (the first writes a skipped event, for webhooks).
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	if _, err := d.PlaceOrder(context.Background(), aforro.PlaceOrder{StoreID: 1, CustomerEmail: "no@example.com",
		Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 5000}}}, nil); err != nil {
		t.Fatal(err)
	}
	o := placeOrder(t, d, "ana@example.com",
		aforro.OrderLine{ProductID: 2, QuantityRequested: 1}, aforro.OrderLine{ProductID: 1, QuantityRequested: 2})

	waitFor(t, 5*time.Second, "the email", func() bool { return len(srv.Emails()) > 0 })
	// The dispatcher counts the email just after marking the event.
	waitFor(t, 5*time.Second, "the event marked and counted sent", func() bool {
		s, _, _ := outboxRow(t, d)
		return s == "sent" && disp.Stats().Sent == 1
	})
	disp.Drain(context.Background()) // one more claim finds nothing to send again
	got := srv.Emails()
	if len(got) != 1 {
		t.Fatalf("received %d emails, want 1: %+v", len(got), got)
	}
	want := email{
		From:    mailFrom,
		To:      "ana@example.com",
		Subject: fmt.Sprintf("Order #%d at Downtown is confirmed", o.ID),
		Body: fmt.Sprintf(`Hello,

thank you for your order. Order #%d is confirmed.

Store:  Downtown, 1 Main St, Lisbon
Placed: %s

  2 x Laptop Pro 15 at 1299.99 = 2599.98
  1 x Wireless Mouse at 29.99 = 29.99

Total: 2629.97

Aforro
`, o.ID, o.CreatedAt.Format("2006-01-02 15:04 UTC")),
	}
	if got[0] != want {
		t.Fatalf("email:\n got %+v\nwant %+v", got[0], want)
	}
	if _, attempts, _ := outboxRow(t, d); attempts != 1 {
		t.Errorf("attempts = %d, want 1", attempts)
	}
	if st := disp.Stats(); st.Sent != 1 || st.Retried != 0 || st.Failed != 0 {
		t.Errorf("stats = %+v, want 1 sent", st)
	}
}

// TestEmailRetriesThenFails has the SMTP server refuse every message with a
// temporary error: the dispatcher retries with growing waits, and after the
// last attempt marks the event failed with its last error.
func TestEmailRetriesThenFails(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	srv := newSMTPServer(t, smtpOptions{fail: func(int) error {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
	}})
	cfg := testOutbox()
	cfg.MaxAttempts = 3
	disp := startDispatcher(t, cfg, d, smtpMailer(t, srv))
	placeOrder(t, d, "ana@example.com", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})

	// The dispatcher counts the failure just after marking the event.
	waitFor(t, 10*time.Second, "the event marked and counted failed", func() bool {
		s, _, _ := outboxRow(t, d)
		return s == "failed" && disp.Stats().Failed == 1
	})
	disp.Drain(context.Background()) // a failed event is never claimed again
	status, attempts, lastErr := outboxRow(t, d)
	if status != "failed" || attempts != 3 || !strings.Contains(lastErr, "451") {
		t.Fatalf("event: %s after %d attempts, last error %q; want failed after 3 with the 451", status, attempts, lastErr)
	}
	at := srv.Attempts()
	if len(at) != 3 {
		t.Fatalf("the server saw %d attempts, want 3", len(at))
	}
	// Backoff 100ms, doubling: the second wait is at least 200ms.
	for i, min := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < min {
			t.Errorf("wait before attempt %d was %s, want at least %s", i+2, gap, min)
		}
	}
	if len(srv.Emails()) != 0 {
		t.Error("an email was delivered although the server refused them all")
	}
	if st := disp.Stats(); st.Sent != 0 || st.Retried != 2 || st.Failed != 1 {
		t.Errorf("stats = %+v, want 2 retried and 1 failed", st)
	}
}

// TestEmailPermanentFailure has the server reject the recipient for good
// (550 5.1.1): the event fails at once. A policy rejection (5.7.x, such as
// relaying denied) is the operator's to fix, so it is retried instead.
func TestEmailPermanentFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		code         int
		enhanced     smtp.EnhancedCode
		wantAttempts int
	}{
		{"no such user", 550, smtp.EnhancedCode{5, 1, 1}, 1},
		{"relaying denied", 550, smtp.EnhancedCode{5, 7, 1}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := shopDB(t)
			srv := newSMTPServer(t, smtpOptions{fail: func(int) error {
				return &smtp.SMTPError{Code: tc.code, EnhancedCode: tc.enhanced, Message: tc.name}
			}})
			cfg := testOutbox()
			cfg.MaxAttempts = 2
			disp := startDispatcher(t, cfg, d, smtpMailer(t, srv))
			placeOrder(t, d, "nobody@example.com", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
			waitFor(t, 5*time.Second, "the event marked failed", func() bool { s, _, _ := outboxRow(t, d); return s == "failed" })
			disp.Drain(context.Background())
			want := fmt.Sprint(tc.code)
			if _, attempts, lastErr := outboxRow(t, d); attempts != tc.wantAttempts || !strings.Contains(lastErr, want) {
				t.Fatalf("failed after %d attempts with %q; want %d attempts and the %s", attempts, lastErr, tc.wantAttempts, want)
			}
		})
	}
}

// TestTwoDispatchers runs two dispatchers over one outbox while orders come
// in: every event is sent exactly once.
func TestTwoDispatchers(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	srv := newSMTPServer(t, smtpOptions{fail: func(int) error {
		time.Sleep(2 * time.Millisecond) // a little latency widens the window for a double claim
		return nil
	}})
	cfg := testOutbox()
	cfg.Batch = 3
	a := startDispatcher(t, cfg, d, smtpMailer(t, srv))
	b := startDispatcher(t, cfg, d, smtpMailer(t, srv))

	const orders = 40
	var wg sync.WaitGroup
	for i := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			placeOrder(t, d, fmt.Sprintf("customer%d@example.com", i), aforro.OrderLine{ProductID: 2, QuantityRequested: 1})
		}()
	}
	wg.Wait()
	waitFor(t, 10*time.Second, "every email", func() bool { return len(srv.Emails()) >= orders })
	waitFor(t, 5*time.Second, "every event marked sent", func() bool {
		c, err := d.OutboxCounts(context.Background())
		return err == nil && c.Sent == orders
	})
	a.Drain(context.Background())
	b.Drain(context.Background())
	// A dispatcher counts a send after its MarkOutboxSent commits, in its
	// own goroutine: the outbox can read all sent a moment before the last
	// count lands.
	waitFor(t, 5*time.Second, "every send counted", func() bool {
		return a.Stats().Sent+b.Stats().Sent >= orders
	})

	var to []string
	for _, e := range srv.Emails() {
		to = append(to, e.To)
	}
	slices.Sort(to)
	if len(to) != orders || len(slices.Compact(slices.Clone(to))) != orders {
		t.Fatalf("received %d emails for %d distinct recipients, want %d each once: %v",
			len(to), len(slices.Compact(slices.Clone(to))), orders, to)
	}
	if sa, sb := a.Stats(), b.Stats(); sa.Sent+sb.Sent != orders {
		t.Errorf("the dispatchers counted %d + %d sends, want %d in all", sa.Sent, sb.Sent, orders)
	}
}

// TestRolledBackOrderSendsNothing rolls an order transaction back after its
// outbox event was written: no event remains, and no email is sent. A later
// order's email proves the dispatcher was awake all along.
func TestRolledBackOrderSendsNothing(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	srv := newSMTPServer(t, smtpOptions{})
	cfg := testOutbox()
	cfg.Poll = time.Hour
	startDispatcher(t, cfg, d, smtpMailer(t, srv))

	// Storing the idempotent response is the order's last step, after the
	// event is queued; its failure rolls the whole transaction back.
	if _, err := d.Pool.Exec(context.Background(), `
		CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
		CREATE TRIGGER test_boom BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION test_boom()`); err != nil {
		t.Fatal(err)
	}
	key := &db.IdempotencyKey{Scope: "test", Key: "k1", Hash: make([]byte, 32)}
	_, err := d.PlaceOrder(context.Background(), aforro.PlaceOrder{StoreID: 1, CustomerEmail: "ghost@example.com",
		Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 1}}}, key)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("place order = %v, want the trigger's error", err)
	}
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("outbox holds %d events (%v) after a rollback, want 0", n, err)
	}

	marker := placeOrder(t, d, "real@example.com", aforro.OrderLine{ProductID: 2, QuantityRequested: 1})
	waitFor(t, 5*time.Second, "the marker order's email", func() bool { return len(srv.Emails()) > 0 })
	got := srv.Emails()
	if len(got) != 1 || got[0].To != "real@example.com" || !strings.Contains(got[0].Subject, fmt.Sprint(marker.ID)) {
		t.Fatalf("emails = %+v; want only the marker order's", got)
	}
}

// TestDispatcherSurvivesAKilledClaimer claims an event as a dispatcher that
// then dies (never settles it): once the lease runs out, a live dispatcher
// sends it.
func TestDispatcherSurvivesAKilledClaimer(t *testing.T) {
	t.Parallel()
	d := shopDB(t)
	srv := newSMTPServer(t, smtpOptions{})
	placeOrder(t, d, "ana@example.com", aforro.OrderLine{ProductID: 1, QuantityRequested: 1})
	claimed, err := d.ClaimOutbox(context.Background(), 10, 300*time.Millisecond)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	start := time.Now()
	startDispatcher(t, testOutbox(), d, smtpMailer(t, srv))
	waitFor(t, 5*time.Second, "the email", func() bool { return len(srv.Emails()) == 1 })
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("sent after %s, before the dead claimer's lease ran out", took)
	}
	waitFor(t, 5*time.Second, "the event marked sent", func() bool { s, _, _ := outboxRow(t, d); return s == "sent" })
	if _, attempts, _ := outboxRow(t, d); attempts != 2 {
		t.Errorf("attempts = %d, want 2 (the dead claim and the delivery)", attempts)
	}
}

// TestSMTPMailer sends through the test server in every mode the URL allows.
func TestSMTPMailer(t *testing.T) {
	t.Parallel()
	msg := jobs.Message{From: mailFrom, To: "ana@example.com", Subject: "Hi", Body: "Hello there.\n"}
	tests := []struct {
		name     string
		opts     smtpOptions
		scheme   string
		user     string
		pass     string
		wantTLS  bool
		wantErr  string
		wantUser string
	}{
		{name: "plain", scheme: "smtp"},
		{name: "starttls", opts: smtpOptions{startTLS: true}, scheme: "smtp", wantTLS: true},
		{name: "starttls auth", opts: smtpOptions{startTLS: true, user: "ana", pass: "s3cret"}, scheme: "smtp",
			user: "ana", pass: "s3cret", wantTLS: true, wantUser: "ana"},
		{name: "smtps auth", opts: smtpOptions{implicit: true, user: "ana", pass: "s3cret"}, scheme: "smtps",
			user: "ana", pass: "s3cret", wantTLS: true, wantUser: "ana"},
		{name: "wrong password", opts: smtpOptions{startTLS: true, user: "ana", pass: "s3cret"}, scheme: "smtp",
			user: "ana", pass: "wrong", wantErr: "535"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, tc.opts)
			cfg := jobs.SMTPConfig{URL: srv.URL(tc.scheme, tc.user, tc.pass), Timeout: 5 * time.Second}
			if srv.Cert != nil {
				cfg.TLS = srv.ClientTLS()
			}
			m, err := jobs.NewSMTPMailer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = m.Send(context.Background(), msg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("send = %v, want an error with %q", err, tc.wantErr)
				}
				// The operator can fix credentials: the email is retried, not failed.
				var perm *jobs.PermanentError
				if errors.As(err, &perm) {
					t.Fatalf("send = %v: a permanent error, want a temporary one", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Emails()
			if len(got) != 1 {
				t.Fatalf("received %d emails, want 1", len(got))
			}
			want := email{From: msg.From, To: msg.To, Subject: msg.Subject, Body: msg.Body, User: tc.wantUser, TLS: tc.wantTLS}
			if got[0] != want {
				t.Fatalf("email:\n got %+v\nwant %+v", got[0], want)
			}
		})
	}
}

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"smtp://mail.example.com:587", "smtps://u:p%40ss@mail.example.com", "smtp://127.0.0.1:2525/"} {
		if _, err := jobs.ParseSMTPURL(raw); err != nil {
			t.Errorf("ParseSMTPURL(%q) = %v", raw, err)
		}
	}
	for _, raw := range []string{"", "http://mail.example.com", "smtp://", "smtp://host:99999", "smtp://host/path",
		"smtp://host?x=1", "smtp://u:p@host:bad"} {
		if _, err := jobs.ParseSMTPURL(raw); err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", raw)
		}
	}
	if got := jobs.RedactSMTPURL("smtp://ana:s3cret@mail.example.com:587"); strings.Contains(got, "s3cret") {
		t.Errorf("RedactSMTPURL kept the password: %s", got)
	}
}

// TestLogMailer checks the fallback without --smtp-url: the email is logged.
func TestLogMailer(t *testing.T) {
	t.Parallel()
	log, logs := newLogger()
	m := jobs.LogMailer{Log: log}
	if err := m.Send(context.Background(), jobs.Message{From: mailFrom, To: "ana@example.com", Subject: "Order #7", Body: "Total: 1.00"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ana@example.com", "Order #7", "Total: 1.00"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
}
