package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// InventoryCmd groups the commands on a store's stock.
type InventoryCmd struct {
	List      InventoryListCmd      `cmd:"" help:"List a store's stock, by product title."`
	Show      InventoryShowCmd      `cmd:"" help:"Show a store's stock of one product."`
	Set       InventorySetCmd       `cmd:"" help:"Set a store's stock of a product (a delivery, a count)."`
	Adjust    InventoryAdjustCmd    `cmd:"" help:"Add to or remove from a store's stock of a product."`
	Movements InventoryMovementsCmd `cmd:"" help:"Show the stock ledger of a store's product, newest first."`
	Import    InventoryImportCmd    `cmd:"" help:"Set or add a store's stock from a CSV file, 1,000 rows a batch."`
	Export    InventoryExportCmd    `cmd:"" help:"Write a store's stock as CSV that import reads back."`
	Reorder   InventoryReorderCmd   `cmd:"" help:"Set or clear a store's reorder point (its own low-stock threshold) of a product."`
}

// Help is shown under the usage of "aforroctl inventory --help".
func (InventoryCmd) Help() string {
	return "Every change of stock gives a reason code and is written to the ledger (inventory\n" +
		"movements), with the token that made it. All of these need a staff token that\n" +
		"covers the store.\n\nExamples:\n\n" +
		"    aforroctl inventory list --store 1 --low-stock\n" +
		"    aforroctl inventory show --store 1 643\n" +
		"    aforroctl inventory set --store 1 643 40 --reason received --reference \"delivery 2211\"\n" +
		"    aforroctl inventory adjust --store 1 643 -2 --reason damaged\n" +
		"    aforroctl inventory movements --store 1 643\n" +
		"    aforroctl inventory import --store 1 --mode add --reason received delivery.csv\n" +
		"    aforroctl inventory export --store 1 > stock.csv"
}

// InventoryListCmd lists a store's stock.
type InventoryListCmd struct {
	Store    int64  `required:"" placeholder:"ID" help:"Store id."`
	Q        string `placeholder:"TEXT" help:"Only products whose title contains TEXT, in any case."`
	Category int64  `placeholder:"ID" help:"Only products of this category."`
	LowStock bool   `help:"Only rows at or below the server's low-stock threshold."`
	Incoming bool   `help:"Only rows with units on the road toward the store (shipped by a transfer, not yet received)."`
	WarnAt   int    `default:"5" placeholder:"N" help:"On a colour terminal, highlight quantities at or below N (the server's default threshold); out of stock in red."`
	Paging
}

// Help is shown under the usage of the command.
func (InventoryListCmd) Help() string {
	return "Needs a staff token that covers the store.\n\nExamples:\n\n" +
		"    aforroctl inventory list --store 1\n" +
		"    aforroctl inventory list --store 1 --q laptop --category 3\n" +
		"    aforroctl inventory list --store 2 --incoming\n" +
		"    aforroctl inventory list --store 1 --low-stock --all -o json | jq -r '[.product_id, .quantity] | @tsv'"
}

// Run lists the store's stock.
func (c *InventoryListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.InventoryFilter{Q: c.Q, CategoryID: c.Category, LowStock: c.LowStock, Incoming: c.Incoming}
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
			{title: "PRICE", right: true}, {title: "QTY", right: true}, {title: "INCOMING", right: true}, {title: "REORDER AT", right: true}, {title: "UPDATED"}},
		cells: func(it aforro.InventoryItem) []string {
			return []string{formatID(it.ProductID), it.ProductTitle, it.CategoryName, it.Price.String(),
				strconv.Itoa(it.Quantity), strconv.Itoa(it.Incoming), reorderCell(it.ReorderPoint), formatTime(it.UpdatedAt)}
		},
		// Columns added later come last, so scripts that read them by position keep working.
		csvHeader: []string{"id", "product_id", "product_title", "price", "category_name", "quantity", "updated_at", "incoming", "reorder_point"},
		csvRecord: func(it aforro.InventoryItem) []string {
			return []string{formatID(it.ID), formatID(it.ProductID), it.ProductTitle, it.Price.String(), it.CategoryName,
				strconv.Itoa(it.Quantity), csvTime(it.UpdatedAt), strconv.Itoa(it.Incoming), optInt(it.ReorderPoint)}
		},
		mark: func(it aforro.InventoryItem) mark {
			switch {
			case it.Quantity <= 0:
				return markOut
			case it.ReorderPoint != nil && it.Quantity <= *it.ReorderPoint,
				it.ReorderPoint == nil && it.Quantity <= warnAt:
				return markLow
			}
			return unmarked
		},
	}
}

