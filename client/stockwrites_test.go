package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

func TestStockWritesWith(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()

	it, created, replayed, err := c.SetStockWith(ctx, 1, 5, 7, "received", client.StockOptions{Expected: ptr(0), IdempotencyKey: "k-1"})
	if err != nil || !created || replayed || it.Quantity != 7 {
		t.Fatalf("SetStockWith = %+v %v %v %v", it, created, replayed, err)
	}
	again, created, replayed, err := c.SetStockWith(ctx, 1, 5, 7, "received", client.StockOptions{Expected: ptr(0), IdempotencyKey: "k-1"})
	if err != nil || !created || !replayed || again != it {
		t.Errorf("replay = %+v %v %v %v", again, created, replayed, err)
	}
	_, _, err = c.AdjustStockWith(ctx, 1, 5, -1, "shrinkage", client.StockOptions{Expected: ptr(6)})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != aforro.ESTALEQUANTITY || ae.CurrentQuantity == nil || *ae.CurrentQuantity != 7 {
		t.Fatalf("stale adjust: %#v", err)
	}
	var de *aforro.Error
	if !errors.As(err, &de) || de.CurrentQuantity == nil || *de.CurrentQuantity != 7 {
		t.Errorf("the domain error lacks the current quantity: %#v", de)
	}
	it, replayed, err = c.AdjustStockWith(ctx, 1, 5, -1, "shrinkage", client.StockOptions{Expected: ae.CurrentQuantity})
	if err != nil || replayed || it.Quantity != 6 {
		t.Errorf("adjust from the current quantity = %+v %v %v", it, replayed, err)
	}
}

func TestWebhookMethods(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()

	w, err := c.CreateWebhook(ctx, aforro.WebhookEndpointInput{URL: ptr("https://erp.example.com/h"), Events: []string{aforro.EventOrderCancelled}})
	if err != nil || w.Secret == "" || w.ID == 0 {
		t.Fatalf("CreateWebhook = %+v, %v", w, err)
	}
	got, err := c.Webhook(ctx, w.ID)
	if err != nil || got.Secret != "" || got.URL != w.URL {
		t.Errorf("Webhook = %+v, %v", got, err)
	}
	off := false
	if u, err := c.UpdateWebhook(ctx, w.ID, aforro.WebhookEndpointInput{Enabled: &off}); err != nil || u.Enabled {
		t.Errorf("UpdateWebhook = %+v, %v", u, err)
	}
	page, err := c.ListWebhooks(ctx, client.PageOptions{})
	if err != nil || page.Count != 1 {
		t.Errorf("ListWebhooks = %+v, %v", page, err)
	}
	if dp, err := c.ListDeliveries(ctx, w.ID, aforro.DeliveryFilter{Status: aforro.DeliveryPaused}, client.PageOptions{}); err != nil || dp.Count != 0 {
		t.Errorf("ListDeliveries = %+v, %v", dp, err)
	}
	_, err = c.CreateWebhook(ctx, aforro.WebhookEndpointInput{URL: ptr("https://erp.example.com/h"), Events: []string{"stock.lowish"}})
	if aforro.ErrorCode(err) != aforro.EINVALID {
		t.Errorf("unknown event: %v", err)
	}
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhook(ctx, w.ID); aforro.ErrorCode(err) != aforro.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
}

// TestStockBatch: a batch's answer row by row, a rejected batch as Rejected
// (not an error), and a replay of the key.
func TestStockBatch(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()
	n := func(v int) *int { return &v }
	id := func(v int64) *int64 { return &v }
	bad := aforro.StockBatch{Mode: aforro.BatchModeAdd, ErrorPolicy: aforro.BatchRejectAll,
		Rows: []aforro.StockBatchRow{{ProductID: id(1), Quantity: n(1), Reason: "other"}, {ProductID: id(99), Quantity: n(1), Reason: "other"}}}
	ans, err := c.StockBatch(ctx, 1, bad, "")
	if err != nil || !ans.Rejected || ans.Applied != 0 || ans.Failed != 1 || ans.Rows[1].Error == nil || ans.Rows[1].Error.Code != aforro.ENOTFOUND {
		t.Fatalf("rejected batch: %+v, %v", ans, err)
	}
	good := bad
	good.ErrorPolicy = aforro.BatchRejectFailed
	for i, replayed := range []bool{false, true} {
		ans, err = c.StockBatch(ctx, 1, good, "k-1")
		if err != nil || ans.Rejected || ans.Applied != 1 || ans.Replayed != replayed {
			t.Fatalf("batch %d: %+v, %v", i, ans, err)
		}
	}
	if _, err := c.StockBatch(ctx, 1, aforro.StockBatch{ErrorPolicy: aforro.BatchRejectAll, Rows: good.Rows}, ""); aforro.ErrorCode(err) != aforro.EINVALID {
		t.Errorf("no mode: %v", err)
	}
}
