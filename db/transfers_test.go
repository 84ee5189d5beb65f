package db_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// transferFixture is three stores and four products; store 1 holds 10 of
// each, store 2 holds 5 of products 1 and 2, store 3 holds nothing.
func transferFixture(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.Open(t)
	if _, err := d.Pool.Exec(context.Background(), `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'Widget ' || g, 1, 1 FROM generate_series(1, 4) g;
		INSERT INTO stores (id, name) VALUES (1, 'North'), (2, 'South'), (3, 'East');
		INSERT INTO inventory (store_id, product_id, quantity) SELECT 1, g, 10 FROM generate_series(1, 4) g;
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (2, 1, 5), (2, 2, 5)`); err != nil {
		t.Fatal(err)
	}
	return d
}

func newTransfer(t *testing.T, d *db.DB, source, destination int64, lines ...aforro.TransferLineInput) aforro.Transfer {
	t.Helper()
	res, err := d.CreateTransfer(context.Background(), aforro.CreateTransfer{
		SourceStoreID: source, DestinationStoreID: destination, Lines: lines}, nil)
	if err != nil {
		t.Fatalf("create transfer: %v", err)
	}
	return res.Transfer
}

func line(p int64, q int) aforro.TransferLineInput {
	return aforro.TransferLineInput{ProductID: p, Quantity: q}
}

func stock(t *testing.T, d *db.DB, store, product int64) int64 {
	t.Helper()
	return dbtest.QueryInt(t, d, `SELECT coalesce((SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2), -1)`, store, product)
}

// TestTransferStateMachine walks every change from every status: the legal
// ones succeed, the rest are ECONFLICT naming the current status.
func TestTransferStateMachine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	if _, err := d.Pool.Exec(ctx, `UPDATE inventory SET quantity = 1000 WHERE store_id = 1`); err != nil {
		t.Fatal(err)
	}
	// reach builds a transfer in a status.
	reach := func(t *testing.T, status string) int64 {
		t.Helper()
		tr := newTransfer(t, d, 1, 3, line(1, 2), line(2, 2))
		steps := map[string][]string{
			aforro.TransferDraft:             nil,
			aforro.TransferShipped:           {"ship"},
			aforro.TransferPartiallyReceived: {"ship", "receive one"},
			aforro.TransferReceived:          {"ship", "receive all"},
			aforro.TransferCancelled:         {"cancel"},
		}[status]
		for _, s := range steps {
			var err error
			switch s {
			case "ship":
				_, err = d.ShipTransfer(ctx, tr.ID, nil, nil)
			case "receive one":
				_, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 1, Accepted: 1}}}, nil, nil)
			case "receive all":
				_, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
					{ProductID: 1, Accepted: 2}, {ProductID: 2, Accepted: 2}}}, nil, nil)
			case "cancel":
				_, err = d.CancelTransfer(ctx, tr.ID, nil)
			}
			if err != nil {
				t.Fatalf("reach %s: %s: %v", status, s, err)
			}
		}
		return tr.ID
	}
	changes := map[string]func(id int64) (string, error){
		"edit": func(id int64) (string, error) {
			note := "edited"
			tr, err := d.EditTransfer(ctx, id, aforro.EditTransfer{Note: &note}, nil)
			return tr.Status, err
		},
		"ship": func(id int64) (string, error) {
			r, err := d.ShipTransfer(ctx, id, nil, nil)
			return r.Transfer.Status, err
		},
		"receive": func(id int64) (string, error) {
			r, err := d.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 2, Accepted: 1}}}, nil, nil)
			return r.Transfer.Status, err
		},
		"cancel": func(id int64) (string, error) {
			tr, err := d.CancelTransfer(ctx, id, nil)
			return tr.Status, err
		},
	}
	// want is the status after a legal change, "" for an illegal one.
	want := map[string]map[string]string{
		aforro.TransferDraft:             {"edit": "draft", "ship": "shipped", "cancel": "cancelled"},
		aforro.TransferShipped:           {"receive": "partially_received", "cancel": "cancelled"},
		aforro.TransferPartiallyReceived: {"receive": "partially_received", "cancel": "cancelled"},
		aforro.TransferReceived:          {},
		aforro.TransferCancelled:         {},
	}
	for _, from := range aforro.TransferStatuses {
		for change, do := range changes {
			t.Run(from+"/"+change, func(t *testing.T) {
				id := reach(t, from)
				got, err := do(id)
				if to, legal := want[from][change]; legal {
					if err != nil || got != to {
						t.Fatalf("%s of a %s transfer = %q, %v; want %q", change, from, got, err, to)
					}
					return
				}
				if aforro.ErrorCode(err) != aforro.ECONFLICT {
					t.Fatalf("%s of a %s transfer: err %v, want a conflict", change, from, err)
				}
				if msg := aforro.ErrorMessage(err); !strings.Contains(msg, "is "+from+";") {
					t.Errorf("%s of a %s transfer: message %q does not name the status", change, from, msg)
				}
				if tr, err := d.Transfer(ctx, id); err != nil || tr.Status != from {
					t.Errorf("after the refused %s the transfer is %q (%v), want %q", change, tr.Status, err, from)
				}
			})
		}
	}
}

