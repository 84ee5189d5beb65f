package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

const productColumns = `p.id, p.title, p.description, p.price, p.created_at, p.updated_at, c.id, c.name, p.sku, p.barcodes`

func scanProduct(row pgx.Row) (aforro.Product, error) {
	var p aforro.Product
	err := row.Scan(&p.ID, &p.Title, &p.Description, money(&p.Price), &p.CreatedAt, &p.UpdatedAt, &p.Category.ID, &p.Category.Name,
		&p.SKU, (*[]string)(&p.Barcodes))
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// ListProducts returns a page of products ordered by id, optionally of one
// category; with f.UpdatedSince, those changed since then, ordered by
// updated_at then id, the order in which a syncing client wants them.
func (d *DB) ListProducts(ctx context.Context, f aforro.ProductFilter, req aforro.PageRequest) (aforro.Page[aforro.Product], error) {
	lq := listQuery{
		from:    `products p`,
		alias:   "p",
		join:    `JOIN categories c ON c.id = p.category_id`,
		columns: productColumns,
		order:   []sortKey{{expr: "p.id", cast: "bigint"}},
		// products_pkey, products_category_id_idx (category_id, id) and
		// products_updated_idx (updated_at, id) hold every filter and key.
		slim:   "p.id",
		rejoin: "CROSS JOIN LATERAL (SELECT * FROM products p WHERE p.id = k.id OFFSET 0) p",
	}
	key := func(p aforro.Product) []string { return []string{itoa(p.ID)} }
	if f.CategoryID != 0 {
		lq.filter("p.category_id = ?", f.CategoryID)
	}
	if !f.UpdatedSince.IsZero() {
		// How many rows changed since then decides between the updated_at
		// index and walking by id, so the plan is made with the value.
		lq.filter("p.updated_at >= ?", f.UpdatedSince)
		lq.order = []sortKey{{expr: "p.updated_at", cast: "timestamptz"}, {expr: "p.id", cast: "bigint"}}
		lq.custom = true
		key = func(p aforro.Product) []string { return []string{timeKey(p.UpdatedAt), itoa(p.ID)} }
	}
	return listPage(ctx, d.Pool, req, lq, scanProduct, key)
}

// Product returns one product with its category.
func (d *DB) Product(ctx context.Context, id int64) (aforro.Product, error) {
	p, err := scanProduct(d.Pool.QueryRow(ctx, `SELECT `+productColumns+`
		FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1`, id))
	return p, wrapError(err, "get product", noRow("Product", id))
}

// CreateProduct adds a product; in.Title, in.Price and in.CategoryID must be
// set (in.Description defaults to ""). An unknown category is EINVALID naming
// category_id.
func (d *DB) CreateProduct(ctx context.Context, in aforro.ProductInput) (aforro.Product, error) {
	if in.Title == nil || in.Price == nil || in.CategoryID == nil {
		return aforro.Product{}, aforro.Errorf(aforro.EINVALID, "A product needs a title, a price and a category_id.")
	}
	// The join sees the statement's snapshot, in which the category exists
	// whenever the foreign key let the insert through.
	codes, err := productCodes(in)
	if err != nil {
		return aforro.Product{}, err
	}
	p, err := scanProduct(d.Pool.QueryRow(ctx, `WITH p AS (
			INSERT INTO products (title, description, price, category_id, sku, barcodes, barcode_keys)
			VALUES ($1, coalesce($2, ''), $3, $4, nullif($5::text, ''), coalesce($6::text[], '{}'), coalesce($7::text[], '{}'))
			RETURNING id, title, description, price, created_at, updated_at, category_id, sku, barcodes)
		SELECT `+productColumns+` FROM p JOIN categories c ON c.id = p.category_id`,
		in.Title, in.Description, in.Price, in.CategoryID, in.SKU, codes.barcodes, codes.keys))
	return p, wrapError(err, "create product", unknownCategory(in.CategoryID), skuTaken(in.SKU))
}

// UpdateProduct changes the fields of in that are set. An unknown id is
// ENOTFOUND, an unknown category EINVALID naming category_id.
func (d *DB) UpdateProduct(ctx context.Context, id int64, in aforro.ProductInput) (aforro.Product, error) {
	codes, err := productCodes(in)
	if err != nil {
		return aforro.Product{}, err
	}
	// A nil SKU keeps the SKU, "" removes it; nil barcodes keep the list.
	p, err := scanProduct(d.Pool.QueryRow(ctx, `WITH p AS (
			UPDATE products SET
			       title = coalesce($2, title),
			       description = coalesce($3, description),
			       price = coalesce($4, price),
			       category_id = coalesce($5, category_id),
			       sku = CASE WHEN $6::text IS NULL THEN sku ELSE nullif($6::text, '') END,
			       barcodes = coalesce($7::text[], barcodes),
			       barcode_keys = coalesce($8::text[], barcode_keys)
			 WHERE id = $1
			RETURNING id, title, description, price, created_at, updated_at, category_id, sku, barcodes)
		SELECT `+productColumns+` FROM p JOIN categories c ON c.id = p.category_id`,
		id, in.Title, in.Description, in.Price, in.CategoryID, in.SKU, codes.barcodes, codes.keys))
	return p, wrapError(err, "update product", noRow("Product", id), unknownCategory(in.CategoryID), skuTaken(in.SKU))
}

// DeleteProduct deletes a product that no order and no store's inventory
// references; otherwise it is ECONFLICT saying what does. An unknown id is
// ENOTFOUND.
func (d *DB) DeleteProduct(ctx context.Context, id int64) error {
	return d.deleteUnreferenced(ctx, "Product", id, deleteSQL{
		lock: `SELECT 1 FROM products WHERE id = $1 FOR UPDATE`,
		counts: `SELECT (SELECT count(*) FROM order_items WHERE product_id = $1),
		                (SELECT count(*) FROM inventory WHERE product_id = $1)`,
		delete: `DELETE FROM products WHERE id = $1`,
	}, []reference{{"is referenced by %s", "order", "orders"}, {"is stocked in %s", "store", "stores"}})
}

// unknownCategory means the products' foreign key on their category: the
// category id (nil when the call did not set one) does not exist.
func unknownCategory(id *int64) meaning {
	if id == nil {
		return meaning{}
	}
	return whenConstraint(pgForeignKeyViolation, "products_category_id_fkey",
		invalidField("category_id", fmt.Sprintf("category %d does not exist", *id)))
}
