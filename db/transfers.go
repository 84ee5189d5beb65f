package db

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// Transfers move stock between two stores (migration 011). Every change of a
// transfer runs in one transaction that first locks the transfer's row, so
// changes of one transfer queue up (two ships of one draft ship once), and
// then locks inventory rows of ONE store only, in product-id order, exactly
// as an order does: shipping and cancelling lock the source's rows, receiving
// the destination's. Units on the road live on the transfer's lines, not on
// any inventory row, so a ship never holds rows of two stores and cannot
// form a cycle with orders, nor with a product rename that rewrites one
// product's rows in every store (migration 008). The destination's missing
// inventory rows are inserted before any inventory row is locked: an insert
// takes a share lock on its product (migration 008's trigger), and taking it
// while holding stock rows could wait on a rename that waits on those rows.

// TransferResult is the outcome of a transfer change made with an
// idempotency key: the transfer and its JSON response, or, for a replayed
// key, only the first response.
type TransferResult struct {
	Transfer aforro.Transfer // zero when Replayed
	Response []byte
	Replayed bool
}

// TransferAccess decides, given a transfer's source and destination stores,
// whether the caller may make the change; it is called with the transfer's
// row locked, so the stores it sees are those the change applies to. A nil
// TransferAccess allows everything.
type TransferAccess func(source, destination int64) error

// transferHeader is a transfer's row as a change reads it.
type transferHeader struct {
	id, source, destination int64
	status                  string
}

