package db

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

const inventoryColumns = `i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at, ` + incomingSQL + `, i.reorder_point, i.reorder_quantity`

// incomingSQL is the units on the road toward inventory row i: its store's
// in-transit transfer lines of its product, read from their partial index
// (migration 011), which holds no settled line.
const incomingSQL = `(SELECT coalesce(sum(tl.in_transit), 0) FROM transfer_lines tl
	WHERE tl.destination_store_id = i.store_id AND tl.product_id = i.product_id AND tl.in_transit > 0)`

func scanInventory(row pgx.Row) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := row.Scan(&it.ID, &it.ProductID, &it.ProductTitle, money(&it.Price), &it.CategoryName, &it.Quantity, &it.UpdatedAt, &it.Incoming, &it.ReorderPoint, &it.ReorderQuantity)
	it.UpdatedAt = it.UpdatedAt.UTC()
	return it, err
}

// ListInventory returns a page of a store's inventory, ordered by product
// title, then product id: the order of the inventory_store_title indexes,
// which hold the title each row copies from its product (migration 008).
// The row's copy of the price (migration 014) spares a page the products.
// An unknown store is ENOTFOUND.
func (d *DB) ListInventory(ctx context.Context, storeID int64, f aforro.InventoryFilter, req aforro.PageRequest) (aforro.Page[aforro.InventoryItem], error) {
	lq := listQuery{
		from:    `inventory i`,
		alias:   "i",
		join:    `JOIN categories c ON c.id = i.category_id`,
		columns: inventoryColumns,
		order:   []sortKey{{expr: "i.product_title", cast: "text"}, {expr: "i.product_id", cast: "bigint"}},
		missing: func(ctx context.Context) error { return storeExists(ctx, d.Pool, storeID) },
	}
	lq.filter("i.store_id = ?", storeID)
	if f.CategoryID != 0 {
		lq.filter("i.category_id = ?", f.CategoryID)
	}
	// How many rows a title word or the threshold lets through decides the
	// plan (walk the title order and filter, or find the few matches and
	// sort them), so these filters are planned with their values.
	if f.LowStock {
		// The row's reorder point, else the global threshold, asked so
		// that each arm has an index (migration 013). It comes before the
		// title word: PostgreSQL costs the two tests alike and keeps such
		// filters in the order written, and ILIKE, which lower-cases each
		// title, is the dearer (a common word with low stock, page 50 on
		// aforro_dense: 38 ms with ILIKE first, 16 ms after).
		lq.filter("((i.reorder_point IS NULL AND i.quantity <= ?) OR i.below_reorder_point)", f.Threshold)
		lq.custom = true
	}
	if f.Q != "" {
		lq.filter("i.product_title ILIKE ?", "%"+escapeLike(f.Q)+"%")
		lq.custom = true
		// A common word's count tests ILIKE on each of the store's rows
		// it walks (an index-only scan of the title order) until the cap:
		// the lower cap bounds that walk (docs/benchmarks.md).
		lq.countCap = aforro.TextCountCap
	}
	// Few rows have units incoming, or many: planned with the store's
	// value, the plan reads the store's in-transit lines and sorts their
	// rows, or walks the title order probing the lines' index.
	if f.Incoming {
		lq.filter("EXISTS (SELECT 1 FROM transfer_lines tl WHERE tl.destination_store_id = i.store_id AND tl.product_id = i.product_id AND tl.in_transit > 0)")
		lq.custom = true
	}
	// The title indexes (store_id, [category_id,] product_title,
	// product_id) hold the store, category and title filters, and the
	// row's stock for low stock (migration 016): a deep page is sliced
	// from them alone. The incoming filter needs the transfer lines.
	if !f.Incoming {
		lq.slim = "i.store_id, i.product_id, i.product_title"
		lq.rejoin = "CROSS JOIN LATERAL (SELECT * FROM inventory i WHERE i.store_id = k.store_id AND i.product_id = k.product_id OFFSET 0) i"
		// A title word or low stock rejects most rows it walks: tested
		// on the index entries, a common word with a category that has
		// none of it reads no row (12,715 heap fetches before, on
		// aforro_dense), and low stock fetches only the page's rows.
		lq.slimFirst = f.Q != "" || f.LowStock
	}
	return listPage(ctx, d.Pool, req, lq, scanInventory, func(it aforro.InventoryItem) []string {
		return []string{it.ProductTitle, itoa(it.ProductID)}
	})
}

