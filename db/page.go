package db

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// listQuery describes a paginated list: countSQL counts the rows with args
// (yielding NULL when the parent, such as a store, does not exist, which is
// answered with missing); pageSQL takes LIMIT $1 OFFSET $2 followed by args.
type listQuery struct {
	countSQL, pageSQL string
	args              []any
	missing           error
}

// listPage runs the two queries of a paginated list, whatever the page size.
// A page past the last is an EPAGEOUTOFRANGE error and skips the second query.
func listPage[T any](ctx context.Context, q Querier, req aforro.PageRequest, lq listQuery,
	scan func(pgx.Row) (T, error)) (aforro.Page[T], error) {
	var n *int
	if err := q.QueryRow(ctx, lq.countSQL, lq.args...).Scan(&n); err != nil {
		return aforro.Page[T]{}, wrapError(err, "count rows")
	}
	if n == nil {
		return aforro.Page[T]{}, lq.missing
	}
	count := *n
	if err := aforro.CheckPage(req, count); err != nil {
		return aforro.Page[T]{}, err
	}
	var results []T
	if count > 0 {
		rows, err := q.Query(ctx, lq.pageSQL, append([]any{req.PageSize, req.Offset()}, lq.args...)...)
		if err != nil {
			return aforro.Page[T]{}, wrapError(err, "list rows")
		}
		results, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		if err != nil {
			return aforro.Page[T]{}, wrapError(err, "scan rows")
		}
	}
	return aforro.NewPage(req, count, results), nil
}
