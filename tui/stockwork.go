package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Stock work on the Inventory screen's selected row: set the quantity or
// adjust it by a delta, each with a reason code and an optional note, and
// the row's ledger in a side panel.

// stockAction is what the stock form writes.
type stockAction int

const (
	actionSet    stockAction = iota // PUT: the quantity becomes this
	actionAdjust                    // POST adjust/: add this (negative removes)
)

// Fields of the stock form, in tab order.
const (
	sfQuantity = iota
	sfReason
	sfNote
	sfCount
)

// stockReasons are the codes a person gives, in the order space walks
// them; "initial" is the seed's and not offered.
var stockReasons = slices.DeleteFunc(aforro.StockReasons(), func(r string) bool { return r == aforro.ReasonInitial })

// stockForm is the form of one write. It keeps the idempotency key of the
// write it confirmed until an answer comes, so a retry after a lost answer
// writes once.
type stockForm struct {
	action     stockAction
	item       aforro.InventoryItem // the row as read: its quantity is the write's expected quantity
	stocked    bool                 // a row exists (a set of an unstocked product creates it)
	value      textinput.Model
	note       textinput.Model
	reason     int // into stockReasons
	field      int
	confirming bool
	sending    bool
	key        string
	amount     int // the parsed value, once confirmed
}

// newStockForm opens a form over item.
func newStockForm(c *programContext, action stockAction, item aforro.InventoryItem, stocked bool) *stockForm {
	f := &stockForm{action: action, item: item, stocked: stocked}
	prompt, placeholder := "Quantity: ", "units on hand"
	f.reason = slices.Index(stockReasons, aforro.ReasonCount)
	if action == actionAdjust {
		prompt, placeholder = "Change by: ", "+5 or -2"
		f.reason = slices.Index(stockReasons, aforro.ReasonReceived)
	}
	f.value = c.styles.newInput(prompt, placeholder, 11)
	f.value.Width = 12
	f.note = c.styles.newInput("Note: ", "optional", aforro.MaxMovementNote)
	f.note.Width = max(c.width-40, 10)
	f.value.Focus()
	return f
}

// verb names the write for sentences.
func (f *stockForm) verb() string {
	if f.action == actionSet {
		return "Set"
	}
	return "Adjust"
}

// parse checks the value: a set is a quantity 0 or more, an adjustment a
// change other than 0 that leaves the row at 0 or more.
func (f *stockForm) parse() (int, error) {
	s := strings.TrimPrefix(strings.TrimSpace(f.value.Value()), "+")
	n, err := strconv.Atoi(s)
	switch {
	case s == "":
		return 0, errors.New("type a number first")
	case err != nil:
		return 0, fmt.Errorf("%q is not a whole number", f.value.Value())
	case f.action == actionSet && (n < 0 || n > aforro.MaxStock):
		return 0, fmt.Errorf("a quantity is 0 to %d", aforro.MaxStock)
	case f.action == actionAdjust && n == 0:
		return 0, errors.New("a change of 0 changes nothing")
	case f.action == actionAdjust && (n < -aforro.MaxStock || n > aforro.MaxStock):
		return 0, fmt.Errorf("a change is at most %d either way", aforro.MaxStock)
	case f.action == actionAdjust && f.item.Quantity+n < 0:
		return 0, fmt.Errorf("the store has %d: it cannot give %d", f.item.Quantity, -n)
	}
	return n, nil
}

// after returns the quantity the write leaves.
func (f *stockForm) after() int {
	if f.action == actionSet {
		return f.amount
	}
	return f.item.Quantity + f.amount
}

// focus gives field i the focus.
func (f *stockForm) focus(i int) tea.Cmd {
	f.field = (i + sfCount) % sfCount
	f.value.Blur()
	f.note.Blur()
	switch f.field {
	case sfQuantity:
		return f.value.Focus()
	case sfNote:
		return f.note.Focus()
	}
	return nil
}

