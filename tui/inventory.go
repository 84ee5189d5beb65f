package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// maxFilterLength is the longest title filter the server takes.
const maxFilterLength = 100

// inventoryModel is the Inventory screen: the store's stock, a page at a
// time, filtered by title on the server, low stock highlighted; a scan
// shows the products its code names; the selected row's stock can be set
// or adjusted, and its ledger shown beside the table.
type inventoryModel struct {
	ctx   *programContext
	table table
	list  pagedList[aforro.InventoryItem]

	found      *scanFound // the products of the latest scan, shown instead of the page
	lastScan   string     // the code scanned last: an answer to an earlier scan is dropped
	form       *stockForm // the write being entered, if any
	ledger     ledger
	showLedger bool

	filter    textinput.Model
	filtering bool   // the filter field has the focus
	q         string // the filter the rows were asked with
	lowOnly   bool
	filterSeq int // of the latest keystroke in the filter
	active    bool
}

// scanFound is what a scan on the Inventory screen found.
type scanFound struct {
	code     string
	products []stockedProduct
}

// newInventory returns the Inventory screen.
func newInventory(ctx *programContext) *inventoryModel {
	m := &inventoryModel{
		ctx:    ctx,
		list:   pagedList[aforro.InventoryItem]{num: 1},
		filter: ctx.styles.newInput("Filter: ", "part of a title", maxFilterLength),
		table:  newTable("No products."),
	}
	m.setRows() // sets the columns too
	return m
}

// load asks for the current page with the current filter.
func (m *inventoryModel) load() tea.Cmd {
	if m.ctx.store.ID == 0 {
		return nil
	}
	cl, storeID := m.ctx.client, m.ctx.store.ID
	f := aforro.InventoryFilter{Q: m.q, LowStock: m.lowOnly}
	return m.list.load(m.ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.InventoryItem], error) {
		return cl.ListInventory(ctx, storeID, f, page)
	})
}

