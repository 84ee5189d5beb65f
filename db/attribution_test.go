package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// ledgerEntry is what attribution shows of a movement.
type ledgerEntry struct {
	Reason, Note, Reference, Source, Token string
}

func ledger(t *testing.T, d *db.DB, store, product int64, f aforro.MovementFilter) []ledgerEntry {
	t.Helper()
	page, err := d.ListMovements(context.Background(), store, product, f, aforro.PageRequest{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []ledgerEntry
	for i := len(page.Results) - 1; i >= 0; i-- { // oldest first
		m := page.Results[i]
		e := ledgerEntry{Reason: m.Reason, Note: m.Note, Reference: m.Reference, Source: m.Source}
		if m.Token != nil {
			e.Token = m.Token.Name
		}
		out = append(out, e)
	}
	return out
}

func tokenName(r *aforro.TokenRef) string {
	if r == nil {
		return ""
	}
	return r.Name
}

// TestAttributionOnEveryPath makes every kind of stock change under two
// tokens, the seed's and a job's actor and none, revokes a token, and reads
// who made each from the ledger, the order and the transfer.
func TestAttributionOnEveryPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := transferFixture(t)
	alice, _, err := d.CreateToken(ctx, "alice at the till", aforro.RoleStaff, nil)
	if err != nil {
		t.Fatal(err)
	}
	bob, _, err := d.CreateToken(ctx, "bob in the back", aforro.RoleStaff, nil)
	if err != nil {
		t.Fatal(err)
	}
	asAlice := db.WithActor(ctx, db.TokenActor(alice.ID))
	asBob := db.WithActor(ctx, db.TokenActor(bob.ID))
	asJob := db.WithActor(ctx, db.Actor{Source: aforro.SourceJob})

	if _, err := d.WriteStock(asAlice, db.StockWrite{StoreID: 1, ProductID: 1, Set: true, Quantity: 12,
		Movement: db.Movement{Reason: aforro.ReasonReceived, Reference: "DN-2211"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.WriteStock(asBob, db.StockWrite{StoreID: 1, ProductID: 1, Delta: -1,
		Movement: db.Movement{Reason: aforro.ReasonDamaged, Note: "dropped"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AdjustStock(asJob, 1, 1, 1, aforro.ReasonCorrection); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AdjustStock(ctx, 1, 1, 1, aforro.ReasonCount); err != nil { // no actor at all
		t.Fatal(err)
	}
	placed, err := d.PlaceOrder(asAlice, aforro.PlaceOrder{StoreID: 1, Items: []aforro.OrderLine{{ProductID: 1, QuantityRequested: 2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := d.CancelOrder(asBob, placed.Order.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A transfer whose steps are each taken by someone else.
	created, err := d.CreateTransfer(asAlice, aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 2,
		Lines: []aforro.TransferLineInput{line(2, 4)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := created.Transfer.ID
	if _, err := d.ShipTransfer(asBob, id, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReceiveTransfer(asAlice, id, aforro.ReceiveTransfer{Lines: []aforro.ReceiptLineInput{
		{ProductID: 2, Accepted: 1, Rejected: 1, Reason: aforro.RejectDamaged}}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CancelTransfer(asBob, id, nil); err != nil {
		t.Fatal(err)
	}

	// Revoking keeps the name on everything the token did.
	if err := d.RevokeToken(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	const a, b = "alice at the till", "bob in the back"
	api, job, internal := aforro.SourceAPI, aforro.SourceJob, aforro.SourceInternal
	want := []ledgerEntry{
		{Reason: "received", Reference: "DN-2211", Source: api, Token: a},
		{Reason: "damaged", Note: "dropped", Source: api, Token: b},
		{Reason: "correction", Source: job},
		{Reason: "count", Source: internal},
		{Reason: "order", Source: api, Token: a},
		{Reason: "cancel", Source: api, Token: b},
	}
	if diff := cmp.Diff(want, ledger(t, d, 1, 1, aforro.MovementFilter{})); diff != "" {
		t.Errorf("store 1, product 1 (-want +got):\n%s", diff)
	}
	// The fixture's row at store 1 was inserted by SQL: no movement yet.
	if diff := cmp.Diff([]ledgerEntry{
		{Reason: "transfer_out", Source: api, Token: b},
		{Reason: "transfer_return", Source: api, Token: b},
	}, ledger(t, d, 1, 2, aforro.MovementFilter{})); diff != "" {
		t.Errorf("store 1, product 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ledgerEntry{
		{Reason: "transfer_in", Source: api, Token: a},
		{Reason: "write_off_damaged", Source: api, Token: a},
	}, ledger(t, d, 2, 2, aforro.MovementFilter{})); diff != "" {
		t.Errorf("store 2, product 2 (-want +got):\n%s", diff)
	}

	// ?token_id= keeps one token's movements.
	if diff := cmp.Diff([]ledgerEntry{
		{Reason: "damaged", Note: "dropped", Source: api, Token: b},
		{Reason: "cancel", Source: api, Token: b},
	}, ledger(t, d, 1, 1, aforro.MovementFilter{TokenID: bob.ID})); diff != "" {
		t.Errorf("bob's movements (-want +got):\n%s", diff)
	}

	o, err := d.Order(ctx, placed.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tokenName(placed.Order.PlacedBy) != a || tokenName(o.PlacedBy) != a || tokenName(o.CancelledBy) != b ||
		tokenName(cancelled.CancelledBy) != b || o.Source != api {
		t.Errorf("order: placed by %+v (answer %+v), cancelled by %+v (answer %+v), source %q",
			o.PlacedBy, placed.Order.PlacedBy, o.CancelledBy, cancelled.CancelledBy, o.Source)
	}
	orders, err := d.ListOrders(ctx, aforro.OrderFilter{}, aforro.PageRequest{Page: 1, PageSize: 10})
	if err != nil || len(orders.Results) != 1 || tokenName(orders.Results[0].PlacedBy) != a {
		t.Errorf("order list: %+v, %v", orders.Results, err)
	}
	tr, err := d.Transfer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{tokenName(tr.CreatedBy), tokenName(tr.ShippedBy), tokenName(tr.CancelledBy), tr.Source}
	for _, r := range tr.Receipts {
		got = append(got, tokenName(r.ReceivedBy), r.Source)
	}
	if diff := cmp.Diff([]string{a, b, b, api, a, api}, got); diff != "" {
		t.Errorf("transfer's created, shipped, cancelled by, source, receipts (-want +got):\n%s", diff)
	}

	// A token that made changes cannot be deleted, so its name stays.
	if _, err := d.Pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1`, alice.ID); err == nil {
		t.Error("a token that made changes was deleted")
	}
}

// TestMovementsByTokenUseTheirIndex fills one row's ledger with many
// movements of which one token made a few: ?token_id= reads them from
// stock_movements_row_token_idx, in order, with no sort.
func TestMovementsByTokenUseTheirIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	plain, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	tok, _, err := plain.CreateToken(ctx, "counter", aforro.RoleStaff, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The others: a shop's tills and staff, each making its share.
	for i := range 50 {
		if _, _, err := plain.CreateToken(ctx, fmt.Sprintf("till %d", i), aforro.RoleStaff, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := plain.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 10)`); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Pool.Exec(ctx, `
		INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason, token_id, source)
		SELECT 1, 1, 0, 10, 10, 'count', CASE WHEN g % 1000 = 0 THEN $1::bigint ELSE $1::bigint + 1 + g % 50 END, 'api'
		  FROM generate_series(1, 30000) g`, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Pool.Exec(ctx, `ANALYZE stock_movements`); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"auto", "force_generic_plan"} {
		rec := newPlanRecorder(t, url, mode)
		for range 6 { // past the plan cache's switch to a generic plan
			page, err := rec.ListMovements(ctx, 1, 1, aforro.MovementFilter{TokenID: tok.ID}, aforro.PageRequest{Page: 1, PageSize: 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Results) != 20 || page.Results[0].Token == nil || page.Results[0].Token.ID != tok.ID {
				t.Fatalf("%s: %d movements, first by %+v", mode, len(page.Results), page.Results[0].Token)
			}
		}
		pages := 0
		for _, p := range rec.take() {
			// The statement spans lines: the recorder's Plan starts with the rest.
			if text := p.Query + p.Plan; !strings.Contains(text, "token_id = $3 ORDER BY m.id DESC LIMIT $4") {
				continue // not the page's statement
			}
			pages++
			_, plan, _ := strings.Cut(p.Plan, "ORDER BY m.id DESC\n")
			if !strings.Contains(plan, "Index Scan using stock_movements_row_token_idx") || strings.Contains(plan, "Sort") {
				t.Errorf("%s: the page is not read from its index in order:\n%s\n%s", mode, p.Query, p.Plan)
			}
		}
		if pages != 6 {
			t.Errorf("%s: %d page statements explained, want 6", mode, pages)
		}
	}
}

// TestLegacyReasonsMigrate writes free-text reasons in the schema before
// migration 012 and migrates: each becomes a code, the words kept in the
// note unless they were the code, and the rows are the legacy source's.
func TestLegacyReasonsMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	if err := db.MigrateTo(ctx, url, 11); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	old := []string{"initial", "order", "Count ", "delivery 2211", "stocktake March", "recount", "broken in transit",
		"stolen", "customer return", "restock from back room", "typo fix", "found in the back", "write_off_missing"}
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 10)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
		SELECT 1, 1, 0, 10, 10, r FROM unnest($1::text[]) WITH ORDINALITY AS r(r, n) ORDER BY n`, old); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	legacy := aforro.SourceLegacy
	want := []ledgerEntry{
		{Reason: "initial", Source: legacy},
		{Reason: "order", Source: legacy},
		{Reason: "count", Source: legacy},
		{Reason: "received", Note: "delivery 2211", Source: legacy},
		{Reason: "count", Note: "stocktake March", Source: legacy},
		{Reason: "count", Note: "recount", Source: legacy},
		{Reason: "damaged", Note: "broken in transit", Source: legacy},
		{Reason: "shrinkage", Note: "stolen", Source: legacy},
		{Reason: "return", Note: "customer return", Source: legacy},
		{Reason: "restock", Note: "restock from back room", Source: legacy},
		{Reason: "correction", Note: "typo fix", Source: legacy},
		{Reason: "other", Note: "found in the back", Source: legacy},
		{Reason: "write_off_missing", Source: legacy},
	}
	if diff := cmp.Diff(want, ledger(t, d, 1, 1, aforro.MovementFilter{})); diff != "" {
		t.Errorf("migrated ledger (-want +got):\n%s", diff)
	}
	// The schema's list of codes is the package's.
	for _, code := range aforro.LedgerReasons() {
		if got := dbtest.QueryInt(t, d, `SELECT count(*) FROM (SELECT legacy_reason_code($1)) c(c) WHERE c = $1`, code); got != 1 {
			t.Errorf("legacy_reason_code(%q) is not itself", code)
		}
	}
	// And back down: the free text returns.
	if err := db.MigrateTo(ctx, url, 11); err != nil {
		t.Fatal(err)
	}
	var back []string
	rows, err := d.Pool.Query(ctx, `SELECT reason FROM stock_movements ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		back = append(back, r)
	}
	old[2] = "count" // a code in another case came back as the code
	if diff := cmp.Diff(old, back); diff != "" {
		t.Errorf("reasons after migrating down (-want +got):\n%s", diff)
	}
}

// TestLedgerReasonsMatchTheSchema: each code the package lists is one the
// schema accepts, and an unknown one is refused.
func TestLedgerReasonsMatchTheSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) VALUES (1, 'Widget', 1, 1);
		INSERT INTO stores (id, name) VALUES (1, 'North');
		INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 10)`); err != nil {
		t.Fatal(err)
	}
	for _, code := range append(aforro.LedgerReasons(), "found") {
		_, err := d.Pool.Exec(ctx, `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
			VALUES (1, 1, 0, 10, 10, $1)`, code)
		if (err == nil) != (code != "found") {
			t.Errorf("reason %q: %v", code, err)
		}
	}
}
