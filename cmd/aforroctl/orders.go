package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// OrdersCmd groups the order commands.
type OrdersCmd struct {
	Place  OrdersPlaceCmd  `cmd:"" help:"Place an order at a store."`
	List   OrdersListCmd   `cmd:"" help:"List orders, newest first: every store's, or one store's."`
	Show   OrdersShowCmd   `cmd:"" help:"Show one order and its lines."`
	Cancel OrdersCancelCmd `cmd:"" help:"Cancel a CONFIRMED order, returning its stock."`
}

// Help is shown under the usage of "aforroctl orders --help".
func (OrdersCmd) Help() string {
	return "All of these need a staff token that covers the order's store.\n\nExamples:\n\n" +
		"    aforroctl orders place --store 1 --item 643:2 --item 124:1\n" +
		"    aforroctl orders list --status rejected\n" +
		"    aforroctl orders list --store 1 --status rejected\n" +
		"    aforroctl orders show 18\n" +
		"    aforroctl orders cancel 17"
}

// OrdersPlaceCmd places an order.
type OrdersPlaceCmd struct {
	Store          int64       `required:"" placeholder:"ID" help:"Store id."`
	Item           []orderLine `required:"" placeholder:"PRODUCT:QTY" help:"One line of the order: a product id and the quantity (default 1). Repeat the flag, or separate lines with commas."`
	Email          string      `placeholder:"EMAIL" help:"Customer email; a confirmed order queues a confirmation to it."`
	IdempotencyKey string      `placeholder:"KEY" help:"Idempotency key (1-255 printable characters): the same key with the same order places it once and answers every repeat with the original order. Default: a new random key."`
}

// Help is shown under the usage of the command.
func (OrdersPlaceCmd) Help() string {
	return "The order is CONFIRMED, and its stock deducted, when the store has enough of\n" +
		"every line; otherwise it is REJECTED and no stock changes. Either way the order\n" +
		"is printed on stdout; a REJECTED order exits 1 and names the short lines on\n" +
		"stderr. When the server cannot be reached (exit 3) the message names the\n" +
		"idempotency key used: repeating the command with it cannot place the order twice.\n\n" +
		"Examples:\n\n" +
		"    aforroctl orders place --store 1 --item 643:2 --item 124:1 --email ana@example.com\n" +
		"    aforroctl orders place --store 1 --item 643:2,124 --idempotency-key till3-000123\n" +
		"    aforroctl orders place --store 1 --item 643 -o json | jq -r .status"
}

// Run places the order.
func (c *OrdersPlaceCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	// Choosing the key here, not in the client, lets the message after a
	// lost answer say which key makes a retry safe.
	key := c.IdempotencyKey
	if key == "" {
		key = client.NewIdempotencyKey()
	}
	req := aforro.PlaceOrder{StoreID: c.Store, CustomerEmail: c.Email}
	for _, l := range c.Item {
		req.Items = append(req.Items, aforro.OrderLine(l))
	}
	var (
		order    aforro.Order
		replayed bool
	)
	err = emit(a, func(ctx context.Context) (aforro.Order, error) {
		var err error
		order, replayed, err = cl.PlaceOrder(ctx, req, key)
		return order, err
	}, func(o aforro.Order) error { return writeOrder(a.out, o) })
	var ce *client.ConnError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w\nIf the server received the order, it was placed; repeating the command "+
			"with --idempotency-key %s cannot place it twice", err, key)
	}
	if err != nil {
		return err
	}
	if replayed {
		a.out.note("Order %d was placed earlier with this idempotency key; this is its original answer and nothing new was placed.", order.ID)
	}
	if order.Status == aforro.StatusRejected {
		return &rejectedError{order: order}
	}
	return nil
}

// orderLine is one --item flag: "PRODUCT:QTY", or "PRODUCT" for one unit.
type orderLine aforro.OrderLine

// UnmarshalText parses a line, refusing a product id or a quantity below 1
// here, in the flag's words, rather than by the server's field path.
func (l *orderLine) UnmarshalText(b []byte) error {
	product, qty, hasQty := strings.Cut(strings.TrimSpace(string(b)), ":")
	p, err := strconv.ParseInt(product, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not PRODUCT:QTY (such as 643:2)", b)
	}
	q := 1
	if hasQty {
		if q, err = strconv.Atoi(qty); err != nil {
			return fmt.Errorf("%q is not PRODUCT:QTY (such as 643:2)", b)
		}
	}
	switch {
	case p < 1:
		return fmt.Errorf("%q: the product id must be positive", b)
	case q < 1:
		return fmt.Errorf("%q: the quantity must be at least 1", b)
	}
	*l = orderLine{ProductID: p, QuantityRequested: q}
	return nil
}

