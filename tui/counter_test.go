package tui

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Codes of the counter's tests: the laptop's SKU and EAN-13, the mouse's
// EAN-8, and an EAN-13 the book and the skillet share.
const (
	laptopEAN = "5901234123457"
	mouseEAN8 = "96385074"
	sharedEAN = "4006381333931"
)

// newCounterServer is a test server whose products have codes, and whose
// mouse at store 1 has a history.
func newCounterServer(t *testing.T) *testServer {
	t.Helper()
	srv := newTestServer(t)
	srv.Exec(t, `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason, reference, created_at)
		SELECT 1, 2, 1, g - 1, g, 'received', 'DN-' || g, timestamptz '2026-02-01 09:00Z' + g * interval '1 hour'
		  FROM generate_series(1, 3) g`)
	c := srv.client(t)
	for id, in := range map[int64]aforro.ProductInput{
		1: {SKU: ptr("LAP-15"), Barcodes: &[]string{laptopEAN}},
		2: {Barcodes: &[]string{mouseEAN8}},
		4: {Barcodes: &[]string{sharedEAN}},
		5: {Barcodes: &[]string{sharedEAN}},
	} {
		if _, err := c.UpdateProduct(context.Background(), id, in); err != nil {
			t.Fatalf("codes of product %d: %v", id, err)
		}
	}
	return srv
}

// startCounter runs the TUI with opts and waits for store 1's inventory.
func startCounter(t *testing.T, opts Options) *teatest.TestModel {
	t.Helper()
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse", "● online")
	return tm
}

// goTo presses a screen's number and waits for its title.
func goTo(t *testing.T, tm *teatest.TestModel, screen, title string) {
	t.Helper()
	keys(tm, screen)
	waitFor(t, tm, title)
}

func ptr[T any](v T) *T { return &v }

// counterOptions are testOptions for a scanner: keys 100 ms apart are one
// burst when the gap is 2 s, so a loaded test machine never splits a scan
// in two. A test that types by hand gives a slower clock.
func counterOptions(srv *testServer, t *testing.T) Options {
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	opts.ScanGap = 2 * time.Second
	return opts
}

// scan sends code one character at a time, then Enter, with no pause
// between them: a scanner's burst.
func scan(tm *teatest.TestModel, code string) {
	for _, r := range code {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
}

// scanWait scans code and waits for what its answer says: a clerk scans
// at the pace the screen answers, and the answers of scans in flight
// together may come back in any order.
func scanWait(t *testing.T, tm *teatest.TestModel, code, want string) {
	t.Helper()
	scan(tm, code)
	waitFor(t, tm, want)
}

// stockOf returns the store's quantity of a product, and its latest movement.
func stockOf(t *testing.T, srv *testServer, store, product int64) (int, aforro.StockMovement) {
	t.Helper()
	c := srv.client(t)
	it, err := c.InventoryItem(context.Background(), store, product)
	if err != nil {
		t.Fatalf("stock of %d at %d: %v", product, store, err)
	}
	page, err := c.ListMovements(context.Background(), store, product, client.PageOptions{PageSize: 1})
	if err != nil {
		t.Fatalf("movements of %d at %d: %v", product, store, err)
	}
	if len(page.Results) == 0 {
		return it.Quantity, aforro.StockMovement{}
	}
	return it.Quantity, page.Results[0]
}

// TestScanOrTyping: the same characters and Enter are a scan when they come
// as a scanner sends them and commands when a person types them.
func TestScanOrTyping(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	for _, tc := range []struct {
		name   string
		step   time.Duration // between two keys
		lookup bool
		tab    tab
	}{
		{"a burst is a scan", 5 * time.Millisecond, true, tabInventory},
		// Typed, "4" goes to Orders (where nothing is held) and the rest
		// are keys of Orders.
		{"typed keys are commands", 3 * time.Second, false, tabOrders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := counterOptions(srv, t)
			opts.KeyClock = stepClock(tc.step)
			before := srv.requests("/api/products/lookup/")
			tm := startCounter(t, opts)
			scan(tm, "4004")
			if tc.lookup {
				waitFor(t, tm, "No product has the code 4004.")
			} else {
				waitFor(t, tm, "[4 Orders]")
			}
			m := finish(t, tm)
			if got := srv.requests("/api/products/lookup/") - before; (got > 0) != tc.lookup || m.active != tc.tab {
				t.Errorf("lookups %d, screen %v; want lookup %v on %v", got, m.active, tc.lookup, tc.tab)
			}
		})
	}
}

