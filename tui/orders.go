package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// statusFilterCount is how many choices "t" cycles through on the Orders
// screen (see statusFilter).
const statusFilterCount = 4

// statusFilter returns choice i of the Orders screen's status filter; ""
// is every order.
func statusFilter(i int) string {
	switch i {
	case 1:
		return aforro.StatusConfirmed
	case 2:
		return aforro.StatusRejected
	case 3:
		return aforro.StatusCancelled
	}
	return ""
}

// ordersModel is the Orders screen: the store's orders, newest first; one
// order's details; cancelling a confirmed order after a y/n prompt.
type ordersModel struct {
	ctx    *programContext
	table  table
	list   pagedList[aforro.OrderSummary]
	filter int // the choice of statusFilter
	active bool

	detailID      int64 // the order shown in detail (or loading); 0: the list
	detail        *aforro.Order
	detailFailed  bool
	detailTable   table
	confirmCancel int64 // the order the y/n prompt is about; 0: no prompt
	cancelling    int64 // the order whose cancel request is in flight
}

// newOrders returns the Orders screen.
func newOrders(ctx *programContext) *ordersModel {
	return &ordersModel{
		ctx:  ctx,
		list: pagedList[aforro.OrderSummary]{num: 1},
		table: newTable("No orders.",
			column{title: "ORDER", right: true}, column{title: "STATUS"},
			column{title: "PLACED"}, column{title: "ITEMS", right: true}),
		detailTable: newTable("No lines.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true},
			column{title: "PRICE", right: true}, column{title: "QTY", right: true},
			column{title: "LINE", right: true}, column{title: ""}),
	}
}

// load asks for the current page of orders.
func (m *ordersModel) load() tea.Cmd {
	if m.ctx.store.ID == 0 {
		return nil
	}
	cl, storeID, status := m.ctx.client, m.ctx.store.ID, statusFilter(m.filter)
	return m.list.load(m.ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.OrderSummary], error) {
		return cl.ListStoreOrders(ctx, storeID, status, page)
	})
}

// loadDetail asks for order id.
func (m *ordersModel) loadDetail(id int64) tea.Cmd {
	m.detailID, m.detailFailed = id, false
	if m.detail != nil && m.detail.ID != id {
		m.detail = nil
	}
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		o, err := c.client.Order(ctx, id)
		return orderLoadedMsg{result: result{err}, id: id, order: o}
	}
}

// cancelOrder asks the server to cancel order id.
func (m *ordersModel) cancelOrder(id int64) tea.Cmd {
	m.cancelling = id
	c := m.ctx
	return tea.Batch(m.ctx.status(statusInfo, "Cancelling order #%d…", id), func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		o, err := c.client.CancelOrder(ctx, id)
		return orderCancelledMsg{result: result{err}, id: id, order: o}
	})
}