// update handles answers, store changes and, when shown, keys.
func (m *inventoryModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageLoadedMsg[aforro.InventoryItem]:
		return m.list.accept(m.ctx, msg, "Load the inventory", m.load, m.setRows)
	case storeChosenMsg:
		m.reset()
		return nil
	case orderPlacedMsg, orderCancelledMsg, transferChangedMsg, stockChangedMsg:
		m.list.stale = true
		return nil
	case codeLookedUpMsg:
		if msg.target == tabInventory {
			return m.showFound(msg)
		}
		return nil
	case stockWrittenMsg:
		return m.written(msg)
	case ledgerLoadedMsg:
		return m.ledger.accept(m.ctx, msg)
	case reconnectedMsg:
		if m.list.failed {
			m.list.stale = true
			if m.active {
				return m.load()
			}
		}
		return nil
	case filterDebounceMsg:
		if msg.seq != m.filterSeq {
			return nil
		}
		return m.applyFilter()
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// reset forgets everything of the previous store.
func (m *inventoryModel) reset() {
	m.list.reset() // an answer for the previous store is dropped
	m.list.stale = true
	m.q, m.lowOnly = "", false
	m.found, m.form, m.showLedger = nil, nil, false
	m.ledger = ledger{seq: m.ledger.seq}
	m.filter.Reset()
	m.filter.Blur()
	m.filtering = false
	m.table.cursor = 0
	m.setRows()
}

// applyFilter sends the filter as typed, from the first page.
func (m *inventoryModel) applyFilter() tea.Cmd {
	q := strings.TrimSpace(m.filter.Value())
	if q == m.q {
		return nil
	}
	m.q = q
	m.list.first()
	m.table.cursor = 0
	return m.load()
}

// handleKey handles a key press while the screen is shown.
func (m *inventoryModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if m.filtering {
		switch {
		case key.Matches(msg, k.Submit), msg.Type == tea.KeyDown:
			m.filtering = false
			m.filter.Blur()
			return m.applyFilter()
		case key.Matches(msg, k.Back):
			m.filtering = false
			m.filter.Blur()
			m.filter.Reset()
			return m.applyFilter()
		case key.Matches(msg, k.Filter):
			return nil // in the filter already (KeyMap.Filter)
		}
		before := m.filter.Value()
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		if m.filter.Value() == before {
			return cmd
		}
		m.filterSeq++
		seq := m.filterSeq
		return tea.Batch(cmd, tea.Tick(m.ctx.debounce, func(time.Time) tea.Msg { return filterDebounceMsg{seq: seq} }))
	}
	if m.form != nil {
		cmd, done := m.form.handleKey(m.ctx, msg)
		if done {
			m.form = nil
			m.resize()
		}
		return cmd
	}
	if m.table.update(msg, k) {
		return m.followLedger()
	}
	switch {
	case key.Matches(msg, k.Filter):
		if m.found != nil {
			m.found = nil
			m.setRows()
		}
		m.filtering = true
		m.filter.CursorEnd()
		return tea.Batch(m.filter.Focus(), m.followLedger())
	case key.Matches(msg, k.SetStock, k.AdjustStock):
		return m.openForm(msg)
	case key.Matches(msg, k.ToReceive, k.ToCount):
		it, stocked, ok := m.selectedItem()
		if !ok {
			return nil
		}
		var system *int
		if stocked {
			q := it.Quantity
			system = &q
		}
		return toSheet(msg, k, it.ProductID, it.ProductTitle, system)
	case key.Matches(msg, k.History):
		m.showLedger = !m.showLedger
		m.setRows()
		m.resize()
		return m.followLedger()
	case key.Matches(msg, k.Back) && m.found != nil:
		m.found = nil
		m.setRows()
		return m.followLedger()
	case key.Matches(msg, k.Back):
		if m.q != "" || m.lowOnly {
			m.filter.Reset()
			m.q, m.lowOnly = "", false
			m.list.first()
			return m.load()
		}
	case key.Matches(msg, k.LowStock):
		m.lowOnly = !m.lowOnly
		m.list.first()
		m.table.cursor = 0
		return m.load()
	case key.Matches(msg, k.Add):
		items := m.items()
		i := m.table.selected()
		if i < 0 || i >= len(items) {
			return nil
		}
		it := items[i]
		qty := it.Quantity
		line := basketLine{ProductID: it.ProductID, Title: it.ProductTitle, Price: it.Price, Stock: &qty}
		return func() tea.Msg { return addToOrderMsg{line: line} }
	case key.Matches(msg, k.NextPage, k.PrevPage) && m.found == nil:
		if m.list.turn(msg, k) {
			m.table.cursor = 0
			return m.load()
		}
	case key.Matches(msg, k.Refresh) && m.found != nil:
		m.lastScan = m.found.code
		return lookupCode(m.ctx, tabInventory, m.found.code, false)
	case key.Matches(msg, k.Refresh):
		return tea.Batch(m.load(), m.reloadLedger())
	}
	return nil
}

// items returns the rows shown: the scan's products, or the page.
func (m *inventoryModel) items() []aforro.InventoryItem {
	if m.found == nil {
		return m.list.page.Results
	}
	items := make([]aforro.InventoryItem, len(m.found.products))
	for i, p := range m.found.products {
		items[i] = p.item()
	}
	return items
}

// selectedItem returns the row under the cursor and whether the store
// stocks it (a scanned product it does not is a row of quantity 0).
func (m *inventoryModel) selectedItem() (aforro.InventoryItem, bool, bool) {
	i := m.table.selected()
	if m.found != nil && i >= 0 && i < len(m.found.products) {
		return m.found.products[i].item(), m.found.products[i].row != nil, true
	}
	if items := m.list.page.Results; i >= 0 && i < len(items) {
		return items[i], true, true
	}
	return aforro.InventoryItem{}, false, false
}

// scanned looks up a scanned code: its products replace the page until esc.
func (m *inventoryModel) scanned(code string) tea.Cmd {
	if m.form != nil {
		return m.ctx.status(statusWarn, "Scanned %s: finish or close (esc) the %s first.", code, strings.ToLower(m.form.verb()))
	}
	m.lastScan = code
	return tea.Batch(m.ctx.status(statusInfo, "Looking up %s…", code), lookupCode(m.ctx, tabInventory, code, false))
}

// showFound shows what a scan found.
func (m *inventoryModel) showFound(msg codeLookedUpMsg) tea.Cmd {
	if msg.code != m.lastScan {
		return nil
	}
	if cmd := lookupProblem(m.ctx, msg); cmd != nil {
		return cmd
	}
	m.found = &scanFound{code: msg.code, products: msg.products}
	m.table.cursor = 0
	m.setRows()
	if len(msg.products) > 1 {
		return tea.Batch(m.followLedger(), m.ctx.status(statusWarn, "Code %s names %d products: %s.",
			msg.code, len(msg.products), titles(msg.products)))
	}
	p := msg.products[0]
	stock := "not stocked here"
	if p.row != nil {
		stock = plural(p.row.Quantity, "unit", "units") + " in stock"
	}
	return tea.Batch(m.followLedger(), m.ctx.status(statusSuccess, "%s %s: %s.", msg.code, p.product.Title, stock))
}

// openForm opens the set or adjust form over the selected row.
func (m *inventoryModel) openForm(msg tea.KeyMsg) tea.Cmd {
	it, stocked, ok := m.selectedItem()
	if !ok {
		return nil
	}
	action := actionSet
	if key.Matches(msg, m.ctx.keys.AdjustStock) {
		if !stocked {
			return m.ctx.status(statusInfo, "The store does not stock %s: set (e) its first quantity.", it.ProductTitle)
		}
		action = actionAdjust
	}
	m.form = newStockForm(m.ctx, action, it, stocked)
	m.resize()
	return nil
}

// written takes the answer to the form's write. The row changes only
// from the server's answer, so the screen never shows a write that did
// not happen.
func (m *inventoryModel) written(msg stockWrittenMsg) tea.Cmd {
	f := m.form
	if f == nil {
		return nil
	}
	f.sending = false
	var ae *client.APIError
	switch {
	case msg.err != nil && unreachable(msg.err):
		return m.ctx.status(statusError, "No answer: the %s may or may not be written. enter and y try again, and write it at most once.",
			strings.ToLower(f.verb()))
	case errors.As(msg.err, &ae) && ae.Code == aforro.ESTALEQUANTITY && ae.CurrentQuantity != nil:
		m.form = nil
		m.resize()
		it := f.item
		it.Quantity = *ae.CurrentQuantity
		m.replaceRow(it)
		return m.ctx.status(statusWarn, "%s changed meanwhile: it holds %d now, not %d. Nothing was written; look again and retry.",
			it.ProductTitle, it.Quantity, f.item.Quantity)
	case msg.err != nil:
		return m.ctx.errorStatus(f.verb()+" "+f.item.ProductTitle, msg.err)
	}
	m.form = nil
	m.resize()
	m.replaceRow(msg.item)
	again := ""
	if msg.replayed {
		again = " (retried, written once)"
	}
	return tea.Batch(m.reloadLedger(), func() tea.Msg { return stockChangedMsg{} },
		m.ctx.status(statusSuccess, "%s: %d → %d (%s)%s.", msg.item.ProductTitle, msg.before, msg.item.Quantity, msg.reason, again))
}

// replaceRow puts the server's row in place of the one shown, wherever it
// shows.
func (m *inventoryModel) replaceRow(it aforro.InventoryItem) {
	for i, r := range m.list.page.Results {
		if r.ProductID == it.ProductID {
			m.list.page.Results[i] = it
		}
	}
	if m.found != nil {
		for i, p := range m.found.products {
			if p.product.ID == it.ProductID {
				row := it
				m.found.products[i].row = &row
			}
		}
	}
	m.setRows()
}

// followLedger loads the ledger of the selected row when the panel shows
// another product's.
func (m *inventoryModel) followLedger() tea.Cmd {
	it, _, ok := m.selectedItem()
	if !m.showLedger || !ok || it.ProductID == m.ledger.productID {
		return nil
	}
	return m.ledger.load(m.ctx, it.ProductID, it.ProductTitle, m.ledgerRows())
}

// reloadLedger loads the shown ledger again (after a write).
func (m *inventoryModel) reloadLedger() tea.Cmd {
	if !m.showLedger {
		return nil
	}
	m.ledger.productID = 0
	return m.followLedger()
}

// ledgerRows is how many movements the panel has room for.
func (m *inventoryModel) ledgerRows() int { return max(min((m.ctx.height-3)/2, 100), 1) }

// setRows turns the items into table rows.
func (m *inventoryModel) setRows() {
	items := m.items()
	// INCOMING (units on the road toward the store) shows on a page with
	// any: most stores most of the time have none, and a column of blanks
	// would only squeeze the titles. A row with none leaves it blank.
	incoming := slices.ContainsFunc(items, func(it aforro.InventoryItem) bool { return it.Incoming > 0 })
	// CATEGORY gives way to the ledger beside the table.
	cols := []column{{title: "ID", right: true}, {title: "PRODUCT", flex: true}}
	if !m.showLedger {
		cols = append(cols, column{title: "CATEGORY", flex: true})
	}
	cols = append(cols, column{title: "PRICE", right: true}, column{title: "QTY", right: true})
	if incoming {
		cols = append(cols, column{title: "INCOMING", right: true})
	}
	cols = append(cols, column{title: ""})
	m.table.cols = cols
	rows := make([]row, len(items))
	for i, it := range items {
		// A row's own reorder point is its threshold; the global one
		// applies to rows without.
		warnAt := m.ctx.warnAt
		if it.ReorderPoint != nil {
			warnAt = *it.ReorderPoint
		}
		mark, tag := stockMark(it.Quantity, warnAt)
		cells := []string{strconv.FormatInt(it.ProductID, 10), it.ProductTitle}
		if !m.showLedger {
			cells = append(cells, it.CategoryName)
		}
		cells = append(cells, it.Price.String(), strconv.Itoa(it.Quantity))
		if incoming {
			in := ""
			if it.Incoming > 0 {
				in = strconv.Itoa(it.Incoming)
			}
			cells = append(cells, in)
		}
		cells = append(cells, tag)
		if m.found != nil && m.found.products[i].row == nil {
			cells[len(cells)-1] = "NOT STOCKED"
			mark = markDim
		}
		rows[i] = row{mark: mark, cells: cells}
	}
	m.table.setRows(rows)
}

// stockMark says how a quantity stands out, as a mark and as a word.
func stockMark(qty, warnAt int) (rowMark, string) {
	switch {
	case qty <= 0:
		return markOut, "OUT"
	case qty <= warnAt:
		return markLow, "LOW"
	}
	return markNone, ""
}

// hasFilter: "/" opens this screen's own filter.
func (m *inventoryModel) hasFilter() {}

// captures keeps the keys for the filter field while it has the focus,
// and every key for an open stock form.
func (m *inventoryModel) captures(msg tea.KeyMsg) bool {
	return m.form != nil || m.filtering && msg.Type != tea.KeyTab && msg.Type != tea.KeyShiftTab
}

// activate loads the rows if they are missing or stale.
func (m *inventoryModel) activate() tea.Cmd {
	m.active = true
	if (m.list.stale || !m.list.loaded) && !m.list.loading {
		return m.load()
	}
	return nil
}

// deactivate leaves the filter field, keeping what was typed.
func (m *inventoryModel) deactivate() {
	m.active = false
	if m.filtering {
		m.filtering = false
		m.filter.Blur()
	}
}

// resize fits the table between the filter line (or the form's two) and
// the page line, beside the ledger when it shows.
func (m *inventoryModel) resize() {
	m.table.setSize(m.tableWidth(), m.tableHeight())
	m.filter.Width = max(m.ctx.width-30, 10)
}

// tableWidth is what the ledger panel leaves of the width.
func (m *inventoryModel) tableWidth() int {
	if m.showLedger {
		return m.ctx.width - ledgerWidth(m.ctx.width) - 1
	}
	return m.ctx.width
}

// tableHeight is what the top lines and the page line leave.
func (m *inventoryModel) tableHeight() int {
	if m.form != nil {
		return m.ctx.height - 3
	}
	return m.ctx.height - 2
}

// view renders the filter line, the table and the page line.
func (m *inventoryModel) view() string {
	st := m.ctx.styles
	var top string
	switch {
	case m.form != nil:
		top = m.form.view(st, m.ctx.width)
	case m.found != nil:
		top = st.Bold.Render("Scanned "+m.found.code) + st.Dim.Render("  esc: back to the list")
	case m.filtering || m.q != "":
		top = m.filter.View()
	default:
		top = st.Dim.Render("/ filter by title   l low stock only   scan a code to find it")
	}
	if m.lowOnly && m.form == nil && m.found == nil {
		top = spread(top, st.Low.Render("[low stock only]"), m.ctx.width)
	}
	var body string
	switch {
	case m.found != nil:
		body = m.table.view(st)
	case m.list.failed && len(m.list.page.Results) == 0:
		body = st.Dim.Render("The inventory could not be loaded; r tries again.")
	case !m.list.loaded:
		body = st.Dim.Render("Loading the inventory of " + m.ctx.store.Name + "…")
	default:
		body = m.table.view(st)
	}
	body = fit(body, m.tableWidth(), m.tableHeight())
	if m.showLedger {
		body = lipgloss.JoinHorizontal(lipgloss.Top, body, " ",
			m.ledger.view(m.ctx, ledgerWidth(m.ctx.width), m.tableHeight()))
	}
	return top + "\n" + body + "\n" + m.pageLine()
}

// pageLine says which page this is, of how many rows.
func (m *inventoryModel) pageLine() string {
	st := m.ctx.styles
	if m.found != nil {
		return st.Dim.Render(joinFit(m.ctx.width, fmt.Sprintf("Code %s: %s", m.found.code,
			plural(len(m.found.products), "product", "products")), fmt.Sprintf("%d or fewer is low", m.ctx.warnAt)))
	}
	if !m.list.loaded {
		return ""
	}
	parts := []string{m.list.pageText("product", "products")}
	if r := m.list.rowsText(&m.table, m.ctx.pageSize); r != "" {
		parts = append(parts, r)
	}
	if m.list.loading {
		parts = append(parts, "loading…")
	}
	parts = append(parts, fmt.Sprintf("%d or fewer is low", m.ctx.warnAt))
	return st.Dim.Render(joinFit(m.ctx.width, parts...))
}

// help returns the screen's keys.
func (m *inventoryModel) help() helpKeys {
	k := m.ctx.keys
	if m.filtering {
		return helpKeys{
			short: []key.Binding{withHelp(k.Submit, "done"), withHelp(k.Back, "clear filter")},
			full:  [][]key.Binding{{withHelp(k.Submit, "done"), withHelp(k.Back, "clear filter")}},
		}
	}
	if m.form != nil {
		keys := formKeys(k, m.form.confirming)
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	}
	// Only keys that act: add and the stock keys need a row, the page keys
	// a page there.
	var rowKeys []key.Binding
	if len(m.items()) > 0 {
		rowKeys = []key.Binding{k.Add, k.SetStock, k.AdjustStock, k.History, k.ToReceive, k.ToCount}
	}
	var pages []key.Binding
	back := withHelp(k.Back, "clear filters")
	if m.found == nil {
		pages = m.list.pageKeys(k)
	} else {
		back = withHelp(k.Back, "back to the list")
	}
	// The footer names them briefly, so that all fit in 80 columns.
	var brief []key.Binding
	if len(rowKeys) > 0 {
		brief = []key.Binding{withHelp(k.Add, "add"), withHelp(k.SetStock, "set"), withHelp(k.AdjustStock, "adjust"), withHelp(k.History, "history")}
	}
	short := slices.Concat([]key.Binding{k.Filter, withHelp(k.LowStock, "low stock")}, brief, pages)
	if m.found != nil {
		short = slices.Concat(brief, []key.Binding{back})
	}
	return helpKeys{
		short: short,
		full: [][]key.Binding{slices.Concat([]key.Binding{k.Up, k.Down, k.Top, k.Bottom}, pages),
			slices.Concat([]key.Binding{k.Filter, k.LowStock, back}, rowKeys, []key.Binding{k.Refresh})},
	}
}

// formKeys are the keys of the stock form: its fields, or its question.
func formKeys(k KeyMap, confirming bool) []key.Binding {
	if confirming {
		return []key.Binding{withHelp(k.Yes, "write"), withHelp(k.No, "not yet")}
	}
	return []key.Binding{withHelp(k.Submit, "review"), withHelp(k.NextField, "next field"),
		withHelp(k.Toggle, "reason"), withHelp(k.Back, "close")}
}