// escapeLike makes s match itself literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// InventoryItem returns a store's stock of one product. An unknown store, or a
// product the store does not stock, is ENOTFOUND.
func (d *DB) InventoryItem(ctx context.Context, storeID, productID int64) (aforro.InventoryItem, error) {
	it, err := inventoryItem(ctx, d.Pool, storeID, productID)
	return it, wrapError(err, "get inventory row")
}

// inventoryItem reads one inventory row; the store is read too, so that a
// missing row says whether the store or its stock of the product is missing.
func inventoryItem(ctx context.Context, q Querier, storeID, productID int64) (aforro.InventoryItem, error) {
	var rowID *int64
	var it aforro.InventoryItem
	// The LEFT JOIN's columns are NULL when the store does not stock it.
	err := q.QueryRow(ctx, `SELECT i.id, coalesce(i.product_id, 0), coalesce(i.product_title, ''), coalesce(i.product_price, 0), coalesce(c.name, ''),
		       coalesce(i.quantity, 0), coalesce(i.updated_at, now()), coalesce(`+incomingSQL+`, 0), i.reorder_point, i.reorder_quantity
		FROM stores s
		LEFT JOIN (inventory i JOIN categories c ON c.id = i.category_id)
		       ON i.store_id = s.id AND i.product_id = $2
		WHERE s.id = $1`, storeID, productID).Scan(&rowID, &it.ProductID, &it.ProductTitle, money(&it.Price), &it.CategoryName, &it.Quantity, &it.UpdatedAt, &it.Incoming, &it.ReorderPoint, &it.ReorderQuantity)
	if err != nil {
		return it, wrapError(err, "get inventory row", noRow("Store", storeID))
	}
	if rowID == nil {
		return it, notStocked(storeID, productID)
	}
	it.ID, it.UpdatedAt = *rowID, it.UpdatedAt.UTC()
	return it, nil
}

func notStocked(storeID, productID int64) error {
	return aforro.Errorf(aforro.ENOTFOUND, "Store %d does not stock product %d.", storeID, productID)
}

// SetStock sets a store's stock of a product to quantity, creating the row
// when absent, and writes a ledger row with reason. created reports a new row.
func (d *DB) SetStock(ctx context.Context, storeID, productID int64, quantity int, reason string) (it aforro.InventoryItem, created bool, err error) {
	res, err := d.WriteStock(ctx, StockWrite{StoreID: storeID, ProductID: productID, Set: true, Quantity: quantity, Movement: Movement{Reason: reason}})
	return res.Item, res.Created, err
}

// AdjustStock adds delta to a store's stock of a product and writes a ledger
// row with reason. A result below zero is ECONFLICT and changes nothing.
func (d *DB) AdjustStock(ctx context.Context, storeID, productID int64, delta int, reason string) (aforro.InventoryItem, error) {
	res, err := d.WriteStock(ctx, StockWrite{StoreID: storeID, ProductID: productID, Delta: delta, Movement: Movement{Reason: reason}})
	return res.Item, err
}

// StockWrite is one PUT (Set) or adjust of an inventory row.
type StockWrite struct {
	StoreID, ProductID int64
	// Set writes Quantity; otherwise Delta is added.
	Set      bool
	Quantity int
	Delta    int
	// Movement is what the ledger row says: the reason code, note,
	// reference and (zero: the context's) actor.
	Movement Movement
	// Expected, when not nil, is the quantity the writer based the write
	// on: any other quantity in the row is ESTALEQUANTITY and nothing
	// changes. A row a PUT would create holds 0.
	Expected *int
	// Key, when not nil, makes the write idempotent as orders are.
	Key *IdempotencyKey
}