// InventoryShowCmd shows one inventory row.
type InventoryShowCmd struct {
	Store   int64 `required:"" placeholder:"ID" help:"Store id."`
	Product int64 `arg:"" help:"Product id."`
}

// Help is shown under the usage of the command.
func (InventoryShowCmd) Help() string {
	return "Fails (exit 1) when the store does not stock the product.\n\nExamples:\n\n" +
		"    aforroctl inventory show --store 1 643\n" +
		"    aforroctl inventory show --store 1 643 -o json | jq .quantity"
}

// Run shows the row.
func (c *InventoryShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.InventoryItem, error) {
		return cl.InventoryItem(ctx, c.Store, c.Product)
	}, func(it aforro.InventoryItem) error { return writeInventoryItem(a.out, c.Store, it) })
}

// InventorySetCmd sets a store's stock of a product.
type InventorySetCmd struct {
	Store    int64 `required:"" placeholder:"ID" help:"Store id."`
	Product  int64 `arg:"" help:"Product id."`
	Quantity int   `arg:"" help:"The new quantity in stock (0 or more)."`
	stockWriteFlags
}

// stockWriteFlags are the ledger and safe-write flags of set and adjust.
type stockWriteFlags struct {
	Reason         string `required:"" placeholder:"CODE" help:"Why the stock changes, one of: ${reasons}."`
	Note           string `placeholder:"TEXT" help:"Free text for the ledger (up to 1000 characters)."`
	Reference      string `placeholder:"TEXT" help:"The document the change rests on: a delivery note number, a URL (up to 200 characters)."`
	Expected       *int   `placeholder:"N" help:"Change the stock only if it is still N (the quantity you read); otherwise fail (exit 1) naming the quantity there now, and change nothing."`
	IdempotencyKey string `placeholder:"KEY" help:"Idempotency key (1-255 printable characters): the same key with the same change makes it once and answers every repeat with the first answer. Default: a new random key."`
}

// options returns the flags for the client, with the key chosen here so a
// lost answer's message can name it.
func (f stockWriteFlags) options() client.StockOptions {
	key := f.IdempotencyKey
	if key == "" {
		key = client.NewIdempotencyKey()
	}
	return client.StockOptions{Expected: f.Expected, IdempotencyKey: key, Note: f.Note, Reference: f.Reference}
}

// Validate refuses an unknown reason code before anything is sent.
func (f stockWriteFlags) Validate() error {
	if !aforro.IsStockReason(f.Reason) {
		return fmt.Errorf("--reason must be one of %s, not %q", strings.Join(aforro.StockReasons(), ", "), f.Reason)
	}
	if n := len([]rune(f.Note)); n > aforro.MaxMovementNote {
		return fmt.Errorf("--note must be at most %d characters, not %d", aforro.MaxMovementNote, n)
	}
	if n := len([]rune(f.Reference)); n > aforro.MaxMovementReference {
		return fmt.Errorf("--reference must be at most %d characters, not %d", aforro.MaxMovementReference, n)
	}
	return nil
}

