package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// TestTransfers drives a transfer through every client method: create with
// a replayed key, a refused shipment's rejected items, edit, ship, a partial
// receipt with a rejection, the lists and a cancel returning the rest.
func TestTransfers(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	ctx := context.Background()

	req := aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 2, Reference: "T-7",
		Lines: []aforro.TransferLineInput{{ProductID: 2, Quantity: 5}, {ProductID: 1, Quantity: 4}}}
	tr, replayed, err := c.CreateTransfer(ctx, req, "create-1")
	if err != nil || replayed || tr.Status != aforro.TransferDraft {
		t.Fatalf("CreateTransfer = %+v, %v, %v", tr, replayed, err)
	}
	if again, replayed, err := c.CreateTransfer(ctx, req, "create-1"); err != nil || !replayed || again.ID != tr.ID {
		t.Fatalf("replayed CreateTransfer = %+v, %v, %v", again, replayed, err)
	}

	// Store 1 has 3 mice.
	_, _, err = c.ShipTransfer(ctx, tr.ID, "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != aforro.ECONFLICT ||
		!cmp.Equal(apiErr.RejectedItems, []aforro.ShortItem{{ProductID: 2, Requested: 5, Available: 3}}) {
		t.Fatalf("short ShipTransfer: %v (%+v)", err, apiErr)
	}
	if _, err := c.EditTransfer(ctx, tr.ID, aforro.EditTransfer{Lines: []aforro.TransferLineInput{{ProductID: 2, Quantity: 3}, {ProductID: 1, Quantity: 4}}}); err != nil {
		t.Fatal(err)
	}
	shipped, _, err := c.ShipTransfer(ctx, tr.ID, "")
	if err != nil || shipped.Status != aforro.TransferShipped {
		t.Fatalf("ShipTransfer = %+v, %v", shipped, err)
	}
	inv, err := c.ListInventory(ctx, 2, aforro.InventoryFilter{Incoming: true}, client.PageOptions{})
	if err != nil || len(inv.Results) != 2 {
		t.Fatalf("incoming inventory = %+v, %v", inv.Results, err)
	}
	got, _, err := c.ReceiveTransfer(ctx, tr.ID, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 1, Accepted: 3, Rejected: 1, Reason: aforro.RejectDamaged}}}, "")
	if err != nil || got.Status != aforro.TransferPartiallyReceived || got.Lines[0].Received != 3 || got.Lines[0].Rejected != 1 {
		t.Fatalf("ReceiveTransfer = %+v, %v", got, err)
	}
	page, err := c.ListStoreTransfers(ctx, 2, client.TransferFilter{Direction: aforro.DirectionIn, Status: aforro.TransferPartiallyReceived}, client.PageOptions{})
	if err != nil || len(page.Results) != 1 || page.Results[0].InTransit != 3 {
		t.Fatalf("ListStoreTransfers = %+v, %v", page.Results, err)
	}
	cancelled, err := c.CancelTransfer(ctx, tr.ID)
	if err != nil || cancelled.Status != aforro.TransferCancelled || cancelled.Lines[1].Returned != 3 {
		t.Fatalf("CancelTransfer = %+v, %v", cancelled, err)
	}
	if stock(t, c, 1, 2) != 3 {
		t.Errorf("the mice did not come back to store 1")
	}
	if _, err := c.Transfer(ctx, 999); aforro.ErrorCode(err) != aforro.ENOTFOUND {
		t.Errorf("Transfer(999) = %v", err)
	}
}