// CreateTransfer creates a draft from req (its shape already validated): the
// stores and products must exist (ENOTFOUND for a store, EINVALID naming the
// lines of unknown products). A key replays the first response.
func (d *DB) CreateTransfer(ctx context.Context, req aforro.CreateTransfer, key *IdempotencyKey) (TransferResult, error) {
	res, err := d.keyed(ctx, key, func(tx pgx.Tx) (aforro.Transfer, error) {
		if err := checkTransferParties(ctx, tx, req.SourceStoreID, req.DestinationStoreID, req.Lines); err != nil {
			return aforro.Transfer{}, err
		}
		var id int64
		by := ActorFrom(ctx)
		err := tx.QueryRow(ctx, `INSERT INTO transfers (source_store_id, destination_store_id, note, reference, created_by_token_id, source)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, req.SourceStoreID, req.DestinationStoreID, req.Note, req.Reference,
			by.token(), by.Source).Scan(&id)
		if err != nil {
			return aforro.Transfer{}, wrapError(err, "insert transfer")
		}
		if err := insertTransferLines(ctx, tx, id, req.DestinationStoreID, req.Lines); err != nil {
			return aforro.Transfer{}, err
		}
		return getTransfer(ctx, tx, id)
	})
	return res, wrapError(err, "create transfer")
}

// checkTransferParties checks that both stores and every product exist,
// taking the key-share locks the new rows' foreign keys take anyway (as an
// order does), so a store or product being deleted is waited for and then
// not found instead of failing a foreign key.
func checkTransferParties(ctx context.Context, tx pgx.Tx, source, destination int64, lines []aforro.TransferLineInput) error {
	var found []int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM
		(SELECT id FROM stores WHERE id = ANY($1) ORDER BY id FOR KEY SHARE) s`, []int64{source, destination}).Scan(&found); err != nil {
		return wrapError(err, "lock stores")
	}
	for _, id := range []int64{source, destination} {
		if !slices.Contains(found, id) {
			return errNotFound("Store", id)
		}
	}
	if lines == nil {
		return nil
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM
		(SELECT id FROM products WHERE id = ANY($1) ORDER BY id FOR KEY SHARE) p`, ids).Scan(&found); err != nil {
		return wrapError(err, "lock products")
	}
	return unknownProducts("lines", ids, func(id int64) bool { return slices.Contains(found, id) })
}

func insertTransferLines(ctx context.Context, tx pgx.Tx, id, destination int64, lines []aforro.TransferLineInput) error {
	ids := make([]int64, len(lines))
	qty := make([]int32, len(lines))
	for i, l := range lines {
		ids[i], qty[i] = l.ProductID, int32(l.Quantity)
	}
	_, err := tx.Exec(ctx, `INSERT INTO transfer_lines (transfer_id, destination_store_id, product_id, quantity)
		SELECT $1, $2, l.product_id, l.quantity FROM unnest($3::bigint[], $4::int[]) AS l(product_id, quantity)`,
		id, destination, ids, qty)
	return wrapError(err, "insert transfer lines")
}

// EditTransfer changes a draft: any of its stores, note and reference, and,
// when in.Lines is not nil, replaces its lines. Anything but a draft is
// ECONFLICT naming its status. allow sees the stores before and after.
func (d *DB) EditTransfer(ctx context.Context, id int64, in aforro.EditTransfer, allow TransferAccess) (aforro.Transfer, error) {
	var t aforro.Transfer
	err := d.retry(ctx, func(tx pgx.Tx) error {
		h, err := lockTransfer(ctx, tx, id, allow)
		if err != nil {
			return err
		}
		if h.status != aforro.TransferDraft {
			return illegalChange(h, "edited")
		}
		source, destination := h.source, h.destination
		if in.SourceStoreID != nil {
			source = *in.SourceStoreID
		}
		if in.DestinationStoreID != nil {
			destination = *in.DestinationStoreID
		}
		if source == destination {
			return invalidField("destination_store_id", "must differ from the source store")
		}
		if allow != nil && (source != h.source || destination != h.destination) {
			if err := allow(source, destination); err != nil {
				return err
			}
		}
		if err := checkTransferParties(ctx, tx, source, destination, in.Lines); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE transfers SET source_store_id = $2, destination_store_id = $3,
			note = coalesce($4, note), reference = coalesce($5, reference), updated_at = now() WHERE id = $1`,
			id, source, destination, in.Note, in.Reference)
		if err != nil {
			return wrapError(err, "edit transfer")
		}
		if in.Lines != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM transfer_lines WHERE transfer_id = $1`, id); err != nil {
				return wrapError(err, "replace transfer lines")
			}
			if err := insertTransferLines(ctx, tx, id, destination, in.Lines); err != nil {
				return err
			}
		}
		t, err = getTransfer(ctx, tx, id)
		return err
	})
	return t, wrapError(err, "edit transfer")
}

// ShipTransfer ships a draft: in one transaction it takes every line's
// quantity out of the source's stock (ledger reason transfer_out), puts it
// on the road toward the destination, creating the destination's inventory
// rows it lacks (quantity 0, so the units show as incoming there), and
// writes a transfer.shipped event. If the source is short of any line
// nothing changes and the answer is ECONFLICT with RejectedItems naming each
// short line. Anything but a draft is ECONFLICT naming its status.
func (d *DB) ShipTransfer(ctx context.Context, id int64, allow TransferAccess, key *IdempotencyKey) (TransferResult, error) {
	res, err := d.keyed(ctx, key, func(tx pgx.Tx) (aforro.Transfer, error) {
		h, err := lockTransfer(ctx, tx, id, allow)
		if err != nil {
			return aforro.Transfer{}, err
		}
		if h.status != aforro.TransferDraft {
			return aforro.Transfer{}, illegalChange(h, "shipped")
		}
		var ids []int64
		var qty []int32
		if err := tx.QueryRow(ctx, `SELECT array_agg(product_id ORDER BY product_id), array_agg(quantity ORDER BY product_id)
			FROM transfer_lines WHERE transfer_id = $1`, id).Scan(&ids, &qty); err != nil {
			return aforro.Transfer{}, wrapError(err, "read transfer lines")
		}
		if err := ensureInventoryRows(ctx, tx, h.destination, ids); err != nil {
			return aforro.Transfer{}, err
		}
		have, err := lockStock(ctx, tx, h.source, ids)
		if err != nil {
			return aforro.Transfer{}, err
		}
		var short []aforro.ShortItem
		out := make([]int32, len(ids))
		for i, p := range ids {
			if have[p] < int(qty[i]) {
				short = append(short, aforro.ShortItem{ProductID: p, Requested: int(qty[i]), Available: have[p]})
			}
			out[i] = -qty[i]
		}
		if short != nil {
			e := aforro.Errorf(aforro.ECONFLICT, "Store %d is short of %d of the transfer's %d line(s); nothing was shipped.",
				h.source, len(short), len(ids))
			e.RejectedItems = short
			return aforro.Transfer{}, e
		}
		if err := moveStock(ctx, tx, h.source, ids, out, Movement{Reason: aforro.ReasonTransferOut, TransferID: id}); err != nil {
			return aforro.Transfer{}, err
		}
		if _, err := tx.Exec(ctx, `UPDATE transfer_lines SET shipped = quantity WHERE transfer_id = $1`, id); err != nil {
			return aforro.Transfer{}, wrapError(err, "ship transfer lines")
		}
		return settle(ctx, tx, h, aforro.TransferShipped, "shipped_at = now(), shipped_by_token_id = $3", aforro.EventTransferShipped,
			ActorFrom(ctx).token())
	})
	return res, wrapError(err, "ship transfer")
}

// ReceiveTransfer records a receipt of a shipped or partly received
// transfer: per line, units accepted into the destination's stock (ledger
// reason transfer_in, creating the row if absent) and units rejected, which
// arrive and are written off with their reason (write_off_<reason>). Lines
// may repeat a product (to reject units for two reasons); a product that is
// not a line of the transfer is EINVALID; receiving more of a line than is
// on the road is ECONFLICT and changes nothing. The transfer becomes
// received when nothing is left on the road, else partially_received, and
// the event says which.
func (d *DB) ReceiveTransfer(ctx context.Context, id int64, req aforro.ReceiveTransfer, allow TransferAccess, key *IdempotencyKey) (TransferResult, error) {
	res, err := d.keyed(ctx, key, func(tx pgx.Tx) (aforro.Transfer, error) {
		h, err := lockTransfer(ctx, tx, id, allow)
		if err != nil {
			return aforro.Transfer{}, err
		}
		if h.status != aforro.TransferShipped && h.status != aforro.TransferPartiallyReceived {
			return aforro.Transfer{}, illegalChange(h, "received")
		}
		onRoad := map[int64]int{}
		rows, err := tx.Query(ctx, `SELECT product_id, in_transit FROM transfer_lines WHERE transfer_id = $1`, id)
		if err != nil {
			return aforro.Transfer{}, wrapError(err, "read transfer lines")
		}
		var p int64
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&p, &n}, func() error { onRoad[p] = n; return nil }); err != nil {
			return aforro.Transfer{}, wrapError(err, "read transfer lines")
		}
		got, err := tallyReceipt(id, req.Lines, onRoad)
		if err != nil {
			return aforro.Transfer{}, err
		}
		if err := ensureInventoryRows(ctx, tx, h.destination, got.ids); err != nil {
			return aforro.Transfer{}, err
		}
		have, err := lockStock(ctx, tx, h.destination, got.ids)
		if err != nil {
			return aforro.Transfer{}, err
		}
		arrived := make([]int32, len(got.ids))
		for i, p := range got.ids {
			arrived[i] = int32(got.accepted[p] + got.rejected[p])
			if have[p]+int(arrived[i]) > aforro.MaxStock {
				return aforro.Transfer{}, aforro.Errorf(aforro.ECONFLICT,
					"Receiving %d of product %d would exceed the maximum stock of %d.", arrived[i], p, aforro.MaxStock)
			}
		}
		if err := moveStock(ctx, tx, h.destination, got.ids, arrived, Movement{Reason: aforro.ReasonTransferIn, TransferID: id}); err != nil {
			return aforro.Transfer{}, err
		}
		for _, reason := range []string{aforro.RejectDamaged, aforro.RejectMissing, aforro.RejectOther} {
			var ids []int64
			var lost []int32
			for _, p := range got.ids {
				if n := got.byReason[reason][p]; n > 0 {
					ids, lost = append(ids, p), append(lost, -int32(n))
				}
			}
			if len(ids) == 0 {
				continue
			}
			if err := moveStock(ctx, tx, h.destination, ids, lost, Movement{Reason: aforro.ReasonWriteOffPrefix + reason, TransferID: id}); err != nil {
				return aforro.Transfer{}, err
			}
		}
		if err := recordReceipt(ctx, tx, id, req.Lines, got); err != nil {
			return aforro.Transfer{}, err
		}
		var left int
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE transfer_id = $1`, id).Scan(&left); err != nil {
			return aforro.Transfer{}, wrapError(err, "read transfer lines")
		}
		if left == 0 {
			return settle(ctx, tx, h, aforro.TransferReceived, "received_at = now()", aforro.EventTransferReceived)
		}
		return settle(ctx, tx, h, aforro.TransferPartiallyReceived, "", aforro.EventTransferPartiallyReceived)
	})
	return res, wrapError(err, "receive transfer")
}

