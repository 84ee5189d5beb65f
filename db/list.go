package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// A list statement is built for the filters a request gives, so no
// catch-all predicate ($1 = 0 OR ...) is left for a generic plan to guess
// at: PostgreSQL switches a prepared statement to its generic plan after
// five runs, and a generic plan cannot drop a branch that the parameters
// make dead, so it walked every row of a store through a nested loop
// (issue 14). Each list is read in the order of an index and sliced by the
// sort key of its last row (a keyset), and its count stops at
// aforro.ListCountCap (aforro.TextCountCap with a title word).

// listQuery is one list: its rows, its filters and its order.
type listQuery struct {
	// from is the table the list walks, which the filters and the order
	// name; columns the select list that scan reads.
	from, columns string
	// fromArgs are the args of the ? in from (a subquery), which come
	// before those of the conditions.
	fromArgs []any
	// alias, when set, is from's alias: the page is then sliced from it
	// alone and joined to join afterwards, so a deep page steps over rows
	// of one table, not over joined rows (and columns such as a sum over
	// a row's lines are computed for the page's rows only).
	alias, join string
	// where holds conditions written with ? for each of their args, in order.
	where []string
	args  []any
	// order is the sort key, ending with a unique column so every row has
	// its own key.
	order []sortKey
	// custom plans the statements with the parameters' values each time, for
	// the filters whose best plan depends on them (a rare or a common title
	// word, a low-stock threshold that few or most rows pass).
	custom bool
	// slim and rejoin, when set, page past the first page from the keys
	// alone: slim selects the columns of alias that the walked index holds
	// (the sort key and a unique key), as k, so OFFSET steps over index
	// entries in an index-only scan, and rejoin joins k back to the table
	// under alias for the page's own rows: a LATERAL subquery that OFFSET 0
	// keeps apart, so that a generic plan, which guesses a LIMIT $n at a
	// tenth of the table, still looks each row up by its key instead of
	// hashing the whole table. Without it page 50 fetches the
	// 1,000 wide rows before it from the heap (products: 1,001 heap pages
	// of a category spread over the table). Only for filters the index
	// holds too, or the slice reads the heap anyway.
	slim, rejoin string
	// slimFirst slices the first page (and cursor pages) from the keys
	// too: for a filter that the index scan tests on most entries it
	// walks (a title word, low stock), which an index-only scan tests without
	// fetching each row it rejects.
	slimFirst bool
	// countCap, when set, is the list's count cap in place of
	// aforro.ListCountCap.
	countCap int
	// missing reports why an empty list has no rows when its parent (a
	// store, an inventory row) may not exist: ENOTFOUND, or nil.
	missing func(ctx context.Context) error
}

// sortKey is one column of a list's order and how its cursor value is
// compared: cast is the SQL type the value is cast to, and wrap, when set,
// applies to the cursor value what expr applies to its column (lower()).
type sortKey struct {
	expr, cast, wrap string
	desc             bool
}

// filter adds a condition; each ? in cond takes the next of args.
func (lq *listQuery) filter(cond string, args ...any) {
	lq.where = append(lq.where, cond)
	lq.args = append(lq.args, args...)
}

