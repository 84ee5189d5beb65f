package db

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// IdempotencyKey identifies a client's retry of one order.
type IdempotencyKey struct {
	Scope string // who used the key: the token, so one client cannot replay another's
	Key   string
	Hash  []byte // SHA-256 of the canonical request body
}

// PlaceResult is the outcome of PlaceOrder: the order and its JSON response,
// or, for a replayed idempotency key, only the first response.
type PlaceResult struct {
	Order    aforro.Order // zero when Replayed
	Response []byte
	Replayed bool
}

// maxTxAttempts bounds retries of a transaction that hit a serialization
// failure or a deadlock. Neither should happen to an order: it locks only
// its store's inventory rows, in product-id order, and its writes lock no
// other existing row (the stock lists that search reads are synced apart,
// migration 006); but if one does, the client gets a 503 and not a 500.
const maxTxAttempts = 4

// maxOrderTotal is what orders.total_amount, numeric(14,2), holds.
const maxOrderTotal aforro.Money = 99_999_999_999_999

// PlaceOrder places req in one transaction: it locks the store's inventory
// rows of the requested products in product-id order (so concurrent orders
// never deadlock), and either deducts every line (CONFIRMED, with ledger rows
// and, given an email, an outbox event) or touches no stock (REJECTED). The
// result carries the order's JSON response, which is stored with key (nil:
// no key) so that a replay returns it byte for byte; a key reused with
// another body is ECONFLICT. Validation of req's shape is the caller's;
// unknown products are EINVALID and an unknown store ENOTFOUND.
func (d *DB) PlaceOrder(ctx context.Context, req aforro.PlaceOrder, key *IdempotencyKey) (PlaceResult, error) {
	var res PlaceResult
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = placeOrder(ctx, tx, req, key)
		return err
	})
	return res, wrapError(err, "place order")
}