// TestTransferLifecycle ships, receives in parts with rejections, and checks
// stock, incoming, the lines, the receipts and the ledger at every step.
func TestTransferLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	tr := newTransfer(t, d, 1, 3, line(2, 4), line(1, 6))
	if tr.Status != aforro.TransferDraft || len(tr.Lines) != 2 || tr.Lines[0].ProductID != 1 {
		t.Fatalf("created %+v", tr)
	}
	if stock(t, d, 1, 1) != 10 || stock(t, d, 3, 1) != -1 {
		t.Fatal("a draft touched stock")
	}

	res, err := d.ShipTransfer(ctx, tr.ID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Transfer.Status != aforro.TransferShipped || res.Transfer.ShippedAt == nil {
		t.Fatalf("shipped: %+v", res.Transfer)
	}
	if got := [2]int64{stock(t, d, 1, 1), stock(t, d, 1, 2)}; got != [2]int64{4, 6} {
		t.Errorf("source after ship = %v, want [4 6]", got)
	}
	// The destination's rows exist with nothing in stock and the units incoming.
	for p, want := range map[int64]int{1: 6, 2: 4} {
		it, err := d.InventoryItem(ctx, 3, p)
		if err != nil || it.Quantity != 0 || it.Incoming != want {
			t.Errorf("destination row of %d = %+v, %v; want 0 in stock, %d incoming", p, it, err, want)
		}
	}

	// First receipt: 3 of product 1 accepted, 1 rejected as damaged.
	res, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 1, Accepted: 3, Rejected: 1, Reason: aforro.RejectDamaged}}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Transfer.Status != aforro.TransferPartiallyReceived {
		t.Fatalf("status %s", res.Transfer.Status)
	}
	wantLines := []aforro.TransferLine{
		{ProductID: 1, ProductTitle: "Widget 1", Quantity: 6, Received: 3, Rejected: 1, InTransit: 2},
		{ProductID: 2, ProductTitle: "Widget 2", Quantity: 4, InTransit: 4},
	}
	if diff := cmp.Diff(wantLines, res.Transfer.Lines); diff != "" {
		t.Errorf("lines after the first receipt (-want +got):\n%s", diff)
	}
	if stock(t, d, 3, 1) != 3 {
		t.Errorf("destination stock of 1 = %d, want 3", stock(t, d, 3, 1))
	}
	// Over-receiving is a conflict and changes nothing.
	_, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 2, Accepted: 4}, {ProductID: 1, Accepted: 2, Rejected: 1, Reason: aforro.RejectOther}}}, nil, nil)
	if aforro.ErrorCode(err) != aforro.ECONFLICT {
		t.Fatalf("over-receiving: %v", err)
	}
	if stock(t, d, 3, 2) != 0 {
		t.Error("a refused receipt changed stock")
	}
	// A product that is not a line is invalid.
	_, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 4, Accepted: 1}}}, nil, nil)
	if aforro.ErrorCode(err) != aforro.EINVALID {
		t.Fatalf("receiving a product not on the transfer: %v", err)
	}
	// The rest, product 2 in two lines with two reasons.
	res, err = d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 1, Accepted: 2},
		{ProductID: 2, Accepted: 1, Rejected: 2, Reason: aforro.RejectMissing},
		{ProductID: 2, Rejected: 1, Reason: aforro.RejectDamaged}}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Transfer.Status != aforro.TransferReceived || res.Transfer.ReceivedAt == nil || len(res.Transfer.Receipts) != 2 {
		t.Fatalf("after the last receipt: %+v", res.Transfer)
	}
	if got := res.Transfer.Receipts[1].Lines; len(got) != 3 || got[1].Reason != aforro.RejectMissing {
		t.Errorf("second receipt lines %+v", got)
	}
	if stock(t, d, 3, 1) != 5 || stock(t, d, 3, 2) != 1 {
		t.Errorf("destination stock = %d, %d; want 5, 1", stock(t, d, 3, 1), stock(t, d, 3, 2))
	}
	if n := dbtest.QueryInt(t, d, `SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE transfer_id = $1`, tr.ID); n != 0 {
		t.Errorf("%d units still in transit after the last receipt", n)
	}
	// The ledger: per reason, the units the transfer moved.
	rows, err := d.Pool.Query(ctx, `SELECT reason, sum(delta) FROM stock_movements WHERE transfer_id = $1 GROUP BY reason ORDER BY reason`, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			t.Fatal(err)
		}
		got[r] = n
	}
	want := map[string]int64{"transfer_out": -10, "transfer_in": 10, "write_off_damaged": -2, "write_off_missing": -2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ledger by reason (-want +got):\n%s", diff)
	}
	checkLedger(t, d)
}

