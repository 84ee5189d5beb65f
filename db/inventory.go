package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

const inventoryColumns = `i.id, p.id, p.title, p.price, c.name, i.quantity, i.updated_at`

func scanInventory(row pgx.Row) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := row.Scan(&it.ID, &it.ProductID, &it.ProductTitle, &it.Price, &it.CategoryName, &it.Quantity, &it.UpdatedAt)
	it.UpdatedAt = it.UpdatedAt.UTC()
	return it, err
}

// inventoryWhere filters a store's inventory rows; the count and the page
// share it so they always agree. Parameters: store, q pattern (” for any),
// category (0 for any), low-stock threshold (-1 for any).
const inventoryWhere = `
	WHERE i.store_id = $%[1]d
	  AND ($%[2]d = '' OR p.title ILIKE $%[2]d)
	  AND ($%[3]d = 0 OR p.category_id = $%[3]d)
	  AND ($%[4]d < 0 OR i.quantity <= $%[4]d)`

// ListInventory returns a page of a store's inventory, ordered by product
// title, then product id. An unknown store is ENOTFOUND.
func (d *DB) ListInventory(ctx context.Context, storeID int64, f aforro.InventoryFilter, req aforro.PageRequest) (aforro.Page[aforro.InventoryItem], error) {
	pattern := ""
	if f.Q != "" {
		pattern = "%" + escapeLike(f.Q) + "%"
	}
	threshold := -1
	if f.LowStock {
		threshold = f.Threshold
	}
	return listPage(ctx, d.Pool, req, listQuery{
		countSQL: `SELECT CASE WHEN EXISTS (SELECT 1 FROM stores WHERE id = $1) THEN (
			SELECT count(*) FROM inventory i JOIN products p ON p.id = i.product_id` +
			sprintfWhere(1) + `) END`,
		pageSQL: `SELECT ` + inventoryColumns + `
			FROM inventory i
			JOIN products p ON p.id = i.product_id
			JOIN categories c ON c.id = p.category_id` +
			sprintfWhere(3) + `
			ORDER BY p.title, p.id LIMIT $1 OFFSET $2`,
		args:    []any{storeID, pattern, f.CategoryID, threshold},
		missing: aforro.Errorf(aforro.ENOTFOUND, "Store %d not found.", storeID),
	}, scanInventory)
}

// sprintfWhere numbers inventoryWhere's parameters from first.
func sprintfWhere(first int) string {
	return fmt.Sprintf(inventoryWhere, first, first+1, first+2, first+3)
}

// escapeLike makes s match itself literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// InventoryItem returns a store's stock of one product. An unknown store, or a
// product the store does not stock, is ENOTFOUND.
func (d *DB) InventoryItem(ctx context.Context, storeID, productID int64) (aforro.InventoryItem, error) {
	return inventoryItem(ctx, d.Pool, storeID, productID)
}

func inventoryItem(ctx context.Context, q Querier, storeID, productID int64) (aforro.InventoryItem, error) {
	it, err := scanInventory(q.QueryRow(ctx, `SELECT `+inventoryColumns+`
		FROM inventory i
		JOIN products p ON p.id = i.product_id
		JOIN categories c ON c.id = p.category_id
		WHERE i.store_id = $1 AND i.product_id = $2`, storeID, productID))
	if errors.Is(err, pgx.ErrNoRows) {
		if err := storeExists(ctx, q, storeID); err != nil {
			return it, err
		}
		return it, aforro.Errorf(aforro.ENOTFOUND, "Store %d does not stock product %d.", storeID, productID)
	}
	if err != nil {
		return it, fmt.Errorf("get inventory row: %w", err)
	}
	return it, nil
}

func storeExists(ctx context.Context, q Querier, storeID int64) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1)`, storeID).Scan(&ok); err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	if !ok {
		return aforro.Errorf(aforro.ENOTFOUND, "Store %d not found.", storeID)
	}
	return nil
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
			return fmt.Errorf("check store and product: %w", err)
		}
		if !storeOK {
			return aforro.Errorf(aforro.ENOTFOUND, "Store %d not found.", storeID)
		}
		if !prodOK {
			return aforro.Errorf(aforro.ENOTFOUND, "Product %d not found.", productID)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0)
			ON CONFLICT (store_id, product_id) DO NOTHING`, storeID, productID)
		if err != nil {
			return fmt.Errorf("create inventory row: %w", err)
		}
		created = tag.RowsAffected() == 1
		var before int
		if err := tx.QueryRow(ctx, `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
			storeID, productID).Scan(&before); err != nil {
			return fmt.Errorf("lock inventory row: %w", err)
		}
		if err := moveStock(ctx, tx, storeID, []int64{productID}, []int32{int32(quantity - before)}, reason, 0); err != nil {
			return err
		}
		it, err = inventoryItem(ctx, tx, storeID, productID)
		return err
	})
	return it, created, err
}

// AdjustStock adds delta to a store's stock of a product and writes a ledger
// row with reason. A result below zero is ECONFLICT and changes nothing.
func (d *DB) AdjustStock(ctx context.Context, storeID, productID int64, delta int, reason string) (aforro.InventoryItem, error) {
	var it aforro.InventoryItem
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var before int
		err := tx.QueryRow(ctx, `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
			storeID, productID).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = inventoryItem(ctx, tx, storeID, productID) // says which of the two is missing
			return err
		}
		if err != nil {
			return fmt.Errorf("lock inventory row: %w", err)
		}
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
	return it, err
}

// ListMovements returns a page of the stock ledger of one inventory row,
// newest first.
func (d *DB) ListMovements(ctx context.Context, storeID, productID int64, req aforro.PageRequest) (aforro.Page[aforro.StockMovement], error) {
	if _, err := d.InventoryItem(ctx, storeID, productID); err != nil {
		return aforro.Page[aforro.StockMovement]{}, err
	}
	return listPage(ctx, d.Pool, req, listQuery{
		countSQL: `SELECT count(*) FROM stock_movements WHERE store_id = $1 AND product_id = $2`,
		pageSQL: `SELECT id, delta, quantity_before, quantity_after, reason, order_id, created_at
			FROM stock_movements WHERE store_id = $3 AND product_id = $4
			ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
		args: []any{storeID, productID},
	}, func(row pgx.Row) (aforro.StockMovement, error) {
		var m aforro.StockMovement
		err := row.Scan(&m.ID, &m.Delta, &m.QuantityBefore, &m.QuantityAfter, &m.Reason, &m.OrderID, &m.CreatedAt)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	})
}