// TestCounterScreens draws each new screen of the counter at 80x24.
func TestCounterScreens(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	for _, tc := range []struct {
		name  string
		drive func(t *testing.T, tm *teatest.TestModel)
	}{
		{"scan on inventory", func(t *testing.T, tm *teatest.TestModel) {
			scan(tm, laptopEAN)
			waitFor(t, tm, "Laptop Pro 15: 10 units in stock.")
		}},
		{"ambiguous scan", func(t *testing.T, tm *teatest.TestModel) {
			scan(tm, sharedEAN)
			waitFor(t, tm, "names 2 products", "NOT STOCKED")
		}},
		{"set form", func(t *testing.T, tm *teatest.TestModel) {
			scan(tm, mouseEAN8)
			waitFor(t, tm, "Wireless Mouse: 3 units in stock.")
			keys(tm, "e", "12", "tab", "space", "tab", "recount")
			waitFor(t, tm, "recount")
		}},
		{"adjust question", func(t *testing.T, tm *teatest.TestModel) {
			keys(tm, "d", "5", "enter")
			waitFor(t, tm, "Gaming Laptop +5: 0 → 5 (received)? y/n")
		}},
		{"ledger", func(t *testing.T, tm *teatest.TestModel) {
			keys(tm, "G", "h")
			waitFor(t, tm, "History", "02-01 12:00")
		}},
		{"receive sheet", func(t *testing.T, tm *teatest.TestModel) {
			goTo(t, tm, "7", "Receive into Downtown")
			scanWait(t, tm, laptopEAN, "Laptop Pro 15: 1 received.")
			scanWait(t, tm, laptopEAN, "Laptop Pro 15: 2 received.")
			scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 received.")
			keys(tm, "n", "DN-881", "enter")
			waitFor(t, tm, "ref DN-881")
		}},
		{"count review", func(t *testing.T, tm *teatest.TestModel) {
			goTo(t, tm, "8", "Count at Downtown")
			scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 counted.")
			scanWait(t, tm, mouseEAN8, "Wireless Mouse: 2 counted.")
			keys(tm, "a", "5", "enter")
			waitFor(t, tm, "Cast Iron Skillet: 1 counted.")
			keys(tm, "enter")
			waitFor(t, tm, "Review: set 2 products")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := startCounter(t, counterOptions(srv, t))
			tc.drive(t, tm)
			m := finish(t, tm)
			checkFits(t, m, termWidth, termHeight)
			requireGolden(t, m)
		})
	}
}

// TestCounterStockWork sets and adjusts a row through the real server, and
// meets a write that someone else's change made stale.
func TestCounterStockWork(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	tm := startCounter(t, counterOptions(srv, t))

	scan(tm, mouseEAN8)
	waitFor(t, tm, "Wireless Mouse: 3 units in stock.")
	keys(tm, "e", "12", "enter")
	waitFor(t, tm, "Set Wireless Mouse from 3 to 12 (count)? y/n")
	keys(tm, "y")
	waitFor(t, tm, "Wireless Mouse: 3 → 12 (count).")
	if q, mv := stockOf(t, srv, 1, 2); q != 12 || mv.Reason != aforro.ReasonCount || mv.Delta != 9 {
		t.Errorf("after the set: %d, last movement %+v; want 12 by count", q, mv)
	}

	// Adjust: received, space three times is damaged; a note.
	keys(tm, "d", "-2", "tab", "space", "space", "space", "tab", "dropped", "enter")
	waitFor(t, tm, "Wireless Mouse -2: 12 → 10 (damaged)? y/n")
	keys(tm, "y")
	waitFor(t, tm, "Wireless Mouse: 12 → 10 (damaged).")
	if q, mv := stockOf(t, srv, 1, 2); q != 10 || mv.Reason != aforro.ReasonDamaged || mv.Note != "dropped" {
		t.Errorf("after the adjustment: %d, last movement %+v; want 10, damaged, dropped", q, mv)
	}

	// The ledger beside the table shows both, newest first.
	keys(tm, "h")
	waitFor(t, tm, "History", "damaged", "count")

	// An adjustment past what the store has is refused before it is sent.
	keys(tm, "d", "-100", "enter")
	waitFor(t, tm, "the store has 10: it cannot give 100")
	keys(tm, "esc")

	// Someone else changes the row between the form and the y: nothing is
	// written, and the row shows what the store holds.
	keys(tm, "e", "5", "enter")
	waitFor(t, tm, "Set Wireless Mouse from 10 to 5 (count)? y/n")
	if _, _, err := srv.client(t).SetStock(context.Background(), 1, 2, 7, aforro.ReasonReceived); err != nil {
		t.Fatal(err)
	}
	keys(tm, "y")
	waitFor(t, tm, "Wireless Mouse changed meanwhile: it holds 7 now, not 10. Nothing was written")
	if q, _ := stockOf(t, srv, 1, 2); q != 7 {
		t.Errorf("after the stale write: %d, want 7 (the other write's)", q)
	}
	m := finish(t, tm)
	inv := m.screens[tabInventory].(*inventoryModel)
	if it, _, _ := inv.selectedItem(); it.Quantity != 7 || inv.form != nil {
		t.Errorf("the row shows %d (form open %v); want 7, the form closed", it.Quantity, inv.form != nil)
	}
}

