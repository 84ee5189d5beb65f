package db

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

const inventoryColumns = `i.id, i.product_id, i.product_title, p.price, c.name, i.quantity, i.updated_at, ` + incomingSQL

// incomingSQL is the units on the road toward inventory row i: its store's
// in-transit transfer lines of its product, read from their partial index
// (migration 009), which holds no settled line.
const incomingSQL = `(SELECT coalesce(sum(tl.in_transit), 0) FROM transfer_lines tl
	WHERE tl.destination_store_id = i.store_id AND tl.product_id = i.product_id AND tl.in_transit > 0)`

func scanInventory(row pgx.Row) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := row.Scan(&it.ID, &it.ProductID, &it.ProductTitle, &it.Price, &it.CategoryName, &it.Quantity, &it.UpdatedAt, &it.Incoming)
	it.UpdatedAt = it.UpdatedAt.UTC()
	return it, err
}

// ListInventory returns a page of a store's inventory, ordered by product
// title, then product id: the order of the inventory_store_title indexes,
// which hold the title each row copies from its product (migration 008).
// An unknown store is ENOTFOUND.
func (d *DB) ListInventory(ctx context.Context, storeID int64, f aforro.InventoryFilter, req aforro.PageRequest) (aforro.Page[aforro.InventoryItem], error) {
	lq := listQuery{
		from:    `inventory i`,
		alias:   "i",
		join:    `JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = i.category_id`,
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
	if f.Q != "" {
		lq.filter("i.product_title ILIKE ?", "%"+escapeLike(f.Q)+"%")
		lq.custom = true
	}
	if f.LowStock {
		lq.filter("i.quantity <= ?", f.Threshold)
		lq.custom = true
	}
	// Few rows have units incoming, or many: planned with the store's
	// value, the plan reads the store's in-transit lines and sorts their
	// rows, or walks the title order probing the lines' index.
	if f.Incoming {
		lq.filter("EXISTS (SELECT 1 FROM transfer_lines tl WHERE tl.destination_store_id = i.store_id AND tl.product_id = i.product_id AND tl.in_transit > 0)")
		lq.custom = true
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
	err := q.QueryRow(ctx, `SELECT i.id, coalesce(p.id, 0), coalesce(p.title, ''), coalesce(p.price, 0), coalesce(c.name, ''),
		       coalesce(i.quantity, 0), coalesce(i.updated_at, now()), coalesce(`+incomingSQL+`, 0)
		FROM stores s
		LEFT JOIN (inventory i
		           JOIN products p ON p.id = i.product_id
		           JOIN categories c ON c.id = p.category_id) ON i.store_id = s.id AND i.product_id = $2
		WHERE s.id = $1`, storeID, productID).Scan(&rowID, &it.ProductID, &it.ProductTitle, &it.Price, &it.CategoryName, &it.Quantity, &it.UpdatedAt, &it.Incoming)
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
	err = d.retry(ctx, func(tx pgx.Tx) error {
		// FOR KEY SHARE, the lock the new row's foreign keys take anyway, taken
		// first: a store or product being deleted is waited for and then not
		// found, instead of failing the foreign key.
		var storeOK, prodOK bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1 FOR KEY SHARE),
			EXISTS (SELECT 1 FROM products WHERE id = $2 FOR KEY SHARE)`, storeID, productID).Scan(&storeOK, &prodOK); err != nil {
			return wrapError(err, "check store and product")
		}
		if !storeOK {
			return errNotFound("Store", storeID)
		}
		if !prodOK {
			return errNotFound("Product", productID)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0)
			ON CONFLICT (store_id, product_id) DO NOTHING`, storeID, productID)
		if err != nil {
			return wrapError(err, "create inventory row")
		}
		created = tag.RowsAffected() == 1
		var before int
		if err := tx.QueryRow(ctx, `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
			storeID, productID).Scan(&before); err != nil {
			return wrapError(err, "lock inventory row")
		}
		if err := moveStock(ctx, tx, storeID, []int64{productID}, []int32{int32(quantity - before)}, reason, 0); err != nil {
			return err
		}
		it, err = inventoryItem(ctx, tx, storeID, productID)
		return err
	})
	return it, created, wrapError(err, "set stock")
}

// AdjustStock adds delta to a store's stock of a product and writes a ledger
// row with reason. A result below zero is ECONFLICT and changes nothing.
func (d *DB) AdjustStock(ctx context.Context, storeID, productID int64, delta int, reason string) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := d.retry(ctx, func(tx pgx.Tx) error {
		// No row: no such store; NULL: the store does not stock the product.
		var locked *int
		err := tx.QueryRow(ctx, `SELECT (SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE)
			FROM stores WHERE id = $1`, storeID, productID).Scan(&locked)
		if err != nil {
			return wrapError(err, "lock inventory row", noRow("Store", storeID))
		}
		if locked == nil {
			return notStocked(storeID, productID)
		}
		before := *locked
		after := before + delta
		if after < 0 {
			return aforro.Errorf(aforro.ECONFLICT, "Adjusting by %d would leave %d in stock; store %d has %d of product %d.",
				delta, after, storeID, before, productID)
		}
		if after > aforro.MaxStock {
			return aforro.Errorf(aforro.ECONFLICT, "Adjusting by %d would exceed the maximum stock of %d.", delta, aforro.MaxStock)
		}
		if err := moveStock(ctx, tx, storeID, []int64{productID}, []int32{int32(delta)}, reason, 0); err != nil {
			return err
		}
		it, err = inventoryItem(ctx, tx, storeID, productID)
		return err
	})
	return it, wrapError(err, "adjust stock")
}

// ListMovements returns a page of the stock ledger of one inventory row,
// newest first: by id, which follows the row lock (migration 007), so the
// newest movement's quantity_after is the row's quantity.
func (d *DB) ListMovements(ctx context.Context, storeID, productID int64, req aforro.PageRequest) (aforro.Page[aforro.StockMovement], error) {
	lq := listQuery{
		from:    `stock_movements`,
		columns: `id, delta, quantity_before, quantity_after, reason, order_id, created_at, transfer_id`,
		order:   []sortKey{{expr: "id", cast: "bigint", desc: true}},
		missing: func(ctx context.Context) error {
			_, err := d.InventoryItem(ctx, storeID, productID)
			return err
		},
	}
	lq.filter("store_id = ? AND product_id = ?", storeID, productID)
	return listPage(ctx, d.Pool, req, lq, func(row pgx.Row) (aforro.StockMovement, error) {
		var m aforro.StockMovement
		err := row.Scan(&m.ID, &m.Delta, &m.QuantityBefore, &m.QuantityAfter, &m.Reason, &m.OrderID, &m.CreatedAt, &m.TransferID)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	}, func(m aforro.StockMovement) []string { return []string{itoa(m.ID)} })
}
