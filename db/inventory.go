package db

import (
	"context"
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
