package tui

import (
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

// The Receive and Count screens are one model, a sheet: products scanned
// (or entered by code) with a number each, reviewed against what the system
// holds, then committed as one stock batch, all or nothing. Receive adds
// the numbers (reason "received"); Count sets each counted product whose
// count differs (reason "count").

// sheetKind is which of the two sheets a model is.
type sheetKind int

const (
	sheetReceive sheetKind = iota
	sheetCount
)

// sheetLine is one product on a sheet.
type sheetLine struct {
	productID int64
	title     string
	system    *int // the store's quantity when last read; nil: it stocks none
	qty       int  // received, or counted
	problem   string
}

// systemQty returns the store's quantity, 0 for a product it stocks none of.
func (l sheetLine) systemQty() int {
	if l.system == nil {
		return 0
	}
	return *l.system
}

// sheetModel is the Receive or the Count screen.
type sheetModel struct {
	ctx   *programContext
	kind  sheetKind
	lines []sheetLine
	table table

	field   textinput.Model // the code, quantity or reference being typed
	editing sheetField

	reference string // the delivery note (receive) or the count's label, on every row

	reviewing  bool // the review is shown; y commits it
	refreshing bool // the system's quantities are being read for the review
	refreshSeq int
	committing bool
	unanswered bool   // the last commit got no answer
	key        string // the batch's idempotency key, kept until an answer comes
	keyFor     string // the rows the key was made for (batchText)
	confirmX   bool   // "empty the sheet?" is asked
}

// sheetField is the field of the sheet that has the focus.
type sheetField int

const (
	fieldNone sheetField = iota
	fieldCode
	fieldQty
	fieldReference
)

// newSheet returns an empty sheet of kind.
func newSheet(ctx *programContext, kind sheetKind) *sheetModel {
	m := &sheetModel{ctx: ctx, kind: kind}
	m.table = newTable(m.emptyText(), m.columns()...)
	return m
}

// tab returns the sheet's screen.
func (m *sheetModel) tab() tab {
	if m.kind == sheetReceive {
		return tabReceive
	}
	return tabCountSheet
}

// noun is what the sheet's numbers are.
func (m *sheetModel) noun() string {
	if m.kind == sheetReceive {
		return "RECEIVED"
	}
	return "COUNTED"
}

func (m *sheetModel) emptyText() string {
	if m.kind == sheetReceive {
		return "Nothing received yet: scan each unit of the delivery, or press a to enter a code."
	}
	return "Nothing counted yet: scan each unit on the shelf, or press a to enter a code."
}

// columns are the sheet's columns, or the review's.
func (m *sheetModel) columns() []column {
	last := "AFTER"
	if m.kind == sheetCount {
		last = "DIFF"
	}
	return []column{{title: "ID", right: true}, {title: "PRODUCT", flex: true}, {title: "IN STOCK", right: true},
		{title: m.noun(), right: true}, {title: last, right: true}, {title: ""}}
}

// scanned adds one unit of the product a scan names.
func (m *sheetModel) scanned(code string) tea.Cmd {
	return lookupCode(m.ctx, m.tab(), code, false)
}

// busy reports whether the sheet must not change now: while it is being
// committed or read, and while a commit is unanswered (it may have been
// written: a changed sheet committed then would write its rows twice).
func (m *sheetModel) busy() bool { return m.committing || m.refreshing || m.unanswered }

// busyStatus says why the sheet cannot change now; prefix says what did
// not happen.
func (m *sheetModel) busyStatus(prefix string) tea.Cmd {
	if m.unanswered {
		return m.ctx.status(statusWarn, "%sThe last commit is unanswered: review (enter) and y to try it again first; it writes at most once.", prefix)
	}
	return m.ctx.status(statusInfo, "%sWait for the %s sheet being committed or read.", prefix, strings.ToLower(m.tab().String()))
}

// update handles answers and, when shown, keys.
func (m *sheetModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case codeLookedUpMsg:
		if msg.target == m.tab() {
			return m.found(msg)
		}
	case addToSheetMsg:
		if msg.target == m.tab() {
			return m.addUnit(msg.productID, msg.title, msg.system, true)
		}
	case sheetRefreshedMsg:
		if msg.tab == m.tab() {
			return m.refreshed(msg)
		}
	case batchDoneMsg:
		if msg.tab == m.tab() {
			return m.committed(msg)
		}
	case storeChosenMsg:
		m.lines, m.reviewing, m.key, m.reference, m.unanswered = nil, false, "", "", false
		m.setRows()
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// found adds one unit of the product a code named.
func (m *sheetModel) found(msg codeLookedUpMsg) tea.Cmd {
	p, problem := oneProduct(m.ctx, msg, "enter one by its id (a)")
	if problem != nil {
		return problem
	}
	return m.addUnit(p.product.ID, p.product.Title, p.quantity(), false)
}

// toSheet puts a product picked on another screen onto the Receive sheet,
// or the Count sheet when the key was ToCount; system is the store's
// quantity as that screen knew it (nil: unknown or none).
func toSheet(msg tea.KeyMsg, k KeyMap, productID int64, title string, system *int) tea.Cmd {
	add := addToSheetMsg{target: tabReceive, productID: productID, title: title, system: system}
	if key.Matches(msg, k.ToCount) {
		add.target = tabCountSheet
	}
	return func() tea.Msg { return add }
}

// addUnit adds one unit of a product to the sheet; picked says it came
// from another screen (the status then names the sheet).
func (m *sheetModel) addUnit(id int64, title string, system *int, picked bool) tea.Cmd {
	if m.busy() {
		return m.busyStatus(title + " was not added. ")
	}
	i := slices.IndexFunc(m.lines, func(l sheetLine) bool { return l.productID == id })
	if i < 0 {
		if len(m.lines) >= aforro.MaxBatchRows {
			return m.ctx.status(statusWarn, "A sheet holds at most %d products: commit this one first.", aforro.MaxBatchRows)
		}
		m.lines = append(m.lines, sheetLine{productID: id, title: title, system: system})
		i = len(m.lines) - 1
	}
	m.lines[i].qty = min(m.lines[i].qty+1, aforro.MaxStock)
	m.table.cursor = i
	m.changed()
	if picked {
		return m.ctx.status(statusSuccess, "%s: %d %s on the %s sheet (%d).", title, m.lines[i].qty,
			strings.ToLower(m.noun()), m.tab(), int(m.tab())+1)
	}
	return m.ctx.status(statusSuccess, "%s: %d %s.", title, m.lines[i].qty, strings.ToLower(m.noun()))
}

// changed is called when the sheet changed: a review of it is stale.
func (m *sheetModel) changed() {
	m.reviewing = false
	m.setRows()
}

// handleKey handles a key press while the screen is shown.
func (m *sheetModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if m.editing != fieldNone {
		return m.fieldKey(msg)
	}
	if m.confirmX {
		m.confirmX = false
		if key.Matches(msg, k.Yes) {
			m.lines, m.reference = nil, ""
			m.changed()
			return m.ctx.status(statusInfo, "The sheet is empty.")
		}
		return m.ctx.status(statusInfo, "The sheet is kept.")
	}
	if m.table.update(msg, k) {
		return nil
	}
	if m.reviewing {
		switch {
		case key.Matches(msg, k.Yes):
			return m.commit()
		case key.Matches(msg, k.No):
			if m.committing {
				return m.ctx.status(statusInfo, "Wait for the answer to the sheet being committed.")
			}
			m.reviewing = false
			m.setRows()
		case key.Matches(msg, k.Refresh):
			return m.review()
		}
		return nil
	}
	i := m.table.selected()
	if m.busy() && !key.Matches(msg, k.Submit) {
		return m.busyStatus("")
	}
	switch {
	case key.Matches(msg, k.Add):
		return m.openField(fieldCode, "")
	case key.Matches(msg, k.Reference):
		return m.openField(fieldReference, m.reference)
	case key.Matches(msg, k.Submit):
		return m.review()
	case key.Matches(msg, k.Empty) && len(m.lines) > 0:
		m.confirmX = true
	case i < 0:
	case key.Matches(msg, k.SetStock):
		return m.openField(fieldQty, "")
	case key.Matches(msg, k.More):
		m.lines[i].qty = min(m.lines[i].qty+1, aforro.MaxStock)
		m.changed()
	case key.Matches(msg, k.Less) && m.lines[i].qty > 0:
		m.lines[i].qty--
		m.changed()
	case key.Matches(msg, k.Remove):
		title := m.lines[i].title
		m.lines = slices.Delete(m.lines, i, i+1)
		m.changed()
		return m.ctx.status(statusInfo, "Removed %s.", title)
	}
	return nil
}

// openField gives a field the focus, holding value.
func (m *sheetModel) openField(f sheetField, value string) tea.Cmd {
	switch f {
	case fieldCode:
		m.field = m.ctx.styles.newInput("Code or product id: ", "a barcode, a SKU or an id", aforro.MaxFreeCode)
	case fieldQty:
		// Empty, so typing replaces the number; enter on nothing keeps it.
		prompt := "Received: "
		if m.kind == sheetCount {
			prompt = "Counted: "
		}
		m.field = m.ctx.styles.newInput(prompt,
			fmt.Sprintf("%d (type the units)", m.lines[m.table.selected()].qty), 10)
	case fieldReference:
		prompt, placeholder := "Delivery note: ", "its number, on every row of the receipt"
		if m.kind == sheetCount {
			prompt, placeholder = "Count reference: ", "the shelf or the count's name"
		}
		m.field = m.ctx.styles.newInput(prompt, placeholder, aforro.MaxMovementReference)
	}
	m.field.Width = max(m.ctx.width-30, 10)
	m.field.SetValue(value)
	m.field.CursorEnd()
	m.editing = f
	return m.field.Focus()
}

// fieldKey handles a key in the focused field.
func (m *sheetModel) fieldKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	switch {
	case key.Matches(msg, k.Back):
		m.editing = fieldNone
		return nil
	case key.Matches(msg, k.Submit):
		v := strings.TrimSpace(m.field.Value())
		f := m.editing
		m.editing = fieldNone
		switch f {
		case fieldCode:
			if v == "" {
				return nil
			}
			return lookupCode(m.ctx, m.tab(), v, true)
		case fieldReference:
			if v != m.reference {
				m.reference = v
				m.changed()
			}
		case fieldQty:
			if v == "" {
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > aforro.MaxStock {
				m.editing = fieldQty
				return m.ctx.status(statusWarn, "%q is not a number of units (0 to %d).", v, aforro.MaxStock)
			}
			if i := m.table.selected(); i >= 0 && m.lines[i].qty != n {
				m.lines[i].qty = n
				m.changed()
			}
		}
		return nil
	}
	var cmd tea.Cmd
	m.field, cmd = m.field.Update(msg)
	return cmd
}

// sheetRefreshedMsg carries the system's quantities for a review.
type sheetRefreshedMsg struct {
	result
	tab  tab
	seq  int
	rows map[int64]*aforro.InventoryItem
}

// review reads what the system holds of every product now, then shows
// the review.
func (m *sheetModel) review() tea.Cmd {
	if len(m.lines) == 0 {
		return m.ctx.status(statusInfo, "%s", m.emptyText())
	}
	if m.committing {
		return nil
	}
	ids := make([]int64, len(m.lines))
	for i, l := range m.lines {
		ids[i] = l.productID
	}
	m.refreshing = true
	m.refreshSeq++
	c, seq, t, storeID := m.ctx, m.refreshSeq, m.tab(), m.ctx.store.ID
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		rows, err := refreshRows(ctx, c.client, storeID, ids)
		return sheetRefreshedMsg{result: result{err}, tab: t, seq: seq, rows: rows}
	}
}

// refreshed shows the review with the system's quantities of now.
func (m *sheetModel) refreshed(msg sheetRefreshedMsg) tea.Cmd {
	if msg.seq != m.refreshSeq {
		return nil
	}
	m.refreshing = false
	if msg.err != nil {
		return m.ctx.errorStatus("Read the store's quantities", msg.err)
	}
	for i, l := range m.lines {
		m.lines[i].system, m.lines[i].problem = nil, ""
		if row := msg.rows[l.productID]; row != nil {
			q := row.Quantity
			m.lines[i].system = &q
		}
	}
	m.reviewing = true
	m.setRows()
	if len(m.batchRows()) == 0 {
		m.unanswered = false // nothing left to write: an unanswered commit was written
		if m.kind == sheetCount {
			return m.ctx.status(statusInfo, "Every count matches the system: nothing to correct.")
		}
		return m.ctx.status(statusInfo, "Every line receives 0: nothing to receive.")
	}
	return nil
}

// batchRows are the rows the commit sends: what was received, or the
// counts that differ from the system.
func (m *sheetModel) batchRows() []aforro.StockBatchRow {
	var rows []aforro.StockBatchRow
	for _, l := range m.lines {
		id, qty := l.productID, l.qty
		switch {
		case m.kind == sheetReceive && qty == 0, m.kind == sheetCount && qty == l.systemQty() && l.system != nil:
			continue
		}
		r := aforro.StockBatchRow{ProductID: &id, Quantity: &qty, Reason: aforro.ReasonReceived, Reference: m.reference}
		if m.kind == sheetCount {
			r.Reason = aforro.ReasonCount
		}
		rows = append(rows, r)
	}
	return rows
}

// batchText writes rows as text, to tell one batch from another.
func batchText(rows []aforro.StockBatchRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d:%d:%s:%s;", *r.ProductID, *r.Quantity, r.Reason, r.Reference)
	}
	return b.String()
}

