package client_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// ignoreOrderTimes leaves out what the server fixes at request time: order
// times and line ids, and who (the server and db tests check attribution).
var ignoreOrderTimes = cmp.Options{
	cmpopts.IgnoreFields(aforro.Order{}, "CreatedAt", "CancelledAt", "PlacedBy", "CancelledBy", "Source"),
	cmpopts.IgnoreFields(aforro.OrderItem{}, "ID"),
	cmpopts.IgnoreFields(aforro.OrderSummary{}, "CreatedAt", "PlacedBy"),
}

// line is one requested line of a new order.
func line(productID int64, qty int) aforro.OrderLine {
	return aforro.OrderLine{ProductID: productID, QuantityRequested: qty}
}

// stock returns the quantity of a row of the servertest.Catalogue's inventory.
func stock(t *testing.T, c *client.Client, storeID, productID int64) int {
	t.Helper()
	it, err := c.InventoryItem(context.Background(), storeID, productID)
	if err != nil {
		t.Fatalf("InventoryItem(%d, %d): %v", storeID, productID, err)
	}
	return it.Quantity
}

func TestOrders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	ctx := context.Background()

	confirmed, replayed, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(2, 1), line(1, 2)},
		CustomerEmail: "ana@example.com"}, "")
	if err != nil || replayed {
		t.Fatalf("PlaceOrder = %v, replayed %v", err, replayed)
	}
	wantConfirmed := aforro.Order{ID: 1, Store: 1, StoreName: "Downtown", StoreLocation: "1 Main St, Lisbon",
		Status: aforro.StatusConfirmed, CustomerEmail: "ana@example.com", TotalAmount: 2*129999 + 2999,
		Items: []aforro.OrderItem{
			{ProductID: 1, ProductTitle: "Laptop Pro 15", ProductPrice: 129999, QuantityRequested: 2},
			{ProductID: 2, ProductTitle: "Wireless Mouse", ProductPrice: 2999, QuantityRequested: 1},
		}}
	if d := cmp.Diff(wantConfirmed, confirmed, ignoreOrderTimes); d != "" {
		t.Errorf("confirmed order (-want +got):\n%s", d)
	}
	if time.Since(confirmed.CreatedAt) > time.Minute || confirmed.CancelledAt != nil {
		t.Errorf("created_at %v, cancelled_at %v", confirmed.CreatedAt, confirmed.CancelledAt)
	}
	if q1, q2 := stock(t, c, 1, 1), stock(t, c, 1, 2); q1 != 8 || q2 != 2 {
		t.Errorf("stock after a confirmed order: %d and %d, want 8 and 2", q1, q2)
	}

	// Product 3 is out of stock in store 1 and product 5 is not stocked there.
	rejected, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(4, 1), line(3, 1), line(5, 2)}}, "")
	if err != nil {
		t.Fatalf("PlaceOrder of a short order: %v", err)
	}
	wantRejected := aforro.Order{ID: 2, Store: 1, StoreName: "Downtown", StoreLocation: "1 Main St, Lisbon",
		Status: aforro.StatusRejected, TotalAmount: 99900 + 3950 + 2*4500,
		Items: []aforro.OrderItem{
			{ProductID: 3, ProductTitle: "Gaming Laptop", ProductPrice: 99900, QuantityRequested: 1},
			{ProductID: 4, ProductTitle: "Go Programming", ProductPrice: 3950, QuantityRequested: 1},
			{ProductID: 5, ProductTitle: "Cast Iron Skillet", ProductPrice: 4500, QuantityRequested: 2},
		},
		RejectedItems: []aforro.RejectedItem{
			{ProductID: 3, QuantityRequested: 1, QuantityAvailable: 0},
			{ProductID: 5, QuantityRequested: 2, QuantityAvailable: 0},
		}}
	if d := cmp.Diff(wantRejected, rejected, ignoreOrderTimes); d != "" {
		t.Errorf("rejected order (-want +got):\n%s", d)
	}
	if q := stock(t, c, 1, 4); q != 50 {
		t.Errorf("a rejected order touched stock: product 4 has %d, want 50", q)
	}

	t.Run("Order", func(t *testing.T) {
		for _, want := range []aforro.Order{confirmed, rejected} {
			got, err := c.Order(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("order %d (-placed +read):\n%s", want.ID, d)
			}
		}
	})

	t.Run("ListStoreOrders", func(t *testing.T) {
		got, err := c.ListStoreOrders(ctx, 1, "", client.PageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := aforro.Page[aforro.OrderSummary]{Count: 2, Page: 1, PageSize: 20, TotalPages: 1, Results: []aforro.OrderSummary{
			{ID: 2, Store: 1, Status: aforro.StatusRejected, TotalItems: 4},
			{ID: 1, Store: 1, Status: aforro.StatusConfirmed, TotalItems: 3},
		}}
		if d := cmp.Diff(want, got, ignoreOrderTimes); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		got, err = c.ListStoreOrders(ctx, 1, "rejected", client.PageOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Results) != 1 || got.Results[0].ID != 2 || got.Count != 1 {
			t.Errorf("status filter: %+v", got)
		}
		got, err = c.ListStoreOrders(ctx, 3, "", client.PageOptions{})
		if err != nil || got.Count != 0 || len(got.Results) != 0 {
			t.Errorf("orders of a store without any: %+v, %v", got, err)
		}
	})

	t.Run("CancelOrder", func(t *testing.T) {
		got, err := c.CancelOrder(ctx, confirmed.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := wantConfirmed
		want.Status = aforro.StatusCancelled
		if d := cmp.Diff(want, got, ignoreOrderTimes); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if got.CancelledAt == nil || got.CancelledAt.Before(got.CreatedAt) {
			t.Errorf("cancelled_at = %v, created_at %v", got.CancelledAt, got.CreatedAt)
		}
		if q1, q2 := stock(t, c, 1, 1), stock(t, c, 1, 2); q1 != 10 || q2 != 3 {
			t.Errorf("stock after cancelling: %d and %d, want 10 and 3 again", q1, q2)
		}
	})
}

func TestPlaceOrderIdempotency(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	ctx := context.Background()
	order := aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 1)}}

	first, replayed, err := c.PlaceOrder(ctx, order, "till3-000123")
	if err != nil || replayed {
		t.Fatalf("first PlaceOrder = %v, replayed %v", err, replayed)
	}
	again, replayed, err := c.PlaceOrder(ctx, order, "till3-000123")
	if err != nil {
		t.Fatal(err)
	}
	if !replayed {
		t.Error("the same key again: replayed = false, want true")
	}
	if d := cmp.Diff(first, again); d != "" {
		t.Errorf("replayed order differs (-first +again):\n%s", d)
	}
	if q := stock(t, c, 1, 1); q != 9 {
		t.Errorf("stock = %d after one order placed twice with one key, want 9", q)
	}

	other := aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 2)}}
	_, _, err = c.PlaceOrder(ctx, other, "till3-000123")
	if ae := apiError(t, err); ae.Status != 409 || ae.Code != aforro.ECONFLICT {
		t.Errorf("the same key with another body: %+v, want 409 conflict", ae)
	}

	// Without a key, each call is its own order.
	a, _, err := c.PlaceOrder(ctx, order, "")
	if err != nil {
		t.Fatal(err)
	}
	b, replayed, err := c.PlaceOrder(ctx, order, "")
	if err != nil || replayed || a.ID == b.ID {
		t.Errorf("two calls without a key: orders %d and %d, replayed %v, %v", a.ID, b.ID, replayed, err)
	}
	page, err := c.ListStoreOrders(ctx, 1, "", client.PageOptions{})
	if err != nil || page.Count != 3 {
		t.Errorf("store 1 has %d orders (%v), want 3", page.Count, err)
	}
}

