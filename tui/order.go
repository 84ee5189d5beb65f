package tui

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/internal/human"
)

// basketLine is one product in the basket.
type basketLine struct {
	ProductID int64
	Title     string
	Price     aforro.Money
	Qty       int
	Stock     *int // the store's quantity as last seen; nil: unknown
}

// orderModel is the Order screen: the basket, and the outcome of placing it.
//
// Placing is safe to repeat. The basket gets an idempotency key on its first
// attempt and keeps it until an order comes back or the basket changes, so
// a second press of enter, or a retry after a timeout whose answer was lost,
// sends the same key and the server places at most one order.
type orderModel struct {
	ctx   *programContext
	lines []basketLine
	table table

	key     string // the basket's idempotency key; "" until the first attempt
	placing bool
	last    *aforro.Order // the latest order placed from this screen
	replay  bool          // last came back as a replay of an earlier attempt

	email      textinput.Model
	editing    bool   // the email field has the focus
	savedEmail string // the email before editing began, for esc
}

// newOrder returns an empty basket.
func newOrder(ctx *programContext) *orderModel {
	return &orderModel{
		ctx:   ctx,
		email: ctx.styles.newInput("Customer email: ", "ana@example.com (enter to keep, esc to cancel)", aforro.MaxEmailLength),
		table: newTable("Scan a code, or press a on a product in Inventory (1) or Search (2).",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true},
			column{title: "PRICE", right: true}, column{title: "QTY", right: true},
			column{title: "LINE", right: true}, column{title: ""}),
	}
}

// units returns how many items the basket holds.
func (m *orderModel) units() int {
	n := 0
	for _, l := range m.lines {
		n += l.Qty
	}
	return n
}

// total returns the basket's value at the prices last seen.
func (m *orderModel) total() aforro.Money {
	var t aforro.Money
	for _, l := range m.lines {
		t += l.Price * aforro.Money(l.Qty)
	}
	return t
}

// changed is called whenever the basket's request would change: the key
// belongs to one request body, so a new body needs a new key.
func (m *orderModel) changed() {
	m.key = ""
	m.setRows()
}

// add puts one of a product in the basket.
func (m *orderModel) add(l basketLine) tea.Cmd {
	if m.placing {
		return m.ctx.status(statusWarn, "Wait for the order being placed before changing the basket.")
	}
	i := slices.IndexFunc(m.lines, func(x basketLine) bool { return x.ProductID == l.ProductID })
	if i < 0 {
		l.Qty = 1
		m.lines = append(m.lines, l)
		i = len(m.lines) - 1
	} else {
		m.lines[i].Qty = min(m.lines[i].Qty+1, aforro.MaxLineQuantity)
		if l.Stock != nil {
			m.lines[i].Stock = l.Stock
		}
	}
	m.changed()
	ln := m.lines[i]
	if ln.Stock != nil && ln.Qty > *ln.Stock {
		return m.ctx.status(statusWarn, "Added %s: %d in the basket, but the store has %d.", ln.Title, ln.Qty, *ln.Stock)
	}
	return m.ctx.status(statusSuccess, "Added %s: %d in the basket.", ln.Title, ln.Qty)
}

// place sends the basket as an order, with the basket's key.
func (m *orderModel) place() tea.Cmd {
	if m.placing {
		return nil // the same request is in flight; the key makes a repeat harmless, but there is no need
	}
	if len(m.lines) == 0 {
		return m.ctx.status(statusInfo, "The basket is empty: scan a code, or press a on a product in Inventory (1) or Search (2).")
	}
	if m.key == "" {
		m.key = client.NewIdempotencyKey()
	}
	m.placing = true
	body := aforro.PlaceOrder{StoreID: m.ctx.store.ID, CustomerEmail: strings.TrimSpace(m.email.Value())}
	for _, l := range m.lines {
		body.Items = append(body.Items, aforro.OrderLine{ProductID: l.ProductID, QuantityRequested: l.Qty})
	}
	c, k := m.ctx, m.key
	return tea.Batch(m.ctx.status(statusInfo, "Placing the order…"), func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		o, replayed, err := c.client.PlaceOrder(ctx, body, k)
		return orderPlacedMsg{result: result{err}, key: k, order: o, replayed: replayed}
	})
}

