package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// BatchWrite is a stock batch of one store (POST .../inventory/batch/),
// its shape already validated by the caller.
type BatchWrite struct {
	StoreID int64
	// Add adds each row's quantity, as adjust does; otherwise it is set,
	// as PUT does.
	Add bool
	// RejectAll rejects the whole batch when any row fails.
	RejectAll bool
	// DryRun answers what the batch would do, and changes nothing.
	DryRun bool
	Rows   []BatchRow
	// Key, when not nil, makes the batch idempotent as orders are.
	Key *IdempotencyKey
}

// BatchRow is one row of a batch.
type BatchRow struct {
	ProductID *int64 // as given, for the answer; nil or below 1 only with Err set
	Quantity  int    // to set, or to add
	// Movement is what the row's ledger entry says (reason code, note,
	// reference; the actor is the request's).
	Movement Movement
	// Err is what validation found wrong with the row: it fails without
	// a look at the stock.
	Err *aforro.BatchRowError
}

// BatchResult is the outcome of WriteBatch: the answer and its JSON with
// its status (422 when RejectAll rejected the batch), or for a replayed key
// only the first answer and status.
type BatchResult struct {
	Result   aforro.StockBatchResult // zero when Replayed
	Response []byte
	Status   int
	Replayed bool
}

// errRollback ends a transaction whose answer is ready but whose changes
// must not stay: a dry run, or a batch RejectAll rejected.
var errRollback = errors.New("roll back the batch")

