package main

import (
	"context"
	"strconv"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// InventoryCmd groups the commands on a store's stock.
type InventoryCmd struct {
	List InventoryListCmd `cmd:"" help:"List a store's stock, by product title."`
}

// Help is shown under the usage of "aforroctl inventory --help".
func (InventoryCmd) Help() string {
	return "Examples:\n\n    aforroctl inventory list --store 1\n    aforroctl inventory list --store 1 --low-stock"
}

// InventoryListCmd lists a store's stock.
type InventoryListCmd struct {
	Store    int64  `required:"" placeholder:"ID" help:"Store id."`
	Q        string `placeholder:"TEXT" help:"Only products whose title contains TEXT, in any case."`
	Category int64  `placeholder:"ID" help:"Only products of this category."`
	LowStock bool   `help:"Only rows at or below the server's low-stock threshold."`
	WarnAt   int    `default:"5" placeholder:"N" help:"On a colour terminal, highlight quantities at or below N (the server's default threshold); out of stock in red."`
	Paging
}

// Help is shown under the usage of the command.
func (InventoryListCmd) Help() string {
	return "Needs a staff token that covers the store.\n\nExamples:\n\n" +
		"    aforroctl inventory list --store 1\n" +
		"    aforroctl inventory list --store 1 --q laptop --category 3\n" +
		"    aforroctl inventory list --store 1 --low-stock --all -o json | jq -r '[.product_id, .quantity] | @tsv'"
}

// Run lists the store's stock.
func (c *InventoryListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.InventoryFilter{Q: c.Q, CategoryID: c.Category, LowStock: c.LowStock}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.InventoryItem], error) {
		return cl.ListInventory(ctx, c.Store, f, p)
	}
	return list(a, c.Paging, fetch, inventoryView(c.WarnAt))
}

// inventoryView is the table of a store's stock, highlighting rows at or
// below warnAt.
func inventoryView(warnAt int) view[aforro.InventoryItem] {
	return view[aforro.InventoryItem]{
		noun: "inventory rows",
		columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "CATEGORY", flex: true},
			{title: "PRICE", right: true}, {title: "QTY", right: true}, {title: "UPDATED"}},
		cells: func(it aforro.InventoryItem) []string {
			return []string{formatID(it.ProductID), it.ProductTitle, it.CategoryName, it.Price.String(),
				strconv.Itoa(it.Quantity), formatTime(it.UpdatedAt)}
		},
		mark: func(it aforro.InventoryItem) mark {
			switch {
			case it.Quantity <= 0:
				return markOut
			case it.Quantity <= warnAt:
				return markLow
			}
			return unmarked
		},
	}
}