// checkLedger checks that every inventory row's quantity is the sum of its
// ledger (every row here starts from a ledger-less insert, see initial).
func checkLedger(t *testing.T, d *db.DB) {
	t.Helper()
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM stock_movements m
		WHERE m.quantity_after <> m.quantity_before + m.delta`); n != 0 {
		t.Errorf("%d ledger rows do not add up", n)
	}
}

// TestTransferShortShipment refuses a shipment the source cannot cover,
// naming each short line, and leaves everything as it was.
func TestTransferShortShipment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	tr := newTransfer(t, d, 2, 3, line(1, 5), line(2, 6), line(3, 1))
	_, err := d.ShipTransfer(ctx, tr.ID, nil, nil)
	var e *aforro.Error
	if !errors.As(err, &e) || e.Code != aforro.ECONFLICT {
		t.Fatalf("short ship: %v", err)
	}
	want := []aforro.ShortItem{{ProductID: 2, Requested: 6, Available: 5}, {ProductID: 3, Requested: 1, Available: 0}}
	if diff := cmp.Diff(want, e.RejectedItems); diff != "" {
		t.Errorf("rejected items (-want +got):\n%s", diff)
	}
	if stock(t, d, 2, 1) != 5 || stock(t, d, 3, 1) != -1 {
		t.Error("a refused shipment changed stock or created destination rows")
	}
	if tr, _ := d.Transfer(ctx, tr.ID); tr.Status != aforro.TransferDraft {
		t.Errorf("status after a refused shipment %s", tr.Status)
	}
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM outbox WHERE event LIKE 'transfer.%'`); n != 0 {
		t.Errorf("%d events for a refused shipment", n)
	}
}