// batchDoneMsg answers a sheet's batch.
type batchDoneMsg struct {
	result
	tab    tab
	answer client.BatchAnswer
	sent   []aforro.StockBatchRow
}

// commit sends the reviewed sheet as one batch, all or nothing.
func (m *sheetModel) commit() tea.Cmd {
	if m.committing || m.refreshing {
		return nil
	}
	rows := m.batchRows()
	if len(rows) == 0 {
		return m.ctx.status(statusInfo, "Nothing to commit.")
	}
	// The key is kept for the same rows, so a retry after a lost answer,
	// even after reviewing again, writes once; other rows (a count
	// reviewed against other quantities) are another batch.
	if body := batchText(rows); m.key == "" || m.keyFor != body {
		m.key, m.keyFor = client.NewIdempotencyKey(), body
	}
	m.committing = true
	mode := aforro.BatchModeAdd
	if m.kind == sheetCount {
		mode = aforro.BatchModeSet
	}
	batch := aforro.StockBatch{Mode: mode, ErrorPolicy: aforro.BatchRejectAll, Rows: rows}
	c, k, t, storeID := m.ctx, m.key, m.tab(), m.ctx.store.ID
	return tea.Batch(c.status(statusInfo, "Committing %s…", plural(len(rows), "row", "rows")), func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		ans, err := c.client.StockBatch(ctx, storeID, batch, k)
		return batchDoneMsg{result: result{err}, tab: t, answer: ans, sent: rows}
	})
}