func TestInventoryChanges(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	ctx := context.Background()

	got, err := c.InventoryItem(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(inv(0, 2, "Wireless Mouse", 2999, "Electronics", 3), got, ignoreInventoryIDs); d != "" {
		t.Errorf("InventoryItem (-want +got):\n%s", d)
	}

	it, created, err := c.SetStock(ctx, 1, 2, 40, "received")
	if err != nil || created || it.Quantity != 40 || it.ProductID != 2 || !it.UpdatedAt.After(got.UpdatedAt) {
		t.Errorf("SetStock of a stocked product = %+v, created %v, %v", it, created, err)
	}
	it, created, err = c.SetStock(ctx, 3, 5, 12, "initial")
	if err != nil || !created || it.Quantity != 12 || it.ProductTitle != "Cast Iron Skillet" {
		t.Errorf("SetStock of an unstocked product = %+v, created %v, %v; want created", it, created, err)
	}
	it, err = c.AdjustStock(ctx, 1, 2, -2, "damaged")
	if err != nil || it.Quantity != 38 {
		t.Errorf("AdjustStock -2 = %+v, %v; want 38", it, err)
	}
	it, err = c.AdjustStock(ctx, 1, 2, 5, "correction")
	if err != nil || it.Quantity != 43 {
		t.Errorf("AdjustStock +5 = %+v, %v; want 43", it, err)
	}

	page, err := c.ListMovements(ctx, 1, 2, client.PageOptions{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := aforro.Page[aforro.StockMovement]{Count: 3, Page: 1, PageSize: 2, TotalPages: 2, HasNext: true, NextCursor: anyCursor, Results: []aforro.StockMovement{
		{Delta: 5, QuantityBefore: 38, QuantityAfter: 43, Reason: "correction"},
		{Delta: -2, QuantityBefore: 40, QuantityAfter: 38, Reason: "damaged"},
	}}
	if d := cmp.Diff(want, page, cmpopts.IgnoreFields(aforro.StockMovement{}, "ID", "CreatedAt", "Token", "Source"), cursorPresence); d != "" {
		t.Errorf("ListMovements (-want +got):\n%s", d)
	}
	var all []aforro.StockMovement
	for m, err := range client.All(ctx, func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.StockMovement], error) {
		return c.ListMovements(ctx, 1, 2, p)
	}, 1) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, m)
	}
	if len(all) != 3 || all[2].Delta != 37 || all[2].Reason != "received" || all[2].OrderID != nil {
		t.Errorf("every movement: %+v", all)
	}

	// Orders write the ledger too, with their id.
	o, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(2, 3)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	page, err = c.ListMovements(ctx, 1, 2, client.PageOptions{PageSize: 1})
	if err != nil || len(page.Results) != 1 {
		t.Fatalf("ListMovements = %+v, %v", page, err)
	}
	if m := page.Results[0]; m.Delta != -3 || m.Reason != aforro.ReasonOrder || m.OrderID == nil || *m.OrderID != o.ID {
		t.Errorf("order movement = %+v, want -3 for order %d", m, o.ID)
	}
}

