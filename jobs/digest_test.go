package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/jobs"
)

// TestStockDigestMailsOnce has an order take a row through its reorder
// point (one stock.low event) and the day's summary write the store's
// digest: the real SMTP server receives one mail listing the crossing, and
// neither a second summary run of the day, nor a second enqueue, nor a
// restarted dispatcher mails it again.
func TestStockDigestMailsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := shopDB(t)
	if _, err := d.SetReorder(ctx, 1, 1, aforro.ReorderInput{ReorderPoint: intp(998), ReorderQuantity: intp(50)}); err != nil {
		t.Fatal(err)
	}
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 3}) // 1000 -> 997: low
	placeOrder(t, d, "", aforro.OrderLine{ProductID: 1, QuantityRequested: 1}) // still low: no event
	var events int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE event = 'stock.low'`).Scan(&events); err != nil || events != 1 {
		t.Fatalf("stock.low events = %d, %v; want 1", events, err)
	}

	cfg := jobs.DefaultConfig()
	cfg.StockDigestTo = "buyer@example.com"
	cfg.Outbox = testOutbox()
	log, _ := newLogger()
	j, err := jobs.New(cfg, d, dbtest.Redis(t), jobs.LogMailer{Log: log}, log)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	if err := j.Summarise(ctx, today, "test"); err != nil {
		t.Fatal(err)
	}

	srv := newSMTPServer(t, smtpOptions{})
	first, err := jobs.NewDispatcher(testOutbox(), d, smtpMailer(t, srv), mailFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	first.Drain(ctx)
	waitFor(t, 5*time.Second, "the digest", func() bool { return len(srv.Emails()) > 0 })

	// Again: the day's summary (its job_runs guard), the digest's unique
	// key, and a new dispatcher after a restart.
	if err := j.Summarise(ctx, today, "again"); err != nil {
		t.Fatal(err)
	}
	if err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		n, err := db.EnqueueStockDigests(ctx, tx, today, "buyer@example.com")
		if n != 0 {
			t.Errorf("a second enqueue wrote %d digests", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	second, err := jobs.NewDispatcher(testOutbox(), d, smtpMailer(t, srv), mailFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	second.Drain(ctx)

	got := srv.Emails()
	if len(got) != 1 {
		t.Fatalf("received %d emails, want 1: %+v", len(got), got)
	}
	m := got[0]
	date := today.Format(aforro.DateLayout)
	if m.To != "buyer@example.com" || m.From != mailFrom || m.Subject != "Low stock at Downtown on "+date+": 1 alerts" ||
		!strings.Contains(m.Body, "low  Laptop Pro 15 (product 1): 997 left, reorder point 998, reorder 50") {
		t.Errorf("digest = %+v", m)
	}
}

func intp(n int) *int { return &n }