// rejectedError reports a REJECTED order: the order was placed and printed,
// but the store could not serve it, so the command fails.
type rejectedError struct{ order aforro.Order }

// Error names the order and each short line, as
// "order 18 REJECTED: product 124 wanted 1, store has 0".
func (e *rejectedError) Error() string {
	lines := make([]string, len(e.order.RejectedItems))
	for i, r := range e.order.RejectedItems {
		lines[i] = fmt.Sprintf("product %d wanted %d, store has %d", r.ProductID, r.QuantityRequested, r.QuantityAvailable)
	}
	return fmt.Sprintf("order %d REJECTED: %s", e.order.ID, strings.Join(lines, "; "))
}

// OrdersListCmd lists orders: every store's the token covers, or one
// store's.
type OrdersListCmd struct {
	Store  int64  `placeholder:"ID" help:"Only this store's orders (default: every store the token covers)."`
	Status string `placeholder:"STATUS" help:"Only orders in this state: confirmed, rejected or cancelled."`
	Paging
}

// Help is shown under the usage of the command.
func (OrdersListCmd) Help() string {
	return "Without --store, the orders of every store the token covers (every store for an\n" +
		"admin token), with a STORE column; with --store, that store's. ITEMS is the\n" +
		"number of units ordered, over all lines.\n\nExamples:\n\n" +
		"    aforroctl orders list --status rejected\n" +
		"    aforroctl orders list --store 1\n" +
		"    aforroctl orders list --store 1 --status rejected --all\n" +
		"    aforroctl orders list --status confirmed --all -o csv > confirmed.csv\n" +
		"    aforroctl orders list --store 1 --status confirmed --all -o json | jq -s 'map(.total_items) | add'"
}

// Run lists the orders: GET /api/orders/, or with --store the store's own
// list, GET /api/stores/{id}/orders/ (an unknown store is a 404 there).
func (c *OrdersListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	if c.Store != 0 {
		fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.OrderSummary], error) {
			return cl.ListStoreOrders(ctx, c.Store, c.Status, p)
		}
		return list(a, c.Paging, fetch, orderSummaryView(false))
	}
	f := client.OrderFilter{Status: c.Status}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.OrderSummary], error) {
		return cl.ListOrders(ctx, f, p)
	}
	return list(a, c.Paging, fetch, orderSummaryView(true))
}

// orderSummaryView is the table of orders, REJECTED ones highlighted; with
// stores, it names each order's store (a list of one store's orders does
// not need to).
func orderSummaryView(stores bool) view[aforro.OrderSummary] {
	v := view[aforro.OrderSummary]{
		noun: "orders",
		columns: []column{{title: "ID", right: true}, {title: "STATUS"}, {title: "CREATED"},
			{title: "ITEMS", right: true}, {title: "PLACED BY"}},
		cells: func(o aforro.OrderSummary) []string {
			return []string{formatID(o.ID), o.Status, formatTime(o.CreatedAt), strconv.Itoa(o.TotalItems), formatBy(o.PlacedBy, "")}
		},
		mark:      func(o aforro.OrderSummary) mark { return statusMark(o.Status) },
		csvHeader: []string{"id", "store", "status", "created_at", "total_items", "placed_by_token_id", "placed_by_token_name"},
		csvRecord: func(o aforro.OrderSummary) []string {
			tokID, tokName := "", ""
			if o.PlacedBy != nil {
				tokID, tokName = formatID(o.PlacedBy.ID), o.PlacedBy.Name
			}
			return []string{formatID(o.ID), formatID(o.Store), o.Status, csvTime(o.CreatedAt), strconv.Itoa(o.TotalItems), tokID, tokName}
		},
	}
	if stores {
		cells := v.cells
		v.columns = slices.Insert(slices.Clip(v.columns), 1, column{title: "STORE", right: true})
		v.cells = func(o aforro.OrderSummary) []string { return slices.Insert(cells(o), 1, formatID(o.Store)) }
	}
	return v
}

