package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// withTransfers gives store 1 transfers both ways, with fixed times:
//
//	#1  Harbour → Downtown   shipped    product 5 x4 (Downtown's first: an inventory row with 4 incoming)
//	#2  Downtown → Harbour   draft      product 1 x2, product 4 x5
//	#3  Downtown → Empty     cancelled  product 2 x1, shipped then cancelled (back in Downtown)
func withTransfers(t *testing.T, srv *testServer) {
	t.Helper()
	c := srv.client(t)
	ctx := context.Background()
	for _, tr := range []aforro.CreateTransfer{
		{SourceStoreID: 2, DestinationStoreID: 1, Reference: "R-12", Lines: []aforro.TransferLineInput{{ProductID: 5, Quantity: 4}}},
		{SourceStoreID: 1, DestinationStoreID: 2, Note: "for the weekend",
			Lines: []aforro.TransferLineInput{{ProductID: 1, Quantity: 2}, {ProductID: 4, Quantity: 5}}},
		{SourceStoreID: 1, DestinationStoreID: 3, Lines: []aforro.TransferLineInput{{ProductID: 2, Quantity: 1}}},
	} {
		if _, _, err := c.CreateTransfer(ctx, tr, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{1, 3} {
		if _, _, err := c.ShipTransfer(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CancelTransfer(ctx, 3); err != nil {
		t.Fatal(err)
	}
	const at = `('2026-03-01T09:00:00Z'::timestamptz + (id - 1) * interval '1 day 1 hour')`
	srv.Exec(t, `UPDATE transfers SET created_at = `+at+`, updated_at = `+at+` + interval '30 minutes',
  shipped_at = CASE WHEN shipped_at IS NOT NULL THEN `+at+` + interval '10 minutes' END,
  cancelled_at = CASE WHEN cancelled_at IS NOT NULL THEN `+at+` + interval '30 minutes' END`)
}

// startAt runs the TUI at width by height.
func startAt(t *testing.T, opts Options, width, height int) *teatest.TestModel {
	t.Helper()
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(width, height))
}

// transfersScreen returns the Transfers screen of m.
func transfersScreen(m *Model) *transfersModel { return m.screens[tabTransfers].(*transfersModel) }

// checkFits fails when the view is not exactly the terminal's height or a
// line is wider than it: the footer must never be pushed off.
func checkFits(t *testing.T, m *Model, width, height int) {
	t.Helper()
	lines := strings.Split(m.View(), "\n")
	if len(lines) != height {
		t.Errorf("%d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > width {
			t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, width, l)
		}
	}
}

// The screens of the Transfers tab, at 80x24 and 120x40, against golden
// files; at the smallest size only that they fit.
func TestTransferScreens(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withTransfers(t, srv)
	type step struct{ presses, wait []string }
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"list", nil},
		{"incoming only", []step{{[]string{"d"}, []string{"incoming (d)", "1 transfer"}}}},
		{"incoming shipment", []step{{[]string{"G", "enter"}, []string{"Transfer #1", "enter receive"}}}},
		{"receive form", []step{{[]string{"G", "enter"}, []string{"enter receive"}},
			{[]string{"enter", "right", "1", "right", "space"}, []string{"[missing]", "accept 3 · reject 1 · 0 left"}}}},
		{"outgoing draft", []step{{[]string{"j", "enter"}, []string{"Transfer #2", "enter ship"}}}},
		{"ship prompt", []step{{[]string{"j", "enter"}, []string{"enter ship"}},
			{[]string{"enter"}, []string{"Ship transfer #2? Its units leave Downtown now. y/n"}}}},
		{"cancelled", []step{{[]string{"enter"}, []string{"Transfer #3", "cancelled 11:30"}}}},
		{"new draft", []step{{[]string{"n"}, []string{"To: Harbour (#2)"}},
			{[]string{"tab", "4", "enter", "3", "enter"}, []string{"Added Go Programming: 3 in the draft."}}}},
		{"inventory incoming", []step{{[]string{"1"}, []string{"[1 Inventory", "INCOMING"}}}},
	} {
		for _, size := range [][2]int{{termWidth, termHeight}, {120, 40}, {minWidth, minHeight}} {
			name := fmt.Sprintf("%s %dx%d", tc.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := testOptions(srv.client(t))
				opts.StoreID = 1
				// The smallest size cuts the texts waited for: the steps run
				// at 80x24 and the terminal shrinks after.
				w, h := size[0], size[1]
				if w == minWidth {
					w, h = termWidth, termHeight
				}
				tm := startAt(t, opts, w, h)
				waitFor(t, tm, "5 products", "● online")
				keys(tm, "6")
				waitFor(t, tm, "3 transfers", "from Harbour")
				for _, st := range tc.steps {
					keys(tm, st.presses...)
					waitFor(t, tm, st.wait...)
				}
				if w != size[0] {
					tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				}
				m := finish(t, tm)
				checkFits(t, m, size[0], size[1])
				if size[0] != minWidth {
					requireGolden(t, m)
				}
			})
		}
	}
}