// committed takes the batch's answer: all of it written, or none.
func (m *sheetModel) committed(msg batchDoneMsg) tea.Cmd {
	m.committing = false
	if msg.err == nil || !unreachable(msg.err) {
		m.unanswered = false // answered: written, or refused
	}
	switch {
	case msg.err != nil && unreachable(msg.err):
		m.unanswered = true
		return m.ctx.status(statusError, "No answer: the sheet may or may not be written. y tries again, and writes it at most once.")
	case msg.err != nil:
		return m.ctx.errorStatus("The sheet was not written", msg.err)
	case msg.answer.Rejected:
		m.key = ""
		var first string
		for i, r := range msg.answer.Rows {
			if r.Error == nil || i >= len(msg.sent) {
				continue
			}
			for j := range m.lines {
				if m.lines[j].productID == *msg.sent[i].ProductID {
					m.lines[j].problem = r.Error.Message
					if first == "" {
						first = m.lines[j].title + ": " + r.Error.Message
					}
				}
			}
		}
		m.setRows()
		return m.ctx.status(statusError, "Nothing was written: %s", first)
	}
	units := 0
	for _, r := range msg.sent {
		units += *r.Quantity
	}
	again := ""
	if msg.answer.Replayed {
		again = " (retried, written once)"
	}
	text := fmt.Sprintf("Received %s of %s%s.", plural(units, "unit", "units"), plural(len(msg.sent), "product", "products"), again)
	if m.kind == sheetCount {
		text = fmt.Sprintf("Count committed: %s corrected, %d matched%s.", plural(len(msg.sent), "product", "products"),
			len(m.lines)-len(msg.sent), again)
	}
	m.lines, m.reference, m.key, m.reviewing = nil, "", "", false
	m.table.cursor = 0
	m.setRows()
	return tea.Batch(m.ctx.status(statusSuccess, "%s", text), func() tea.Msg { return stockChangedMsg{} })
}