// stockWrittenMsg answers a stock write.
type stockWrittenMsg struct {
	result
	action   stockAction
	before   int
	item     aforro.InventoryItem
	reason   string
	replayed bool
}

// stockChangedMsg tells every screen a store's stock changed from this
// terminal (a write, a batch), so what shows it is stale.
type stockChangedMsg struct{}

// write sends the confirmed write, with the expected quantity the clerk saw
// and the form's key.
func (f *stockForm) write(c *programContext) tea.Cmd {
	if f.key == "" {
		f.key = client.NewIdempotencyKey()
	}
	f.sending = true
	storeID, item, action, amount, reason := c.store.ID, f.item, f.action, f.amount, stockReasons[f.reason]
	opts := client.StockOptions{IdempotencyKey: f.key, Note: strings.TrimSpace(f.note.Value())}
	if f.stocked {
		expected := item.Quantity
		opts.Expected = &expected
	}
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		msg := stockWrittenMsg{action: action, before: item.Quantity, reason: reason}
		var err error
		if action == actionSet {
			msg.item, _, msg.replayed, err = c.client.SetStockWith(ctx, storeID, item.ProductID, amount, reason, opts)
		} else {
			msg.item, msg.replayed, err = c.client.AdjustStockWith(ctx, storeID, item.ProductID, amount, reason, opts)
		}
		msg.err = err
		return msg
	}
}

// handleKey handles a key in the form; it reports whether the form is done
// with (closed without a write).
func (f *stockForm) handleKey(c *programContext, msg tea.KeyMsg) (tea.Cmd, bool) {
	k := c.keys
	if f.sending {
		return c.status(statusInfo, "Wait for the answer to the write being sent."), false
	}
	if f.confirming {
		switch {
		case key.Matches(msg, k.Yes):
			f.confirming = false
			return f.write(c), false
		case key.Matches(msg, k.No):
			f.confirming = false
			return nil, false
		}
		return nil, false
	}
	switch {
	case key.Matches(msg, k.Back):
		return nil, true
	case msg.Type == tea.KeyTab || msg.Type == tea.KeyDown:
		return f.focus(f.field + 1), false
	case msg.Type == tea.KeyShiftTab || msg.Type == tea.KeyUp:
		return f.focus(f.field - 1), false
	case key.Matches(msg, k.Submit):
		n, err := f.parse()
		if err != nil {
			return tea.Batch(f.focus(sfQuantity), c.status(statusWarn, "%s %s: %s.", f.verb(), f.item.ProductTitle, err)), false
		}
		if n != f.amount {
			f.key = "" // another write than the one that may be unanswered
		}
		f.amount, f.confirming = n, true
		return nil, false
	}
	switch f.field {
	case sfReason:
		switch {
		case key.Matches(msg, k.Toggle) && msg.Type == tea.KeyLeft:
			f.reason = (f.reason + len(stockReasons) - 1) % len(stockReasons)
		case key.Matches(msg, k.Toggle):
			f.reason = (f.reason + 1) % len(stockReasons)
		default:
			return nil, false
		}
		f.key = ""
		return nil, false
	case sfNote:
		before := f.note.Value()
		var cmd tea.Cmd
		f.note, cmd = f.note.Update(msg)
		if f.note.Value() != before {
			f.key = ""
		}
		return cmd, false
	}
	var cmd tea.Cmd
	f.value, cmd = f.value.Update(msg)
	return cmd, false
}

// question is the confirmation asked before the write.
func (f *stockForm) question() string {
	reason := stockReasons[f.reason]
	if f.action == actionSet {
		return fmt.Sprintf("Set %s from %d to %d (%s)? y/n", f.item.ProductTitle, f.item.Quantity, f.amount, reason)
	}
	return fmt.Sprintf("%s %+d: %d → %d (%s)? y/n", f.item.ProductTitle, f.amount, f.item.Quantity, f.after(), reason)
}