// TestTransferActions drives receive, ship, a refused ship, cancel and a new
// draft through a real server with a staff token of store 1, and checks the
// server's state after each.
func TestTransferActions(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withTransfers(t, srv)
	api := srv.client(t)
	ctx := context.Background()
	transfer := func(id int64) aforro.Transfer {
		t.Helper()
		tr, err := api.Transfer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	opts := testOptions(srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 1))))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "5 products", "● online")
	keys(tm, "6")
	waitFor(t, tm, "3 transfers", "from Harbour")

	// Receive #1 in two parts: 2 accepted and 1 missing, then the last one
	// with every unit accepted as the form starts.
	keys(tm, "G", "enter")
	waitFor(t, tm, "enter receive")
	keys(tm, "enter", "2", "right", "1", "right", "space")
	waitFor(t, tm, "accept 2 · reject 1 · 1 left")
	keys(tm, "enter")
	waitFor(t, tm, "Receive transfer #1: accept 2, reject 1? y/n")
	keys(tm, "n")
	waitFor(t, tm, "Transfer #1 is left as it is.")
	if tr := transfer(1); tr.Status != aforro.TransferShipped {
		t.Fatalf("after no, transfer 1 is %s", tr.Status)
	}
	keys(tm, "enter", "y")
	waitFor(t, tm, "Transfer #1 partially received: 2 received, 1 rejected in all.")
	tr := transfer(1)
	if l := tr.Lines[0]; tr.Status != aforro.TransferPartiallyReceived || l.Received != 2 || l.Rejected != 1 || l.InTransit != 1 {
		t.Errorf("after the first receipt: %s %+v", tr.Status, tr.Lines)
	}
	if len(tr.Receipts) != 1 || tr.Receipts[0].Lines[0].Reason != aforro.RejectMissing {
		t.Errorf("receipts %+v, want one rejecting 1 as missing", tr.Receipts)
	}
	if got := stock(t, api, 1, 5); got != 2 {
		t.Errorf("store 1 has %d of product 5, want 2", got)
	}
	keys(tm, "enter")
	waitFor(t, tm, "accept 1 · reject 0 · 0 left")
	keys(tm, "enter", "y")
	waitFor(t, tm, "Transfer #1 received: 3 received, 1 rejected in all.")
	if tr := transfer(1); tr.Status != aforro.TransferReceived {
		t.Errorf("transfer 1 is %s, want received", tr.Status)
	}
	if got := stock(t, api, 1, 5); got != 3 {
		t.Errorf("store 1 has %d of product 5, want 3", got)
	}

	// Ship the draft #2 from its details.
	keys(tm, "esc", "g", "j", "enter")
	waitFor(t, tm, "Transfer #2", "enter ship")
	keys(tm, "enter", "y")
	waitFor(t, tm, "Transfer #2 shipped: 7 units on the road to Harbour.")
	if tr := transfer(2); tr.Status != aforro.TransferShipped {
		t.Errorf("transfer 2 is %s, want shipped", tr.Status)
	}
	if a, b := stock(t, api, 1, 1), stock(t, api, 1, 4); a != 8 || b != 45 {
		t.Errorf("store 1 has %d of product 1 and %d of product 4, want 8 and 45", a, b)
	}

	// Cancel it from the list: its units come back.
	keys(tm, "esc")
	waitFor(t, tm, "#2  shipped")
	keys(tm, "c")
	waitFor(t, tm, "Cancel transfer #2? What is still on the road returns to Downtown. y/n")
	keys(tm, "y")
	waitFor(t, tm, "Transfer #2 cancelled: 7 units back in Downtown.")
	if tr := transfer(2); tr.Status != aforro.TransferCancelled {
		t.Errorf("transfer 2 is %s, want cancelled", tr.Status)
	}
	if a, b := stock(t, api, 1, 1), stock(t, api, 1, 4); a != 10 || b != 50 {
		t.Errorf("store 1 has %d of product 1 and %d of product 4, want 10 and 50", a, b)
	}

	// A new draft of what the store does not have: created, then refused
	// on shipping, the short line named and nothing changed.
	keys(tm, "n")
	waitFor(t, tm, "To: Harbour (#2)")
	keys(tm, "tab", "3", "enter", "1", "enter")
	waitFor(t, tm, "Added Gaming Laptop: 1 in the draft.")
	keys(tm, "tab", "tab", "enter")
	waitFor(t, tm, "Create a draft to Harbour: 1 line, 1 unit? y/n")
	keys(tm, "y")
	waitFor(t, tm, "Draft transfer #4 to Harbour created: 1 unit. enter ships it.")
	keys(tm, "enter", "y")
	waitFor(t, tm, "Transfer #4 was not shipped: Downtown is short of 1 line (marked).", "short: the store has 0")
	if tr := transfer(4); tr.Status != aforro.TransferDraft || tr.DestinationStoreID != 2 ||
		len(tr.Lines) != 1 || tr.Lines[0].ProductID != 3 || tr.Lines[0].Quantity != 1 {
		t.Errorf("transfer 4: %+v, want a draft to store 2 of 1 of product 3", tr)
	}
	// Cancel the draft from its details.
	keys(tm, "c", "y")
	waitFor(t, tm, "Transfer #4 cancelled: it was a draft, no stock moved.")
	m := finish(t, tm)
	if tr := transfer(4); tr.Status != aforro.TransferCancelled {
		t.Errorf("transfer 4 is %s, want cancelled", tr.Status)
	}
	s := transfersScreen(m)
	if s.mode != transferDetail || s.detail == nil || s.detail.Status != aforro.TransferCancelled || s.pending != "" {
		t.Errorf("mode %v, detail %+v, pending %q; want the cancelled transfer 4 shown", s.mode, s.detail, s.pending)
	}
}