// receiptTally is a receipt's lines summed per product, in product-id order.
type receiptTally struct {
	ids                []int64
	accepted, rejected map[int64]int
	byReason           map[string]map[int64]int
}

// tallyReceipt sums the receipt's lines per product and checks them against
// the units on the road of each line (onRoad, by product).
func tallyReceipt(id int64, lines []aforro.ReceiptLineInput, onRoad map[int64]int) (receiptTally, error) {
	t := receiptTally{accepted: map[int64]int{}, rejected: map[int64]int{}, byReason: map[string]map[int64]int{}}
	var errs aforro.FieldErrors
	for i, l := range lines {
		if _, ok := onRoad[l.ProductID]; !ok {
			errs.Add(fmt.Sprintf("lines[%d].product_id", i), fmt.Sprintf("product %d is not a line of transfer %d", l.ProductID, id))
			continue
		}
		if t.accepted[l.ProductID]+t.rejected[l.ProductID] == 0 && !slices.Contains(t.ids, l.ProductID) {
			t.ids = append(t.ids, l.ProductID)
		}
		t.accepted[l.ProductID] += l.Accepted
		t.rejected[l.ProductID] += l.Rejected
		if l.Rejected > 0 {
			if t.byReason[l.Reason] == nil {
				t.byReason[l.Reason] = map[int64]int{}
			}
			t.byReason[l.Reason][l.ProductID] += l.Rejected
		}
	}
	if err := errs.Err(); err != nil {
		return t, err
	}
	slices.Sort(t.ids)
	for _, p := range t.ids {
		if n := t.accepted[p] + t.rejected[p]; n > onRoad[p] {
			return t, aforro.Errorf(aforro.ECONFLICT,
				"The receipt settles %d units of product %d, but only %d of transfer %d's are still on the road.", n, p, onRoad[p], id)
		}
	}
	return t, nil
}