// placed takes the server's answer to place.
func (m *orderModel) placed(msg orderPlacedMsg) tea.Cmd {
	m.placing = false
	if msg.err != nil {
		if unreachable(msg.err) {
			// Nobody knows whether the order was placed: keep the key, so
			// that asking again returns that order rather than a second one.
			return m.ctx.status(statusError, "No answer: the order may or may not be placed. "+
				"enter tries again, and places it at most once.")
		}
		return m.ctx.errorStatus("The order was not placed", msg.err)
	}
	m.key = ""
	o := msg.order
	m.last, m.replay = &o, msg.replayed
	again := ""
	if msg.replayed {
		again = " (retried, placed once)"
	}
	if o.Status == aforro.StatusConfirmed {
		m.lines = nil
		m.email.Reset()
		m.setRows()
		return m.ctx.status(statusSuccess, "Order #%d CONFIRMED: %s, total %s%s.", o.ID, items(orderUnits(o)), o.TotalAmount, again)
	}
	// Rejected: nothing was taken from stock. The basket stays, showing
	// what the store has, so it can be fixed and placed again.
	for _, r := range o.RejectedItems {
		for i := range m.lines {
			if m.lines[i].ProductID == r.ProductID {
				avail := r.QuantityAvailable
				m.lines[i].Stock = &avail
			}
		}
	}
	m.setRows()
	return m.ctx.status(statusWarn, "Order #%d REJECTED: %d short, no stock taken%s.",
		o.ID, len(o.RejectedItems), again)
}

// scanned adds one of the product a scanned code names.
func (m *orderModel) scanned(code string) tea.Cmd {
	return lookupCode(m.ctx, tabOrder, code, false)
}

// scannedProduct adds what a scan found; a code that names several
// products adds none of them, as a guess would sell the wrong one.
func (m *orderModel) scannedProduct(msg codeLookedUpMsg) tea.Cmd {
	p, problem := oneProduct(m.ctx, msg, "scan it on Inventory (1) and add (a) the right one")
	if problem != nil {
		return problem
	}
	stock := p.item().Quantity // 0 where the store has no row
	return m.add(basketLine{ProductID: p.product.ID, Title: p.product.Title, Price: p.product.Price, Stock: &stock})
}

// items writes "1 item" or "3 items".
func items(n int) string { return plural(n, "item", "items") }

// plural writes n and the noun that goes with it (human.Plural, which the
// commands share).
func plural(n int, one, many string) string { return human.Plural(n, one, many) }

// orderUnits returns how many items an order asked for.
func orderUnits(o aforro.Order) int {
	n := 0
	for _, it := range o.Items {
		n += it.QuantityRequested
	}
	return n
}

// update handles additions, answers and, when shown, keys.
func (m *orderModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case addToOrderMsg:
		return m.add(msg.line)
	case orderPlacedMsg:
		return m.placed(msg)
	case codeLookedUpMsg:
		if msg.target == tabOrder {
			return m.scannedProduct(msg)
		}
		return nil
	case storeChosenMsg:
		// Products are the same in every store, so the basket stays; the
		// order goes to another store now, a new request.
		if len(m.lines) > 0 {
			for i := range m.lines {
				m.lines[i].Stock = nil
			}
			m.changed()
		}
		m.last = nil
		return nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// handleKey handles a key press while the screen is shown.
func (m *orderModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if m.editing {
		switch {
		case key.Matches(msg, k.Submit):
			v := strings.TrimSpace(m.email.Value())
			if v != "" {
				if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
					return m.ctx.status(statusError, "%q is not an email address.", v)
				}
			}
			m.editing = false
			m.email.Blur()
			m.changed()
			return nil
		case key.Matches(msg, k.Back):
			m.editing = false
			m.email.Blur()
			m.email.SetValue(m.savedEmail)
			return nil
		}
		var cmd tea.Cmd
		m.email, cmd = m.email.Update(msg)
		return cmd
	}
	if m.table.update(msg, k) {
		return nil
	}
	if key.Matches(msg, k.Place) {
		return m.place()
	}
	edits := []key.Binding{k.More, k.Less, k.Remove, k.Empty, k.Email}
	if m.placing && key.Matches(msg, edits...) {
		return m.ctx.status(statusWarn, "Wait for the order being placed before changing the basket.")
	}
	i := m.table.selected()
	switch {
	case key.Matches(msg, k.More) && i >= 0:
		m.lines[i].Qty = min(m.lines[i].Qty+1, aforro.MaxLineQuantity)
		m.changed()
	case key.Matches(msg, k.Less) && i >= 0:
		if m.lines[i].Qty == 1 {
			return m.ctx.status(statusInfo, "x removes the line.")
		}
		m.lines[i].Qty--
		m.changed()
	case key.Matches(msg, k.Remove) && i >= 0:
		title := m.lines[i].Title
		m.lines = slices.Delete(m.lines, i, i+1)
		m.changed()
		return m.ctx.status(statusInfo, "Removed %s.", title)
	case key.Matches(msg, k.Empty) && len(m.lines) > 0:
		m.lines = nil
		m.changed()
		return m.ctx.status(statusInfo, "The basket is empty.")
	case key.Matches(msg, k.Email):
		m.editing = true
		m.savedEmail = m.email.Value()
		m.email.CursorEnd()
		return m.email.Focus()
	}
	return nil
}