// after adds to a stock write's error what makes a retry safe, and notes a
// replayed answer.
func (f stockWriteFlags) after(a *app, opts client.StockOptions, replayed bool, err error) error {
	var ce *client.ConnError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w\nIf the server received the change, it was made; repeating the command "+
			"with --idempotency-key %s cannot make it twice", err, opts.IdempotencyKey)
	}
	if err == nil && replayed {
		a.out.note("This change was made earlier with this idempotency key; this is its first answer and nothing changed now.")
	}
	return err
}

// Help is shown under the usage of the command.
func (InventorySetCmd) Help() string {
	return "Creates the row when the store did not stock the product. Prints the row as\n" +
		"it is now.\n\nExamples:\n\n" +
		"    aforroctl inventory set --store 1 643 40 --reason received --reference \"delivery 2211\"\n" +
		"    aforroctl inventory set --store 1 643 0 --reason other --note \"recalled by the maker\" -o json\n" +
		"    aforroctl inventory set --store 1 643 38 --reason count --expected 40 --idempotency-key count-7-643"
}

// Run sets the stock.
func (c *InventorySetCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	var created, replayed bool
	opts := c.options()
	err = emit(a, func(ctx context.Context) (aforro.InventoryItem, error) {
		it, cr, rp, err := cl.SetStockWith(ctx, c.Store, c.Product, c.Quantity, c.Reason, opts)
		created, replayed = cr, rp
		return it, err
	}, func(it aforro.InventoryItem) error {
		if created {
			a.out.note("Store %d did not stock product %d; its inventory row was created.", c.Store, c.Product)
		}
		return writeInventoryItem(a.out, c.Store, it)
	})
	return c.after(a, opts, replayed, err)
}

// InventoryAdjustCmd adds to or removes from a store's stock of a product.
type InventoryAdjustCmd struct {
	Store   int64 `required:"" placeholder:"ID" help:"Store id."`
	Product int64 `arg:"" help:"Product id."`
	Delta   int   `arg:"" help:"How much to add (5 or +5) or remove (-5)."`
	stockWriteFlags
}

// Help is shown under the usage of the command.
func (InventoryAdjustCmd) Help() string {
	return "A change that would leave less than zero in stock fails (exit 1) and changes\n" +
		"nothing. A negative DELTA may be written as it is, or after \"--\".\n\nExamples:\n\n" +
		"    aforroctl inventory adjust --store 1 643 -2 --reason damaged\n" +
		"    aforroctl inventory adjust --store 1 643 +12 --reason correction --note \"found in the back\"\n" +
		"    aforroctl inventory adjust --store 1 --reason damaged -- 643 -2\n" +
		"    aforroctl inventory adjust --store 1 643 -1 --reason shrinkage --expected 7"
}

// Run adjusts the stock.
func (c *InventoryAdjustCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	var replayed bool
	opts := c.options()
	err = emit(a, func(ctx context.Context) (aforro.InventoryItem, error) {
		it, rp, err := cl.AdjustStockWith(ctx, c.Store, c.Product, c.Delta, c.Reason, opts)
		replayed = rp
		return it, err
	}, func(it aforro.InventoryItem) error { return writeInventoryItem(a.out, c.Store, it) })
	return c.after(a, opts, replayed, err)
}

// writeInventoryItem writes one row of store storeID as label/value lines,
// its quantity highlighted when it is out of stock.
func writeInventoryItem(p *printer, storeID int64, it aforro.InventoryItem) error {
	fields := []field{
		{"Store", formatID(storeID)},
		{"Product", formatID(it.ProductID)},
		{"Title", it.ProductTitle},
		{"Category", it.CategoryName},
		{"Price", it.Price.String()},
		{"Quantity", strconv.Itoa(it.Quantity)},
		{"Incoming", strconv.Itoa(it.Incoming)},
	}
	// A row's own reorder point, when it has one; otherwise the server's
	// --low-stock threshold applies.
	if it.ReorderPoint != nil {
		fields = append(fields, field{"Reorder at", reorderCell(it.ReorderPoint)})
	}
	if it.ReorderQuantity != nil {
		fields = append(fields, field{"Reorder qty", reorderCell(it.ReorderQuantity)})
	}
	fields = append(fields, field{"Updated", formatTime(it.UpdatedAt)})
	var marks map[string]mark
	if it.Quantity <= 0 {
		marks = map[string]mark{"Quantity": markOut}
	}
	return p.writeMarkedDetail(fields, marks)
}

