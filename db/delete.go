package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

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
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, q.lock, id).Scan(&one); err != nil {
			return err
		}
		counts := make([]int64, len(refs))
		dest := make([]any, len(refs))
		for i := range counts {
			dest[i] = &counts[i]
		}
		if err := tx.QueryRow(ctx, q.counts, id).Scan(dest...); err != nil {
			return wrapError(err, "count references")
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
		_, err := tx.Exec(ctx, q.delete, id)
		return err
	})
	return wrapError(err, op, noRow(what, id),
		// A reference the counts do not cover is still the client's conflict.
		whenCode(pgForeignKeyViolation, aforro.Errorf(aforro.ECONFLICT, "%s %d is still referenced; it cannot be deleted.", what, id)))
}

// joinAnd joins phrases as "a", "a and b" or "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
