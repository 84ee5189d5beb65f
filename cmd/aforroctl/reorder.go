package main

import (
	"context"
	"strconv"

	"github.com/aforro/aforro"
)

// InventoryReorderCmd sets or clears a row's reorder point.
type InventoryReorderCmd struct {
	Store    int64 `required:"" placeholder:"ID" help:"Store id."`
	Product  int64 `arg:"" help:"Product id."`
	Point    *int  `arg:"" optional:"" help:"The reorder point: stock at or below it is low for this row (0 or more)."`
	Quantity *int  `placeholder:"N" help:"How many to reorder when low (informational; 0 or more)."`
	Clear    bool  `help:"Clear the reorder point and quantity: the server's --low-stock threshold applies again."`
}

// Help is shown under the usage of the command.
func (InventoryReorderCmd) Help() string {
	return "The reorder point replaces the server's --low-stock threshold for this row: --low-stock lists,\n" +
		"the daily summary, the stock.low event and the daily digest use it. Both values are written\n" +
		"each time (an omitted --quantity clears it).\n\nExamples:\n\n" +
		"    aforroctl inventory reorder --store 1 643 20 --quantity 100\n" +
		"    aforroctl inventory reorder --store 1 643 --clear"
}

// Validate checks the arguments before any request.
func (c *InventoryReorderCmd) Validate() error {
	switch {
	case c.Clear && (c.Point != nil || c.Quantity != nil):
		return usagef("--clear takes no POINT and no --quantity")
	case !c.Clear && c.Point == nil:
		return usagef("give the reorder POINT, or --clear")
	case c.Point != nil && (*c.Point < 0 || *c.Point > aforro.MaxStock):
		return usagef("POINT must be between 0 and 1000000000")
	case c.Quantity != nil && (*c.Quantity < 0 || *c.Quantity > aforro.MaxStock):
		return usagef("--quantity must be between 0 and 1000000000")
	}
	return nil
}

// Run sets the reorder point.
func (c *InventoryReorderCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.ReorderInput{ReorderPoint: c.Point, ReorderQuantity: c.Quantity}
	return emit(a, func(ctx context.Context) (aforro.InventoryItem, error) {
		return cl.SetReorder(ctx, c.Store, c.Product, in)
	}, func(it aforro.InventoryItem) error { return writeInventoryItem(a.out, c.Store, it) })
}

// reorderCell shows an optional count; "-" when unset (the global
// threshold applies).
func reorderCell(n *int) string {
	if n == nil {
		return "-"
	}
	return strconv.Itoa(*n)
}

// optInt is an optional count in CSV: empty when unset.
func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