// apiError returns err as an *APIError, failing the test when it is not one.
func apiError(t *testing.T, err error) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want an *APIError", err, err)
	}
	return ae
}

func TestOrderAndInventoryErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	harbourStaff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 2)))
	ctx := context.Background()
	downtownOrder, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 1)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	rejected, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(3, 1)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	cancelled, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(4, 1)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelOrder(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	forbidden := func(store int) *client.APIError {
		return &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This token does not cover store " + strconv.Itoa(store) + "."}
	}
	notFound := func(msg string) *client.APIError {
		return &client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: msg}
	}
	conflict := func(msg string) *client.APIError {
		return &client.APIError{Status: 409, Code: aforro.ECONFLICT, Message: msg}
	}

	tests := []struct {
		name string
		call func() error
		want *client.APIError
	}{
		{"unknown order", func() error { _, err := c.Order(ctx, 99); return err }, notFound("Order 99 not found.")},
		{"cancel an unknown order", func() error { _, err := c.CancelOrder(ctx, 99); return err }, notFound("Order 99 not found.")},
		{"cancel twice", func() error { _, err := c.CancelOrder(ctx, cancelled.ID); return err },
			conflict("Order 3 is CANCELLED; only a CONFIRMED order can be cancelled.")},
		{"cancel a rejected order", func() error { _, err := c.CancelOrder(ctx, rejected.ID); return err },
			conflict("Order 2 is REJECTED; only a CONFIRMED order can be cancelled.")},
		{"order of an unknown store", func() error {
			_, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 99, Items: []aforro.OrderLine{line(1, 1)}}, "")
			return err
		}, notFound("Store 99 not found.")},
		{"bad order", func() error {
			_, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 0), line(1, 2)},
				CustomerEmail: "not an email"}, "")
			return err
		}, &client.APIError{Status: 400, Code: aforro.EINVALID, Fields: map[string]string{
			"items[0].quantity_requested": "must be at least 1",
			"items[1].product_id":         "duplicates items[0]: product 1 may appear once; add the quantities",
			"customer_email":              "must be a plain email address such as ana@example.com",
		}}},
		{"order without lines", func() error {
			_, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1}, "")
			return err
		}, &client.APIError{Status: 400, Code: aforro.EINVALID, Fields: map[string]string{"items": "must contain at least one line"}}},
		{"bad idempotency key", func() error {
			_, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 1)}}, strings.Repeat("k", 256))
			return err
		}, &client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Idempotency-Key must be 1-255 printable characters.",
			Fields: map[string]string{"Idempotency-Key": "must be 1-255 printable characters"}}},
		{"bad status filter", func() error { _, err := c.ListStoreOrders(ctx, 1, "SHIPPED", client.PageOptions{}); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Fields: map[string]string{"status": "must be CONFIRMED, REJECTED or CANCELLED"}}},
		{"orders of an unknown store", func() error { _, err := c.ListStoreOrders(ctx, 99, "", client.PageOptions{}); return err },
			notFound("Store 99 not found.")},

		{"row the store does not stock", func() error { _, err := c.InventoryItem(ctx, 1, 5); return err },
			notFound("Store 1 does not stock product 5.")},
		{"adjust below zero", func() error { _, err := c.AdjustStock(ctx, 1, 2, -4, "count"); return err },
			conflict("Adjusting by -4 would leave -1 in stock; store 1 has 3 of product 2.")},
		{"adjust a row the store does not stock", func() error { _, err := c.AdjustStock(ctx, 1, 5, 1, "correction"); return err },
			notFound("Store 1 does not stock product 5.")},
		{"adjust by zero without a reason", func() error { _, err := c.AdjustStock(ctx, 1, 2, 0, " "); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Fields: map[string]string{
				"delta":  "must be a non-zero integer between -1000000000 and 1000000000",
				"reason": "is required: " + aforro.StockReasonProblem(),
			}}},
		{"set a negative quantity", func() error { _, _, err := c.SetStock(ctx, 1, 2, -1, "count"); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid quantity: must be between 0 and 1000000000.",
				Fields: map[string]string{"quantity": "must be between 0 and 1000000000"}}},
		{"set stock of an unknown product", func() error { _, _, err := c.SetStock(ctx, 1, 99, 1, "count"); return err },
			notFound("Product 99 not found.")},
		{"movements of a row the store does not stock", func() error {
			_, err := c.ListMovements(ctx, 1, 5, client.PageOptions{})
			return err
		}, notFound("Store 1 does not stock product 5.")},

		// A staff token of store 2 is refused store 1's orders and stock.
		{"staff: place", func() error {
			_, _, err := harbourStaff.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{line(1, 1)}}, "")
			return err
		}, forbidden(1)},
		{"staff: read order", func() error { _, err := harbourStaff.Order(ctx, downtownOrder.ID); return err }, forbidden(1)},
		{"staff: cancel", func() error { _, err := harbourStaff.CancelOrder(ctx, downtownOrder.ID); return err }, forbidden(1)},
		{"staff: list orders", func() error {
			_, err := harbourStaff.ListStoreOrders(ctx, 1, "", client.PageOptions{})
			return err
		}, forbidden(1)},
		{"staff: read row", func() error { _, err := harbourStaff.InventoryItem(ctx, 1, 1); return err }, forbidden(1)},
		{"staff: set", func() error { _, _, err := harbourStaff.SetStock(ctx, 1, 1, 5, "other"); return err }, forbidden(1)},
		{"staff: adjust", func() error { _, err := harbourStaff.AdjustStock(ctx, 1, 1, 1, "other"); return err }, forbidden(1)},
		{"staff: movements", func() error {
			_, err := harbourStaff.ListMovements(ctx, 1, 1, client.PageOptions{})
			return err
		}, forbidden(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			got := apiError(t, err)
			ignore := []string{"RequestID"}
			if tc.want.Message == "" {
				ignore = append(ignore, "Message") // validation sentences name only the first field
				if got.Message == "" {
					t.Error("Message is empty")
				}
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(client.APIError{}, ignore...)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if code := aforro.ErrorCode(err); code != tc.want.Code {
				t.Errorf("aforro.ErrorCode = %q, want %q", code, tc.want.Code)
			}
		})
	}

	// None of the failures changed stock or placed an order.
	if q := stock(t, c, 1, 2); q != 3 {
		t.Errorf("product 2 has %d after failed changes, want 3", q)
	}
	if page, err := c.ListStoreOrders(ctx, 1, "", client.PageOptions{}); err != nil || page.Count != 3 {
		t.Errorf("store 1 has %d orders (%v), want the 3 placed", page.Count, err)
	}
}