// setRows turns the lines into rows: the sheet, or its review.
func (m *sheetModel) setRows() {
	rows := make([]row, len(m.lines))
	for i, l := range m.lines {
		system, last, note, mark := "-", "", "", markNone
		if l.system != nil {
			system = strconv.Itoa(*l.system)
		} else if m.reviewing {
			note = "new here"
		}
		if m.reviewing {
			switch d := l.qty - l.systemQty(); {
			case m.kind == sheetReceive:
				last = strconv.Itoa(l.systemQty() + l.qty)
				if l.qty == 0 {
					mark = markDim
				}
			case d == 0 && l.system != nil:
				last, note, mark = "0", "matches", markDim
			default:
				last, mark = fmt.Sprintf("%+d", d), markLow
			}
		}
		if l.problem != "" {
			note, mark = l.problem, markOut
		}
		rows[i] = row{mark: mark, cells: []string{strconv.FormatInt(l.productID, 10), l.title, system,
			strconv.Itoa(l.qty), last, note}}
	}
	m.table.setRows(rows)
}

// units returns the sheet's units in all.
func (m *sheetModel) units() int {
	n := 0
	for _, l := range m.lines {
		n += l.qty
	}
	return n
}

// captures keeps the keys for a focused field and for a question.
func (m *sheetModel) captures(tea.KeyMsg) bool { return m.editing != fieldNone || m.confirmX }