// TestTransferCancelAfterPartialReceipt returns exactly the units still on
// the road to the source, and none of those already received.
func TestTransferCancelAfterPartialReceipt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	tr := newTransfer(t, d, 1, 2, line(1, 6), line(3, 4))
	if _, err := d.ShipTransfer(ctx, tr.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 1, Accepted: 2, Rejected: 1, Reason: aforro.RejectOther}, {ProductID: 3, Accepted: 4}}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	c, err := d.CancelTransfer(ctx, tr.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != aforro.TransferCancelled || c.CancelledAt == nil {
		t.Fatalf("cancelled: %+v", c)
	}
	if c.Lines[0].Returned != 3 || c.Lines[0].InTransit != 0 || c.Lines[1].Returned != 0 {
		t.Errorf("lines after cancel %+v", c.Lines)
	}
	// Source: 10 - 6 + 3 returned; 10 - 4. Destination: 5 + 2; 4.
	for _, s := range []struct {
		store, product, want int64
	}{{1, 1, 7}, {1, 3, 6}, {2, 1, 7}, {2, 3, 4}} {
		if got := stock(t, d, s.store, s.product); got != s.want {
			t.Errorf("store %d product %d = %d, want %d", s.store, s.product, got, s.want)
		}
	}
	var events []string
	// The transfer's own events; shipping 6 of 10 also took the source
	// below the low-stock threshold (stock.low), which reorder_test covers.
	rows, _ := d.Pool.Query(ctx, `SELECT event FROM outbox WHERE event LIKE 'transfer.%' ORDER BY id`)
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		events = append(events, e)
	}
	if diff := cmp.Diff([]string{"transfer.shipped", "transfer.partially_received", "transfer.cancelled"}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestConcurrentShipsShipOnce races many ships of one draft: one ships, the
// others are conflicts, and the stock moves once.
func TestConcurrentShipsShipOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	tr := newTransfer(t, d, 1, 2, line(1, 3), line(2, 3))
	const clients = 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		wg.Go(func() {
			_, err := d.ShipTransfer(ctx, tr.ID, nil, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	shipped := 0
	for err := range errs {
		switch aforro.ErrorCode(err) {
		case "":
			shipped++
		case aforro.ECONFLICT:
		default:
			t.Errorf("ship: %v", err)
		}
	}
	if shipped != 1 {
		t.Errorf("%d ships succeeded, want 1", shipped)
	}
	if stock(t, d, 1, 1) != 7 || stock(t, d, 1, 2) != 7 {
		t.Errorf("source = %d, %d; want 7, 7", stock(t, d, 1, 1), stock(t, d, 1, 2))
	}
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM stock_movements WHERE transfer_id = $1`, tr.ID); n != 2 {
		t.Errorf("%d ledger rows, want 2", n)
	}
}

// TestTransferIdempotency replays create, ship and receive with their keys:
// the first answer comes back byte for byte and nothing happens twice; the
// same key with another request is a conflict.
func TestTransferIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	key := func(k, body string) *db.IdempotencyKey {
		h := sha256.Sum256([]byte(body))
		return &db.IdempotencyKey{Scope: "7", Key: k, Hash: h[:]}
	}
	req := aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 2, Lines: []aforro.TransferLineInput{line(1, 2)}}
	first, err := d.CreateTransfer(ctx, req, key("c", "create"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.CreateTransfer(ctx, req, key("c", "create"))
	if err != nil || !again.Replayed || string(again.Response) != string(first.Response) {
		t.Fatalf("create replay: %+v, %v", again, err)
	}
	if _, err := d.CreateTransfer(ctx, req, key("c", "other")); aforro.ErrorCode(err) != aforro.ECONFLICT {
		t.Fatalf("create with a reused key: %v", err)
	}
	id := first.Transfer.ID
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM transfers`); n != 1 {
		t.Fatalf("%d transfers", n)
	}
	ship, err := d.ShipTransfer(ctx, id, nil, key("s", "ship"))
	if err != nil {
		t.Fatal(err)
	}
	shipAgain, err := d.ShipTransfer(ctx, id, nil, key("s", "ship"))
	if err != nil || !shipAgain.Replayed || string(shipAgain.Response) != string(ship.Response) {
		t.Fatalf("ship replay: %+v, %v", shipAgain, err)
	}
	rcv := aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 1, Accepted: 1}}}
	if _, err := d.ReceiveTransfer(ctx, id, rcv, nil, key("r", "receive")); err != nil {
		t.Fatal(err)
	}
	if r, err := d.ReceiveTransfer(ctx, id, rcv, nil, key("r", "receive")); err != nil || !r.Replayed {
		t.Fatalf("receive replay: %v", err)
	}
	if stock(t, d, 1, 1) != 8 || stock(t, d, 2, 1) != 6 {
		t.Errorf("stock = %d, %d; want 8, 6", stock(t, d, 1, 1), stock(t, d, 2, 1))
	}
}

