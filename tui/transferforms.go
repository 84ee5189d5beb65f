package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
)

// The two forms of the Transfers screen: a receipt, entered line by line
// over a shipment coming in, and a new draft going out.

// Fields of a receipt line (rf: receipt field).
const (
	rfAccepted = iota
	rfRejected
	rfReason
	rfCount
)

// Areas of the new-draft form, in tab order.
const (
	areaDestination = iota
	areaProduct
	areaQuantity
	areaLines
	areaCount
)

// openReceive starts a receipt of what is still on the road, every unit
// accepted: one enter and a y receive the whole shipment.
func (m *transfersModel) openReceive() {
	m.receipt = nil
	for _, l := range m.detail.Lines {
		if l.InTransit > 0 {
			m.receipt = append(m.receipt, receiveLine{productID: l.ProductID, title: l.ProductTitle,
				unreceived: l.InTransit, accepted: l.InTransit})
		}
	}
	m.mode, m.field, m.fresh = transferReceive, rfAccepted, true
	m.receiveTbl.cursor = 0
	m.setReceiveRows()
}

// receiptUnits returns the units accepted and rejected in all.
func (m *transfersModel) receiptUnits() (accepted, rejected int) {
	for _, l := range m.receipt {
		accepted += l.accepted
		rejected += l.rejected
	}
	return accepted, rejected
}

// receiptBody is the receipt as the API takes it: the lines with something
// settled, each rejection with its reason.
func (m *transfersModel) receiptBody() aforro.ReceiveTransfer {
	var body aforro.ReceiveTransfer
	for _, l := range m.receipt {
		if l.accepted+l.rejected == 0 {
			continue
		}
		in := aforro.ReceiptLineInput{ProductID: l.productID, Accepted: l.accepted, Rejected: l.rejected}
		if l.rejected > 0 {
			in.Reason = rejectReasons[l.reason]
		}
		body.Lines = append(body.Lines, in)
	}
	return body
}

// receiveKey handles a key in the receipt form.
func (m *transfersModel) receiveKey(msg tea.KeyMsg) tea.Cmd {
	k, tk := m.ctx.keys, m.keys
	i := m.receiveTbl.selected()
	switch {
	case key.Matches(msg, k.Back):
		m.mode, m.receipt = transferDetail, nil
		return nil
	case key.Matches(msg, tk.Submit):
		if acc, rej := m.receiptUnits(); acc+rej == 0 {
			return m.ctx.status(statusWarn, "Nothing to receive: every line accepts and rejects 0.")
		}
		return m.ask("receive", m.detailID, "")
	case key.Matches(msg, k.Up, k.Down, k.Top, k.Bottom):
		m.receiveTbl.update(msg, k)
		m.fresh = true
	case msg.Type == tea.KeyLeft || msg.Type == tea.KeyShiftTab:
		m.field, m.fresh = max(m.field-1, 0), true
	case msg.Type == tea.KeyRight || msg.Type == tea.KeyTab:
		m.field, m.fresh = min(m.field+1, rfCount-1), true
	case i < 0:
		return nil
	case key.Matches(msg, tk.Reason):
		m.receipt[i].reason = (m.receipt[i].reason + 1) % len(rejectReasons)
	case key.Matches(msg, tk.AcceptAll):
		for j := range m.receipt {
			m.receipt[j].accepted, m.receipt[j].rejected = m.receipt[j].unreceived, 0
		}
		m.fresh = true
	case m.field == rfReason:
		return nil
	case key.Matches(msg, tk.Digits):
		d := int(msg.Runes[0] - '0')
		v := m.fieldValue(i)*10 + d
		if m.fresh {
			v = d
		}
		m.setField(i, v)
		m.fresh = false
	case key.Matches(msg, tk.Erase):
		m.setField(i, m.fieldValue(i)/10)
		m.fresh = false
	case key.Matches(msg, k.More):
		m.setField(i, m.fieldValue(i)+1)
	case key.Matches(msg, k.Less):
		m.setField(i, m.fieldValue(i)-1)
	default:
		return nil
	}
	m.setReceiveRows()
	return nil
}