// StockResult is the outcome of WriteStock: the row and its JSON answer
// with its status (201 for a row a PUT created), or for a replayed key only
// the first answer and status.
type StockResult struct {
	Item     aforro.InventoryItem // zero when Replayed
	Created  bool
	Response []byte
	Status   int
	Replayed bool
}

// WriteStock sets or adjusts a store's stock of a product in one
// transaction: it claims the idempotency key (a used one replays its first
// answer, or is ECONFLICT with another body; a concurrent holder is waited
// for), locks the row, checks Expected and the bounds, moves the stock with
// a ledger row and stores the answer with the key. A failed write stores
// nothing, so the key may be used again. An unknown store or product is
// ENOTFOUND, as is an adjust of a row the store does not have.
func (d *DB) WriteStock(ctx context.Context, w StockWrite) (StockResult, error) {
	var res StockResult
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = writeStock(ctx, tx, w)
		return err
	})
	if w.Set {
		return res, wrapError(err, "set stock")
	}
	return res, wrapError(err, "adjust stock")
}

func writeStock(ctx context.Context, tx pgx.Tx, w StockWrite) (StockResult, error) {
	if resp, status, replayed, err := claimOrReplay(ctx, tx, w.Key); err != nil || replayed {
		return StockResult{Response: resp, Status: status, Replayed: replayed}, err
	}
	var res StockResult
	var err error
	if w.Set {
		res.Item, res.Created, err = setStock(ctx, tx, w)
	} else {
		res.Item, err = adjustStock(ctx, tx, w)
	}
	if err != nil {
		return StockResult{}, err
	}
	res.Status = 200
	if res.Created {
		res.Status = 201
	}
	if res.Response, err = aforro.MarshalResponse(res.Item); err != nil {
		return StockResult{}, err
	}
	if err := rememberAnswer(ctx, tx, w.Key, res.Response, res.Status); err != nil {
		return StockResult{}, err
	}
	return res, nil
}

// staleQuantity is the answer to a write based on a quantity the row no
// longer holds.
func staleQuantity(w StockWrite, have int) error {
	e := aforro.Errorf(aforro.ESTALEQUANTITY,
		"Store %d has %d of product %d, not the expected %d; nothing changed. Read the row again and decide from its quantity.",
		w.StoreID, have, w.ProductID, *w.Expected)
	e.CurrentQuantity = &have
	return e
}