// recordReceipt writes the receipt with its lines as sent and adds them to
// the transfer's lines.
func recordReceipt(ctx context.Context, tx pgx.Tx, id int64, lines []aforro.ReceiptLineInput, got receiptTally) error {
	var receipt int64
	by := ActorFrom(ctx)
	if err := tx.QueryRow(ctx, `INSERT INTO transfer_receipts (transfer_id, token_id, source) VALUES ($1, $2, $3) RETURNING id`,
		id, by.token(), by.Source).Scan(&receipt); err != nil {
		return wrapError(err, "insert receipt")
	}
	ids := make([]int64, len(lines))
	acc := make([]int32, len(lines))
	rej := make([]int32, len(lines))
	reasons := make([]*string, len(lines))
	for i, l := range lines {
		ids[i], acc[i], rej[i] = l.ProductID, int32(l.Accepted), int32(l.Rejected)
		if l.Rejected > 0 {
			reasons[i] = &lines[i].Reason
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO transfer_receipt_lines (receipt_id, transfer_id, product_id, accepted, rejected, reason)
		SELECT $1, $2, l.product_id, l.accepted, l.rejected, l.reason
		  FROM unnest($3::bigint[], $4::int[], $5::int[], $6::text[]) WITH ORDINALITY AS l(product_id, accepted, rejected, reason, n)
		 ORDER BY l.n`, receipt, id, ids, acc, rej, reasons); err != nil {
		return wrapError(err, "insert receipt lines")
	}
	sumAcc := make([]int32, len(got.ids))
	sumRej := make([]int32, len(got.ids))
	for i, p := range got.ids {
		sumAcc[i], sumRej[i] = int32(got.accepted[p]), int32(got.rejected[p])
	}
	_, err := tx.Exec(ctx, `UPDATE transfer_lines tl SET received = tl.received + r.accepted, rejected = tl.rejected + r.rejected
		  FROM unnest($2::bigint[], $3::int[], $4::int[]) AS r(product_id, accepted, rejected)
		 WHERE tl.transfer_id = $1 AND tl.product_id = r.product_id`, id, got.ids, sumAcc, sumRej)
	return wrapError(err, "settle transfer lines")
}

// CancelTransfer cancels a draft, which touches no stock, or a shipped or
// partly received transfer, whose units still on the road return to the
// source's stock (ledger reason transfer_return). A received or cancelled
// transfer is ECONFLICT naming its status.
func (d *DB) CancelTransfer(ctx context.Context, id int64, allow TransferAccess) (aforro.Transfer, error) {
	res, err := d.keyed(ctx, nil, func(tx pgx.Tx) (aforro.Transfer, error) {
		h, err := lockTransfer(ctx, tx, id, allow)
		if err != nil {
			return aforro.Transfer{}, err
		}
		switch h.status {
		case aforro.TransferDraft:
		case aforro.TransferShipped, aforro.TransferPartiallyReceived:
			var ids []int64
			var back []int32
			if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(product_id ORDER BY product_id), '{}'),
				       coalesce(array_agg(in_transit ORDER BY product_id), '{}')
				  FROM transfer_lines WHERE transfer_id = $1 AND in_transit > 0`, id).Scan(&ids, &back); err != nil {
				return aforro.Transfer{}, wrapError(err, "read transfer lines")
			}
			// The source's rows exist: the shipment's ledger rows keep them.
			if _, err := lockStock(ctx, tx, h.source, ids); err != nil {
				return aforro.Transfer{}, err
			}
			if err := moveStock(ctx, tx, h.source, ids, back, Movement{Reason: aforro.ReasonTransferReturn, TransferID: id}); err != nil {
				return aforro.Transfer{}, err
			}
			if _, err := tx.Exec(ctx, `UPDATE transfer_lines SET returned = returned + in_transit
				WHERE transfer_id = $1 AND in_transit > 0`, id); err != nil {
				return aforro.Transfer{}, wrapError(err, "return transfer lines")
			}
		default:
			return aforro.Transfer{}, illegalChange(h, "cancelled")
		}
		return settle(ctx, tx, h, aforro.TransferCancelled, "cancelled_at = now(), cancelled_by_token_id = $3", aforro.EventTransferCancelled,
			ActorFrom(ctx).token())
	})
	return res.Transfer, wrapError(err, "cancel transfer")
}