// update handles answers, store changes and, when shown, keys.
func (m *ordersModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageLoadedMsg[aforro.OrderSummary]:
		return m.list.accept(m.ctx, msg, "Load the orders", m.load, m.setRows)
	case orderLoadedMsg:
		if msg.id != m.detailID {
			return nil
		}
		if msg.err != nil {
			m.detailFailed = true
			return m.ctx.errorStatus(fmt.Sprintf("Load order #%d", msg.id), msg.err)
		}
		o := msg.order
		m.detail = &o
		m.setDetailRows()
		return nil
	case orderCancelledMsg:
		if msg.id == m.cancelling {
			m.cancelling = 0
		}
		if msg.err != nil {
			return m.ctx.errorStatus(fmt.Sprintf("Order #%d was not cancelled", msg.id), msg.err)
		}
		if m.detailID == msg.id {
			o := msg.order
			m.detail = &o
			m.setDetailRows()
		}
		return tea.Batch(m.load(),
			m.ctx.status(statusSuccess, "Order #%d CANCELLED: its stock is back in the store.", msg.id))
	case orderPlacedMsg:
		if msg.err == nil {
			m.list.stale = true
		}
		return nil
	case storeChosenMsg:
		m.reset()
		return nil
	case reconnectedMsg:
		if m.list.failed {
			m.list.stale = true
			if m.active {
				return m.load()
			}
		}
		if m.detailFailed && m.detailID != 0 && m.active {
			return m.loadDetail(m.detailID)
		}
		return nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// reset forgets everything of the previous store.
func (m *ordersModel) reset() {
	m.list.reset()
	m.list.stale = true
	m.filter = 0
	m.detailID, m.detail, m.confirmCancel = 0, nil, 0
	m.table.cursor = 0
	m.setRows()
}

// hasFilter: "/" turns this screen's status filter.
func (m *ordersModel) hasFilter() {}

// handleKey handles a key press while the screen is shown.
func (m *ordersModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if m.confirmCancel != 0 {
		id := m.confirmCancel
		m.confirmCancel = 0
		if key.Matches(msg, k.Yes) {
			return m.cancelOrder(id)
		}
		return m.ctx.status(statusInfo, "Order #%d is left as it is.", id)
	}
	if m.detailID != 0 {
		switch {
		case key.Matches(msg, k.Back):
			m.detailID, m.detail = 0, nil
			return nil
		case key.Matches(msg, k.CancelOrder):
			return m.askCancel(m.detailID, m.detailStatus())
		case key.Matches(msg, k.Refresh):
			return m.loadDetail(m.detailID)
		}
		m.detailTable.update(msg, k)
		return nil
	}
	if m.table.update(msg, k) {
		return nil
	}
	orders, i := m.list.page.Results, m.table.selected()
	switch {
	case key.Matches(msg, k.Open) && i >= 0:
		return m.loadDetail(orders[i].ID)
	case key.Matches(msg, k.CancelOrder) && i >= 0:
		return m.askCancel(orders[i].ID, orders[i].Status)
	case key.Matches(msg, k.StatusFilter):
		m.filter = (m.filter + 1) % statusFilterCount
		m.list.first()
		m.table.cursor = 0
		return m.load()
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

// detailStatus returns the status of the order shown in detail, if known.
func (m *ordersModel) detailStatus() string {
	if m.detail == nil {
		return ""
	}
	return m.detail.Status
}

// askCancel opens the y/n prompt, when the order can be cancelled at all.
func (m *ordersModel) askCancel(id int64, status string) tea.Cmd {
	switch {
	case m.cancelling != 0:
		return m.ctx.status(statusInfo, "Order #%d is being cancelled.", m.cancelling)
	case status != aforro.StatusConfirmed:
		return m.ctx.status(statusWarn, "Only a CONFIRMED order can be cancelled; order #%d is %s.", id, status)
	}
	m.confirmCancel = id
	return nil
}

// setRows turns the orders into table rows.
func (m *ordersModel) setRows() {
	orders := m.list.page.Results
	rows := make([]row, len(orders))
	for i, o := range orders {
		rows[i] = row{mark: statusMark(o.Status), cells: []string{
			"#" + strconv.FormatInt(o.ID, 10), o.Status, m.ctx.formatTime(o.CreatedAt), strconv.Itoa(o.TotalItems),
		}}
	}
	m.table.setRows(rows)
}

// statusMark is how an order's row stands out.
func statusMark(status string) rowMark {
	switch status {
	case aforro.StatusRejected:
		return markOut
	case aforro.StatusCancelled:
		return markDim
	}
	return markNone
}

// setDetailRows turns the detail's lines into table rows.
func (m *ordersModel) setDetailRows() {
	o := m.detail
	short := map[int64]aforro.RejectedItem{}
	for _, r := range o.RejectedItems {
		short[r.ProductID] = r
	}
	rows := make([]row, len(o.Items))
	for i, it := range o.Items {
		note, mark := "", markNone
		if r, ok := short[it.ProductID]; ok {
			note, mark = fmt.Sprintf("short: store had %d", r.QuantityAvailable), markOut
		}
		rows[i] = row{mark: mark, cells: []string{
			strconv.FormatInt(it.ProductID, 10), it.ProductTitle, it.ProductPrice.String(),
			strconv.Itoa(it.QuantityRequested), (it.ProductPrice * aforro.Money(it.QuantityRequested)).String(), note,
		}}
	}
	m.detailTable.setRows(rows)
}

// captures keeps every key for the y/n prompt while it is open.
func (m *ordersModel) captures(tea.KeyMsg) bool { return m.confirmCancel != 0 }

// activate refreshes the list: orders come and go at the till.
func (m *ordersModel) activate() tea.Cmd {
	m.active = true
	if !m.list.loading {
		return m.load()
	}
	return nil
}

// deactivate drops an open prompt.
func (m *ordersModel) deactivate() {
	m.active = false
	m.confirmCancel = 0
}

// resize fits the tables.
func (m *ordersModel) resize() {
	m.table.setSize(m.ctx.width, m.ctx.height-3)
	m.detailTable.setSize(m.ctx.width, m.ctx.height-9)
}

// view renders the list or one order, and the prompt.
func (m *ordersModel) view() string {
	body := m.listView()
	if m.detailID != 0 {
		body = m.detailView()
	}
	if m.confirmCancel != 0 {
		body = fit(body, m.ctx.width, m.ctx.height-2) + "\n\n" + m.ctx.styles.Warn.Render(fmt.Sprintf(
			"Cancel order #%d? Its stock goes back to the store. y/n", m.confirmCancel))
	}
	return body
}

// listView renders the filter line, the table and the page line.
func (m *ordersModel) listView() string {
	st := m.ctx.styles
	f := statusFilter(m.filter)
	if f == "" {
		f = "all"
	}
	top := st.Title.Render("Orders of "+m.ctx.store.Name) + st.Dim.Render("  newest first · status: "+f+" (/ to change)")
	var body string
	switch {
	case m.list.failed && len(m.list.page.Results) == 0:
		body = st.Dim.Render("The orders could not be loaded; r tries again.")
	case !m.list.loaded:
		body = st.Dim.Render("Loading the orders…")
	default:
		body = m.table.view(st)
	}
	bottom := ""
	if m.list.loaded {
		parts := []string{m.list.pageText("order", "orders")}
		if r := m.list.rowsText(&m.table, m.ctx.pageSize); r != "" {
			parts = append(parts, r)
		}
		if m.list.loading {
			parts = append(parts, "loading…")
		}
		bottom = joinFit(m.ctx.width, parts...)
	}
	return top + "\n" + fit(body, m.ctx.width, m.ctx.height-3) + "\n" + st.Dim.Render(bottom)
}

// detailView renders one order.
func (m *ordersModel) detailView() string {
	st := m.ctx.styles
	if m.detail == nil {
		return detailPending(st, "Order", m.detailID, m.detailFailed)
	}
	o := m.detail
	email := o.CustomerEmail
	if email == "" {
		email = "none"
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(fmt.Sprintf("Order #%d  ", o.ID)) + st.status(o.Status).Render(o.Status) + "\n")
	field := func(label, value string) {
		b.WriteString(st.Dim.Render(fmt.Sprintf("%-10s", label)) + value + "\n")
	}
	field("Store", fmt.Sprintf("%s (#%d), %s", o.StoreName, o.Store, o.StoreLocation))
	placed := m.ctx.formatTime(o.CreatedAt)
	if o.CancelledAt != nil {
		placed += ", cancelled " + m.ctx.formatTime(*o.CancelledAt)
	}
	field("Placed", placed)
	field("Email", email)
	field("Total", fmt.Sprintf("%s for %s", o.TotalAmount, items(orderUnits(*o))))
	b.WriteString("\n" + m.detailTable.view(st))
	return b.String()
}

// help returns the screen's keys.
func (m *ordersModel) help() helpKeys {
	k := m.ctx.keys
	switch {
	case m.confirmCancel != 0:
		keys := []key.Binding{withHelp(k.Yes, "cancel the order"), withHelp(k.No, "keep it")}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	case m.detailID != 0:
		keys := append([]key.Binding{withHelp(k.Back, "back to the list")}, m.cancelKey()...)
		keys = append(keys, k.Refresh)
		return helpKeys{short: keys, full: [][]key.Binding{{k.Up, k.Down}, keys}}
	}
	var keys []key.Binding
	if len(m.list.page.Results) > 0 {
		keys = append(keys, k.Open) // only keys that act: details need an order
	}
	keys = append(keys, m.cancelKey()...)
	keys = append(keys, k.StatusFilter, k.Refresh)
	pages := m.list.pageKeys(k)
	return helpKeys{short: append(keys, pages...),
		full: [][]key.Binding{append([]key.Binding{k.Up, k.Down, k.Top, k.Bottom}, pages...), keys}}
}

// cancelKey is the cancel key when the order under the cursor (or shown
// in detail) can be cancelled, and nothing otherwise: the footer offers
// only keys that act.
func (m *ordersModel) cancelKey() []key.Binding {
	status := m.detailStatus()
	if m.detailID == 0 {
		if i := m.table.selected(); i >= 0 && i < len(m.list.page.Results) {
			status = m.list.page.Results[i].Status
		}
	}
	if status != aforro.StatusConfirmed {
		return nil
	}
	return []key.Binding{m.ctx.keys.CancelOrder}
}