// fieldValue returns the number in the focused field of line i.
func (m *transfersModel) fieldValue(i int) int {
	if m.field == rfRejected {
		return m.receipt[i].rejected
	}
	return m.receipt[i].accepted
}

// setField sets the focused number of line i, within what is on the road:
// raising one of accepted and rejected past it lowers the other, so typing
// "reject 2" on a line of 10 accepts the other 8.
func (m *transfersModel) setField(i, v int) {
	l := &m.receipt[i]
	v = max(min(v, l.unreceived), 0)
	if m.field == rfRejected {
		l.rejected = v
		l.accepted = min(l.accepted, l.unreceived-v)
		return
	}
	l.accepted = v
	l.rejected = min(l.rejected, l.unreceived-v)
}

// setReceiveRows turns the receipt into rows, the focused field in
// brackets.
func (m *transfersModel) setReceiveRows() {
	rows := make([]row, len(m.receipt))
	for i, l := range m.receipt {
		reason := ""
		if l.rejected > 0 {
			reason = rejectReasons[l.reason]
		}
		cells := []string{strconv.FormatInt(l.productID, 10), l.title, strconv.Itoa(l.unreceived),
			strconv.Itoa(l.accepted), strconv.Itoa(l.rejected), reason}
		if i == m.receiveTbl.cursor {
			if m.field == rfReason {
				cells[5] = rejectReasons[l.reason]
			}
			cells[3+m.field] = "[" + cells[3+m.field] + "]"
		}
		mark := markNone
		if l.accepted+l.rejected < l.unreceived {
			mark = markLow // units would stay on the road
		}
		rows[i] = row{mark: mark, cells: cells}
	}
	m.receiveTbl.setRows(rows)
}

// receiveView renders the receipt form.
func (m *transfersModel) receiveView() string {
	st := m.ctx.styles
	acc, rej := m.receiptUnits()
	left := 0
	for _, l := range m.receipt {
		left += l.unreceived - l.accepted - l.rejected
	}
	from := ""
	if m.detail != nil {
		from = " from " + m.storeName(m.detail.SourceStoreID)
	}
	title := st.Title.Render(fmt.Sprintf("Receive #%d%s", m.detailID, from)) +
		st.Dim.Render(fmt.Sprintf("  accept %d · reject %d · %d left", acc, rej, left))
	hint := st.Dim.Render("Type units into [ ] · ←/→ field · space: reason (damaged, missing, other)")
	return title + "\n" + hint + "\n" + m.receiveTbl.view(st)
}

// openCreate opens the new-draft form, keeping a draft begun earlier.
func (m *transfersModel) openCreate() tea.Cmd {
	m.mode = transferCreate
	m.setDestRows()
	return tea.Batch(m.loadStores(), m.focusArea(areaDestination))
}

// focusArea moves the form's focus.
func (m *transfersModel) focusArea(a int) tea.Cmd {
	m.area = a
	m.productIn.Blur()
	m.qtyIn.Blur()
	switch a {
	case areaProduct:
		return m.productIn.Focus()
	case areaQuantity:
		return m.qtyIn.Focus()
	}
	return nil
}

// setDestRows lists the stores a draft can go to: all but this one.
func (m *transfersModel) setDestRows() {
	m.destIDs = m.destIDs[:0]
	var rows []row
	for _, s := range m.stores {
		if s.ID == m.ctx.store.ID {
			continue
		}
		m.destIDs = append(m.destIDs, s.ID)
		rows = append(rows, row{cells: []string{strconv.FormatInt(s.ID, 10), s.Name, s.Location}})
	}
	m.dest.setRows(rows)
}

// destination returns the store chosen for the draft, 0 for none.
func (m *transfersModel) destination() int64 {
	if i := m.dest.selected(); i >= 0 && i < len(m.destIDs) {
		return m.destIDs[i]
	}
	return 0
}

