package tui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// transferMode is what the Transfers screen shows.
type transferMode int

const (
	transferList    transferMode = iota // the store's transfers, both ways
	transferDetail                      // one transfer and its lines
	transferReceive                     // a receipt being entered, line by line
	transferCreate                      // a new draft being entered
)

// transferKeyMap is the Transfers screen's own keys; they live here, beside
// the screen, and feed both its key handling and its help.
type transferKeyMap struct {
	Open      key.Binding
	New       key.Binding
	Direction key.Binding
	Status    key.Binding
	Ship      key.Binding // enter on a draft going out
	Receive   key.Binding // enter on a shipment coming in
	Cancel    key.Binding
	Field     key.Binding // receive form: the next and previous number or reason
	Digits    key.Binding
	Erase     key.Binding
	Reason    key.Binding
	AcceptAll key.Binding
	Submit    key.Binding // receive form: send the receipt
	NextArea  key.Binding // create form
	Add       key.Binding
	Create    key.Binding
	Remove    key.Binding
}

// transferKeys returns the Transfers screen's keys.
func transferKeys() transferKeyMap {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	digits := make([]string, 10)
	for i := range digits {
		digits[i] = strconv.Itoa(i)
	}
	return transferKeyMap{
		Open:      b([]string{"enter"}, "enter", "details"),
		New:       b([]string{"n"}, "n", "new draft"),
		Direction: b([]string{"d"}, "d", "in/out"),
		Status:    b([]string{"/", "t"}, "/", "status"), // "/" as everywhere; t as on Orders
		Ship:      b([]string{"enter"}, "enter", "ship"),
		Receive:   b([]string{"enter"}, "enter", "receive"),
		Cancel:    b([]string{"c"}, "c", "cancel"),
		Field:     b([]string{"left", "right", "tab", "shift+tab"}, "←/→", "field"),
		Digits:    b(digits, "0-9", "units"),
		Erase:     b([]string{"backspace"}, "backspace", "erase a digit"),
		Reason:    b([]string{" "}, "space", "reason"),
		AcceptAll: b([]string{"a"}, "a", "accept all"),
		Submit:    b([]string{"enter"}, "enter", "receive"),
		NextArea:  b([]string{"tab", "shift+tab"}, "tab", "next field"),
		Add:       b([]string{"enter"}, "enter", "add line"),
		Create:    b([]string{"enter"}, "enter", "create draft"),
		Remove:    b([]string{"x", "delete"}, "x", "remove line"),
	}
}

// transferDirections are the choices of "d"; "" is both ways.
var transferDirections = []string{"", aforro.DirectionIn, aforro.DirectionOut}

// rejectReasons are the choices of a rejected unit's reason, in the order
// space cycles through them.
var rejectReasons = []string{aforro.RejectDamaged, aforro.RejectMissing, aforro.RejectOther}

// Messages of the Transfers screen.
type (
	// transferStoresMsg brings every store, for names and destinations
	// (the picker's list holds only the stores the token covers).
	transferStoresMsg struct {
		result
		stores []aforro.Store
	}
	transferLoadedMsg struct {
		result
		id       int64
		transfer aforro.Transfer
	}
	// transferChangedMsg answers a create, ship, receive or cancel; every
	// screen showing stock is stale after one that worked.
	transferChangedMsg struct {
		result
		action   string // "create", "ship", "receive", "cancel"
		id       int64  // 0 for a create
		transfer aforro.Transfer
		replayed bool
	}
	// transferProductMsg answers the look-up of a product being added to
	// a new draft.
	transferProductMsg struct {
		result
		id      int64
		qty     int
		product aforro.Product
	}
)

// receiveLine is one line of a receipt being entered.
type receiveLine struct {
	productID  int64
	title      string
	unreceived int
	accepted   int
	rejected   int
	reason     int // index of rejectReasons
}

// draftLine is one line of a new draft.
type draftLine struct {
	productID int64
	title     string
	qty       int
}

// transferPrompt is the y/n question about to run an action.
type transferPrompt struct {
	action string // "ship", "receive", "cancel", "create"; "" when no prompt
	id     int64
	text   string
}