func setStock(ctx context.Context, tx pgx.Tx, w StockWrite) (it aforro.InventoryItem, created bool, err error) {
	// FOR KEY SHARE, the lock the new row's foreign keys take anyway, taken
	// first: a store or product being deleted is waited for and then not
	// found, instead of failing the foreign key.
	var storeOK, prodOK bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1 FOR KEY SHARE),
		EXISTS (SELECT 1 FROM products WHERE id = $2 FOR KEY SHARE)`, w.StoreID, w.ProductID).Scan(&storeOK, &prodOK); err != nil {
		return it, false, wrapError(err, "check store and product")
	}
	if !storeOK {
		return it, false, errNotFound("Store", w.StoreID)
	}
	if !prodOK {
		return it, false, errNotFound("Product", w.ProductID)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0)
		ON CONFLICT (store_id, product_id) DO NOTHING`, w.StoreID, w.ProductID)
	if err != nil {
		return it, false, wrapError(err, "create inventory row")
	}
	created = tag.RowsAffected() == 1
	var before int
	if err := tx.QueryRow(ctx, `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
		w.StoreID, w.ProductID).Scan(&before); err != nil {
		return it, false, wrapError(err, "lock inventory row")
	}
	if w.Expected != nil && *w.Expected != before {
		return it, false, staleQuantity(w, before) // the rollback drops a row created above
	}
	if err := writeMovement(ctx, tx, w, w.Quantity-before); err != nil {
		return it, false, err
	}
	it, err = inventoryItem(ctx, tx, w.StoreID, w.ProductID)
	return it, created, err
}

// writeMovement moves the locked row of w by delta with its ledger row: the
// one place a person's stock write (PUT, adjust, each applied row of a
// batch) reaches the ledger, so what a movement records of it is decided
// here once.
func writeMovement(ctx context.Context, tx pgx.Tx, w StockWrite, delta int) error {
	return moveStock(ctx, tx, w.StoreID, []int64{w.ProductID}, []int32{int32(delta)}, w.Movement)
}

func adjustStock(ctx context.Context, tx pgx.Tx, w StockWrite) (aforro.InventoryItem, error) {
	// No row: no such store; NULL: the store does not stock the product.
	var locked *int
	err := tx.QueryRow(ctx, `SELECT (SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE)
		FROM stores WHERE id = $1`, w.StoreID, w.ProductID).Scan(&locked)
	if err != nil {
		return aforro.InventoryItem{}, wrapError(err, "lock inventory row", noRow("Store", w.StoreID))
	}
	if locked == nil {
		return aforro.InventoryItem{}, notStocked(w.StoreID, w.ProductID)
	}
	before := *locked
	if w.Expected != nil && *w.Expected != before {
		return aforro.InventoryItem{}, staleQuantity(w, before)
	}
	after := before + w.Delta
	if after < 0 {
		return aforro.InventoryItem{}, aforro.Errorf(aforro.ECONFLICT, "Adjusting by %d would leave %d in stock; store %d has %d of product %d.",
			w.Delta, after, w.StoreID, before, w.ProductID)
	}
	if after > aforro.MaxStock {
		return aforro.InventoryItem{}, aforro.Errorf(aforro.ECONFLICT, "Adjusting by %d would exceed the maximum stock of %d.", w.Delta, aforro.MaxStock)
	}
	if err := writeMovement(ctx, tx, w, w.Delta); err != nil {
		return aforro.InventoryItem{}, err
	}
	return inventoryItem(ctx, tx, w.StoreID, w.ProductID)
}

// ListMovements returns a page of the stock ledger of one inventory row,
// newest first: by id, which follows the row lock (migration 007), so the
// newest movement's quantity_after is the row's quantity. f.TokenID keeps
// one token's movements, read in order from their own index (migration
// 012).
func (d *DB) ListMovements(ctx context.Context, storeID, productID int64, f aforro.MovementFilter, req aforro.PageRequest) (aforro.Page[aforro.StockMovement], error) {
	lq := listQuery{
		from:  `stock_movements m`,
		alias: "m",
		columns: `m.id, m.delta, m.quantity_before, m.quantity_after, m.reason, m.note, m.reference, m.order_id, m.created_at,
			m.transfer_id, ` + tokenRefSQL("m.token_id") + `, m.source`,
		order: []sortKey{{expr: "m.id", cast: "bigint", desc: true}},
		missing: func(ctx context.Context) error {
			_, err := d.InventoryItem(ctx, storeID, productID)
			return err
		},
	}
	lq.filter("m.store_id = ? AND m.product_id = ?", storeID, productID)
	if f.TokenID != 0 {
		lq.filter("m.token_id = ?", f.TokenID)
	}
	return listPage(ctx, d.Pool, req, lq, func(row pgx.Row) (aforro.StockMovement, error) {
		var m aforro.StockMovement
		err := row.Scan(&m.ID, &m.Delta, &m.QuantityBefore, &m.QuantityAfter, &m.Reason, &m.Note, &m.Reference, &m.OrderID,
			&m.CreatedAt, &m.TransferID, &m.Token, &m.Source)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	}, func(m aforro.StockMovement) []string { return []string{itoa(m.ID)} })
}