// WriteBatch sets or adds the stock of many products of one store in one
// transaction. It claims the key as WriteStock does, reads the products
// (FOR KEY SHARE) and, in set mode, inserts the store's missing rows, then
// locks the rows in product-id order, before any stock row is written, as
// orders and transfers do: a batch queues behind them on the rows they
// share, and none of them waits for a product while holding stock rows.
// Each applied row goes through writeMovement, as PUT and adjust do. A
// dry run or a rejected batch rolls back, storing nothing under the key.
// An unknown store is ENOTFOUND; everything about a row is that row's
// error in the answer.
func (d *DB) WriteBatch(ctx context.Context, b BatchWrite) (BatchResult, error) {
	var res BatchResult
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var err error
		if res, err = writeBatch(ctx, tx, b); err != nil {
			return err
		}
		if !res.Replayed && (b.DryRun || res.Status != 200) {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return res, wrapError(err, "write stock batch")
}

// batchRow is a row being decided: its problems so far, and its stock.
type batchRow struct {
	BatchRow
	index         int
	code, message string // of the row's first problem
	fields        aforro.FieldErrors
	before        *int // the locked quantity; nil: the store has no row
	after         int
}

// fail records a problem of the row's field ("quantity"); the first
// problem sets the row's code and message ("" for the field's own words).
func (r *batchRow) fail(code, field, problem, message string) {
	key := fmt.Sprintf("rows[%d].%s", r.index, field)
	if r.code == "" {
		r.code, r.message = code, message
		if message == "" {
			r.message = fmt.Sprintf("Invalid %s: %s.", key, problem)
		}
	}
	r.fields.Add(key, problem)
}

func (r *batchRow) failed() bool { return r.code != "" }

func writeBatch(ctx context.Context, tx pgx.Tx, b BatchWrite) (BatchResult, error) {
	if resp, status, replayed, err := claimOrReplay(ctx, tx, b.Key); err != nil || replayed {
		return BatchResult{Response: resp, Status: status, Replayed: replayed}, err
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1 FOR KEY SHARE)`, b.StoreID).Scan(&ok); err != nil {
		return BatchResult{}, wrapError(err, "lock store")
	}
	if !ok {
		return BatchResult{}, errNotFound("Store", b.StoreID)
	}

	rows := make([]batchRow, len(b.Rows))
	for i, r := range b.Rows {
		rows[i] = batchRow{BatchRow: r, index: i}
		if r.Err != nil {
			rows[i].code, rows[i].message, rows[i].fields = r.Err.Code, r.Err.Message, aforro.FieldErrors(maps.Clone(r.Err.Fields))
		}
	}
	// A product twice in one batch fails every time: which row was meant
	// cannot be told, and set-then-add orders would be a guess.
	at := map[int64][]int{}
	for i, r := range rows {
		if r.ProductID != nil && *r.ProductID > 0 {
			at[*r.ProductID] = append(at[*r.ProductID], i)
		}
	}
	for id, idx := range at {
		if len(idx) < 2 {
			continue
		}
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = fmt.Sprintf("rows[%d]", i)
		}
		for _, i := range idx {
			rows[i].fail(aforro.EINVALID, "product_id",
				fmt.Sprintf("product %d is in %s: give each product once", id, strings.Join(names, ", ")), "")
		}
	}

	// The rows to look up, in product-id order: the order every lock is taken in.
	var todo []*batchRow
	for i := range rows {
		if !rows[i].failed() {
			todo = append(todo, &rows[i])
		}
	}
	slices.SortFunc(todo, func(a, b *batchRow) int { return cmp.Compare(*a.ProductID, *b.ProductID) })
	ids := make([]int64, len(todo))
	for i, r := range todo {
		ids[i] = *r.ProductID
	}
	known := map[int64]bool{}
	prows, err := tx.Query(ctx, `SELECT id FROM products WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, ids)
	if err != nil {
		return BatchResult{}, wrapError(err, "lock products")
	}
	var id int64
	if _, err := pgx.ForEachRow(prows, []any{&id}, func() error { known[id] = true; return nil }); err != nil {
		return BatchResult{}, wrapError(err, "lock products")
	}
	ids = ids[:0]
	for _, r := range todo {
		if !known[*r.ProductID] {
			r.fail(aforro.ENOTFOUND, "product_id", fmt.Sprintf("unknown product %d", *r.ProductID),
				fmt.Sprintf("Product %d not found.", *r.ProductID))
			continue
		}
		ids = append(ids, *r.ProductID)
	}
	// A set creates the rows the store lacks, and so does an add of units
	// (a delivery of a product new to the store): removing from a row that
	// does not exist stays an error. The rows are made before any stock row
	// is locked (see db/transfers.go on why).
	var create []int64
	for _, r := range todo {
		if known[*r.ProductID] && (!b.Add || r.Quantity > 0) {
			create = append(create, *r.ProductID)
		}
	}
	created := map[int64]bool{}
	if len(create) > 0 {
		crows, err := tx.Query(ctx, `INSERT INTO inventory (store_id, product_id, quantity)
			SELECT $1, p, 0 FROM unnest($2::bigint[]) AS p
			 WHERE NOT EXISTS (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND i.product_id = p)
			 ORDER BY p
			    ON CONFLICT (store_id, product_id) DO NOTHING
			RETURNING product_id`, b.StoreID, create)
		if err != nil {
			return BatchResult{}, wrapError(err, "create inventory rows")
		}
		if _, err := pgx.ForEachRow(crows, []any{&id}, func() error { created[id] = true; return nil }); err != nil {
			return BatchResult{}, wrapError(err, "create inventory rows")
		}
	}
	have, err := lockStock(ctx, tx, b.StoreID, ids)
	if err != nil {
		return BatchResult{}, err
	}

	out := aforro.StockBatchResult{Rows: make([]aforro.StockBatchRowResult, len(rows))}
	for _, r := range todo {
		if r.failed() {
			continue
		}
		q, stocked := have[*r.ProductID]
		if stocked && !created[*r.ProductID] {
			r.before = &q
		}
		switch {
		case !b.Add:
			r.after = r.Quantity
		case !stocked:
			r.fail(aforro.ENOTFOUND, "product_id",
				fmt.Sprintf("store %d does not stock product %d: there is nothing to remove", b.StoreID, *r.ProductID),
				fmt.Sprintf("Store %d does not stock product %d.", b.StoreID, *r.ProductID))
		default:
			r.after = q + r.Quantity
			if r.after < 0 {
				r.fail(aforro.ECONFLICT, "quantity", fmt.Sprintf("would leave %d in stock; the store has %d", r.after, q),
					fmt.Sprintf("Adding %d would leave %d in stock; store %d has %d of product %d.", r.Quantity, r.after, b.StoreID, q, *r.ProductID))
			} else if r.after > aforro.MaxStock {
				r.fail(aforro.ECONFLICT, "quantity", fmt.Sprintf("would exceed the maximum stock of %d", aforro.MaxStock),
					fmt.Sprintf("Adding %d would exceed the maximum stock of %d.", r.Quantity, aforro.MaxStock))
			}
		}
	}
	for i := range rows {
		if rows[i].failed() {
			out.Failed++
		}
	}
	status := 200
	if out.Failed > 0 && b.RejectAll {
		status = 422
	}
	for _, r := range todo {
		if r.failed() || status != 200 {
			continue
		}
		out.Applied++
		if b.DryRun {
			continue
		}
		w := StockWrite{StoreID: b.StoreID, ProductID: *r.ProductID, Set: !b.Add, Quantity: r.after, Delta: r.Quantity, Movement: r.Movement}
		before := 0
		if r.before != nil {
			before = *r.before
		}
		if err := writeMovement(ctx, tx, w, r.after-before); err != nil {
			return BatchResult{}, err
		}
	}
	for i, r := range rows {
		res := aforro.StockBatchRowResult{ProductID: r.ProductID, QuantityBefore: r.before}
		if r.failed() {
			res.Error = &aforro.BatchRowError{Code: r.code, Message: r.message, Fields: map[string]string(r.fields)}
		} else {
			after := r.after
			res.QuantityAfter = &after
		}
		out.Rows[i] = res
	}

	res := BatchResult{Result: out, Status: status}
	if res.Response, err = aforro.MarshalResponse(out); err != nil {
		return BatchResult{}, err
	}
	// A rejected batch or a dry run rolls back, its key with it.
	if status == 200 && !b.DryRun {
		if err := rememberAnswer(ctx, tx, b.Key, res.Response, res.Status); err != nil {
			return BatchResult{}, err
		}
	}
	return res, nil
}