// draftUnits returns the units of the draft's lines.
func (m *transfersModel) draftUnits() int {
	n := 0
	for _, l := range m.draft {
		n += l.qty
	}
	return n
}

// draftBody is the new draft as the API takes it.
func (m *transfersModel) draftBody() aforro.CreateTransfer {
	body := aforro.CreateTransfer{SourceStoreID: m.ctx.store.ID, DestinationStoreID: m.destination()}
	for _, l := range m.draft {
		body.Lines = append(body.Lines, aforro.TransferLineInput{ProductID: l.productID, Quantity: l.qty})
	}
	return body
}

// createKey handles a key in the new-draft form.
func (m *transfersModel) createKey(msg tea.KeyMsg) tea.Cmd {
	k, tk := m.ctx.keys, m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.mode = transferList
		m.productIn.Blur()
		m.qtyIn.Blur()
		return nil
	case msg.Type == tea.KeyTab:
		return m.focusArea((m.area + 1) % areaCount)
	case msg.Type == tea.KeyShiftTab:
		return m.focusArea((m.area + areaCount - 1) % areaCount)
	}
	switch m.area {
	case areaProduct, areaQuantity:
		if key.Matches(msg, k.Submit) {
			if m.area == areaProduct {
				return m.focusArea(areaQuantity)
			}
			return m.addLine()
		}
		var cmd tea.Cmd
		if m.area == areaProduct {
			m.productIn, cmd = m.productIn.Update(msg)
		} else {
			m.qtyIn, cmd = m.qtyIn.Update(msg)
		}
		return cmd
	case areaDestination:
		if key.Matches(msg, tk.Create) {
			return m.askCreate()
		}
		m.dest.update(msg, k)
		return nil
	}
	// The lines.
	i := m.draftTbl.selected()
	switch {
	case key.Matches(msg, tk.Create):
		return m.askCreate()
	case m.draftTbl.update(msg, k):
	case i < 0:
	case key.Matches(msg, tk.Remove):
		m.draft = slices.Delete(m.draft, i, i+1)
	case key.Matches(msg, k.More):
		m.draft[i].qty = min(m.draft[i].qty+1, aforro.MaxLineQuantity)
	case key.Matches(msg, k.Less):
		m.draft[i].qty = max(m.draft[i].qty-1, 1)
	}
	m.setDraftRows()
	return nil
}

// askCreate asks before creating the draft, once it has somewhere to go
// and something to carry.
func (m *transfersModel) askCreate() tea.Cmd {
	switch {
	case m.destination() == 0:
		return m.ctx.status(statusWarn, "Choose the store the transfer goes to.")
	case len(m.draft) == 0:
		return m.ctx.status(statusWarn, "Add a line first: a product id and a quantity (tab to the fields).")
	}
	return m.ask("create", 0, "")
}

// addLine looks up the product typed, to add it with its title.
func (m *transfersModel) addLine() tea.Cmd {
	if m.lookingUp {
		return nil
	}
	id, err := strconv.ParseInt(strings.TrimSpace(m.productIn.Value()), 10, 64)
	if err != nil || id <= 0 {
		return m.ctx.status(statusError, "%q is not a product id.", strings.TrimSpace(m.productIn.Value()))
	}
	qty, err := strconv.Atoi(strings.TrimSpace(m.qtyIn.Value()))
	if err != nil || qty < 1 || qty > aforro.MaxLineQuantity {
		return m.ctx.status(statusError, "The quantity must be a whole number from 1 to %d.", aforro.MaxLineQuantity)
	}
	if len(m.draft) >= aforro.MaxTransferLines && !slices.ContainsFunc(m.draft, func(l draftLine) bool { return l.productID == id }) {
		return m.ctx.status(statusWarn, "A transfer has at most %d lines.", aforro.MaxTransferLines)
	}
	m.lookingUp = true
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		p, err := c.client.Product(ctx, id)
		return transferProductMsg{result: result{err}, id: id, qty: qty, product: p}
	}
}

