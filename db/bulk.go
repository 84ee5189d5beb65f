package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// DropForBulkLoad drops the secondary indexes and the foreign keys of tables
// and returns the statements that recreate them, exactly as they were
// (names, definitions, comments), so a bulk load can write its rows bare and
// rebuild them once afterwards. Indexes that a constraint owns or uses
// (primary keys, unique constraints that foreign keys reference) stay. It
// reads the catalog rather than repeating the schema, so it keeps up with
// later migrations. It takes a transaction rather than a Querier: the drops
// must roll back with a load that fails.
func DropForBulkLoad(ctx context.Context, tx pgx.Tx, tables []string) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT drop_sql, create_sql, comment_sql FROM (
			SELECT 1 AS phase, i.indexrelid::regclass::text AS name,
			       format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql,
			       pg_get_indexdef(i.indexrelid) AS create_sql,
			       CASE WHEN d.description IS NOT NULL THEN
			            format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass, d.description) END AS comment_sql
			FROM pg_index i
			LEFT JOIN pg_description d ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass
			WHERE i.indrelid = ANY ($1::text[]::regclass[])
			  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
			UNION ALL
			SELECT 2, c.conname,
			       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
			       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
			              pg_get_constraintdef(c.oid)),
			       CASE WHEN d.description IS NOT NULL THEN
			            format('COMMENT ON CONSTRAINT %I ON %s IS %L', c.conname, c.conrelid::regclass, d.description) END
			FROM pg_constraint c
			LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_constraint'::regclass
			WHERE c.contype = 'f' AND c.conrelid = ANY ($1::text[]::regclass[])
		) o
		ORDER BY phase, name`, tables)
	if err != nil {
		return nil, wrapError(err, "list indexes and foreign keys")
	}
	type object struct {
		Drop, Create string
		Comment      *string // NULL when the object has no comment
	}
	objects, err := pgx.CollectRows(rows, pgx.RowToStructByPos[object])
	if err != nil {
		return nil, wrapError(err, "list indexes and foreign keys")
	}
	var restore []string
	for _, o := range objects {
		if _, err := tx.Exec(ctx, o.Drop); err != nil {
			return nil, wrapError(err, "prepare bulk load: "+o.Drop)
		}
		restore = append(restore, o.Create)
		if o.Comment != nil {
			restore = append(restore, *o.Comment)
		}
	}
	return restore, nil
}