// transfersModel is the Transfers screen: the store's incoming and
// outgoing transfers, one transfer's lines, and the actions its state
// allows, each asked y/n before it runs: receive (line by line), ship and
// cancel, and a new draft.
type transfersModel struct {
	ctx    *programContext
	keys   transferKeyMap
	active bool
	mode   transferMode

	list      pagedList[aforro.TransferSummary]
	table     table
	direction int // index of transferDirections
	status    int // 0: all; else aforro.TransferStatuses[status-1]

	stores        []aforro.Store
	storesLoading bool
	storesLoaded  bool

	detailID     int64
	detail       *aforro.Transfer
	detailFailed bool
	detailTable  table
	short        map[int64]aforro.ShortItem // lines the last refused shipment was short of

	receipt    []receiveLine
	receiveTbl table
	field      int  // 0 accepted, 1 rejected, 2 reason
	fresh      bool // the next digit replaces the number rather than extends it

	dest      table // destinations of a new draft
	destIDs   []int64
	area      int // 0 destination, 1 product id, 2 quantity, 3 lines
	productIn textinput.Model
	qtyIn     textinput.Model
	draft     []draftLine
	draftTbl  table
	lookingUp bool

	prompt  transferPrompt
	pending string // the action whose request is in flight

	// key is the Idempotency-Key of the create, ship or receive that went
	// unanswered, kept for keyFor (the action and its body) so that trying
	// again cannot make the change twice.
	key, keyFor string
}

// newTransfers returns the Transfers screen.
func newTransfers(ctx *programContext) *transfersModel {
	m := &transfersModel{
		ctx:  ctx,
		keys: transferKeys(),
		list: pagedList[aforro.TransferSummary]{num: 1},
		table: newTable("No transfers.",
			column{title: "TRANSFER", right: true}, column{title: "STATUS"}, column{title: "STORE", flex: true},
			column{title: "LINES", right: true}, column{title: "UNITS", right: true}, column{title: "UPDATED"}),
		detailTable: newTable("No lines."),
		receiveTbl: newTable("Nothing is left to receive.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true}, column{title: "ON ROAD", right: true},
			column{title: "ACCEPT", right: true}, column{title: "REJECT", right: true}, column{title: "REASON"}),
		dest: newTable("No other store.",
			column{title: "ID", right: true}, column{title: "STORE", flex: true}, column{title: "LOCATION", flex: true}),
		draftTbl: newTable("No lines yet: type a product id and a quantity.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true}, column{title: "QTY", right: true}),
		productIn: ctx.styles.newInput("Product id: ", "", 19),
		qtyIn:     ctx.styles.newInput("Quantity: ", "", 7),
	}
	m.productIn.Width, m.qtyIn.Width = 10, 8
	return m
}

// storeName returns a store's name, or its id while the names are unknown.
func (m *transfersModel) storeName(id int64) string {
	for _, s := range m.stores {
		if s.ID == id {
			return s.Name
		}
	}
	return "store #" + strconv.FormatInt(id, 10)
}

// outgoing reports whether the chosen store ships the transfer between
// source and destination (it is the source).
func (m *transfersModel) outgoing(source int64) bool { return source == m.ctx.store.ID }

// statusFilter returns the status the list is narrowed to, "" for all.
func (m *transfersModel) statusFilter() string {
	if m.status == 0 {
		return ""
	}
	return aforro.TransferStatuses[m.status-1]
}

// load asks for the current page of transfers.
func (m *transfersModel) load() tea.Cmd {
	if m.ctx.store.ID == 0 {
		return nil
	}
	cl, storeID := m.ctx.client, m.ctx.store.ID
	f := client.TransferFilter{Direction: transferDirections[m.direction], Status: m.statusFilter()}
	return m.list.load(m.ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.TransferSummary], error) {
		return cl.ListStoreTransfers(ctx, storeID, f, page)
	})
}

// loadStores fetches every store (a public list): names for the table and
// destinations for a new draft.
func (m *transfersModel) loadStores() tea.Cmd {
	if m.storesLoading || m.storesLoaded {
		return nil
	}
	m.storesLoading = true
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		var stores []aforro.Store
		for st, err := range client.All(ctx, c.client.ListStores, aforro.MaxPageSize) {
			if err != nil {
				return transferStoresMsg{result: result{err}}
			}
			stores = append(stores, st)
		}
		return transferStoresMsg{stores: stores}
	}
}

