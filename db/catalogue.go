package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// ListCategories returns a page of categories ordered by name, then id.
func (d *DB) ListCategories(ctx context.Context, req aforro.PageRequest) (aforro.Page[aforro.Category], error) {
	return listPage(ctx, d.Pool, req, listQuery{
		countSQL: `SELECT count(*) FROM categories`,
		pageSQL:  `SELECT id, name FROM categories ORDER BY lower(name), id LIMIT $1 OFFSET $2`,
	}, scanCategory)
}

// Category returns one category.
func (d *DB) Category(ctx context.Context, id int64) (aforro.Category, error) {
	row := d.Pool.QueryRow(ctx, `SELECT id, name FROM categories WHERE id = $1`, id)
	c, err := scanCategory(row)
	if err != nil {
		return c, fmt.Errorf("get category: %w", notFound(err, "Category %d not found.", id))
	}
	return c, nil
}

func scanCategory(row pgx.Row) (aforro.Category, error) {
	var c aforro.Category
	err := row.Scan(&c.ID, &c.Name)
	return c, err
}

const productColumns = `p.id, p.title, p.description, p.price, p.created_at, c.id, c.name`

func scanProduct(row pgx.Row) (aforro.Product, error) {
	var p aforro.Product
	err := row.Scan(&p.ID, &p.Title, &p.Description, &p.Price, &p.CreatedAt, &p.Category.ID, &p.Category.Name)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// ListProducts returns a page of products ordered by id, optionally of one
// category.
func (d *DB) ListProducts(ctx context.Context, f aforro.ProductFilter, req aforro.PageRequest) (aforro.Page[aforro.Product], error) {
	// $1 = 0 means any category; the planner folds the OR away per call.
	return listPage(ctx, d.Pool, req, listQuery{
		countSQL: `SELECT count(*) FROM products p WHERE ($1 = 0 OR p.category_id = $1)`,
		pageSQL: `SELECT ` + productColumns + `
		   FROM products p JOIN categories c ON c.id = p.category_id
		  WHERE ($3 = 0 OR p.category_id = $3)
		  ORDER BY p.id LIMIT $1 OFFSET $2`,
		args: []any{f.CategoryID},
	}, scanProduct)
}

// Product returns one product with its category.
func (d *DB) Product(ctx context.Context, id int64) (aforro.Product, error) {
	row := d.Pool.QueryRow(ctx, `SELECT `+productColumns+`
		FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1`, id)
	p, err := scanProduct(row)
	if err != nil {
		return p, fmt.Errorf("get product: %w", notFound(err, "Product %d not found.", id))
	}
	return p, nil
}