// productFound adds the product looked up to the draft, or says why not.
func (m *transfersModel) productFound(msg transferProductMsg) tea.Cmd {
	m.lookingUp = false
	if aforro.ErrorCode(msg.err) == aforro.ENOTFOUND {
		return m.ctx.status(statusError, "There is no product %d.", msg.id)
	}
	if msg.err != nil {
		return m.ctx.errorStatus(fmt.Sprintf("Look up product %d", msg.id), msg.err)
	}
	i := slices.IndexFunc(m.draft, func(l draftLine) bool { return l.productID == msg.id })
	if i < 0 {
		m.draft = append(m.draft, draftLine{productID: msg.id, title: msg.product.Title})
		i = len(m.draft) - 1
	}
	m.draft[i].qty = min(m.draft[i].qty+msg.qty, aforro.MaxLineQuantity)
	m.draftTbl.cursor = i
	m.setDraftRows()
	m.productIn.Reset()
	m.qtyIn.Reset()
	var focus tea.Cmd
	if m.mode == transferCreate {
		focus = m.focusArea(areaProduct)
	}
	return tea.Batch(focus, m.ctx.status(statusSuccess, "Added %s: %d in the draft.", msg.product.Title, m.draft[i].qty))
}

// setDraftRows turns the draft into rows.
func (m *transfersModel) setDraftRows() {
	rows := make([]row, len(m.draft))
	for i, l := range m.draft {
		rows[i] = row{cells: []string{strconv.FormatInt(l.productID, 10), l.title, strconv.Itoa(l.qty)}}
	}
	m.draftTbl.setRows(rows)
}

// createView renders the new-draft form.
func (m *transfersModel) createView() string {
	st := m.ctx.styles
	label := func(a int, text string) string {
		if a == m.area {
			return st.Bold.Render("▸ " + text)
		}
		return st.Dim.Render("  " + text)
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("New transfer from "+m.ctx.store.Name) +
		st.Dim.Render("  a draft touches no stock until shipped") + "\n")
	to := "To: choose a store"
	if id := m.destination(); id != 0 {
		to = fmt.Sprintf("To: %s (#%d)", m.storeName(id), id)
	}
	b.WriteString(label(areaDestination, to) + "\n")
	dest := st.Dim.Render("  Loading the stores…")
	if m.storesLoaded {
		dest = m.dest.view(st)
	}
	b.WriteString(fit(dest, m.ctx.width, m.destHeight()) + "\n\n")
	product, qty := m.productIn.View(), m.qtyIn.View()
	if m.area != areaProduct {
		product = "Product id: " + m.productIn.Value()
	}
	if m.area != areaQuantity {
		qty = "Quantity: " + m.qtyIn.Value()
	}
	mark := "  "
	if m.area == areaProduct || m.area == areaQuantity {
		mark = "▸ "
	}
	line := mark + fmt.Sprintf("%-24s", product) + "  " + qty
	if m.lookingUp {
		line += st.Dim.Render("  looking up…")
	}
	b.WriteString(line + "\n")
	b.WriteString(label(areaLines, fmt.Sprintf("Lines: %s, %s", plural(len(m.draft), "line", "lines"),
		plural(m.draftUnits(), "unit", "units"))) + "\n")
	b.WriteString(m.draftTbl.view(st))
	return b.String()
}

// createHelp returns the keys of the area with the focus.
func (m *transfersModel) createHelp() []key.Binding {
	k, tk := m.ctx.keys, m.keys
	var keys []key.Binding
	switch m.area {
	case areaDestination:
		keys = []key.Binding{withHelp(k.Up, "choose store"), tk.Create}
	case areaProduct:
		keys = []key.Binding{withHelp(k.Submit, "to quantity")}
	case areaQuantity:
		keys = []key.Binding{tk.Add}
	default:
		keys = []key.Binding{tk.Create}
		if len(m.draft) > 0 {
			keys = append(keys, tk.Remove, quantityKeys(k))
		}
	}
	return append(keys, tk.NextArea, withHelp(k.Back, "back"))
}
