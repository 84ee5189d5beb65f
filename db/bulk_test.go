package db_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// indexesAndKeys lists the indexes and foreign keys of tables with their
// comments, and says which of them DropForBulkLoad should drop.
func indexesAndKeys(t *testing.T, q db.Querier, tables []string) (all []string, droppable int64) {
	t.Helper()
	ctx := context.Background()
	rows, err := q.Query(ctx, `
		SELECT format('%s %s', pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class'))
		FROM pg_index i WHERE i.indrelid = ANY ($1::text[]::regclass[])
		UNION ALL
		SELECT format('%s %s %s %s', conname, conrelid::regclass, pg_get_constraintdef(oid),
		              obj_description(oid, 'pg_constraint'))
		FROM pg_constraint WHERE conrelid = ANY ($1::text[]::regclass[])
		ORDER BY 1`, tables)
	if err != nil {
		t.Fatal(err)
	}
	all, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	err = q.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_index i WHERE i.indrelid = ANY ($1::text[]::regclass[])
		          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid))
		     + (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY ($1::text[]::regclass[]))`,
		tables).Scan(&droppable)
	if err != nil {
		t.Fatal(err)
	}
	return all, droppable
}

// TestDropForBulkLoad checks that DropForBulkLoad drops the secondary indexes
// and foreign keys of the tables it is given, keeps the indexes constraints
// own, and returns statements that bring back what it dropped exactly,
// comments included.
func TestDropForBulkLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, sql := range []string{
		`COMMENT ON INDEX products_title_idx IS 'titles, for it''s the suggest index'`,
		`COMMENT ON CONSTRAINT inventory_product_id_fkey ON inventory IS 'stock needs a product'`,
	} {
		if _, err := d.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	tables := []string{"products", "inventory"}
	before, droppable := indexesAndKeys(t, d.Pool, tables)
	if droppable < 5 {
		t.Fatalf("only %d secondary indexes and foreign keys found; the query is wrong", droppable)
	}
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		restore, err := db.DropForBulkLoad(ctx, tx, tables)
		if err != nil {
			return err
		}
		during, left := indexesAndKeys(t, tx, tables)
		if left != 0 {
			t.Errorf("%d secondary indexes or foreign keys left after the drop", left)
		}
		if len(during) == 0 {
			t.Error("the primary keys were dropped too")
		}
		for _, stmt := range restore {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := indexesAndKeys(t, d.Pool, tables)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("indexes and foreign keys after restoring (-before +after):\n%s", diff)
	}
}