// The footer offers only the keys that act on the transfer shown, from the
// chosen store's side.
func TestTransferKeysFollowState(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	m.ctx.store = aforro.Store{ID: 1, Name: "Downtown"}
	s := transfersScreen(m)
	s.mode = transferDetail
	for _, tc := range []struct {
		status      string
		source, dst int64
		want        string
	}{
		{aforro.TransferDraft, 1, 2, "enter ship|c cancel|esc back|r refresh"},
		{aforro.TransferDraft, 2, 1, "esc back|r refresh"},
		{aforro.TransferShipped, 1, 2, "c cancel|esc back|r refresh"},
		{aforro.TransferShipped, 2, 1, "enter receive|esc back|r refresh"},
		{aforro.TransferPartiallyReceived, 2, 1, "enter receive|esc back|r refresh"},
		{aforro.TransferReceived, 2, 1, "esc back|r refresh"},
		{aforro.TransferCancelled, 1, 2, "esc back|r refresh"},
	} {
		s.detail = &aforro.Transfer{ID: 9, Status: tc.status, SourceStoreID: tc.source, DestinationStoreID: tc.dst}
		var got []string
		for _, b := range s.help().short {
			got = append(got, b.Help().Key+" "+b.Help().Desc)
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%s from %d to %d: keys %q, want %q", tc.status, tc.source, tc.dst, g, tc.want)
		}
		// A key that is not offered does nothing: no prompt opens.
		s.prompt = transferPrompt{}
		s.handleKey(tea.KeyMsg{Type: tea.KeyEnter})
		if offered := strings.Contains(tc.want, "enter ship"); offered != (s.prompt.action == "ship") {
			t.Errorf("%s from %d to %d: enter opened prompt %q", tc.status, tc.source, tc.dst, s.prompt.action)
		}
		s.mode, s.prompt = transferDetail, transferPrompt{}
	}
}

// The list goes on by the API's cursor: page 2 is asked with the cursor
// page 1 gave, and the way back too.
func TestTransferListPages(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withTransfers(t, srv)
	opts := testOptions(srv.client(t))
	opts.StoreID, opts.PageSize = 1, 2
	tm := start(t, opts)
	waitFor(t, tm, "5 products", "● online")
	keys(tm, "6")
	waitFor(t, tm, "Page 1 of 2 · 3 transfers", "to Harbour")
	keys(tm, "]")
	waitFor(t, tm, "Page 2 of 2 · 3 transfers", "from Harbour")
	m := finish(t, tm)
	s := transfersScreen(m)
	if got := s.list.page.Results; len(got) != 1 || got[0].ID != 1 || !s.list.page.Cursored || len(s.list.cursors) != 1 {
		t.Errorf("page 2: %+v, cursored %v, cursors %q; want transfer 1 alone, asked by cursor", got, s.list.page.Cursored, s.list.cursors)
	}
}

// When the server does not answer a ship, the status line says it may or
// may not have happened and the screen stays as it was; the same keys
// again ship it, once.
func TestTransferShipUnanswered(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withTransfers(t, srv)
	api := srv.client(t)
	opts := testOptions(srv.client(t, client.WithRetries(0)))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "5 products", "● online")
	keys(tm, "6")
	waitFor(t, tm, "3 transfers", "to Harbour")
	keys(tm, "j", "enter")
	waitFor(t, tm, "Transfer #2", "enter ship")
	srv.down.Store(true)
	keys(tm, "enter", "y")
	waitFor(t, tm, "No answer from the server; the shipment may or may not be made.")
	srv.down.Store(false)
	waitFor(t, tm, "● online")
	keys(tm, "enter", "y")
	waitFor(t, tm, "Transfer #2 shipped: 7 units on the road to Harbour.")
	m := finish(t, tm)
	if a, b := stock(t, api, 1, 1), stock(t, api, 1, 4); a != 8 || b != 45 {
		t.Errorf("store 1 has %d of product 1 and %d of product 4, want 8 and 45: shipped once", a, b)
	}
	if s := transfersScreen(m); s.key != "" || s.detail == nil || s.detail.Status != aforro.TransferShipped {
		t.Errorf("key %q kept, detail %+v; want no key, transfer 2 shipped", s.key, s.detail)
	}
}