// render writes from and the conditions with numbered parameters.
func (lq listQuery) render(extra []string, extraArgs []any) (string, []any) {
	args := append(append(append([]any{}, lq.fromArgs...), lq.args...), extraArgs...)
	conds := append(append([]string{}, lq.where...), extra...)
	n := 0
	var b strings.Builder
	number := func(s string) {
		for _, r := range s {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
	}
	number(lq.from)
	for i, c := range conds {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		number(c)
	}
	return b.String(), args
}

// after is the keyset condition "rows after key" for the list's order: a
// row comparison when every column runs the same way (an index bound),
// otherwise the expanded OR of the columns in turn.
func (lq listQuery) after(key []string) (string, []any, error) {
	if len(key) != len(lq.order) {
		return "", nil, aforro.Errorf(aforro.EINVALID, "The cursor does not fit this list; start again without it.")
	}
	args := make([]any, len(key))
	vals := make([]string, len(key))
	for i, k := range lq.order {
		args[i] = key[i]
		vals[i] = "?::" + k.cast
		if k.wrap != "" {
			vals[i] = k.wrap + "(" + vals[i] + ")"
		}
	}
	same := true
	for _, k := range lq.order {
		same = same && k.desc == lq.order[0].desc
	}
	if same {
		exprs := make([]string, len(lq.order))
		for i, k := range lq.order {
			exprs[i] = k.expr
		}
		op := ">"
		if lq.order[0].desc {
			op = "<"
		}
		return fmt.Sprintf("(%s) %s (%s)", strings.Join(exprs, ", "), op, strings.Join(vals, ", ")), args, nil
	}
	// (a, b) after (x, y) with a DESC, b ASC: a < x OR (a = x AND b > y).
	var ors []string
	var orArgs []any
	for i, k := range lq.order {
		var ands []string
		for j := range i {
			ands = append(ands, lq.order[j].expr+" = "+vals[j])
			orArgs = append(orArgs, args[j])
		}
		op := ">"
		if k.desc {
			op = "<"
		}
		ands = append(ands, k.expr+" "+op+" "+vals[i])
		orArgs = append(orArgs, args[i])
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", orArgs, nil
}

func (lq listQuery) orderBy() string {
	parts := make([]string, len(lq.order))
	for i, k := range lq.order {
		parts[i] = k.expr
		if k.desc {
			parts[i] += " DESC"
		}
	}
	return " ORDER BY " + strings.Join(parts, ", ")
}

// cap is the most rows the list counts exactly.
func (lq listQuery) cap() int {
	if lq.countCap > 0 {
		return lq.countCap
	}
	return aforro.ListCountCap
}

// queryArgs puts the execution mode first when the list plans per call.
func (lq listQuery) queryArgs(args []any) []any {
	if lq.custom {
		return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
	}
	return args
}

// pageSQL returns the page statement for req: one row more than the page,
// which says whether another page follows, and for a numbered page first a
// column counting the list up to one past the cap, computed once (an
// InitPlan), so page and count take one round trip.
func (lq listQuery) pageSQL(req aforro.PageRequest) (string, []any, error) {
	var extra []string
	var extraArgs []any
	if req.Cursored() {
		cond, args, err := lq.after(req.After)
		if err != nil {
			return "", nil, err
		}
		extra, extraArgs = []string{cond}, args
	}
	fromWhere, args := lq.render(extra, extraArgs)
	n := len(args)
	limit := fmt.Sprintf("$%d", n+1)
	slice := fromWhere + lq.orderBy() + fmt.Sprintf(" LIMIT %s OFFSET $%d", limit, n+2)
	// A numbered page's count is needed only when rows follow the page
	// (one that ends the list counts itself, listPage): where the page
	// is a subquery, the count is asked only when the page came out full,
	// and PostgreSQL runs an uncorrelated subquery only once asked for it.
	// A rare title word (7 rows of 268,591 on aforro_dense) walked the
	// store's rows for the page and again for the count.
	counted := func(lazy bool) string {
		if req.Cursored() {
			return lq.columns
		}
		count := "(" + countOver(fromWhere, lq.cap()) + ")"
		if lazy {
			count = "CASE WHEN count(*) OVER () >= " + limit + " THEN " + count + " ELSE 0 END"
		}
		return count + ", " + lq.columns
	}
	var sql string
	switch {
	case lq.slim != "" && (req.Offset() > 0 || lq.slimFirst):
		sql = "SELECT " + counted(true) + " FROM (SELECT " + lq.slim + " FROM " + slice + ") k " + lq.rejoin + " " +
			lq.join + lq.orderBy()
	case lq.alias != "":
		sql = "SELECT " + counted(true) + " FROM (SELECT " + lq.alias + ".* FROM " + slice + ") " + lq.alias + " " +
			lq.join + lq.orderBy()
	default:
		sql = "SELECT " + counted(false) + " FROM " + slice
	}
	return sql, append(args, req.PageSize+1, req.Offset()), nil
}

// countOver counts the rows of a rendered from and where, up to one past
// limit, the list's cap.
func countOver(fromWhere string, limit int) string {
	return "SELECT count(*) FROM (SELECT 1 FROM " + fromWhere +
		" LIMIT " + strconv.Itoa(limit+1) + ") capped"
}

// countedRow scans a numbered page's count column ahead of the row's own.
type countedRow struct {
	pgx.Row
	count *int
}

func (r countedRow) Scan(dest ...any) error {
	return r.Row.Scan(append([]any{r.count}, dest...)...)
}

// listPage answers one page of lq, reading one row more than the page to
// know whether another follows. A numbered page also counts the list, up to
// the cap, in the same statement; when the page is empty, which a page past
// the end is, the count is read alone for the answer's last page. key returns
// the sort key of a row as the cursor carries it, in lq.order's order.
func listPage[T any](ctx context.Context, q Querier, req aforro.PageRequest, lq listQuery,
	scan func(pgx.Row) (T, error), key func(T) []string) (aforro.Page[T], error) {
	sql, args, err := lq.pageSQL(req)
	if err != nil {
		return aforro.Page[T]{}, err
	}
	rows, err := q.Query(ctx, sql, lq.queryArgs(args)...)
	if err != nil {
		return aforro.Page[T]{}, wrapError(err, "list rows")
	}
	count := 0
	results, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		if req.Cursored() {
			return scan(r)
		}
		return scan(countedRow{r, &count})
	})
	if err != nil {
		return aforro.Page[T]{}, wrapError(err, "list rows")
	}
	more := len(results) > req.PageSize
	if more {
		results = results[:req.PageSize]
	}
	if len(results) == 0 && lq.missing != nil {
		if err := lq.missing(ctx); err != nil {
			return aforro.Page[T]{}, err
		}
	}
	if len(results) == 0 && req.Offset() > 0 {
		fromWhere, args := lq.render(nil, nil)
		if err := q.QueryRow(ctx, countOver(fromWhere, lq.cap()), lq.queryArgs(args)...).Scan(&count); err != nil {
			return aforro.Page[T]{}, wrapError(err, "count rows")
		}
		if count > lq.cap() {
			return aforro.Page[T]{}, aforro.Errorf(aforro.EPAGEOUTOFRANGE, "Page %d is out of range: the list ends before it.", req.Page)
		}
		if err := aforro.CheckPage(req, count, false); err != nil {
			return aforro.Page[T]{}, err
		}
	}
	capped := count > lq.cap()
	if !req.Cursored() && !more {
		count, capped = req.Offset()+len(results), false // the page shows where the list ends
	}
	if capped {
		count = lq.cap()
	}
	page := aforro.NewPage(req, count, capped, more, results)
	if more {
		page.Next = key(results[len(results)-1])
	}
	return page, nil
}

// itoa formats an id for a cursor.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// timeKey formats a time for a cursor, to the microsecond PostgreSQL keeps.
func timeKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// SigningKey returns the secret named name that migration 008 created, shared
// by every instance (the "cursor" key signs list cursors).
func (d *DB) SigningKey(ctx context.Context, name string) ([]byte, error) {
	var key []byte
	err := d.Pool.QueryRow(ctx, `SELECT secret FROM signing_keys WHERE name = $1`, name).Scan(&key)
	return key, wrapError(err, "read signing key "+name)
}