// TestOrdersAndTransfersRace runs 200 clients against two stores' last units:
// orders at either store, transfers between them shipped, received with
// rejections and cancelled. Nothing oversells, nothing deadlocks, and for
// every product the sum over stores of stock plus units in transit changed
// only by orders, cancels, adjustments and write-offs.
func TestOrdersAndTransfersRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	const stores, products, clients = 3, 6, 200
	if _, err := d.Pool.Exec(ctx, fmt.Sprintf(`
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'Widget ' || g, 1, 1 FROM generate_series(1, %[1]d) g;
		INSERT INTO stores (id, name) SELECT g, 'Store ' || g FROM generate_series(1, %[2]d) g;
		INSERT INTO inventory (store_id, product_id, quantity)
		SELECT s, p, 12 FROM generate_series(1, %[2]d) s, generate_series(1, %[1]d) p ORDER BY random()`, products, stores)); err != nil {
		t.Fatal(err)
	}
	const initial = `SELECT product_id, sum(quantity) FROM inventory GROUP BY product_id`
	before := map[int64]int64{}
	rows, _ := d.Pool.Query(ctx, initial)
	for rows.Next() {
		var p, n int64
		_ = rows.Scan(&p, &n)
		before[p] = n
	}
	deadlocksBefore := deadlocks(t, d)

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 16))
			store := int64(r.IntN(stores) + 1)
			perm := r.Perm(products)[:1+r.IntN(3)]
			if c%2 == 0 {
				var items []aforro.OrderLine
				for _, p := range perm {
					items = append(items, aforro.OrderLine{ProductID: int64(p + 1), QuantityRequested: 1 + r.IntN(3)})
				}
				res, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: store, Items: items}, nil)
				if err == nil && res.Order.Status == aforro.StatusConfirmed && c%6 == 0 {
					_, err = d.CancelOrder(ctx, res.Order.ID)
				}
				errs <- err
				return
			}
			dest := store%stores + 1
			var lines []aforro.TransferLineInput
			for _, p := range perm {
				lines = append(lines, line(int64(p+1), 1+r.IntN(4)))
			}
			res, err := d.CreateTransfer(ctx, aforro.CreateTransfer{SourceStoreID: store, DestinationStoreID: dest, Lines: lines}, nil)
			if err != nil {
				errs <- err
				return
			}
			id := res.Transfer.ID
			if _, err := d.ShipTransfer(ctx, id, nil, nil); err != nil {
				if aforro.ErrorCode(err) == aforro.ECONFLICT { // short: the race took the units
					_, err = d.CancelTransfer(ctx, id, nil)
				}
				errs <- err
				return
			}
			// Receive the first line in part, with a rejection; then
			// either cancel (returning the rest) or receive the rest.
			first := lines[0]
			if first.Quantity > 1 {
				if _, err := d.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
					{ProductID: first.ProductID, Accepted: first.Quantity - 2, Rejected: 1, Reason: aforro.RejectDamaged}}}, nil, nil); err != nil {
					errs <- err
					return
				}
			}
			if c%3 == 0 {
				_, err = d.CancelTransfer(ctx, id, nil)
				errs <- err
				return
			}
			tr, err := d.Transfer(ctx, id)
			if err != nil {
				errs <- err
				return
			}
			var rest []aforro.ReceiptLineInput
			for _, l := range tr.Lines {
				if l.InTransit > 0 {
					rest = append(rest, aforro.ReceiptLineInput{ProductID: l.ProductID, Accepted: l.InTransit})
				}
			}
			if len(rest) > 0 {
				_, err = d.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: rest}, nil, nil)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("client: %v", err)
		}
	}
	if n := deadlocks(t, d) - deadlocksBefore; n != 0 {
		t.Errorf("PostgreSQL detected %d deadlocks", n)
	}
	checkTransferIdentity(t, d, before)
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM transfers WHERE status NOT IN ('received', 'cancelled', 'partially_received')`); n != 0 {
		t.Errorf("%d transfers left in draft or shipped", n)
	}
}

// checkTransferIdentity checks, for every product, that stock plus units in
// transit moved from before only by ledger rows that are not a transfer's
// own moves; and that every row's quantity is its ledger's last word.
func checkTransferIdentity(t *testing.T, d *db.DB, before map[int64]int64) {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), `
		SELECT p.id,
		       (SELECT coalesce(sum(quantity), 0) FROM inventory WHERE product_id = p.id),
		       (SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE product_id = p.id),
		       (SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = p.id
		         AND reason NOT IN ('transfer_out', 'transfer_in', 'transfer_return')),
		       (SELECT coalesce(sum(incoming), 0) FROM (SELECT destination_store_id, sum(in_transit) AS incoming FROM transfer_lines
		         WHERE product_id = p.id AND in_transit > 0 GROUP BY destination_store_id) x)
		  FROM products p ORDER BY p.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, stock, transit, external, incoming int64
		if err := rows.Scan(&p, &stock, &transit, &external, &incoming); err != nil {
			t.Fatal(err)
		}
		if stock+transit-before[p] != external {
			t.Errorf("product %d: stock %d + in transit %d - before %d = %d, but orders, cancels, adjustments and write-offs moved %d",
				p, stock, transit, before[p], stock+transit-before[p], external)
		}
		if transit != incoming {
			t.Errorf("product %d: %d in transit, %d incoming", p, transit, incoming)
		}
	}
	checkLedger(t, d)
	if n := dbtest.QueryInt(t, d, `SELECT count(*) FROM inventory i WHERE i.quantity <> coalesce(
		(SELECT quantity_after FROM stock_movements m WHERE m.store_id = i.store_id AND m.product_id = i.product_id ORDER BY id DESC LIMIT 1),
		i.quantity)`); n != 0 {
		t.Errorf("%d inventory rows disagree with their ledger's last movement", n)
	}
}