// TestCounterOrderScan: on the Order screen each scan adds one; a code of
// two products adds neither.
func TestCounterOrderScan(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	tm := startCounter(t, counterOptions(srv, t))
	goTo(t, tm, "3", "Basket for Downtown")
	scanWait(t, tm, mouseEAN8, "Added Wireless Mouse: 1 in the basket.")
	scanWait(t, tm, mouseEAN8, "Added Wireless Mouse: 2 in the basket.")
	scanWait(t, tm, "lap-15", "Added Laptop Pro 15: 1 in the basket.") // the SKU, in any case
	scanWait(t, tm, sharedEAN, "Code 4006381333931 names 2 products")
	scanWait(t, tm, "73513537", "No product has the code 73513537.")
	m := finish(t, tm)
	if got := len(m.order.lines); got != 2 || m.order.units() != 3 {
		t.Errorf("basket %d lines, %d units; want 2 lines, 3 units", got, m.order.units())
	}
}

// TestCounterReceive receives a delivery as one batch: scanned units, one
// entered by id, the delivery note on every row.
func TestCounterReceive(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	tm := startCounter(t, counterOptions(srv, t))
	goTo(t, tm, "7", "Receive into Downtown")
	scanWait(t, tm, laptopEAN, "Laptop Pro 15: 1 received.")
	scanWait(t, tm, laptopEAN, "Laptop Pro 15: 2 received.")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 received.")
	keys(tm, "a", "4", "enter") // by id: the book's code names two products
	waitFor(t, tm, "Go Programming: 1 received.")
	keys(tm, "+", "n", "DN-881", "enter") // + on the line just added
	waitFor(t, tm, "ref DN-881", "5 units")

	// Picked on Search: R puts it on the sheet.
	goTo(t, tm, "2", "[2 Search]")
	keys(tm, "skillet", "enter")
	waitFor(t, tm, "Cast Iron Skillet")
	keys(tm, "R")
	waitFor(t, tm, "Cast Iron Skillet: 1 received on the Receive sheet (7).")
	goTo(t, tm, "7", "4 products, 6 units")

	keys(tm, "q")
	waitFor(t, tm, "The receive sheet holds 4 products, which will be lost. Quit anyway? y/n")
	keys(tm, "n")

	keys(tm, "enter")
	waitFor(t, tm, "Review: add these")
	keys(tm, "y")
	waitFor(t, tm, "Received 6 units of 4 products.")
	for _, w := range []struct {
		product int64
		qty     int
	}{{1, 12}, {2, 4}, {4, 52}, {5, 1}} {
		q, mv := stockOf(t, srv, 1, w.product)
		if q != w.qty || mv.Reason != aforro.ReasonReceived || mv.Reference != "DN-881" {
			t.Errorf("product %d: %d, last movement %+v; want %d, received, DN-881", w.product, q, mv, w.qty)
		}
	}
	m := finish(t, tm)
	if sh := m.screens[tabReceive].(*sheetModel); len(sh.lines) != 0 {
		t.Errorf("the sheet keeps %d lines after the commit", len(sh.lines))
	}
}

