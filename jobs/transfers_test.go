package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aforro/aforro"
)

// TestTransferEventsSettle writes every transfer event through the real
// transfer transactions, with an order email among them: the transfer
// events are written for webhooks only (skipped by the mailer), and the
// order's email is still sent once.
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
		return count(`SELECT count(*) FROM outbox WHERE status = 'pending'`) == 0 && disp.Stats().Sent == 1
	})
	if n := count(`SELECT count(*) FROM outbox WHERE event LIKE 'transfer.%' AND status = 'skipped'`); n != 6 {
		t.Errorf("%d skipped transfer events, want 6 (2 shipped, 2 partially received, 1 received, 1 cancelled)", n)
	}
	if got := srv.Emails(); len(got) != 1 || got[0].To != "ana@example.com" {
		t.Errorf("emails %+v, want the order's only", got)
	}
	if st := disp.Stats(); st.Failed != 0 || st.Retried != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestTransferWebhooks subscribes an endpoint to shipments and receipts: a
// transfer shipped and received in two receipts sends it the shipment and
// the final receipt, signed, each with the transfer as it was then, and
// nothing for the partial receipt it did not subscribe to.
func TestTransferWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := shopDB(t)
	if _, err := d.Pool.Exec(ctx, `INSERT INTO stores (id, name) VALUES (2, 'Harbour')`); err != nil {
		t.Fatal(err)
	}
	secret := "whsec_test_secret_0002"
	rcv := newReceiver(t, secret, func(int) int { return http.StatusOK })
	createEndpoint(t, d, rcv.URL, secret, aforro.EventTransferShipped, aforro.EventTransferReceived)
	startWebhooks(t, testWebhooks(), d)

	res, err := d.CreateTransfer(ctx, aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 2,
		Lines: []aforro.TransferLineInput{{ProductID: 1, Quantity: 3}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Transfer.ID
	if _, err := d.ShipTransfer(ctx, id, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		if _, err := d.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 1, Accepted: n}}}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "two deliveries", func() bool { return len(rcv.requests()) == 2 })
	got := rcv.byEvent() // the receipt's delivery may arrive before the shipment's
	for i, want := range []struct{ event, status string }{
		{aforro.EventTransferShipped, aforro.TransferShipped}, {aforro.EventTransferReceived, aforro.TransferReceived},
	} {
		r := got[i]
		var ev struct {
			Type string `json:"type"`
			Data struct {
				Transfer aforro.Transfer `json:"transfer"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &ev); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
		if r.verified != nil || ev.Type != want.event || ev.Data.Transfer.ID != id || ev.Data.Transfer.Status != want.status {
			t.Errorf("request %d: signature %v, type %q, transfer %d %q; want %s with status %s",
				i, r.verified, ev.Type, ev.Data.Transfer.ID, ev.Data.Transfer.Status, want.event, want.status)
		}
	}
}
