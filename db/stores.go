package db

import (
	"context"
	"fmt"

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
		countSQL: `SELECT count(*) FROM stores`,
		pageSQL:  `SELECT id, name, location FROM stores ORDER BY id LIMIT $1 OFFSET $2`,
	}, scanStore)
}

// Store returns one store.
func (d *DB) Store(ctx context.Context, id int64) (aforro.Store, error) {
	s, err := scanStore(d.Pool.QueryRow(ctx, `SELECT id, name, location FROM stores WHERE id = $1`, id))
	if err != nil {
		return s, fmt.Errorf("get store: %w", notFound(err, "Store %d not found.", id))
	}
	return s, nil
}
