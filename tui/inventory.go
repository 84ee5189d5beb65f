package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// maxFilterLength is the longest title filter the server takes.
const maxFilterLength = 100

// inventoryModel is the Inventory screen: the store's stock, a page at a
// time, filtered by title on the server, low stock highlighted.
type inventoryModel struct {
	ctx   *programContext
	table table
	list  pagedList[aforro.InventoryItem]

	filter    textinput.Model
	filtering bool   // the filter field has the focus
	q         string // the filter the rows were asked with
	lowOnly   bool
	filterSeq int // of the latest keystroke in the filter
	active    bool
}

// newInventory returns the Inventory screen.
func newInventory(ctx *programContext) *inventoryModel {
	return &inventoryModel{
		ctx:    ctx,
		list:   pagedList[aforro.InventoryItem]{num: 1},
		filter: ctx.styles.newInput("Filter: ", "part of a title", maxFilterLength),
		table: newTable("No products.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true},
			column{title: "CATEGORY", flex: true}, column{title: "PRICE", right: true},
			column{title: "QTY", right: true}, column{title: ""}),
	}
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
	case orderPlacedMsg, orderCancelledMsg, transferChangedMsg:
		m.list.stale = true
		return nil
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
	if m.table.update(msg, k) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.filter.CursorEnd()
		return m.filter.Focus()
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
		items := m.list.page.Results
		i := m.table.selected()
		if i < 0 || i >= len(items) {
			return nil
		}
		it := items[i]
		qty := it.Quantity
		line := basketLine{ProductID: it.ProductID, Title: it.ProductTitle, Price: it.Price, Stock: &qty}
		return func() tea.Msg { return addToOrderMsg{line: line} }
	case key.Matches(msg, k.NextPage, k.PrevPage):
		if m.list.turn(msg, k) {
			m.table.cursor = 0
			return m.load()
		}
	case key.Matches(msg, k.Refresh):
		return m.load()
	}
	return nil
}

// setRows turns the items into table rows.
func (m *inventoryModel) setRows() {
	items := m.list.page.Results
	// INCOMING (units on the road toward the store) shows on a page with
	// any: most stores most of the time have none, and a column of blanks
	// would only squeeze the titles. A row with none leaves it blank.
	incoming := slices.ContainsFunc(items, func(it aforro.InventoryItem) bool { return it.Incoming > 0 })
	cols := m.table.cols[:0:0]
	for _, c := range m.table.cols {
		if c.title != "INCOMING" {
			cols = append(cols, c)
		}
	}
	if incoming {
		cols = slices.Insert(cols, len(cols)-1, column{title: "INCOMING", right: true})
	}
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
		cells := []string{strconv.FormatInt(it.ProductID, 10), it.ProductTitle, it.CategoryName,
			it.Price.String(), strconv.Itoa(it.Quantity), tag}
		if incoming {
			in := ""
			if it.Incoming > 0 {
				in = strconv.Itoa(it.Incoming)
			}
			cells = slices.Insert(cells, len(cells)-1, in)
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

// captures keeps the keys for the filter field while it has the focus.
func (m *inventoryModel) captures(msg tea.KeyMsg) bool {
	return m.filtering && msg.Type != tea.KeyTab && msg.Type != tea.KeyShiftTab
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

// resize fits the table between the filter line and the page line.
func (m *inventoryModel) resize() {
	m.table.setSize(m.ctx.width, m.ctx.height-2)
	m.filter.Width = max(m.ctx.width-30, 10)
}

// view renders the filter line, the table and the page line.
func (m *inventoryModel) view() string {
	st := m.ctx.styles
	var top string
	switch {
	case m.filtering || m.q != "":
		top = m.filter.View()
	default:
		top = st.Dim.Render("/ filter by title   l low stock only")
	}
	if m.lowOnly {
		top = spread(top, st.Low.Render("[low stock only]"), m.ctx.width)
	}
	var body string
	switch {
	case m.list.failed && len(m.list.page.Results) == 0:
		body = st.Dim.Render("The inventory could not be loaded; r tries again.")
	case !m.list.loaded:
		body = st.Dim.Render("Loading the inventory of " + m.ctx.store.Name + "…")
	default:
		body = m.table.view(st)
	}
	return top + "\n" + fit(body, m.ctx.width, m.ctx.height-2) + "\n" + m.pageLine()
}

// pageLine says which page this is, of how many rows.
func (m *inventoryModel) pageLine() string {
	st := m.ctx.styles
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
	// Only keys that act: add needs a row, the page keys a page there.
	var add []key.Binding
	if len(m.list.page.Results) > 0 {
		add = []key.Binding{k.Add}
	}
	pages := m.list.pageKeys(k)
	return helpKeys{
		short: slices.Concat([]key.Binding{k.Filter, k.LowStock}, add, pages),
		full: [][]key.Binding{slices.Concat([]key.Binding{k.Up, k.Down, k.Top, k.Bottom}, pages),
			slices.Concat([]key.Binding{k.Filter, k.LowStock, withHelp(k.Back, "clear filters")}, add, []key.Binding{k.Refresh})},
	}
}