// statusMark highlights a REJECTED order.
func statusMark(status string) mark {
	if status == aforro.StatusRejected {
		return markRejected
	}
	return unmarked
}

// OrdersShowCmd shows one order.
type OrdersShowCmd struct {
	ID int64 `arg:"" help:"Order id."`
}

// Help is shown under the usage of the command.
func (OrdersShowCmd) Help() string {
	return "Prices and titles are those at the time of the order. For a REJECTED order,\n" +
		"AVAILABLE shows what the store had of each short line.\n\nExamples:\n\n" +
		"    aforroctl orders show 18\n" +
		"    aforroctl orders show 18 -o json | jq -r .total_amount"
}

// Run shows the order.
func (c *OrdersShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Order, error) { return cl.Order(ctx, c.ID) },
		func(o aforro.Order) error { return writeOrder(a.out, o) })
}

// OrdersCancelCmd cancels an order.
type OrdersCancelCmd struct {
	ID int64 `arg:"" help:"Order id."`
}

// Help is shown under the usage of the command.
func (OrdersCancelCmd) Help() string {
	return "Only a CONFIRMED order can be cancelled; cancelling any other fails (exit 1).\n" +
		"Each line's stock returns to the store, with a cancel movement in the ledger.\n\n" +
		"Examples:\n\n" +
		"    aforroctl orders cancel 17\n" +
		"    aforroctl orders cancel 17 -o json | jq -r .cancelled_at"
}

// Run cancels the order.
func (c *OrdersCancelCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Order, error) { return cl.CancelOrder(ctx, c.ID) },
		func(o aforro.Order) error { return writeOrder(a.out, o) })
}

// writeOrder writes an order as label/value lines, then a table of its lines.
func writeOrder(p *printer, o aforro.Order) error {
	fields := []field{
		{"ID", formatID(o.ID)},
		{"Status", o.Status},
		{"Store", o.StoreName + " (" + formatID(o.Store) + ")"},
		{"Location", o.StoreLocation},
		{"Created", formatTime(o.CreatedAt)},
		{"Placed by", formatBy(o.PlacedBy, o.Source)},
	}
	if o.CancelledAt != nil {
		fields = append(fields, field{"Cancelled", formatTime(*o.CancelledAt)})
		if o.CancelledBy != nil {
			fields = append(fields, field{"Cancelled by", formatBy(o.CancelledBy, "")})
		}
	}
	if o.CustomerEmail != "" {
		fields = append(fields, field{"Email", o.CustomerEmail})
	}
	fields = append(fields, field{"Total", o.TotalAmount.String()})
	if err := p.writeMarkedDetail(fields, map[string]mark{"Status": statusMark(o.Status)}); err != nil {
		return err
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	return writeTable(p, orderLinesView(o), o.Items)
}

// orderLinesView is the table of an order's lines; for a REJECTED order it
// adds what the store had of each short line, and highlights those lines.
func orderLinesView(o aforro.Order) view[aforro.OrderItem] {
	short := make(map[int64]aforro.RejectedItem, len(o.RejectedItems))
	for _, r := range o.RejectedItems {
		short[r.ProductID] = r
	}
	v := view[aforro.OrderItem]{
		noun: "lines",
		columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "PRICE", right: true},
			{title: "QTY", right: true}, {title: "AMOUNT", right: true}},
		cells: func(it aforro.OrderItem) []string {
			amount := it.ProductPrice * aforro.Money(it.QuantityRequested)
			return []string{formatID(it.ProductID), it.ProductTitle, it.ProductPrice.String(),
				strconv.Itoa(it.QuantityRequested), amount.String()}
		},
	}
	if len(short) == 0 {
		return v
	}
	cells := v.cells
	v.columns = append(v.columns, column{title: "AVAILABLE", right: true})
	v.cells = func(it aforro.OrderItem) []string {
		available := ""
		if r, ok := short[it.ProductID]; ok {
			available = strconv.Itoa(r.QuantityAvailable)
		}
		return append(cells(it), available)
	}
	v.mark = func(it aforro.OrderItem) mark {
		if _, ok := short[it.ProductID]; ok {
			return markRejected
		}
		return unmarked
	}
	return v
}