// lockTransfer locks a transfer's row, which every change of it takes first,
// and asks allow whether the caller may change it.
func lockTransfer(ctx context.Context, tx pgx.Tx, id int64, allow TransferAccess) (transferHeader, error) {
	h := transferHeader{id: id}
	err := tx.QueryRow(ctx, `SELECT source_store_id, destination_store_id, status FROM transfers WHERE id = $1 FOR UPDATE`, id).
		Scan(&h.source, &h.destination, &h.status)
	if err != nil {
		return h, wrapError(err, "lock transfer", noRow("Transfer", id))
	}
	if allow != nil {
		if err := allow(h.source, h.destination); err != nil {
			return h, err
		}
	}
	return h, nil
}

// illegalChange is the ECONFLICT of a change h's status does not allow.
func illegalChange(h transferHeader, change string) error {
	allowed := map[string]string{
		"edited":    "only a draft can be edited",
		"shipped":   "only a draft can be shipped",
		"received":  "only a shipped or partially_received transfer can be received",
		"cancelled": "only a draft, shipped or partially_received transfer can be cancelled",
	}[change]
	return aforro.Errorf(aforro.ECONFLICT, "Transfer %d is %s; %s.", h.id, h.status, allowed)
}

// ensureInventoryRows inserts store's missing inventory rows of products
// (quantity 0), in product-id order, before the caller locks any stock row.
func ensureInventoryRows(ctx context.Context, tx pgx.Tx, store int64, products []int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity)
		SELECT $1, p, 0 FROM unnest($2::bigint[]) AS p
		 WHERE NOT EXISTS (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND i.product_id = p)
		 ORDER BY p
		    ON CONFLICT (store_id, product_id) DO NOTHING`, store, products)
	return wrapError(err, "create inventory rows")
}

// lockStock locks store's inventory rows of products in product-id order,
// as the order transaction does, and returns their quantities (absent rows
// have none).
func lockStock(ctx context.Context, tx pgx.Tx, store int64, products []int64) (map[int64]int, error) {
	rows, err := tx.Query(ctx, `SELECT product_id, quantity FROM inventory
		WHERE store_id = $1 AND product_id = ANY($2) ORDER BY product_id FOR UPDATE`, store, products)
	if err != nil {
		return nil, wrapError(err, "lock inventory")
	}
	have := map[int64]int{}
	var p int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&p, &n}, func() error { have[p] = n; return nil }); err != nil {
		return nil, wrapError(err, "lock inventory")
	}
	return have, nil
}

// settle moves h to status (setting the extra assignments, such as the
// status's timestamp), writes the event of the change in the same
// transaction and returns the transfer as it now is.
func settle(ctx context.Context, tx pgx.Tx, h transferHeader, status, set, event string, setArgs ...any) (aforro.Transfer, error) {
	if set != "" {
		set = ", " + set
	}
	if _, err := tx.Exec(ctx, `UPDATE transfers SET status = $2, updated_at = now()`+set+` WHERE id = $1`,
		append([]any{h.id, status}, setArgs...)...); err != nil {
		return aforro.Transfer{}, wrapError(err, "change transfer status")
	}
	t, err := getTransfer(ctx, tx, h.id)
	if err != nil {
		return t, err
	}
	var units, onRoad int
	for _, l := range t.Lines {
		units += l.Quantity
		onRoad += l.InTransit
	}
	payload := map[string]any{"transfer_id": t.ID, "status": t.Status, "from_status": h.status,
		"source_store_id": t.SourceStoreID, "destination_store_id": t.DestinationStoreID,
		"units": units, "in_transit": onRoad, "data": map[string]any{"transfer": t}}
	if len(t.Receipts) > 0 && event != aforro.EventTransferShipped && event != aforro.EventTransferCancelled {
		payload["receipt_id"] = t.Receipts[len(t.Receipts)-1].ID
	}
	return t, enqueue(ctx, tx, event, payload, false) // nothing to mail: webhooks only
}

// keyed runs fn in a retried transaction and encodes its transfer as the
// response; with a key, the first response is stored with the key and
// replayed for a retry with the same request (another request is
// ECONFLICT), as orders do.
func (d *DB) keyed(ctx context.Context, key *IdempotencyKey, fn func(pgx.Tx) (aforro.Transfer, error)) (TransferResult, error) {
	var res TransferResult
	err := d.retry(ctx, func(tx pgx.Tx) error {
		res = TransferResult{}
		if key != nil {
			claimed, err := claimKey(ctx, tx, key)
			if err != nil {
				return err
			}
			if !claimed {
				r, err := replay(ctx, tx, key)
				res.Response, res.Replayed = r.Response, r.Replayed
				return err
			}
		}
		t, err := fn(tx)
		if err != nil {
			return err
		}
		res.Transfer = t
		if res.Response, err = aforro.MarshalResponse(t); err != nil {
			return err
		}
		if key == nil {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET transfer_id = $3, response = $4 WHERE scope = $1 AND key = $2`,
			key.Scope, key.Key, t.ID, res.Response)
		return wrapError(err, "store idempotent response")
	})
	return res, err
}

