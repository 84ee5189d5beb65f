package db

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// Catalogue and store writes (here, in products.go and stores.go): callers
// validate the shape of the input (the server does); the database checks
// what only it can know, and its errors come back as domain errors through
// wrapError: a duplicate category name is ECONFLICT, an unknown category_id
// EINVALID naming the field, a missing row ENOTFOUND and a delete of a
// referenced row ECONFLICT saying what references it. The search structures
// follow every write through triggers (migrations/003_search.sql), so these
// stay plain INSERT, UPDATE and DELETE statements.

func scanCategory(row pgx.Row) (aforro.Category, error) {
	var c aforro.Category
	err := row.Scan(&c.ID, &c.Name)
	return c, err
}

// ListCategories returns a page of categories ordered by name, case aside
// (the unique index on lower(name)), then id.
func (d *DB) ListCategories(ctx context.Context, req aforro.PageRequest) (aforro.Page[aforro.Category], error) {
	return listPage(ctx, d.Pool, req, listQuery{
		from:    `categories`,
		columns: `id, name`,
		order:   []sortKey{{expr: "lower(name)", cast: "text", wrap: "lower"}, {expr: "id", cast: "bigint"}},
	}, scanCategory, func(c aforro.Category) []string { return []string{c.Name, itoa(c.ID)} })
}

// Category returns one category.
func (d *DB) Category(ctx context.Context, id int64) (aforro.Category, error) {
	c, err := scanCategory(d.Pool.QueryRow(ctx, `SELECT id, name FROM categories WHERE id = $1`, id))
	return c, wrapError(err, "get category", noRow("Category", id))
}

// CreateCategory adds a category named name. A name already taken, ignoring
// case, is ECONFLICT.
func (d *DB) CreateCategory(ctx context.Context, name string) (aforro.Category, error) {
	c, err := scanCategory(d.Pool.QueryRow(ctx, `INSERT INTO categories (name) VALUES ($1) RETURNING id, name`, name))
	return c, wrapError(err, "create category", duplicateCategory(&name))
}

// UpdateCategory changes the fields of in that are set. An unknown id is
// ENOTFOUND, a name already taken ECONFLICT.
func (d *DB) UpdateCategory(ctx context.Context, id int64, in aforro.CategoryInput) (aforro.Category, error) {
	c, err := scanCategory(d.Pool.QueryRow(ctx, `UPDATE categories SET name = coalesce($2, name)
		WHERE id = $1 RETURNING id, name`, id, in.Name))
	return c, wrapError(err, "update category", noRow("Category", id), duplicateCategory(in.Name))
}

// DeleteCategory deletes a category that no product belongs to; otherwise it
// is ECONFLICT saying how many do. An unknown id is ENOTFOUND.
func (d *DB) DeleteCategory(ctx context.Context, id int64) error {
	return d.deleteUnreferenced(ctx, "Category", id, deleteSQL{
		lock:   `SELECT 1 FROM categories WHERE id = $1 FOR UPDATE`,
		counts: `SELECT count(*) FROM products WHERE category_id = $1`,
		delete: `DELETE FROM categories WHERE id = $1`,
	}, []reference{{"has %s", "product", "products"}})
}

// duplicateCategory means the unique index on names: the name (nil when
// the call did not set one) is taken.
func duplicateCategory(name *string) meaning {
	if name == nil {
		return meaning{}
	}
	return whenConstraint(pgUniqueViolation, "categories_name_key",
		aforro.Errorf(aforro.ECONFLICT, "A category named %q already exists (names are compared ignoring case).", *name))
}