// loadDetail asks for transfer id.
func (m *transfersModel) loadDetail(id int64) tea.Cmd {
	m.detailID, m.detailFailed = id, false
	if m.detail != nil && m.detail.ID != id {
		m.detail, m.short = nil, nil
	}
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		t, err := c.client.Transfer(ctx, id)
		return transferLoadedMsg{result: result{err}, id: id, transfer: t}
	}
}

// update handles answers, store changes and, when shown, keys.
// hasFilter: "/" turns this screen's status filter, as on Orders.
func (m *transfersModel) hasFilter() {}

func (m *transfersModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageLoadedMsg[aforro.TransferSummary]:
		return m.list.accept(m.ctx, msg, "Load the transfers", m.load, m.setRows)
	case transferStoresMsg:
		m.storesLoading = false
		if msg.err != nil {
			return m.ctx.errorStatus("Load the stores", msg.err)
		}
		m.stores, m.storesLoaded = msg.stores, true
		m.setRows()
		m.setDestRows()
		if m.detail != nil {
			m.setDetailRows()
		}
		return nil
	case transferLoadedMsg:
		if msg.id != m.detailID {
			return nil
		}
		if msg.err != nil {
			m.detailFailed = true
			return m.ctx.errorStatus(fmt.Sprintf("Load transfer #%d", msg.id), msg.err)
		}
		t := msg.transfer
		m.detail = &t
		m.setDetailRows()
		return m.ctx.loaded(fmt.Sprintf("Load transfer #%d", msg.id))
	case transferProductMsg:
		return m.productFound(msg)
	case transferChangedMsg:
		return m.changed(msg)
	case storeChosenMsg:
		m.reset()
		return nil
	case reconnectedMsg:
		var cmds []tea.Cmd
		if m.list.failed {
			m.list.stale = true
			if m.active {
				cmds = append(cmds, m.load())
			}
		}
		if m.detailFailed && m.detailID != 0 && m.active {
			cmds = append(cmds, m.loadDetail(m.detailID))
		}
		if !m.storesLoaded && m.active {
			cmds = append(cmds, m.loadStores())
		}
		return tea.Batch(cmds...)
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// reset forgets everything of the previous store.
func (m *transfersModel) reset() {
	m.list.reset()
	m.list.stale = true
	m.direction, m.status = 0, 0
	m.mode = transferList
	m.detailID, m.detail, m.short = 0, nil, nil
	m.prompt = transferPrompt{}
	m.receipt, m.draft = nil, nil
	m.productIn.Reset()
	m.qtyIn.Reset()
	m.productIn.Blur()
	m.qtyIn.Blur()
	m.key, m.keyFor = "", ""
	m.table.cursor = 0
	m.setRows()
	m.setDestRows()
}

// handleKey handles a key press while the screen is shown.
func (m *transfersModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if m.prompt.action != "" {
		p := m.prompt
		m.prompt = transferPrompt{}
		if key.Matches(msg, k.Yes) {
			return m.run(p)
		}
		if p.action == "create" {
			return m.ctx.status(statusInfo, "The draft is not created; it is kept here.")
		}
		return m.ctx.status(statusInfo, "Transfer #%d is left as it is.", p.id)
	}
	switch m.mode {
	case transferReceive:
		return m.receiveKey(msg)
	case transferCreate:
		return m.createKey(msg)
	case transferDetail:
		return m.detailKey(msg)
	}
	return m.listKey(msg)
}

// listKey handles a key on the list.
func (m *transfersModel) listKey(msg tea.KeyMsg) tea.Cmd {
	k, tk := m.ctx.keys, m.keys
	if m.table.update(msg, k) {
		return nil
	}
	rows, i := m.list.page.Results, m.table.selected()
	switch {
	case key.Matches(msg, tk.Open) && i >= 0:
		m.mode = transferDetail
		return m.loadDetail(rows[i].ID)
	case key.Matches(msg, tk.Cancel) && i >= 0:
		if !m.cancellable(rows[i].Status, rows[i].SourceStoreID) {
			return m.ctx.status(statusWarn, "Transfer #%d cannot be cancelled from here: it is %s.", rows[i].ID, stateText(rows[i].Status))
		}
		return m.ask("cancel", rows[i].ID, rows[i].Status)
	case key.Matches(msg, tk.New):
		return m.openCreate()
	case key.Matches(msg, tk.Direction):
		m.direction = (m.direction + 1) % len(transferDirections)
		m.list.first()
		m.table.cursor = 0
		return m.load()
	case key.Matches(msg, tk.Status):
		m.status = (m.status + 1) % (len(aforro.TransferStatuses) + 1)
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

// detailKey handles a key on one transfer.
func (m *transfersModel) detailKey(msg tea.KeyMsg) tea.Cmd {
	k, tk := m.ctx.keys, m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.mode, m.detailID, m.detail, m.short = transferList, 0, nil, nil
		return nil
	case key.Matches(msg, k.Refresh):
		return m.loadDetail(m.detailID)
	}
	t := m.detail
	if t == nil {
		return nil
	}
	switch {
	case key.Matches(msg, tk.Ship) && m.shippable(t.Status, t.SourceStoreID):
		return m.ask("ship", t.ID, t.Status)
	case key.Matches(msg, tk.Receive) && m.receivable(t.Status, t.DestinationStoreID):
		m.openReceive()
		return nil
	case key.Matches(msg, tk.Cancel):
		if !m.cancellable(t.Status, t.SourceStoreID) {
			return m.ctx.status(statusWarn, "Transfer #%d cannot be cancelled from here: it is %s.", t.ID, stateText(t.Status))
		}
		return m.ask("cancel", t.ID, t.Status)
	}
	m.detailTable.update(msg, k)
	return nil
}

// shippable, receivable and cancellable say which actions the chosen
// store may take on a transfer in status: the source ships a draft and
// cancels one not yet settled, the destination receives what is on the
// road.
func (m *transfersModel) shippable(status string, source int64) bool {
	return status == aforro.TransferDraft && m.outgoing(source)
}

func (m *transfersModel) receivable(status string, destination int64) bool {
	return (status == aforro.TransferShipped || status == aforro.TransferPartiallyReceived) && destination == m.ctx.store.ID
}

func (m *transfersModel) cancellable(status string, source int64) bool {
	switch status {
	case aforro.TransferDraft, aforro.TransferShipped, aforro.TransferPartiallyReceived:
		return m.outgoing(source)
	}
	return false
}

// stateText writes a status for a sentence ("partially received").
func stateText(status string) string { return strings.ReplaceAll(status, "_", " ") }

// ask opens the y/n prompt for an action on transfer id.
func (m *transfersModel) ask(action string, id int64, status string) tea.Cmd {
	if m.pending != "" {
		return m.ctx.status(statusInfo, "Wait for the %s being sent.", m.pending)
	}
	var text string
	switch action {
	case "ship":
		text = fmt.Sprintf("Ship transfer #%d? Its units leave %s now. y/n", id, m.ctx.store.Name)
	case "cancel":
		text = fmt.Sprintf("Cancel transfer #%d? Nothing of it is shipped. y/n", id)
		if status != aforro.TransferDraft {
			text = fmt.Sprintf("Cancel transfer #%d? What is still on the road returns to %s. y/n", id, m.ctx.store.Name)
		}
	case "receive":
		acc, rej := m.receiptUnits()
		text = fmt.Sprintf("Receive transfer #%d: accept %d, reject %d? y/n", id, acc, rej)
	case "create":
		text = fmt.Sprintf("Create a draft to %s: %s, %s? y/n", m.storeName(m.destination()),
			plural(len(m.draft), "line", "lines"), plural(m.draftUnits(), "unit", "units"))
	}
	m.prompt = transferPrompt{action: action, id: id, text: text}
	return nil
}

// idempotencyKey returns the key for an action with this body: the one
// kept from an unanswered attempt at the same, else a new one.
func (m *transfersModel) idempotencyKey(what string) string {
	if m.keyFor != what || m.key == "" {
		m.key, m.keyFor = client.NewIdempotencyKey(), what
	}
	return m.key
}

// run sends the action the user said yes to.
func (m *transfersModel) run(p transferPrompt) tea.Cmd {
	c, id := m.ctx, p.id
	m.pending = p.action
	var send func(ctx context.Context) (aforro.Transfer, bool, error)
	var say string
	switch p.action {
	case "ship":
		k := m.idempotencyKey(fmt.Sprintf("ship %d", id))
		say = fmt.Sprintf("Shipping transfer #%d…", id)
		send = func(ctx context.Context) (aforro.Transfer, bool, error) { return c.client.ShipTransfer(ctx, id, k) }
	case "cancel":
		say = fmt.Sprintf("Cancelling transfer #%d…", id)
		send = func(ctx context.Context) (aforro.Transfer, bool, error) {
			t, err := c.client.CancelTransfer(ctx, id)
			return t, false, err
		}
	case "receive":
		body := m.receiptBody()
		k := m.idempotencyKey(fmt.Sprintf("receive %d %v", id, body))
		say = fmt.Sprintf("Receiving transfer #%d…", id)
		send = func(ctx context.Context) (aforro.Transfer, bool, error) {
			return c.client.ReceiveTransfer(ctx, id, body, k)
		}
	case "create":
		body := m.draftBody()
		k := m.idempotencyKey(fmt.Sprintf("create %v", body))
		say = "Creating the draft…"
		send = func(ctx context.Context) (aforro.Transfer, bool, error) { return c.client.CreateTransfer(ctx, body, k) }
	}
	action := p.action
	return tea.Batch(m.ctx.status(statusInfo, "%s", say), func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		t, replayed, err := send(ctx)
		return transferChangedMsg{result: result{err}, action: action, id: id, transfer: t, replayed: replayed}
	})
}

// changed takes the answer to an action: on success the screen shows the
// transfer as the server now has it and the list loads again; on failure
// everything stays as it was (the form keeps what was typed) and the
// status line says why.
func (m *transfersModel) changed(msg transferChangedMsg) tea.Cmd {
	m.pending = ""
	what := map[string]string{"ship": "shipped", "cancel": "cancelled", "receive": "received", "create": "created"}[msg.action]
	if msg.err != nil {
		if unreachable(msg.err) && msg.action == "cancel" {
			return m.ctx.status(statusError, "No answer from the server; transfer #%d may or may not be cancelled: "+
				"r shows how it stands.", msg.id)
		}
		if unreachable(msg.err) {
			// Whether it happened is unknown: the kept key makes the same
			// request again harmless.
			noun := map[string]string{"ship": "shipment", "receive": "receipt", "create": "draft"}[msg.action]
			return m.ctx.status(statusError, "No answer from the server; the %s may or may not be made. "+
				"Try again: it is made at most once.", noun)
		}
		m.key, m.keyFor = "", ""
		if msg.action == "ship" && m.noteShort(msg.err) {
			return m.ctx.status(statusError, "Transfer #%d was not shipped: %s is short of %s (marked).",
				msg.id, m.ctx.store.Name, plural(len(m.short), "line", "lines"))
		}
		if msg.action == "create" {
			return m.ctx.errorStatus("The draft was not created", msg.err)
		}
		return m.ctx.errorStatus(fmt.Sprintf("Transfer #%d was not %s", msg.id, what), msg.err)
	}
	m.key, m.keyFor = "", ""
	t := msg.transfer
	if t.SourceStoreID != m.ctx.store.ID && t.DestinationStoreID != m.ctx.store.ID {
		// Another store was chosen while the request was out: its
		// screen starts over, and this one only says what happened.
		return m.ctx.status(statusSuccess, "Transfer #%d %s.", t.ID, what)
	}
	if m.mode != transferList || m.detailID == t.ID {
		// From a form or the details: show the transfer as it now is. A
		// cancel from the list stays on the list, which loads again.
		m.detail, m.detailID, m.detailFailed, m.short = &t, t.ID, false, nil
		m.mode = transferDetail
		m.setDetailRows()
	}
	m.list.stale = true
	again := ""
	if msg.replayed {
		again = " (retried, done once)"
	}
	var say tea.Cmd
	units := transferUnits(t)
	switch msg.action {
	case "create":
		m.draft = nil
		m.setDraftRows()
		say = m.ctx.status(statusSuccess, "Draft transfer #%d to %s created: %s%s. enter ships it.",
			t.ID, m.storeName(t.DestinationStoreID), plural(units, "unit", "units"), again)
	case "ship":
		say = m.ctx.status(statusSuccess, "Transfer #%d shipped: %s on the road to %s%s.",
			t.ID, plural(units, "unit", "units"), m.storeName(t.DestinationStoreID), again)
	case "receive":
		m.receipt = nil
		say = m.ctx.status(statusSuccess, "Transfer #%d %s: %d received, %d rejected in all%s.",
			t.ID, stateText(t.Status), sumLines(t, func(l aforro.TransferLine) int { return l.Received }),
			sumLines(t, func(l aforro.TransferLine) int { return l.Rejected }), again)
	case "cancel":
		returned := sumLines(t, func(l aforro.TransferLine) int { return l.Returned })
		if t.ShippedAt == nil {
			say = m.ctx.status(statusSuccess, "Transfer #%d cancelled: it was a draft, no stock moved.", t.ID)
			break
		}
		say = m.ctx.status(statusSuccess, "Transfer #%d cancelled: %s back in %s.", t.ID,
			plural(returned, "unit", "units"), m.storeName(t.SourceStoreID))
	}
	return tea.Batch(m.load(), say)
}

// noteShort marks the lines a refused shipment was short of, and reports
// whether there were any.
func (m *transfersModel) noteShort(err error) bool {
	var ae *client.APIError
	if !errors.As(err, &ae) || len(ae.RejectedItems) == 0 {
		return false
	}
	m.short = map[int64]aforro.ShortItem{}
	for _, s := range ae.RejectedItems {
		m.short[s.ProductID] = s
	}
	if m.detail != nil {
		m.setDetailRows()
	}
	return true
}

// transferUnits returns the units a transfer's lines ask for.
func transferUnits(t aforro.Transfer) int {
	return sumLines(t, func(l aforro.TransferLine) int { return l.Quantity })
}

// sumLines adds up one number of every line.
func sumLines(t aforro.Transfer, f func(aforro.TransferLine) int) int {
	n := 0
	for _, l := range t.Lines {
		n += f(l)
	}
	return n
}

// unreceived returns a line's units not yet settled: the whole line for a
// draft, those on the road once shipped.
func unreceived(status string, l aforro.TransferLine) int {
	if status == aforro.TransferDraft {
		return l.Quantity
	}
	return l.InTransit
}

// setRows turns the transfers into table rows.
func (m *transfersModel) setRows() {
	rows := make([]row, len(m.list.page.Results))
	for i, t := range m.list.page.Results {
		other := "from " + m.storeName(t.SourceStoreID)
		if m.outgoing(t.SourceStoreID) {
			other = "to " + m.storeName(t.DestinationStoreID)
		}
		mark := markNone
		if t.Status == aforro.TransferCancelled || t.Status == aforro.TransferReceived {
			mark = markDim
		}
		rows[i] = row{mark: mark, cells: []string{
			"#" + strconv.FormatInt(t.ID, 10), t.Status, other, strconv.Itoa(t.LineCount),
			strconv.Itoa(t.TotalUnits), m.ctx.formatTime(t.UpdatedAt),
		}}
	}
	m.table.setRows(rows)
}

// setDetailRows turns the transfer's lines into table rows.
func (m *transfersModel) setDetailRows() {
	t := m.detail
	// A draft has moved nothing: its units' columns would all be 0.
	draft := t.Status == aforro.TransferDraft
	m.detailTable.cols = []column{{title: "ID", right: true}, {title: "PRODUCT", flex: true}, {title: "QTY", right: true}}
	if !draft {
		m.detailTable.cols = append(m.detailTable.cols, column{title: "RECEIVED", right: true},
			column{title: "REJECTED", right: true}, column{title: "RETURNED", right: true}, column{title: "UNRECEIVED", right: true})
	}
	m.detailTable.cols = append(m.detailTable.cols, column{title: ""})
	rows := make([]row, len(t.Lines))
	for i, l := range t.Lines {
		note, mark := "", markNone
		if s, ok := m.short[l.ProductID]; ok {
			note, mark = fmt.Sprintf("short: the store has %d", s.Available), markOut
		}
		cells := []string{strconv.FormatInt(l.ProductID, 10), l.ProductTitle, strconv.Itoa(l.Quantity)}
		if !draft {
			cells = append(cells, strconv.Itoa(l.Received), strconv.Itoa(l.Rejected), strconv.Itoa(l.Returned),
				strconv.Itoa(unreceived(t.Status, l)))
		}
		rows[i] = row{mark: mark, cells: append(cells, note)}
	}
	m.detailTable.setRows(rows)
}

// captures keeps every key for the prompt and the forms, whose digits and
// letters are values, not screens.
func (m *transfersModel) captures(tea.KeyMsg) bool {
	return m.prompt.action != "" || m.mode == transferReceive || m.mode == transferCreate
}

// activate refreshes the list and loads the store names once.
func (m *transfersModel) activate() tea.Cmd {
	m.active = true
	cmds := []tea.Cmd{m.loadStores()}
	if !m.list.loading {
		cmds = append(cmds, m.load())
	}
	if m.mode == transferDetail && m.detailID != 0 {
		cmds = append(cmds, m.loadDetail(m.detailID))
	}
	return tea.Batch(cmds...)
}

// deactivate drops an open prompt.
func (m *transfersModel) deactivate() {
	m.active = false
	m.prompt = transferPrompt{}
}

// resize fits the tables.
func (m *transfersModel) resize() {
	h := m.ctx.height
	m.table.setSize(m.ctx.width, h-3)
	m.detailTable.setSize(m.ctx.width, h-8)
	m.receiveTbl.setSize(m.ctx.width, h-5)
	m.dest.setSize(m.ctx.width, m.destHeight())
	m.draftTbl.setSize(m.ctx.width, h-m.destHeight()-7) // with the prompt's two lines, the form fills the body
}

// destHeight is the lines of the destination list: a few rows, more on a
// tall terminal.
func (m *transfersModel) destHeight() int {
	return max(min(m.ctx.height/3, 8), 3)
}

// view renders what the mode shows, and the prompt.
func (m *transfersModel) view() string {
	var body string
	switch m.mode {
	case transferDetail:
		body = m.detailView()
	case transferReceive:
		body = m.receiveView()
	case transferCreate:
		body = m.createView()
	default:
		body = m.listView()
	}
	if m.prompt.action != "" {
		body = fit(body, m.ctx.width, m.ctx.height-2) + "\n\n" + m.ctx.styles.Warn.Render(m.prompt.text)
	}
	return body
}

// listView renders the filter line, the table and the page line.
func (m *transfersModel) listView() string {
	st := m.ctx.styles
	dir := map[string]string{"": "in and out", aforro.DirectionIn: "incoming", aforro.DirectionOut: "outgoing"}[transferDirections[m.direction]]
	status := m.statusFilter()
	if status == "" {
		status = "all"
	}
	top := st.Title.Render("Transfers of "+m.ctx.store.Name) +
		st.Dim.Render(fmt.Sprintf("  %s (d) · status: %s (t)", dir, status))
	var body string
	switch {
	case m.list.failed && len(m.list.page.Results) == 0:
		body = st.Dim.Render("The transfers could not be loaded; r tries again.")
	case !m.list.loaded:
		body = st.Dim.Render("Loading the transfers…")
	default:
		body = m.table.view(st)
	}
	bottom := ""
	if m.list.loaded {
		bottom = m.list.pageText("transfer", "transfers") + " · newest first"
		if m.list.loading {
			bottom += " · loading…"
		}
	}
	return top + "\n" + fit(body, m.ctx.width, m.ctx.height-3) + "\n" + st.Dim.Render(bottom)
}

// detailView renders one transfer: where it goes, how its units stand,
// its lines.
func (m *transfersModel) detailView() string {
	st := m.ctx.styles
	if m.detail == nil {
		return detailPending(st, "Transfer", m.detailID, m.detailFailed)
	}
	t := m.detail
	var b strings.Builder
	way := "incoming"
	if m.outgoing(t.SourceStoreID) {
		way = "outgoing"
	}
	b.WriteString(st.Title.Render(fmt.Sprintf("Transfer #%d  ", t.ID)) + st.Bold.Render(t.Status) + st.Dim.Render("  "+way) + "\n")
	field := func(label, value string) {
		b.WriteString(st.Dim.Render(fmt.Sprintf("%-10s", label)) + value + "\n")
	}
	field("Route", fmt.Sprintf("%s (#%d) → %s (#%d)", m.storeName(t.SourceStoreID), t.SourceStoreID,
		m.storeName(t.DestinationStoreID), t.DestinationStoreID))
	times := "created " + m.ctx.formatTime(t.CreatedAt)
	for _, tt := range []struct {
		what string
		at   *time.Time
	}{{"shipped", t.ShippedAt}, {"received", t.ReceivedAt}, {"cancelled", t.CancelledAt}} {
		if tt.at != nil {
			at := m.ctx.formatTime(*tt.at)
			if at[:10] == m.ctx.formatTime(t.CreatedAt)[:10] {
				at = at[11:] // the same day: the time says enough
			}
			times += " · " + tt.what + " " + at
		}
	}
	field("Times", times)
	units := fmt.Sprintf("%s in %s", plural(transferUnits(*t), "unit", "units"), plural(len(t.Lines), "line", "lines"))
	if road := sumLines(*t, func(l aforro.TransferLine) int { return l.InTransit }); road > 0 {
		units += fmt.Sprintf(" · %d on the road", road)
	}
	field("Units", units)
	ref := t.Reference
	if ref == "" {
		ref = "none"
	}
	if t.Note != "" {
		ref += " · " + strings.Join(strings.Fields(t.Note), " ")
	}
	field("Reference", ref)
	b.WriteString("\n" + m.detailTable.view(st))
	return b.String()
}

// help returns the screen's keys: only those that act on what is shown.
func (m *transfersModel) help() helpKeys {
	k, tk := m.ctx.keys, m.keys
	if m.prompt.action != "" {
		keys := []key.Binding{withHelp(k.Yes, m.prompt.action), withHelp(k.No, "keep it")}
		if m.prompt.action == "create" {
			keys[1] = withHelp(k.No, "not yet")
		}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	}
	switch m.mode {
	case transferReceive:
		keys := []key.Binding{tk.Submit, tk.Field, tk.Reason, tk.AcceptAll, withHelp(k.Back, "back")}
		return helpKeys{short: keys, full: [][]key.Binding{{k.Up, k.Down, tk.Field}, {tk.Submit, tk.Digits, tk.Erase, tk.Reason, tk.AcceptAll, withHelp(k.Back, "back")}}}
	case transferCreate:
		keys := m.createHelp()
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	case transferDetail:
		var keys []key.Binding // the actions first: on a narrow footer they stay
		if t := m.detail; t != nil {
			if m.shippable(t.Status, t.SourceStoreID) {
				keys = append(keys, tk.Ship)
			}
			if m.receivable(t.Status, t.DestinationStoreID) {
				keys = append(keys, tk.Receive)
			}
			if m.cancellable(t.Status, t.SourceStoreID) {
				keys = append(keys, tk.Cancel)
			}
		}
		keys = append(keys, withHelp(k.Back, "back"), k.Refresh)
		return helpKeys{short: keys, full: [][]key.Binding{{k.Up, k.Down}, keys}}
	}
	var keys []key.Binding
	if i := m.table.selected(); i >= 0 && i < len(m.list.page.Results) {
		keys = append(keys, tk.Open)
		if r := m.list.page.Results[i]; m.cancellable(r.Status, r.SourceStoreID) {
			keys = append(keys, tk.Cancel)
		}
	}
	keys = append(keys, tk.New, tk.Direction, tk.Status, k.Refresh)
	pages := m.list.pageKeys(k)
	return helpKeys{short: append(keys, pages...),
		full: [][]key.Binding{append([]key.Binding{k.Up, k.Down, k.Top, k.Bottom}, pages...), keys}}
}