// TestCounterCount counts a shelf: only the counts that differ are written,
// with reason count; a product the store did not stock gets its first row.
func TestCounterCount(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	tm := startCounter(t, counterOptions(srv, t))
	goTo(t, tm, "8", "Count at Downtown")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 counted.")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 2 counted.")
	for i := range 10 {
		scanWait(t, tm, "LAP-15", fmt.Sprintf("Laptop Pro 15: %d counted.", i+1))
	}
	keys(tm, "a", "5", "enter")
	waitFor(t, tm, "Cast Iron Skillet: 1 counted.")
	keys(tm, "enter")
	waitFor(t, tm, "Review: set 2 products", "matches", "new here")
	keys(tm, "y")
	waitFor(t, tm, "Count committed: 2 products corrected, 1 matched.")
	if q, mv := stockOf(t, srv, 1, 2); q != 2 || mv.Reason != aforro.ReasonCount {
		t.Errorf("mouse: %d, last movement %+v; want 2 by count", q, mv)
	}
	if q, mv := stockOf(t, srv, 1, 5); q != 1 || mv.Reason != aforro.ReasonCount {
		t.Errorf("skillet: %d, last movement %+v; want 1 by count", q, mv)
	}
	if _, mv := stockOf(t, srv, 1, 1); mv.Reason == aforro.ReasonCount {
		t.Errorf("the laptop's count matched, yet it has a count movement: %+v", mv)
	}
	finish(t, tm)
}

// TestCounterSheetRejected: a sheet whose batch the server refuses writes
// nothing at all, names the line, and keeps the sheet.
func TestCounterSheetRejected(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	c := srv.client(t)
	p, err := c.CreateProduct(context.Background(), aforro.ProductInput{Title: ptr("Tea Towel"),
		Price: ptr(aforro.Money(450)), CategoryID: ptr(int64(3))})
	if err != nil {
		t.Fatal(err)
	}
	tm := startCounter(t, counterOptions(srv, t))
	goTo(t, tm, "7", "Receive into Downtown")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 received.")
	keys(tm, "a", fmt.Sprint(p.ID), "enter")
	waitFor(t, tm, "Tea Towel: 1 received.")
	if err := c.DeleteProduct(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	keys(tm, "enter")
	waitFor(t, tm, "Review: add these")
	keys(tm, "y")
	waitFor(t, tm, "Nothing was written: Tea Towel:")
	if q, _ := stockOf(t, srv, 1, 2); q != 3 {
		t.Errorf("the mouse holds %d after a refused batch, want 3 (untouched)", q)
	}
	m := finish(t, tm)
	if sh := m.screens[tabReceive].(*sheetModel); len(sh.lines) != 2 || sh.lines[1].problem == "" {
		t.Errorf("the sheet after the refusal: %+v; want both lines kept, the towel's problem named", sh.lines)
	}
}

// TestCounterReceiveAnswerLost: the batch is written but its answer lost;
// y again, even after reviewing again, receives the delivery once.
func TestCounterReceiveAnswerLost(t *testing.T) {
	t.Parallel()
	srv := newCounterServer(t)
	opts := counterOptions(srv, t)
	opts.Client = srv.client(t, client.WithRetries(0))
	tm := startCounter(t, opts)
	goTo(t, tm, "7", "Receive into Downtown")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 1 received.")
	scanWait(t, tm, mouseEAN8, "Wireless Mouse: 2 received.")
	keys(tm, "enter")
	waitFor(t, tm, "Review: add these")
	// Two: net/http retries a keyed POST once by itself on a connection
	// that was reused, and that answer is lost too.
	lose := new(atomic.Int32)
	lose.Store(2)
	srv.loseAnswer.Store("/api/stores/1/inventory/batch/", lose)
	keys(tm, "y")
	waitFor(t, tm, "No answer: the sheet may or may not be written.")
	lose.Store(0)
	if q, _ := stockOf(t, srv, 1, 2); q != 5 {
		t.Fatalf("the mouse holds %d after the lost answer, want 5: the batch was written", q)
	}
	// Until it is answered the sheet does not change: committed then, its
	// rows would be written twice.
	scanWait(t, tm, mouseEAN8, "Wireless Mouse was not added.")
	keys(tm, "esc")
	waitFor(t, tm, "Scan each unit")
	keys(tm, "enter") // review again: the store holds 5 now
	waitFor(t, tm, "Review: add these")
	keys(tm, "y")
	waitFor(t, tm, "Received 2 units of 1 product (retried, written once).")
	if q, _ := stockOf(t, srv, 1, 2); q != 5 {
		t.Errorf("the mouse holds %d, want 5: 3 and the delivery of 2 once", q)
	}
	finish(t, tm)
}
