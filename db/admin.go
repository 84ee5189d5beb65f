package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aforro/aforro"
)

// Catalogue and store writes. Callers validate the shape of the input (the
// server does); the database checks what only it can know, and its errors
// come back as domain errors: a duplicate category name is ECONFLICT, an
// unknown category_id EINVALID naming the field, a missing row ENOTFOUND and a
// delete of a referenced row ECONFLICT saying what references it. The search
// structures follow every write through triggers (migrations/003_search.sql),
// so these stay plain INSERT, UPDATE and DELETE statements.

// pgCharacterNotInRepertoire is what PostgreSQL answers to a NUL character or
// invalid UTF-8 in text; the server refuses those first, so seeing it here is
// a safety net.
const pgCharacterNotInRepertoire = "22021"

// isConstraint reports whether err is PostgreSQL's code about constraint.
func isConstraint(err error, code, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code && pe.ConstraintName == constraint
}

// writeError translates what any catalogue or store write may hit into a
// domain error, and wraps anything else with op for the log. Callers handle
// the constraints whose message needs their input first.
func writeError(err error, op string) error {
	switch pgCode(err) {
	case pgCheckViolation:
		// The server checks the same limits first; a CHECK constraint is
		// named <table>_<column>_check by default.
		var pe *pgconn.PgError
		errors.As(err, &pe)
		field := strings.TrimSuffix(pe.ConstraintName, "_check")
		if _, col, ok := strings.Cut(field, "_"); ok {
			field = col
		}
		return invalidField(field, "is out of range")
	case pgCharacterNotInRepertoire:
		return aforro.Errorf(aforro.EINVALID, "Text must be UTF-8 without NUL characters.")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// duplicateCategory is the conflict of a category name already taken.
func duplicateCategory(name string) error {
	return aforro.Errorf(aforro.ECONFLICT, "A category named %q already exists (names are compared ignoring case).", name)
}

// unknownCategory is the validation error of a product naming a category
// that does not exist.
func unknownCategory(id int64) error {
	return invalidField("category_id", fmt.Sprintf("category %d does not exist", id))
}

// invalidField is an EINVALID error about one field.
func invalidField(field, problem string) error {
	var errs aforro.FieldErrors
	errs.Add(field, problem)
	return errs.Err()
}

// CreateCategory adds a category named name. A name already taken, ignoring
// case, is ECONFLICT.
func (d *DB) CreateCategory(ctx context.Context, name string) (aforro.Category, error) {
	c, err := scanCategory(d.Pool.QueryRow(ctx, `INSERT INTO categories (name) VALUES ($1) RETURNING id, name`, name))
	if isConstraint(err, pgUniqueViolation, "categories_name_key") {
		return c, duplicateCategory(name)
	}
	if err != nil {
		return c, writeError(err, "create category")
	}
	return c, nil
}

// UpdateCategory changes the fields of in that are set. An unknown id is
// ENOTFOUND, a name already taken ECONFLICT.
func (d *DB) UpdateCategory(ctx context.Context, id int64, in aforro.CategoryInput) (aforro.Category, error) {
	c, err := scanCategory(d.Pool.QueryRow(ctx, `UPDATE categories SET name = coalesce($2, name)
		WHERE id = $1 RETURNING id, name`, id, in.Name))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, aforro.Errorf(aforro.ENOTFOUND, "Category %d not found.", id)
	}
	if isConstraint(err, pgUniqueViolation, "categories_name_key") && in.Name != nil {
		return c, duplicateCategory(*in.Name)
	}
	if err != nil {
		return c, writeError(err, "update category")
	}
	return c, nil
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

// CreateProduct adds a product; in.Title, in.Price and in.CategoryID must be
// set (in.Description defaults to ""). An unknown category is EINVALID naming
// category_id.
func (d *DB) CreateProduct(ctx context.Context, in aforro.ProductInput) (aforro.Product, error) {
	if in.Title == nil || in.Price == nil || in.CategoryID == nil {
		return aforro.Product{}, aforro.Errorf(aforro.EINVALID, "A product needs a title, a price and a category_id.")
	}
	// The join sees the statement's snapshot, in which the category exists
	// whenever the foreign key let the insert through.
	row := d.Pool.QueryRow(ctx, `WITH p AS (
			INSERT INTO products (title, description, price, category_id)
			VALUES ($1, coalesce($2, ''), $3, $4)
			RETURNING id, title, description, price, created_at, category_id)
		SELECT `+productColumns+` FROM p JOIN categories c ON c.id = p.category_id`,
		in.Title, in.Description, in.Price, in.CategoryID)
	p, err := scanProduct(row)
	if isConstraint(err, pgForeignKeyViolation, "products_category_id_fkey") && in.CategoryID != nil {
		return p, unknownCategory(*in.CategoryID)
	}
	if err != nil {
		return p, writeError(err, "create product")
	}
	return p, nil
}

// UpdateProduct changes the fields of in that are set. An unknown id is
// ENOTFOUND, an unknown category EINVALID naming category_id.
func (d *DB) UpdateProduct(ctx context.Context, id int64, in aforro.ProductInput) (aforro.Product, error) {
	row := d.Pool.QueryRow(ctx, `WITH p AS (
			UPDATE products SET
			       title = coalesce($2, title),
			       description = coalesce($3, description),
			       price = coalesce($4, price),
			       category_id = coalesce($5, category_id)
			 WHERE id = $1
			RETURNING id, title, description, price, created_at, category_id)
		SELECT `+productColumns+` FROM p JOIN categories c ON c.id = p.category_id`,
		id, in.Title, in.Description, in.Price, in.CategoryID)
	p, err := scanProduct(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, aforro.Errorf(aforro.ENOTFOUND, "Product %d not found.", id)
	}
	if isConstraint(err, pgForeignKeyViolation, "products_category_id_fkey") && in.CategoryID != nil {
		return p, unknownCategory(*in.CategoryID)
	}
	if err != nil {
		return p, writeError(err, "update product")
	}
	return p, nil
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

// CreateStore adds a store; in.Name must be set (in.Location defaults to "").
func (d *DB) CreateStore(ctx context.Context, in aforro.StoreInput) (aforro.Store, error) {
	if in.Name == nil {
		return aforro.Store{}, aforro.Errorf(aforro.EINVALID, "A store needs a name.")
	}
	s, err := scanStore(d.Pool.QueryRow(ctx, `INSERT INTO stores (name, location)
		VALUES ($1, coalesce($2, '')) RETURNING id, name, location`, in.Name, in.Location))
	if err != nil {
		return s, writeError(err, "create store")
	}
	return s, nil
}

// UpdateStore changes the fields of in that are set. An unknown id is
// ENOTFOUND.
func (d *DB) UpdateStore(ctx context.Context, id int64, in aforro.StoreInput) (aforro.Store, error) {
	s, err := scanStore(d.Pool.QueryRow(ctx, `UPDATE stores SET name = coalesce($2, name), location = coalesce($3, location)
		WHERE id = $1 RETURNING id, name, location`, id, in.Name, in.Location))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, aforro.Errorf(aforro.ENOTFOUND, "Store %d not found.", id)
	}
	if err != nil {
		return s, writeError(err, "update store")
	}
	return s, nil
}

// DeleteStore deletes a store that has no orders, no inventory rows and is in
// the scope of no live API token; otherwise it is ECONFLICT saying what
// references it. The tokens matter because deleting a store drops it from
// their scope, and a staff token left with no store covers every store. An
// unknown id is ENOTFOUND.
func (d *DB) DeleteStore(ctx context.Context, id int64) error {
	return d.deleteUnreferenced(ctx, "Store", id, deleteSQL{
		lock: `SELECT 1 FROM stores WHERE id = $1 FOR UPDATE`,
		counts: `SELECT (SELECT count(*) FROM orders WHERE store_id = $1),
		                (SELECT count(*) FROM inventory WHERE store_id = $1),
		                (SELECT count(*) FROM api_token_stores ts JOIN api_tokens t ON t.id = ts.token_id
		                  WHERE ts.store_id = $1 AND t.revoked_at IS NULL)`,
		delete: `DELETE FROM stores WHERE id = $1`,
	}, []reference{
		{"has %s", "order", "orders"},
		{"stocks %s", "product", "products"},
		{"is in the scope of %s", "live API token", "live API tokens"},
	})
}

// reference describes one kind of row that can keep another from being
// deleted: a verb phrase around the count, and the noun in both numbers.
type reference struct {
	phrase, one, many string
}

// deleteSQL is the three statements of a guarded delete, each taking the id
// as $1.
type deleteSQL struct {
	lock   string // locks the row FOR UPDATE; no row means not found
	counts string // one row: a count per reference
	delete string
}

// deleteUnreferenced deletes row id of what unless something references it,
// in which case it is ECONFLICT naming the references. The row lock conflicts
// with the key-share lock every new referencing row takes, so no reference
// can appear between the count and the delete; the counts run as a statement
// of their own after the lock, so in READ COMMITTED they see every reference
// committed while the lock was awaited.
func (d *DB) deleteUnreferenced(ctx context.Context, what string, id int64, q deleteSQL, refs []reference) error {
	op := "delete " + strings.ToLower(what)
	return d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, q.lock, id).Scan(&one); err != nil {
			return fmt.Errorf("%s: %w", op, notFound(err, "%s %d not found.", what, id))
		}
		counts := make([]int64, len(refs))
		dest := make([]any, len(refs))
		for i := range counts {
			dest[i] = &counts[i]
		}
		if err := tx.QueryRow(ctx, q.counts, id).Scan(dest...); err != nil {
			return fmt.Errorf("%s: count references: %w", op, err)
		}
		var parts []string
		for i, r := range refs {
			if counts[i] == 0 {
				continue
			}
			noun := r.many
			if counts[i] == 1 {
				noun = r.one
			}
			parts = append(parts, fmt.Sprintf(r.phrase, fmt.Sprintf("%d %s", counts[i], noun)))
		}
		if len(parts) > 0 {
			return aforro.Errorf(aforro.ECONFLICT, "%s %d %s; it cannot be deleted.", what, id, joinAnd(parts))
		}
		if _, err := tx.Exec(ctx, q.delete, id); err != nil {
			if pgCode(err) == pgForeignKeyViolation {
				// A reference the counts do not cover; still the client's conflict.
				return aforro.Errorf(aforro.ECONFLICT, "%s %d is still referenced; it cannot be deleted.", what, id)
			}
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
}

// joinAnd joins phrases as "a", "a and b" or "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// OutboxDepth counts the outbox events still waiting to be sent; the partial
// index on pending events makes it cheap enough for every metrics scrape.
func (d *DB) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending outbox events: %w", err)
	}
	return n, nil
}