// retry runs fn in a transaction, again after a serialization failure or
// deadlock, at most maxTxAttempts times; then it returns the last such
// error, which wrapError answers as busy.
func (d *DB) retry(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := d.InTx(ctx, pgx.TxOptions{}, fn)
		if err == nil || !IsRetryable(err) || attempt == maxTxAttempts {
			return err
		}
		wait := time.Duration(attempt*10+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// placeOrder is the order transaction, step by step.
func placeOrder(ctx context.Context, tx pgx.Tx, req aforro.PlaceOrder, key *IdempotencyKey) (PlaceResult, error) {
	if key != nil {
		claimed, err := claimKey(ctx, tx, key)
		if err != nil {
			return PlaceResult{}, err
		}
		if !claimed {
			return replay(ctx, tx, key)
		}
	}
	o, err := lockStore(ctx, tx, req)
	if err != nil {
		return PlaceResult{}, err
	}
	lines, err := lockLines(ctx, tx, req)
	if err != nil {
		return PlaceResult{}, err
	}
	if err := decide(&o, lines); err != nil {
		return PlaceResult{}, err
	}
	if err := insertOrder(ctx, tx, &o, lines); err != nil {
		return PlaceResult{}, err
	}
	if o.Status == aforro.StatusConfirmed {
		if err := confirm(ctx, tx, o, lines); err != nil {
			return PlaceResult{}, err
		}
	}
	return remember(ctx, tx, key, o)
}

// orderLine is one line of an order being placed, with what the catalogue
// and the store's locked inventory say about it.
type orderLine struct {
	index     int // the line's position in the request, for field errors
	productID int64
	quantity  int
	title     string
	price     aforro.Money
	have      int  // the store's stock; 0 when it does not stock the product
	short     bool // have < quantity
}

// claimKey records key for this order, or reports that it is already used
// (claimed false). The insert waits for a concurrent holder of the same key
// to finish, so two racing requests create one order: the second replays.
func claimKey(ctx context.Context, tx pgx.Tx, key *IdempotencyKey) (claimed bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (scope, key) DO NOTHING`, key.Scope, key.Key, key.Hash)
	if err != nil {
		return false, wrapError(err, "claim idempotency key")
	}
	return tag.RowsAffected() == 1, nil
}

// lockStore reads the order's store, which starts the order. FOR KEY SHARE
// here and on the products: the lock the order's foreign keys take anyway,
// taken first, so a store or product being deleted is waited for and then
// not found, instead of failing a foreign key.
func lockStore(ctx context.Context, tx pgx.Tx, req aforro.PlaceOrder) (aforro.Order, error) {
	o := aforro.Order{Store: req.StoreID, Status: aforro.StatusConfirmed, CustomerEmail: req.CustomerEmail}
	err := tx.QueryRow(ctx, `SELECT name, location FROM stores WHERE id = $1 FOR KEY SHARE`, req.StoreID).
		Scan(&o.StoreName, &o.StoreLocation)
	return o, wrapError(err, "lock store", noRow("Store", req.StoreID))
}

// lockLines reads the requested products and locks the store's inventory
// rows of them, in product-id order: two orders over the same products queue
// up instead of deadlocking. The lines come back in that order, which is
// also the order of the order's lines.
func lockLines(ctx context.Context, tx pgx.Tx, req aforro.PlaceOrder) ([]orderLine, error) {
	lines := make([]orderLine, len(req.Items))
	for i, l := range req.Items {
		lines[i] = orderLine{index: i, productID: l.ProductID, quantity: l.QuantityRequested}
	}
	slices.SortFunc(lines, func(a, b orderLine) int { return cmp.Compare(a.productID, b.productID) })
	ids := productIDs(lines)
	at := make(map[int64]*orderLine, len(lines))
	for i := range lines {
		at[lines[i].productID] = &lines[i]
	}

	rows, err := tx.Query(ctx, `SELECT id, title, price FROM products WHERE id = ANY($1) FOR KEY SHARE`, ids)
	if err != nil {
		return nil, wrapError(err, "read products")
	}
	found := map[int64]bool{}
	var id int64
	var title string
	var price aforro.Money
	if _, err := pgx.ForEachRow(rows, []any{&id, &title, &price}, func() error {
		at[id].title, at[id].price, found[id] = title, price, true
		return nil
	}); err != nil {
		return nil, wrapError(err, "read products")
	}
	requested := make([]int64, len(req.Items))
	for i, it := range req.Items {
		requested[i] = it.ProductID
	}
	if err := unknownProducts("items", requested, func(id int64) bool { return found[id] }); err != nil {
		return nil, err
	}

	rows, err = tx.Query(ctx, `SELECT product_id, quantity FROM inventory
		WHERE store_id = $1 AND product_id = ANY($2) ORDER BY product_id FOR UPDATE`, req.StoreID, ids)
	if err != nil {
		return nil, wrapError(err, "lock inventory")
	}
	var have int
	if _, err := pgx.ForEachRow(rows, []any{&id, &have}, func() error { at[id].have = have; return nil }); err != nil {
		return nil, wrapError(err, "lock inventory")
	}
	return lines, nil
}

// decide confirms the order if the store has enough of every line, else
// rejects it naming every short line, and totals it. A total past what
// orders.total_amount holds is EINVALID naming the line that takes it there;
// it is checked before each addition, so it cannot wrap around. (A line
// total cannot overflow: prices are at most aforro.MaxMoney and quantities
// at most aforro.MaxLineQuantity, whose product fits in an int64.)
func decide(o *aforro.Order, lines []orderLine) error {
	for i := range lines {
		l := &lines[i]
		if l.have < l.quantity {
			l.short = true
			o.Status = aforro.StatusRejected
			o.RejectedItems = append(o.RejectedItems, aforro.RejectedItem{
				ProductID: l.productID, QuantityRequested: l.quantity, QuantityAvailable: l.have})
		}
		line := l.price * aforro.Money(l.quantity)
		if line > maxOrderTotal-o.TotalAmount {
			field := fmt.Sprintf("items[%d].quantity_requested", l.index)
			problem := fmt.Sprintf("takes the order total past the maximum of %s", maxOrderTotal)
			if line > maxOrderTotal {
				problem = fmt.Sprintf("makes a line total of %s, past the maximum order total of %s", line, maxOrderTotal)
			}
			return invalidField(field, problem)
		}
		o.TotalAmount += line
	}
	return nil
}

// insertOrder writes the order and its lines, with each line's title and
// price as of now and, for a short line, what the store had.
func insertOrder(ctx context.Context, tx pgx.Tx, o *aforro.Order, lines []orderLine) error {
	var email *string
	if o.CustomerEmail != "" {
		email = &o.CustomerEmail
	}
	by := ActorFrom(ctx)
	err := tx.QueryRow(ctx, `INSERT INTO orders (store_id, status, customer_email, total_amount, placed_by_token_id, source)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at, source, `+tokenRefSQL("placed_by_token_id"),
		o.Store, o.Status, email, o.TotalAmount, by.token(), by.Source).Scan(&o.ID, &o.CreatedAt, &o.Source, &o.PlacedBy)
	if err != nil {
		return wrapError(err, "insert order")
	}
	o.CreatedAt = o.CreatedAt.UTC()

	titles := make([]string, len(lines))
	cents := make([]int64, len(lines))
	qty := make([]int32, len(lines))
	avail := make([]*int32, len(lines))
	for i, l := range lines {
		titles[i], cents[i], qty[i] = l.title, int64(l.price), int32(l.quantity)
		if l.short {
			a := int32(l.have)
			avail[i] = &a
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO order_items (order_id, product_id, product_title, unit_price, quantity_requested, quantity_available)
		SELECT $1, l.product_id, l.title, l.cents::numeric / 100, l.qty, l.avail
		  FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::int[], $6::int[])
		       AS l(product_id, title, cents, qty, avail)
		RETURNING id, product_id`, o.ID, productIDs(lines), titles, cents, qty, avail)
	if err != nil {
		return wrapError(err, "insert order lines")
	}
	lineIDs := map[int64]int64{}
	var lineID, pid int64
	if _, err := pgx.ForEachRow(rows, []any{&lineID, &pid}, func() error { lineIDs[pid] = lineID; return nil }); err != nil {
		return wrapError(err, "insert order lines")
	}
	o.Items = make([]aforro.OrderItem, len(lines))
	for i, l := range lines {
		o.Items[i] = aforro.OrderItem{ID: lineIDs[l.productID], ProductID: l.productID, ProductTitle: l.title,
			ProductPrice: l.price, QuantityRequested: l.quantity}
	}
	return nil
}

// confirm deducts every line of a CONFIRMED order, with a ledger row each,
// and writes its order.confirmed event: for webhooks always, and for the
// confirmation email when it has a customer email.
func confirm(ctx context.Context, tx pgx.Tx, o aforro.Order, lines []orderLine) error {
	deltas := make([]int32, len(lines))
	for i, l := range lines {
		deltas[i] = -int32(l.quantity)
	}
	if err := moveStock(ctx, tx, o.Store, productIDs(lines), deltas, Movement{Reason: aforro.ReasonOrder, OrderID: o.ID}); err != nil {
		return err
	}
	return enqueueOrderEvent(ctx, tx, aforro.EventOrderConfirmed, o, o.CustomerEmail != "")
}

// enqueueOrderEvent writes an order event. Its payload keeps what the email
// dispatcher reads (order_id, customer_email) and, under "data", what a
// webhook receives: the order as GET /api/orders/{id}/ answers it now.
func enqueueOrderEvent(ctx context.Context, tx pgx.Tx, event string, o aforro.Order, mailed bool) error {
	p := map[string]any{"order_id": o.ID, "data": map[string]any{"order": o}}
	if o.CustomerEmail != "" {
		p["customer_email"] = o.CustomerEmail
	}
	return enqueue(ctx, tx, event, p, mailed)
}

// remember encodes the order's response and, with an idempotency key,
// stores it for replays.
func remember(ctx context.Context, tx pgx.Tx, key *IdempotencyKey, o aforro.Order) (PlaceResult, error) {
	res := PlaceResult{Order: o}
	var err error
	if res.Response, err = aforro.MarshalResponse(o); err != nil {
		return PlaceResult{}, err
	}
	if key == nil {
		return res, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET order_id = $3, response = $4 WHERE scope = $1 AND key = $2`,
		key.Scope, key.Key, o.ID, res.Response); err != nil {
		return PlaceResult{}, wrapError(err, "store idempotent response")
	}
	return res, nil
}

func productIDs(lines []orderLine) []int64 {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.productID
	}
	return ids
}

// replay answers a request whose idempotency key is already used.
func replay(ctx context.Context, tx pgx.Tx, key *IdempotencyKey) (PlaceResult, error) {
	resp, _, err := replayKey(ctx, tx, key)
	if err != nil {
		return PlaceResult{}, err
	}
	return PlaceResult{Response: resp, Replayed: true}, nil
}

// claimOrReplay claims key (nil: none) for this transaction; when an
// earlier request holds it, it answers that request's stored answer and
// replayed, and the caller does nothing else.
func claimOrReplay(ctx context.Context, tx pgx.Tx, key *IdempotencyKey) (resp []byte, status int, replayed bool, err error) {
	if key == nil {
		return nil, 0, false, nil
	}
	claimed, err := claimKey(ctx, tx, key)
	if err != nil || claimed {
		return nil, 0, false, err
	}
	resp, status, err = replayKey(ctx, tx, key)
	return resp, status, true, err
}

// rememberAnswer stores the answer a key (nil: none) replays.
func rememberAnswer(ctx context.Context, tx pgx.Tx, key *IdempotencyKey, resp []byte, status int) error {
	if key == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET response = $3, status = $4 WHERE scope = $1 AND key = $2`,
		key.Scope, key.Key, resp, status)
	return wrapError(err, "store idempotent response")
}

// replayKey reads the first answer (and its status) of an already used key,
// or is ECONFLICT when the key came with another request.
func replayKey(ctx context.Context, tx pgx.Tx, key *IdempotencyKey) (resp []byte, status int, err error) {
	var hash []byte
	err = tx.QueryRow(ctx, `SELECT request_hash, response, status FROM idempotency_keys WHERE scope = $1 AND key = $2`,
		key.Scope, key.Key).Scan(&hash, &resp, &status)
	if err != nil {
		return nil, 0, wrapError(err, "read idempotency key")
	}
	if !bytes.Equal(hash, key.Hash) {
		return nil, 0, aforro.Errorf(aforro.ECONFLICT,
			"Idempotency-Key %q was already used with a different request body.", key.Key)
	}
	return resp, status, nil
}

// unknownProducts names every requested product that known says does not
// exist, as field errors keyed by the line's position in the request's list
// (list: "items" of an order, "lines" of a transfer).
func unknownProducts(list string, ids []int64, known func(int64) bool) error {
	var errs aforro.FieldErrors
	var missing []int64
	for i, id := range ids {
		if !known(id) {
			errs.Add(fmt.Sprintf("%s[%d].product_id", list, i), fmt.Sprintf("unknown product %d", id))
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	e := errs.Err().(*aforro.Error)
	e.Message = fmt.Sprintf("Unknown product id(s): %s.", joinIDs(missing))
	return e
}

// moveStock adds deltas[i] to the locked inventory row of products[i] and
// writes one ledger row for each, saying m (its By, when zero, is the
// context's Actor). It is the one path every stock change takes into the
// ledger.
func moveStock(ctx context.Context, tx pgx.Tx, storeID int64, products []int64, deltas []int32, m Movement) error {
	var oid, tid *int64
	if m.OrderID != 0 {
		oid = &m.OrderID
	}
	if m.TransferID != 0 {
		tid = &m.TransferID
	}
	by := m.By
	if by.Source == "" {
		by = ActorFrom(ctx)
	}
	_, err := tx.Exec(ctx, `
		WITH d AS (
			SELECT * FROM unnest($2::bigint[], $3::int[]) AS d(product_id, delta)
		), upd AS (
			UPDATE inventory i SET quantity = i.quantity + d.delta, updated_at = now()
			  FROM d WHERE i.store_id = $1 AND i.product_id = d.product_id
			RETURNING i.product_id, i.quantity
		)
		INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason, order_id, transfer_id,
		                             note, reference, token_id, source)
		SELECT $1, upd.product_id, d.delta, upd.quantity - d.delta, upd.quantity, $4, $5, $6, $7, $8, $9, $10
		  FROM upd JOIN d USING (product_id)`, storeID, products, deltas, m.Reason, oid, tid, m.Note, m.Reference, by.token(), by.Source)
	if err != nil {
		return wrapError(err, "move stock")
	}
	return nil
}

// enqueue writes an outbox event in the caller's transaction; the NOTIFY is
// delivered only if that transaction commits, waking the dispatcher early.
// An event that is not mailed is written as skipped, which the email
// dispatcher never claims. Either way the outbox trigger (migration 009)
// creates the event's webhook deliveries in this same transaction; a
// webhook receives the payload's "data".
func enqueue(ctx context.Context, tx pgx.Tx, event string, payload any, mailed bool) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return wrapError(err, fmt.Sprintf("encode %s event", event))
	}
	status := "skipped"
	if mailed {
		status = "pending"
	}
	if _, err := tx.Exec(ctx, `WITH e AS (INSERT INTO outbox (event, payload, status) VALUES ($1, $2, $3) RETURNING id)
		SELECT pg_notify('outbox', id::text) FROM e WHERE $3 = 'pending'`, event, b, status); err != nil {
		return wrapError(err, fmt.Sprintf("enqueue %s event", event))
	}
	return nil
}

func joinIDs(ids []int64) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

var orderHeaderSQL = `SELECT o.id, o.store_id, s.name, s.location, o.status, o.created_at, o.cancelled_at,
	       coalesce(o.customer_email, ''), o.total_amount, o.source, ` + tokenRefSQL("o.placed_by_token_id") + `,
	       ` + tokenRefSQL("o.cancelled_by_token_id") + `
	  FROM orders o JOIN stores s ON s.id = o.store_id WHERE o.id = $1`

// Order returns one order with its lines, shaped like its create response.
func (d *DB) Order(ctx context.Context, id int64) (aforro.Order, error) {
	o, err := getOrder(ctx, d.Pool, id, "")
	return o, wrapError(err, "get order")
}

// getOrder reads an order; lock, when not empty, is appended to the header
// query (" FOR UPDATE OF o").
func getOrder(ctx context.Context, q Querier, id int64, lock string) (aforro.Order, error) {
	var o aforro.Order
	err := q.QueryRow(ctx, orderHeaderSQL+lock, id).Scan(&o.ID, &o.Store, &o.StoreName, &o.StoreLocation,
		&o.Status, &o.CreatedAt, &o.CancelledAt, &o.CustomerEmail, &o.TotalAmount, &o.Source, &o.PlacedBy, &o.CancelledBy)
	if err != nil {
		return o, wrapError(err, "get order", noRow("Order", id))
	}
	o.CreatedAt = o.CreatedAt.UTC()
	if o.CancelledAt != nil {
		t := o.CancelledAt.UTC()
		o.CancelledAt = &t
	}
	rows, err := q.Query(ctx, `SELECT id, product_id, product_title, unit_price, quantity_requested, quantity_available
		FROM order_items WHERE order_id = $1 ORDER BY product_id`, id)
	if err != nil {
		return o, wrapError(err, "get order lines")
	}
	var it aforro.OrderItem
	var avail *int
	_, err = pgx.ForEachRow(rows, []any{&it.ID, &it.ProductID, &it.ProductTitle, &it.ProductPrice, &it.QuantityRequested, &avail}, func() error {
		o.Items = append(o.Items, it)
		if avail != nil {
			o.RejectedItems = append(o.RejectedItems, aforro.RejectedItem{
				ProductID: it.ProductID, QuantityRequested: it.QuantityRequested, QuantityAvailable: *avail})
		}
		return nil
	})
	if err != nil {
		return o, wrapError(err, "get order lines")
	}
	return o, nil
}

// CancelOrder turns a CONFIRMED order into CANCELLED and returns every line's
// stock, with a ledger row each (reason "cancel"), and writes its
// order.cancelled event (for webhooks; no email). Anything else is ECONFLICT.
// The order row is locked first, so concurrent cancels restock once.
func (d *DB) CancelOrder(ctx context.Context, id int64) (aforro.Order, error) {
	var o aforro.Order
	err := d.retry(ctx, func(tx pgx.Tx) error {
		var err error
		if o, err = getOrder(ctx, tx, id, " FOR UPDATE OF o"); err != nil {
			return err
		}
		if o.Status != aforro.StatusConfirmed {
			return aforro.Errorf(aforro.ECONFLICT, "Order %d is %s; only a CONFIRMED order can be cancelled.", id, o.Status)
		}
		ids := make([]int64, len(o.Items))
		qty := make([]int32, len(o.Items))
		for i, it := range o.Items { // sorted by product id: the same lock order as PlaceOrder
			ids[i], qty[i] = it.ProductID, int32(it.QuantityRequested)
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM inventory WHERE store_id = $1 AND product_id = ANY($2)
			ORDER BY product_id FOR UPDATE`, o.Store, ids); err != nil {
			return wrapError(err, "lock inventory")
		}
		if err := moveStock(ctx, tx, o.Store, ids, qty, Movement{Reason: aforro.ReasonCancel, OrderID: o.ID}); err != nil {
			return err
		}
		var at time.Time
		// The cancel's movements carry its actor's source; the order keeps
		// the token, if any.
		if err := tx.QueryRow(ctx, `UPDATE orders SET status = 'CANCELLED', cancelled_at = now(), cancelled_by_token_id = $2
			WHERE id = $1 RETURNING cancelled_at, `+tokenRefSQL("cancelled_by_token_id"), id, ActorFrom(ctx).token()).Scan(&at, &o.CancelledBy); err != nil {
			return wrapError(err, "cancel order")
		}
		at = at.UTC()
		o.Status, o.CancelledAt = aforro.StatusCancelled, &at
		return enqueueOrderEvent(ctx, tx, aforro.EventOrderCancelled, o, false)
	})
	return o, wrapError(err, "cancel order")
}

// ListOrders returns a page of orders, newest first (ties by id), of one
// store or every store f.Stores allows, optionally of one status. Each
// filter has an index in this order (migration 008). A StoreID naming no
// store is ENOTFOUND.
func (d *DB) ListOrders(ctx context.Context, f aforro.OrderFilter, req aforro.PageRequest) (aforro.Page[aforro.OrderSummary], error) {
	lq := listQuery{
		from:  `orders o`,
		alias: "o",
		columns: `o.id, o.store_id, o.status, o.created_at,
			(SELECT coalesce(sum(quantity_requested), 0) FROM order_items WHERE order_id = o.id),
			` + tokenRefSQL("o.placed_by_token_id"),
		order: []sortKey{{expr: "o.created_at", cast: "timestamptz", desc: true}, {expr: "o.id", cast: "bigint", desc: true}},
	}
	switch {
	case f.StoreID != 0:
		lq.filter("o.store_id = ?", f.StoreID)
		lq.missing = func(ctx context.Context) error { return storeExists(ctx, d.Pool, f.StoreID) }
	case len(f.Stores) == 1:
		lq.filter("o.store_id = ?", f.Stores[0])
	case f.Stores != nil:
		// Whether the scope's stores hold most orders or few decides
		// between walking every order by time and sorting theirs.
		lq.filter("o.store_id = ANY (?)", f.Stores)
		lq.custom = true
	}
	if f.StoreID != 0 && f.Stores != nil && !slices.Contains(f.Stores, f.StoreID) {
		lq.filter("false")
	}
	if f.Status != "" {
		lq.filter("o.status = ?", f.Status)
	}
	return listPage(ctx, d.Pool, req, lq, func(row pgx.Row) (aforro.OrderSummary, error) {
		var o aforro.OrderSummary
		err := row.Scan(&o.ID, &o.Store, &o.Status, &o.CreatedAt, &o.TotalItems, &o.PlacedBy)
		o.CreatedAt = o.CreatedAt.UTC()
		return o, err
	}, func(o aforro.OrderSummary) []string { return []string{timeKey(o.CreatedAt), itoa(o.ID)} })
}

// PurgeIdempotencyKeys deletes keys older than age; API.md promises 24 hours.
func (d *DB) PurgeIdempotencyKeys(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := d.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, age)
	return tag.RowsAffected(), wrapError(err, "purge idempotency keys")
}