// Transfer returns one transfer with its lines and receipts.
func (d *DB) Transfer(ctx context.Context, id int64) (aforro.Transfer, error) {
	t, err := getTransfer(ctx, d.Pool, id)
	return t, wrapError(err, "get transfer")
}

// TransferStores returns a transfer's source and destination, for
// authorising a read.
func (d *DB) TransferStores(ctx context.Context, id int64) (source, destination int64, err error) {
	err = d.Pool.QueryRow(ctx, `SELECT source_store_id, destination_store_id FROM transfers WHERE id = $1`, id).
		Scan(&source, &destination)
	return source, destination, wrapError(err, "get transfer stores", noRow("Transfer", id))
}

func getTransfer(ctx context.Context, q Querier, id int64) (aforro.Transfer, error) {
	var t aforro.Transfer
	err := q.QueryRow(ctx, `SELECT id, status, source_store_id, destination_store_id, note, reference,
		       created_at, updated_at, shipped_at, received_at, cancelled_at, source,
		       `+tokenRefSQL("created_by_token_id")+`, `+tokenRefSQL("shipped_by_token_id")+`, `+tokenRefSQL("cancelled_by_token_id")+`
		  FROM transfers WHERE id = $1`, id).Scan(&t.ID, &t.Status, &t.SourceStoreID, &t.DestinationStoreID,
		&t.Note, &t.Reference, &t.CreatedAt, &t.UpdatedAt, &t.ShippedAt, &t.ReceivedAt, &t.CancelledAt, &t.Source,
		&t.CreatedBy, &t.ShippedBy, &t.CancelledBy)
	if err != nil {
		return t, wrapError(err, "get transfer", noRow("Transfer", id))
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	for _, at := range []**time.Time{&t.ShippedAt, &t.ReceivedAt, &t.CancelledAt} {
		if *at != nil {
			u := (*at).UTC()
			*at = &u
		}
	}
	rows, err := q.Query(ctx, `SELECT l.product_id, p.title, l.quantity, l.received, l.rejected, l.returned, l.in_transit
		  FROM transfer_lines l JOIN products p ON p.id = l.product_id
		 WHERE l.transfer_id = $1 ORDER BY l.product_id`, id)
	if err != nil {
		return t, wrapError(err, "get transfer lines")
	}
	t.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.TransferLine, error) {
		var l aforro.TransferLine
		err := r.Scan(&l.ProductID, &l.ProductTitle, &l.Quantity, &l.Received, &l.Rejected, &l.Returned, &l.InTransit)
		return l, err
	})
	if err != nil {
		return t, wrapError(err, "get transfer lines")
	}
	rows, err = q.Query(ctx, `SELECT r.id, r.created_at, r.source, `+tokenRefSQL("r.token_id")+`,
		       l.product_id, l.accepted, l.rejected, coalesce(l.reason, '')
		  FROM transfer_receipts r JOIN transfer_receipt_lines l ON l.receipt_id = r.id
		 WHERE r.transfer_id = $1 ORDER BY r.id, l.id`, id)
	if err != nil {
		return t, wrapError(err, "get transfer receipts")
	}
	t.Receipts = []aforro.Receipt{}
	var rid int64
	var at time.Time
	var source string
	var by *aforro.TokenRef
	var rl aforro.ReceiptLine
	_, err = pgx.ForEachRow(rows, []any{&rid, &at, &source, &by, &rl.ProductID, &rl.Accepted, &rl.Rejected, &rl.Reason}, func() error {
		if n := len(t.Receipts); n == 0 || t.Receipts[n-1].ID != rid {
			t.Receipts = append(t.Receipts, aforro.Receipt{ID: rid, CreatedAt: at.UTC(), Source: source, ReceivedBy: by})
		}
		last := &t.Receipts[len(t.Receipts)-1]
		last.Lines = append(last.Lines, rl)
		return nil
	})
	return t, wrapError(err, "get transfer receipts")
}