// view renders the form in two lines.
func (f *stockForm) view(st Styles, width int) string {
	head := st.Bold.Render(fmt.Sprintf("%s %s", f.verb(), f.item.ProductTitle)) +
		st.Dim.Render(fmt.Sprintf(" (now %d)  ", f.item.Quantity)) + f.value.View()
	reason := "Reason: ‹" + stockReasons[f.reason] + "›"
	if f.field == sfReason {
		reason = st.Bold.Render("Reason: [‹" + stockReasons[f.reason] + "›]")
	}
	second := reason + "  " + f.note.View()
	switch {
	case f.sending:
		second = st.Dim.Render("Writing…")
	case f.confirming:
		second = st.Warn.Render(f.question())
	}
	return spread(head, "", width) + "\n" + second
}

// ledger is the side panel of a row's movements, newest first.
type ledger struct {
	productID int64
	title     string
	rows      []aforro.StockMovement
	count     int
	loading   bool
	failed    bool
	missing   bool // the store does not stock the product
	seq       int
}

// ledgerLoadedMsg answers a ledger's load.
type ledgerLoadedMsg struct {
	result
	seq  int
	page aforro.Page[aforro.StockMovement]
}

// ledgerWidth is the side panel's width for a body of width.
func ledgerWidth(width int) int { return min(max(width*2/5, 30), 46) }

// load asks for the latest movements of product (a row of the store).
func (l *ledger) load(c *programContext, productID int64, title string, n int) tea.Cmd {
	if productID != l.productID {
		l.rows, l.count = nil, 0
	}
	l.productID, l.title, l.loading, l.failed, l.missing = productID, title, true, false, false
	l.seq++
	seq, storeID := l.seq, c.store.ID
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		page, err := c.client.ListMovements(ctx, storeID, productID, client.PageOptions{PageSize: n})
		return ledgerLoadedMsg{result: result{err}, seq: seq, page: page}
	}
}

// accept takes an answer; a 404 is a product the store does not stock.
func (l *ledger) accept(c *programContext, msg ledgerLoadedMsg) tea.Cmd {
	if msg.seq != l.seq {
		return nil
	}
	l.loading = false
	switch {
	case msg.err != nil && notFound(msg.err):
		l.rows, l.count, l.missing = nil, 0, true
	case msg.err != nil:
		l.failed = true
		return c.errorStatus("Load the history", msg.err)
	default:
		l.rows, l.count = msg.page.Results, msg.page.Count
	}
	return nil
}

// view renders the panel, width by height.
func (l *ledger) view(c *programContext, width, height int) string {
	st := c.styles
	lines := []string{st.Title.Render("History"), st.Bold.Render(l.title)}
	switch {
	case l.failed:
		lines = append(lines, st.Dim.Render("Could not be loaded; r tries again."))
	case l.loading && len(l.rows) == 0:
		lines = append(lines, st.Dim.Render("Loading…"))
	case l.missing:
		lines = append(lines, st.Dim.Render("Not stocked here."))
	case len(l.rows) == 0:
		lines = append(lines, st.Dim.Render("No movements yet."))
	}
	// Two lines a movement: what changed, then who and why.
	for _, mv := range l.rows {
		lines = append(lines, fmt.Sprintf("%s %5s → %d %s", mv.CreatedAt.In(c.location).Format("01-02 15:04"),
			fmt.Sprintf("%+d", mv.Delta), mv.QuantityAfter, mv.Reason))
		who := mv.Source
		if mv.Token != nil {
			who = mv.Token.Name
		}
		for _, s := range []string{mv.Reference, mv.Note} {
			if s != "" {
				who += " · " + s
			}
		}
		lines = append(lines, st.Dim.Render("  "+who))
	}
	if l.count > len(l.rows) {
		lines = append(lines, st.Dim.Render(fmt.Sprintf("the latest %d of %d", len(l.rows), l.count)))
	}
	return fit(strings.Join(lines, "\n"), width, height)
}
