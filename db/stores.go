package db

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

func scanStore(row pgx.Row) (aforro.Store, error) {
	var s aforro.Store
	err := row.Scan(&s.ID, &s.Name, &s.Location)
	return s, err
}

// ListStores returns a page of stores ordered by id.
func (d *DB) ListStores(ctx context.Context, req aforro.PageRequest) (aforro.Page[aforro.Store], error) {
	return listPage(ctx, d.Pool, req, listQuery{
		from:    `stores`,
		columns: `id, name, location`,
		order:   []sortKey{{expr: "id", cast: "bigint"}},
	}, scanStore, func(s aforro.Store) []string { return []string{itoa(s.ID)} })
}

// Store returns one store.
func (d *DB) Store(ctx context.Context, id int64) (aforro.Store, error) {
	s, err := scanStore(d.Pool.QueryRow(ctx, `SELECT id, name, location FROM stores WHERE id = $1`, id))
	return s, wrapError(err, "get store", noRow("Store", id))
}

// CreateStore adds a store; in.Name must be set (in.Location defaults to "").
func (d *DB) CreateStore(ctx context.Context, in aforro.StoreInput) (aforro.Store, error) {
	if in.Name == nil {
		return aforro.Store{}, aforro.Errorf(aforro.EINVALID, "A store needs a name.")
	}
	s, err := scanStore(d.Pool.QueryRow(ctx, `INSERT INTO stores (name, location)
		VALUES ($1, coalesce($2, '')) RETURNING id, name, location`, in.Name, in.Location))
	return s, wrapError(err, "create store")
}

// UpdateStore changes the fields of in that are set. An unknown id is
// ENOTFOUND.
func (d *DB) UpdateStore(ctx context.Context, id int64, in aforro.StoreInput) (aforro.Store, error) {
	s, err := scanStore(d.Pool.QueryRow(ctx, `UPDATE stores SET name = coalesce($2, name), location = coalesce($3, location)
		WHERE id = $1 RETURNING id, name, location`, id, in.Name, in.Location))
	return s, wrapError(err, "update store", noRow("Store", id))
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

// storeExists is ENOTFOUND when there is no store id.
func storeExists(ctx context.Context, q Querier, id int64) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1)`, id).Scan(&ok); err != nil {
		return wrapError(err, "check store")
	}
	if !ok {
		return errNotFound("Store", id)
	}
	return nil
}