// activate has nothing to load: the sheet lives here.
func (m *sheetModel) activate() tea.Cmd { return nil }

// deactivate drops a focused field and a question.
func (m *sheetModel) deactivate() { m.editing, m.confirmX = fieldNone, false }

// resize fits the table between the title lines and the field line.
func (m *sheetModel) resize() { m.table.setSize(m.ctx.width, m.ctx.height-3) }

// view renders the title, the table and the line under it.
func (m *sheetModel) view() string {
	st := m.ctx.styles
	name := "Receive into "
	if m.kind == sheetCount {
		name = "Count at "
	}
	head := st.Title.Render(name+m.ctx.store.Name) +
		st.Dim.Render(fmt.Sprintf("  %s, %s", plural(len(m.lines), "product", "products"), plural(m.units(), "unit", "units")))
	if m.reference != "" {
		head += st.Dim.Render("  ref " + m.reference)
	}
	var hint string
	switch {
	case m.reviewing && m.committing:
		hint = st.Dim.Render("Committing…")
	case m.reviewing && m.kind == sheetReceive:
		hint = st.Warn.Render("Review: add these to the store's stock (reason received), all or nothing? y/n")
	case m.reviewing:
		hint = st.Warn.Render(fmt.Sprintf("Review: set %s to the counts (reason count), all or nothing? y/n",
			plural(len(m.batchRows()), "product", "products")))
	case m.refreshing:
		hint = st.Dim.Render("Reading the store's quantities…")
	default:
		hint = st.Dim.Render("Scan each unit · a: enter a code · enter: review")
	}
	var bottom string
	switch {
	case m.editing != fieldNone:
		bottom = m.field.View()
	case m.confirmX:
		bottom = st.Warn.Render(fmt.Sprintf("Empty the sheet of %s? y/n", plural(len(m.lines), "product", "products")))
	case m.unanswered:
		bottom = st.Warn.Render("Unanswered: y tries again, and writes it at most once.")
	case m.table.rangeText() != "":
		bottom = st.Dim.Render(m.table.rangeText())
	}
	return head + "\n" + hint + "\n" + fit(m.table.view(st), m.ctx.width, m.ctx.height-3) + "\n" + bottom
}

// help returns the screen's keys.
func (m *sheetModel) help() helpKeys {
	k := m.ctx.keys
	switch {
	case m.editing != fieldNone:
		keys := []key.Binding{withHelp(k.Submit, "done"), withHelp(k.Back, "cancel")}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	case m.confirmX:
		keys := []key.Binding{withHelp(k.Yes, "empty it"), withHelp(k.No, "keep it")}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	case m.reviewing:
		keys := []key.Binding{withHelp(k.Yes, "commit"), withHelp(k.No, "back to the sheet"), withHelp(k.Refresh, "read again")}
		return helpKeys{short: keys, full: [][]key.Binding{{k.Up, k.Down}, keys}}
	}
	add := withHelp(k.Add, "add by code")
	reference := withHelp(k.Reference, "delivery note")
	if m.kind == sheetCount {
		reference = withHelp(k.Reference, "reference")
	}
	var rowKeys, brief []key.Binding
	if len(m.lines) > 0 {
		units := key.NewBinding(key.WithKeys(append(k.More.Keys(), k.Less.Keys()...)...), key.WithHelp("+/-", "units"))
		rowKeys = []key.Binding{withHelp(k.Submit, "review"), units, withHelp(k.SetStock, "type the units"), k.Remove}
		brief = []key.Binding{withHelp(k.Submit, "review"), units, withHelp(k.SetStock, "type"), k.Remove}
	}
	return helpKeys{
		short: slices.Concat([]key.Binding{withHelp(k.Add, "code")}, brief, []key.Binding{withHelp(k.Reference, "note")}),
		full: [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom},
			slices.Concat([]key.Binding{add, reference}, rowKeys, []key.Binding{withHelp(k.Empty, "empty the sheet")})},
	}
}