// InventoryMovementsCmd lists the stock ledger of one inventory row.
type InventoryMovementsCmd struct {
	Store   int64 `required:"" placeholder:"ID" help:"Store id."`
	Product int64 `arg:"" help:"Product id."`
	ByToken int64 `placeholder:"ID" help:"Only the movements this API token made (its id, as in aforrod token list)."`
	Paging
}

// Help is shown under the usage of the command.
func (InventoryMovementsCmd) Help() string {
	return "Each movement is one change: its delta, the quantity before and after, and its\n" +
		"reason code (yours for set and adjust; order, cancel and the transfer codes\n" +
		"for Aforro's own, with the order or transfer), and who: the token's name, or\n" +
		"the source (seed, job, legacy for movements older than attribution).\n\nExamples:\n\n" +
		"    aforroctl inventory movements --store 1 643\n" +
		"    aforroctl inventory movements --store 1 643 --by-token 7\n" +
		"    aforroctl inventory movements --store 1 643 --all -o json | jq -s 'map(.delta) | add'"
}

// Run lists the movements.
func (c *InventoryMovementsCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.StockMovement], error) {
		return cl.ListMovementsBy(ctx, c.Store, c.Product, aforro.MovementFilter{TokenID: c.ByToken}, p)
	}
	return list(a, c.Paging, fetch, movementView)
}

// movementView is the table of a stock ledger.
var movementView = view[aforro.StockMovement]{
	noun: "movements",
	columns: []column{{title: "ID", right: true}, {title: "WHEN"}, {title: "DELTA", right: true},
		{title: "BEFORE", right: true}, {title: "AFTER", right: true}, {title: "REASON"}, {title: "BY"},
		{title: "NOTE", flex: true}, {title: "ORDER", right: true}},
	cells: func(m aforro.StockMovement) []string {
		order := ""
		if m.OrderID != nil {
			order = formatID(*m.OrderID)
		}
		note := m.Note
		if m.Reference != "" {
			note = strings.TrimSpace("[" + m.Reference + "] " + note)
		}
		return []string{formatID(m.ID), formatTime(m.CreatedAt), formatDelta(m.Delta),
			strconv.Itoa(m.QuantityBefore), strconv.Itoa(m.QuantityAfter), m.Reason, formatBy(m.Token, m.Source), note, order}
	},
	csvHeader: []string{"id", "delta", "quantity_before", "quantity_after", "reason", "note", "reference", "order_id",
		"token_id", "token_name", "source", "created_at"},
	csvRecord: func(m aforro.StockMovement) []string {
		tokID, tokName := "", ""
		if m.Token != nil {
			tokID, tokName = formatID(m.Token.ID), m.Token.Name
		}
		return []string{formatID(m.ID), strconv.Itoa(m.Delta), strconv.Itoa(m.QuantityBefore), strconv.Itoa(m.QuantityAfter),
			m.Reason, m.Note, m.Reference, csvOptionalID(m.OrderID), tokID, tokName, m.Source, csvTime(m.CreatedAt)}
	},
}

// formatBy names who made a change: the token's name and id, or the
// source when no token did (seed, job, legacy).
func formatBy(t *aforro.TokenRef, source string) string {
	if t != nil {
		return fmt.Sprintf("%s (#%d)", t.Name, t.ID)
	}
	if source == "" {
		return "-"
	}
	return source
}