// ListTransfers returns a page of a store's transfers, newest first (ties by
// id): those it ships (DirectionOut), receives (DirectionIn) or both,
// optionally of one status. Each direction walks its own index in that order
// (migration 011); both directions merge the two walks, which a store's
// transfers split between without overlap (a transfer's stores differ).
// An unknown store is ENOTFOUND.
func (d *DB) ListTransfers(ctx context.Context, f aforro.TransferFilter, req aforro.PageRequest) (aforro.Page[aforro.TransferSummary], error) {
	lq := listQuery{
		from:  `transfers t`,
		alias: "t",
		columns: `t.id, t.status, t.source_store_id, t.destination_store_id, t.reference, t.created_at, t.updated_at,
			(SELECT count(*) FROM transfer_lines WHERE transfer_id = t.id),
			(SELECT coalesce(sum(quantity), 0) FROM transfer_lines WHERE transfer_id = t.id),
			(SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE transfer_id = t.id)`,
		order:   []sortKey{{expr: "t.created_at", cast: "timestamptz", desc: true}, {expr: "t.id", cast: "bigint", desc: true}},
		missing: func(ctx context.Context) error { return storeExists(ctx, d.Pool, f.StoreID) },
	}
	switch f.Direction {
	case aforro.DirectionOut:
		lq.filter("t.source_store_id = ?", f.StoreID)
	case aforro.DirectionIn:
		lq.filter("t.destination_store_id = ?", f.StoreID)
	default:
		lq.from = `(SELECT * FROM transfers WHERE source_store_id = ?
			UNION ALL SELECT * FROM transfers WHERE destination_store_id = ?) t`
		lq.fromArgs = []any{f.StoreID, f.StoreID}
	}
	if f.Status != "" {
		lq.filter("t.status = ?", f.Status)
	}
	return listPage(ctx, d.Pool, req, lq, func(row pgx.Row) (aforro.TransferSummary, error) {
		var s aforro.TransferSummary
		err := row.Scan(&s.ID, &s.Status, &s.SourceStoreID, &s.DestinationStoreID, &s.Reference, &s.CreatedAt,
			&s.UpdatedAt, &s.LineCount, &s.TotalUnits, &s.InTransit)
		s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
		return s, err
	}, func(s aforro.TransferSummary) []string { return []string{timeKey(s.CreatedAt), itoa(s.ID)} })
}
