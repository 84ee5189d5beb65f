package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aforro/aforro"
)

// TestTransferEventsSettle writes every transfer event through the real
// transfer transactions, with an order email among them: the dispatcher
// settles the transfer events as sent without mailing anything, and still
// sends the order's email once.
func TestTransferEventsSettle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := shopDB(t)
	if _, err := d.Pool.Exec(ctx, `INSERT INTO stores (id, name) VALUES (2, 'Harbour')`); err != nil {
		t.Fatal(err)
	}
	srv := newSMTPServer(t, smtpOptions{})
	cfg := testOutbox()
	cfg.Poll = time.Hour
	disp := startDispatcher(t, cfg, d, smtpMailer(t, srv))

	create := func() int64 {
		t.Helper()
		res, err := d.CreateTransfer(ctx, aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 2,
			Lines: []aforro.TransferLineInput{{ProductID: 1, Quantity: 4}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ShipTransfer(ctx, res.Transfer.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		return res.Transfer.ID
	}
	receive := func(id int64, n int) {
		t.Helper()
		if _, err := d.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 1, Accepted: n}}}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	a, b := create(), create()
	receive(a, 1)
	receive(a, 3)
	receive(b, 2)
	if _, err := d.CancelTransfer(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	placeOrder(t, d, "ana@example.com", aforro.OrderLine{ProductID: 2, QuantityRequested: 1})

	count := func(sql string) int64 {
		var n int64
		if err := d.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, 5*time.Second, "every event settled", func() bool {
		return count(`SELECT count(*) FROM outbox WHERE status <> 'sent'`) == 0 && disp.Stats().Sent == 1
	})
	if n := count(`SELECT count(*) FROM outbox WHERE event LIKE 'transfer.%'`); n != 6 {
		t.Errorf("%d transfer events, want 6 (2 shipped, 2 partially received, 1 received, 1 cancelled)", n)
	}
	if got := srv.Emails(); len(got) != 1 || got[0].To != "ana@example.com" {
		t.Errorf("emails %+v, want the order's only", got)
	}
	if st := disp.Stats(); st.Failed != 0 || st.Retried != 0 {
		t.Errorf("stats %+v", st)
	}
}