// TestListTransfers lists a store's transfers in each direction and both,
// by status, by page and by cursor.
func TestListTransfers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	var out, in []int64
	for i := range 5 {
		out = append(out, newTransfer(t, d, 1, 2+int64(i%2), line(1, 1)).ID)
		in = append(in, newTransfer(t, d, 2+int64(i%2), 1, line(1, 1)).ID)
	}
	if _, err := d.ShipTransfer(ctx, out[4], nil, nil); err != nil {
		t.Fatal(err)
	}
	ids := func(f aforro.TransferFilter, req aforro.PageRequest) ([]int64, []string) {
		t.Helper()
		p, err := d.ListTransfers(ctx, f, req)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range p.Results {
			got = append(got, r.ID)
		}
		return got, p.Next
	}
	reverse := func(a []int64) []int64 {
		b := make([]int64, len(a))
		for i, v := range a {
			b[len(a)-1-i] = v
		}
		return b
	}
	var both []int64
	for i := range out {
		both = append(both, out[i], in[i])
	}
	page := aforro.PageRequest{Page: 1, PageSize: 20}
	for _, c := range []struct {
		name string
		f    aforro.TransferFilter
		want []int64
	}{
		{"out", aforro.TransferFilter{StoreID: 1, Direction: "out"}, reverse(out)},
		{"in", aforro.TransferFilter{StoreID: 1, Direction: "in"}, reverse(in)},
		{"both", aforro.TransferFilter{StoreID: 1}, reverse(both)},
		{"shipped", aforro.TransferFilter{StoreID: 1, Status: "shipped"}, []int64{out[4]}},
		{"in to store 3", aforro.TransferFilter{StoreID: 3, Direction: "in"}, []int64{out[3], out[1]}},
	} {
		got, _ := ids(c.f, page)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	// Both directions by cursor, three at a time.
	var walked []int64
	req := aforro.PageRequest{Page: 1, PageSize: 3}
	for {
		got, next := ids(aforro.TransferFilter{StoreID: 1}, req)
		walked = append(walked, got...)
		if next == nil {
			break
		}
		req.After = next
	}
	if diff := cmp.Diff(reverse(both), walked); diff != "" {
		t.Errorf("cursor walk (-want +got):\n%s", diff)
	}
	if _, err := d.ListTransfers(ctx, aforro.TransferFilter{StoreID: 99}, page); aforro.ErrorCode(err) != aforro.ENOTFOUND {
		t.Errorf("unknown store: %v", err)
	}
	// A row counts its lines and carries the latest change's time.
	two := newTransfer(t, d, 1, 2, line(1, 2), line(2, 3))
	p, err := d.ListTransfers(ctx, aforro.TransferFilter{StoreID: 1, Direction: "out"}, aforro.PageRequest{Page: 1, PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int64]aforro.TransferSummary{}
	for _, r := range p.Results {
		rows[r.ID] = r
	}
	if r := rows[two.ID]; r.LineCount != 2 || r.TotalUnits != 5 || !r.UpdatedAt.Equal(two.UpdatedAt) {
		t.Errorf("two-line draft listed as %+v, want 2 lines, 5 units, updated %s", r, two.UpdatedAt)
	}
	if r := rows[out[4]]; r.LineCount != 1 || r.UpdatedAt.Before(r.CreatedAt) || r.Status != aforro.TransferShipped {
		t.Errorf("shipped transfer listed as %+v, want 1 line, updated at or after it was created", r)
	}
	// ?incoming=true on the inventory list.
	inv, err := d.ListInventory(ctx, 3, aforro.InventoryFilter{Incoming: true}, page)
	if err != nil || len(inv.Results) != 0 {
		t.Fatalf("store 3 incoming: %+v, %v", inv.Results, err)
	}
	inv, err = d.ListInventory(ctx, 2, aforro.InventoryFilter{Incoming: true}, page)
	if err != nil || len(inv.Results) != 1 || inv.Results[0].ProductID != 1 || inv.Results[0].Incoming != 1 {
		t.Fatalf("store 2 incoming: %+v, %v", inv.Results, err)
	}
}

// TestSummaryCountsUnitsInTransit: the daily summary counts, per store, the
// units on the road toward it, and all of them in the all-stores row.
func TestSummaryCountsUnitsInTransit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	a := newTransfer(t, d, 1, 3, line(1, 4), line(2, 1))
	b := newTransfer(t, d, 1, 2, line(3, 2))
	newTransfer(t, d, 1, 2, line(4, 9)) // a draft is not on the road
	for _, id := range []int64{a.ID, b.ID} {
		if _, err := d.ShipTransfer(ctx, id, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.ReceiveTransfer(ctx, a.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{{ProductID: 1, Accepted: 1}}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := d.GenerateSummaries(ctx, time.Now(), 5)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.StoreName] = r.UnitsInTransit
	}
	want := map[string]int64{aforro.AllStoresName: 6, "North": 0, "South": 2, "East": 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units in transit by summary row (-want +got):\n%s", diff)
	}
}

// TestTransfersRenamesAndOrdersNeverDeadlock races transfers in both
// directions (shipping into a store that does not stock the products yet,
// so the ship creates its rows), orders at every store and renames of the
// same products, which rewrite each product's rows in every store. The
// transfer path holds rows of one store at a time and inserts rows before
// locking any, so PostgreSQL must report no deadlock.
func TestTransfersRenamesAndOrdersNeverDeadlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	const products = 6
	if _, err := d.Pool.Exec(ctx, fmt.Sprintf(`
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'Widget ' || g, 1, 1 FROM generate_series(1, %d) g;
		INSERT INTO stores (id, name) SELECT g, 'Store ' || g FROM generate_series(1, 4) g;
		INSERT INTO inventory (store_id, product_id, quantity)
		SELECT s, p, 100000 FROM generate_series(1, 2) s, generate_series(1, %d) p ORDER BY random()`, products, products)); err != nil {
		t.Fatal(err)
	}
	before := deadlocks(t, d)
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for c := range 60 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 61))
			var err error
			for round := 0; round < 5 && err == nil; round++ {
				perm := r.Perm(products)
				switch c % 3 {
				case 0: // a transfer from store 1 or 2 to another store, received
					src := int64(1 + r.IntN(2))
					dst := int64(1 + (int(src)+r.IntN(3))%4)
					var lines []aforro.TransferLineInput
					for _, p := range perm[:3] {
						lines = append(lines, line(int64(p+1), 1))
					}
					var res db.TransferResult
					if res, err = d.CreateTransfer(ctx, aforro.CreateTransfer{SourceStoreID: src, DestinationStoreID: dst, Lines: lines}, nil); err != nil {
						break
					}
					if _, err = d.ShipTransfer(ctx, res.Transfer.ID, nil, nil); err != nil {
						break
					}
					var rcv []aforro.ReceiptLineInput
					for _, l := range lines {
						rcv = append(rcv, aforro.ReceiptLineInput{ProductID: l.ProductID, Accepted: 1})
					}
					_, err = d.ReceiveTransfer(ctx, res.Transfer.ID, aforro.ReceiveTransfer{Lines: rcv}, nil, nil)
				case 1: // an order at store 1 or 2
					var items []aforro.OrderLine
					for _, p := range perm[:3] {
						items = append(items, aforro.OrderLine{ProductID: int64(p + 1), QuantityRequested: 1})
					}
					_, err = d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: int64(1 + r.IntN(2)), Items: items}, nil)
				default: // a rename, rewriting the product's rows in every store
					title := fmt.Sprintf("Widget %d rev %d-%d", perm[0]+1, c, round)
					_, err = d.UpdateProduct(ctx, int64(perm[0]+1), aforro.ProductInput{Title: &title})
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("client: %v", err)
		}
	}
	if n := deadlocks(t, d) - before; n != 0 {
		t.Errorf("PostgreSQL detected %d deadlocks among transfers, orders and renames", n)
	}
	checkTransferIdentity(t, d, map[int64]int64{1: 200000, 2: 200000, 3: 200000, 4: 200000, 5: 200000, 6: 200000})
}