// setRows turns the basket into table rows.
func (m *orderModel) setRows() {
	rows := make([]row, len(m.lines))
	for i, l := range m.lines {
		note, mark := "", markNone
		if l.Stock != nil && l.Qty > *l.Stock {
			note, mark = fmt.Sprintf("store has %d", *l.Stock), markOut
		}
		rows[i] = row{mark: mark, cells: []string{
			strconv.FormatInt(l.ProductID, 10), l.Title, l.Price.String(), strconv.Itoa(l.Qty),
			(l.Price * aforro.Money(l.Qty)).String(), note,
		}}
	}
	m.table.setRows(rows)
}

// captures keeps the keys for the email field while it has the focus.
func (m *orderModel) captures(msg tea.KeyMsg) bool {
	return m.editing && msg.Type != tea.KeyTab && msg.Type != tea.KeyShiftTab
}

// activate has nothing to load: the basket lives here.
func (m *orderModel) activate() tea.Cmd { return nil }

// deactivate leaves the email field, keeping what was typed.
func (m *orderModel) deactivate() {
	if m.editing {
		m.editing = false
		m.email.Blur()
		m.email.SetValue(m.savedEmail)
	}
}

// resize fits the basket table into what the other blocks leave.
func (m *orderModel) resize() {
	m.email.Width = max(m.ctx.width-20, 10)
	m.table.setSize(m.ctx.width, m.tableHeight())
}

// tableHeight is what the title, total, email and outcome lines leave.
func (m *orderModel) tableHeight() int {
	return max(m.ctx.height-4-len(m.outcomeLines()), 3)
}

// view renders the basket, its total, the email and the latest outcome.
func (m *orderModel) view() string {
	st := m.ctx.styles
	m.table.setSize(m.ctx.width, m.tableHeight())
	title := spread(st.Title.Render("Basket for "+m.ctx.store.Name)+
		st.Dim.Render(fmt.Sprintf("  %s, %s", plural(len(m.lines), "line", "lines"), items(m.units()))),
		st.Dim.Render("scan a code to add one"), m.ctx.width)
	var b strings.Builder
	b.WriteString(title + "\n")
	b.WriteString(fit(m.table.view(st), m.ctx.width, m.tableHeight()) + "\n")
	total := fmt.Sprintf("Total %s", m.total())
	switch {
	case m.placing:
		total += st.Dim.Render("   placing…")
	case m.key != "":
		total += st.Warn.Render("   unanswered: enter retries safely")
	}
	b.WriteString(st.Bold.Render(total) + "\n")
	switch {
	case m.editing:
		b.WriteString(m.email.View())
	case m.email.Value() != "":
		b.WriteString("Customer email: " + m.email.Value() + st.Dim.Render("  (e to change)"))
	default:
		b.WriteString(st.Dim.Render("Customer email: none (e to add one for a confirmation email)"))
	}
	for _, l := range m.outcomeLines() {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// outcomeLines describe the latest order: its status, and each line the
// store was short of.
func (m *orderModel) outcomeLines() []string {
	if m.last == nil {
		return nil
	}
	st := m.ctx.styles
	o := m.last
	head := fmt.Sprintf("Last order #%d  %s  %s  total %s",
		o.ID, st.status(o.Status).Render(o.Status), items(orderUnits(*o)), o.TotalAmount)
	lines := []string{"", head}
	titles := map[int64]string{}
	for _, it := range o.Items {
		titles[it.ProductID] = it.ProductTitle
	}
	short := map[int64]aforro.RejectedItem{}
	for _, r := range o.RejectedItems {
		short[r.ProductID] = r
	}
	for _, id := range slices.Sorted(maps.Keys(short)) {
		r := short[id]
		lines = append(lines, st.Rejected.Render(fmt.Sprintf("  %s: asked %d, the store has %d",
			titleOr(titles[id], id), r.QuantityRequested, r.QuantityAvailable)))
	}
	const maxLines = 6
	if len(lines) > maxLines {
		more := len(lines) - maxLines + 1
		lines = append(lines[:maxLines-1], st.Dim.Render(fmt.Sprintf("  and %d more short lines", more)))
	}
	return lines
}

// quantityKeys shows + and - as one entry of the footer.
func quantityKeys(k KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(append(k.More.Keys(), k.Less.Keys()...)...), key.WithHelp("+/-", "quantity"))
}

// titleOr returns title, or the product id when it is unknown.
func titleOr(title string, id int64) string {
	if title == "" {
		return "product " + strconv.FormatInt(id, 10)
	}
	return title
}

// help returns the screen's keys.
func (m *orderModel) help() helpKeys {
	k := m.ctx.keys
	if m.editing {
		keys := []key.Binding{withHelp(k.Submit, "keep email"), withHelp(k.Back, "cancel")}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	}
	return helpKeys{
		short: []key.Binding{k.Place, quantityKeys(k), k.Remove, k.Email, withHelp(k.Filter, "search")},
		full: [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom},
			{k.Place, k.More, k.Less, k.Remove, k.Empty, k.Email, withHelp(k.Filter, "search the catalogue")}},
	}
}
