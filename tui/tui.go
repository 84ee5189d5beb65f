// Package tui is the terminal UI store staff use all day ("aforroctl tui"):
// a store's inventory, product search, the order basket, the store's orders,
// the daily summary, the store's transfers and the counter's Receive and
// Count sheets, on eight screens over Aforro's HTTP API, with a barcode
// scanner as input where a scan means something (scan.go).
//
// The shape follows dlvhdr/gh-dash: a root Model composes one model per
// screen; they share one programContext (client, store, size, styles, keys,
// clock); one KeyMap feeds both key handling and the help. Every request
// runs in a tea.Cmd and comes back as a message, so Update never blocks and
// a slow or vanished server never freezes the screen.
package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Defaults of Options.
const (
	DefaultWarnAt         = 5 // the server's default low-stock threshold
	DefaultPageSize       = 50
	DefaultDebounce       = 200 * time.Millisecond
	DefaultSuggestEvery   = time.Second
	DefaultWatchEvery     = 30 * time.Second
	DefaultStatusFor      = 6 * time.Second
	DefaultRequestTimeout = 20 * time.Second
)

// Bounds of the pause between two "are you back?" requests while the
// server cannot be reached.
const (
	probeFirst = time.Second
	probeMax   = 8 * time.Second
)

// The smallest terminal the screens are laid out for.
const (
	minWidth  = 50
	minHeight = 12
)

// Options configure the TUI. Only Client is required.
type Options struct {
	// Client talks to the server; its token needs the staff role.
	Client *client.Client
	// StoreID is the store to open; 0 (or a store that no longer exists)
	// opens the store picker.
	StoreID int64
	// SaveStore remembers the chosen store for next time; it runs in a
	// command, never in Update. Nil remembers nothing.
	SaveStore func(storeID int64) error
	// Renderer draws the styles; nil means lipgloss's default renderer.
	Renderer *lipgloss.Renderer
	// Color allows colours; false is NO_COLOR (see NewStyles).
	Color bool
	// WarnAt is the quantity at or below which stock shows as low
	// (default DefaultWarnAt, the server's default threshold).
	WarnAt int
	// PageSize is the rows per page of every list (default DefaultPageSize).
	PageSize int
	// Debounce is the typing pause before a suggestion or a filter request
	// goes out (default DefaultDebounce).
	Debounce time.Duration
	// SuggestEvery is the least time between two suggestion requests
	// (default DefaultSuggestEvery): however the typing pauses, a till
	// asks at most once a second, 60 a minute, which the server's default
	// budget per token (--suggest-token-limit 60 per --suggest-window 1m)
	// allows. The last text typed is always asked for, once the time is up.
	SuggestEvery time.Duration
	// WatchEvery is how often the Summary screen refreshes itself while it
	// is shown (default DefaultWatchEvery).
	WatchEvery time.Duration
	// StatusFor is how long a confirmation stays in the status line
	// (default DefaultStatusFor); errors stay until the next sentence. A
	// negative value keeps every sentence until the next one.
	StatusFor time.Duration
	// RequestTimeout bounds one request, the client's retries included
	// (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// Now is the clock (default time.Now); Location the time zone times are
	// shown in (default time.Local).
	Now      func() time.Time
	Location *time.Location
	// ScanGap is the longest pause between two characters of a barcode
	// scanner's burst, and between its last character and its Enter
	// (default 35 ms: scanners send a character every 2-20 ms, people
	// type 30 ms apart at their fastest). A slow Bluetooth scanner may
	// need more.
	ScanGap time.Duration
	// KeyClock says when each key press arrived, for telling a scan from
	// typing (default time.Now); tests give one that steps per key.
	KeyClock func() time.Time
	// Context, when cancelled, cancels every request in flight.
	Context context.Context
}

// tab is one of the screens.
type tab int

const (
	tabInventory tab = iota
	tabSearch
	tabOrder
	tabOrders
	tabSummary
	tabTransfers
	tabReceive
	tabCountSheet
	tabCount
)

// String returns the tab's title.
func (t tab) String() string {
	switch t {
	case tabInventory:
		return "Inventory"
	case tabSearch:
		return "Search"
	case tabOrder:
		return "Order"
	case tabOrders:
		return "Orders"
	case tabTransfers:
		return "Transfers"
	case tabReceive:
		return "Receive"
	case tabCountSheet:
		return "Count"
	}
	return "Summary"
}

// screen is what the root model needs of each screen's model.
type screen interface {
	// update handles a message: every message is broadcast to every
	// screen, but key presses only to the screen shown.
	update(msg tea.Msg) tea.Cmd
	// view renders the body, within the context's width and height.
	view() string
	// help returns the screen's keys for the footer and the full help.
	help() helpKeys
	// captures reports whether the screen takes this key before the global
	// keys do (a text field or a prompt has the focus).
	captures(msg tea.KeyMsg) bool
	// activate is called when the screen is shown; deactivate when another
	// one is.
	activate() tea.Cmd
	deactivate()
	// resize follows a change of the context's width and height.
	resize()
}

// connState is what the header says of the server.
type connState int

const (
	connUnknown connState = iota // nothing answered yet
	connOnline
	connOffline
)

// Model is the root model: the header, the tabs, the screen shown, the
// status line and the footer, and the store picker over them.
type Model struct {
	ctx  *programContext
	opts Options

	screens [tabCount]screen
	active  tab
	picker  *pickerModel
	order   *orderModel

	width, height int
	showHelp      bool
	confirmQuit   bool
	scan          scanHold

	status     statusMsg
	statusID   int // counts sentences shown, for clearing the right one
	statusSeen int // seq of the latest sentence shown

	conn         connState
	probing      bool
	probeDelay   time.Duration
	checkPending int64 // the remembered store, while its check waits for the server
}

// New returns the root model for opts; it fails only without a client.
func New(opts Options) (*Model, error) {
	if opts.Client == nil {
		return nil, errors.New("tui: Options.Client is required")
	}
	if opts.WarnAt <= 0 {
		opts.WarnAt = DefaultWarnAt
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.SuggestEvery <= 0 {
		opts.SuggestEvery = DefaultSuggestEvery
	}
	if opts.WatchEvery <= 0 {
		opts.WatchEvery = DefaultWatchEvery
	}
	if opts.StatusFor == 0 {
		opts.StatusFor = DefaultStatusFor
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.KeyClock == nil {
		opts.KeyClock = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	pc := &programContext{
		ctx:          opts.Context,
		client:       opts.Client,
		server:       opts.Client.BaseURL(),
		styles:       NewStyles(r, opts.Color),
		keys:         DefaultKeyMap(),
		now:          opts.Now,
		location:     opts.Location,
		warnAt:       opts.WarnAt,
		pageSize:     opts.PageSize,
		debounce:     opts.Debounce,
		suggestEvery: opts.SuggestEvery,
		watchEvery:   opts.WatchEvery,
		requestLimit: opts.RequestTimeout,
	}
	m := &Model{ctx: pc, opts: opts, picker: newPicker(pc), order: newOrder(pc)}
	m.scan.detect.gap = opts.ScanGap
	m.screens = [tabCount]screen{newInventory(pc), newSearch(pc), m.order, newOrders(pc), newSummary(pc), newTransfers(pc),
		newSheet(pc, sheetReceive), newSheet(pc, sheetCount)}
	return m, nil
}

// Init checks the remembered store, or opens the store picker.
func (m *Model) Init() tea.Cmd {
	if m.opts.StoreID > 0 {
		m.checkPending = m.opts.StoreID
		return m.checkStore(m.opts.StoreID)
	}
	return m.picker.show()
}

// checkStore fetches store id, to open it if it still exists.
func (m *Model) checkStore(id int64) tea.Cmd {
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		tok, err := c.client.CurrentToken(ctx)
		if err != nil {
			return storeCheckedMsg{result: result{err}, id: id}
		}
		st, err := c.client.Store(ctx, id)
		return storeCheckedMsg{result: result{err}, id: id, store: st, notCovered: err == nil && !tok.CoversStore(id)}
	}
}

// Update handles a message: the root's own, then every screen's.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if r, ok := msg.(requestResult); ok {
		cmds = append(cmds, m.noteResult(r.requestErr()))
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case statusMsg:
		return m, m.showStatus(msg)
	case clearStatusMsg:
		if msg.id == m.statusID {
			m.status = statusMsg{}
		}
		return m, nil
	case loadedMsg:
		if m.status.kind == statusError && m.status.about == msg.what {
			m.status = statusMsg{}
		}
		return m, nil
	case scanFlushMsg:
		return m, m.scanPaused(msg)
	case probeMsg:
		return m, m.probe()
	case healthMsg:
		if msg.err != nil && m.conn == connOffline {
			return m, tea.Batch(append(cmds, m.nextProbe())...)
		}
		m.probing = false
		return m, tea.Batch(cmds...)
	case storeCheckedMsg:
		cmds = append(cmds, m.storeChecked(msg))
		return m, tea.Batch(cmds...)
	case storeChosenMsg:
		if msg.store.ID == m.ctx.store.ID {
			m.picker.hide() // the same store again: nothing to start over
			return m, tea.Batch(cmds...)
		}
		if m.status.kind == statusError { // about the store left behind
			m.status = statusMsg{}
		}
		cmds = append(cmds, m.chooseStore(msg.store))
	case storeSavedMsg:
		if msg.err != nil {
			cmds = append(cmds, m.ctx.status(statusWarn, "Could not remember the store for next time: %v", msg.err))
		}
		return m, tea.Batch(cmds...)
	case reconnectedMsg:
		if m.checkPending != 0 {
			cmds = append(cmds, m.checkStore(m.checkPending))
		}
	}
	cmds = append(cmds, m.picker.update(msg))
	for _, s := range m.screens {
		cmds = append(cmds, s.update(msg))
	}
	if _, ok := msg.(storeChosenMsg); ok {
		cmds = append(cmds, m.screens[m.active].activate())
	}
	return m, tea.Batch(cmds...)
}

// storeChecked opens the remembered store, or the picker when it is gone.
func (m *Model) storeChecked(msg storeCheckedMsg) tea.Cmd {
	var ae *client.APIError
	switch {
	case msg.err == nil && msg.notCovered:
		m.checkPending = 0
		return tea.Batch(m.picker.show(),
			m.ctx.status(statusWarn, "This token does not cover store %d; choose one of its stores.", msg.id))
	case msg.err == nil:
		m.checkPending = 0
		return func() tea.Msg { return storeChosenMsg{store: msg.store} }
	case unreachable(msg.err):
		return nil // the check runs again when the server is back
	case errors.As(msg.err, &ae) && ae.Status == http.StatusNotFound:
		m.checkPending = 0
		return tea.Batch(m.picker.show(),
			m.ctx.status(statusWarn, "Store %d no longer exists; choose a store.", msg.id))
	}
	m.checkPending = 0
	return tea.Batch(m.picker.show(), m.ctx.errorStatus("Open the last store", msg.err))
}

// chooseStore makes st the store of every screen and remembers it.
func (m *Model) chooseStore(st aforro.Store) tea.Cmd {
	m.ctx.store = st
	m.picker.hide()
	save := m.opts.SaveStore
	if save == nil {
		return nil
	}
	return func() tea.Msg { return storeSavedMsg{err: save(st.ID)} }
}

// noteResult keeps the connection state true to the latest answer: a
// request the server answered (even with an error) means it is there.
func (m *Model) noteResult(err error) tea.Cmd {
	if err != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	if err != nil && unreachable(err) {
		if m.conn == connOffline {
			return nil
		}
		m.conn = connOffline
		if m.probing {
			return nil
		}
		m.probing, m.probeDelay = true, probeFirst
		return tea.Tick(m.probeDelay, func(time.Time) tea.Msg { return probeMsg{} })
	}
	was := m.conn
	m.conn = connOnline
	if was != connOffline {
		return nil
	}
	return tea.Batch(m.ctx.status(statusSuccess, "Connected to %s again.", m.ctx.server),
		func() tea.Msg { return reconnectedMsg{} })
}

// probe asks the server whether it is back.
func (m *Model) probe() tea.Cmd {
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		_, err := c.client.Health(ctx)
		return healthMsg{result{err}}
	}
}

// nextProbe waits longer each time before asking again, up to probeMax.
func (m *Model) nextProbe() tea.Cmd {
	m.probeDelay = min(m.probeDelay*2, probeMax)
	return tea.Tick(m.probeDelay, func(time.Time) tea.Msg { return probeMsg{} })
}

// showStatus shows a sentence, unless a later one was shown already (the
// commands that carry them may finish in any order); a confirmation clears
// itself after a while.
func (m *Model) showStatus(s statusMsg) tea.Cmd {
	if s.seq < m.statusSeen {
		return nil
	}
	m.status, m.statusSeen = s, s.seq
	m.statusID++
	if s.kind == statusError || m.opts.StatusFor < 0 {
		return nil
	}
	id := m.statusID
	return tea.Tick(m.opts.StatusFor, func(time.Time) tea.Msg { return clearStatusMsg{id: id} })
}

// resize lays the screens out for a terminal of width by height.
func (m *Model) resize(width, height int) {
	m.width, m.height = width, height
	m.ctx.width = width
	m.ctx.height = max(height-4, 1) // header, tabs, status, footer
	m.picker.resize()
	for _, s := range m.screens {
		s.resize()
	}
}

// handleKey routes a key press: a prompt or a text field first, then the
// global keys, then the screen shown.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	if msg.Type == tea.KeyCtrlC {
		return tea.Quit
	}
	if cmd, held := m.holdKey(msg); held {
		return cmd
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		// Keys typed faster than the terminal is read arrive as one
		// message ("aj"); each is a command of its own.
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Sequence(cmds...) // in order: "a", "j", "a" adds two products in that order
	}
	if m.confirmQuit {
		m.confirmQuit = false
		if key.Matches(msg, k.Yes) {
			return tea.Quit
		}
		return m.ctx.status(statusInfo, "Nothing is lost.")
	}
	if m.picker.visible {
		return m.picker.update(msg)
	}
	if m.showHelp {
		m.showHelp = false
		if key.Matches(msg, k.Quit) {
			return m.quit()
		}
		return nil
	}
	if m.ctx.store.ID == 0 {
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	s := m.screens[m.active]
	if s.captures(msg) {
		return s.update(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.NextTab):
		return m.switchTo((m.active + 1) % tabCount)
	case key.Matches(msg, k.PrevTab):
		return m.switchTo((m.active + tabCount - 1) % tabCount)
	case key.Matches(msg, k.GoToTab):
		return m.switchTo(tab(msg.String()[0] - '1'))
	case key.Matches(msg, k.Store):
		return m.picker.show()
	case key.Matches(msg, k.Filter):
		if _, ok := s.(filterScreen); !ok {
			return m.openSearch()
		}
	}
	return s.update(msg)
}

// filterScreen is a screen with a filter of its own, which "/" opens; on
// any other screen "/" opens Search (KeyMap.Filter).
type filterScreen interface{ hasFilter() }

// openSearch shows Search with its field focused.
func (m *Model) openSearch() tea.Cmd {
	search, ok := m.screens[tabSearch].(*searchModel)
	if !ok {
		return nil
	}
	return tea.Batch(m.switchTo(tabSearch), search.focus())
}

// quit ends the program, after asking when a basket or a sheet would be
// lost.
func (m *Model) quit() tea.Cmd {
	if len(m.unsaved()) > 0 {
		m.confirmQuit = true
		return nil
	}
	return tea.Quit
}

// unsaved names what quitting would lose: the basket's lines, the
// sheets' products.
func (m *Model) unsaved() []string {
	var lost []string
	if n := len(m.order.lines); n > 0 {
		lost = append(lost, "the basket holds "+plural(n, "line", "lines"))
	}
	for _, t := range []tab{tabReceive, tabCountSheet} {
		if sh, ok := m.screens[t].(*sheetModel); ok && len(sh.lines) > 0 {
			lost = append(lost, fmt.Sprintf("the %s sheet holds %s", strings.ToLower(t.String()), plural(len(sh.lines), "product", "products")))
		}
	}
	return lost
}

// switchTo shows screen t.
func (m *Model) switchTo(t tab) tea.Cmd {
	if t == m.active || t < 0 || t >= tabCount {
		return nil
	}
	m.screens[m.active].deactivate()
	m.active = t
	return m.screens[t].activate()
}

// View renders the whole terminal.
func (m *Model) View() string {
	if m.width == 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return fit(ansi.Wordwrap(fmt.Sprintf("The terminal is %dx%d; Aforro needs at least %dx%d.",
			m.width, m.height, minWidth, minHeight), m.width, ""), m.width, m.height)
	}
	var body string
	switch {
	case m.picker.visible:
		body = m.picker.view()
	case m.showHelp:
		body = m.fullHelpView()
	case m.ctx.store.ID == 0:
		body = m.ctx.styles.Dim.Render("Connecting to " + m.ctx.server + "…")
	default:
		body = m.screens[m.active].view()
	}
	// A sentence too long for one line takes a second one from the
	// bottom of the body rather than being cut off.
	status := m.statusView()
	extra := strings.Count(status, "\n")
	return strings.Join([]string{
		m.headerView(),
		m.tabsView(),
		fit(body, m.width, max(m.ctx.height-extra, 1)),
		status,
		m.footerView(),
	}, "\n")
}

// maxStatusLines is how many lines a status sentence may take; past them
// it is cut, with "…".
const maxStatusLines = 2

// wrapLines word-wraps s to width, into at most n lines, the last cut with
// "…" when more would follow.
func wrapLines(s string, width, n int) string {
	lines := strings.Split(ansi.Wordwrap(s, width, ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1]+" …", width, "…")
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…") // a word longer than the line
	}
	return strings.Join(lines, "\n")
}

// headerView is the first line: the server, the store, the connection.
func (m *Model) headerView() string {
	st := m.ctx.styles
	left := st.Title.Render("Aforro") + "  " + st.Dim.Render(m.ctx.server)
	if s := m.ctx.store; s.ID != 0 {
		left += "  " + st.Bold.Render(fmt.Sprintf("%s (#%d)", s.Name, s.ID))
	} else {
		left += "  " + st.Dim.Render("no store")
	}
	var right string
	switch m.conn {
	case connOnline:
		right = st.Online.Render("● online")
	case connOffline:
		right = st.Offline.Render("✗ offline, retrying")
	default:
		right = st.Dim.Render("○ connecting")
	}
	return spread(left, right, m.width)
}

// tabsView is the second line: the screens, the shown one bracketed;
// on a narrow terminal without the padding, then with the tabs farthest
// from the shown one by their number alone, until the line fits.
func (m *Model) tabsView() string {
	st := m.ctx.styles
	// line returns the tabs, those in short by their number alone.
	line := func(pad string, short map[tab]bool) string {
		var parts []string
		for t := range tabCount {
			name := fmt.Sprintf("%d %s", t+1, t)
			if t == tabOrder && len(m.order.lines) > 0 {
				name += fmt.Sprintf(" (%d)", m.order.units())
			}
			switch {
			case t == m.active && !m.picker.visible:
				parts = append(parts, st.ActiveTab.Render("["+name+"]"))
			case short[t]:
				parts = append(parts, st.Tab.Render(strconv.Itoa(int(t)+1)))
			default:
				parts = append(parts, st.Tab.Render(pad+name+pad))
			}
		}
		return strings.Join(parts, " ")
	}
	if s := line(" ", nil); lipgloss.Width(s) <= m.width {
		return s
	}
	far := make([]tab, 0, tabCount)
	for t := range tabCount {
		if t != m.active {
			far = append(far, t)
		}
	}
	dist := func(t tab) int { return max(int(t-m.active), int(m.active-t)) }
	slices.SortStableFunc(far, func(a, b tab) int { return dist(b) - dist(a) })
	short := map[tab]bool{}
	s := line("", short)
	for _, t := range far {
		if lipgloss.Width(s) <= m.width {
			break
		}
		short[t] = true
		s = line("", short)
	}
	return ansi.Truncate(s, m.width, "…")
}

// statusView is the status line: the latest sentence, or the quit prompt.
func (m *Model) statusView() string {
	st := m.ctx.styles
	if m.confirmQuit {
		lost := strings.Join(m.unsaved(), ", ")
		return st.Warn.Render(wrapLines(fmt.Sprintf("%s%s, which will be lost. Quit anyway? y/n",
			strings.ToUpper(lost[:1]), lost[1:]), m.width, maxStatusLines))
	}
	text := m.status.text
	if text == "" {
		return ""
	}
	style := st.Info
	switch m.status.kind {
	case statusSuccess:
		text, style = "✓ "+text, st.Success
	case statusWarn:
		text, style = "! "+text, st.Warn
	case statusError:
		text, style = "✗ "+text, st.Error
	}
	return style.Render(wrapLines(text, m.width, maxStatusLines))
}

// footerView is the last line: the keys of what is shown.
func (m *Model) footerView() string {
	k := m.ctx.keys
	var keys []key.Binding
	switch {
	case m.picker.visible:
		keys = m.picker.help().short
	case m.showHelp:
		keys = []key.Binding{withHelp(k.Back, "close help"), k.Quit}
	case m.ctx.store.ID == 0:
		keys = []key.Binding{k.Quit}
	default:
		// The way to the full help and out always shows; the screen's own
		// keys get what is left of the line. While a field or a prompt
		// takes "?" and "q", only ctrl+c is a way out.
		global := []key.Binding{k.Help, k.Quit}
		if m.screens[m.active].captures(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'?'}}) {
			global = []key.Binding{key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))}
		}
		right := m.shortHelp(global, m.width)
		left := m.shortHelp(m.screens[m.active].help().short, m.width-lipgloss.Width(right)-3)
		if left == "" {
			return right
		}
		return left + m.ctx.styles.Help.ShortSeparator.Render(" • ") + right
	}
	return m.shortHelp(keys, m.width)
}

// shortHelp writes keys on one line of at most width columns: whole entries
// only, then "…" when some do not fit. (bubbles' help.Model writes an entry
// past its width when not even the "…" fits.)
func (m *Model) shortHelp(keys []key.Binding, width int) string {
	st := m.ctx.styles.Help
	var b strings.Builder
	w := 0
	for _, k := range keys {
		if !k.Enabled() {
			continue
		}
		item := st.ShortKey.Render(k.Help().Key) + " " + st.ShortDesc.Render(k.Help().Desc)
		if w > 0 {
			item = st.ShortSeparator.Render(" • ") + item
		}
		iw := lipgloss.Width(item)
		if w+iw > width {
			if tail := " " + st.Ellipsis.Render("…"); w > 0 && w+lipgloss.Width(tail) <= width {
				b.WriteString(tail)
			}
			break
		}
		b.WriteString(item)
		w += iw
	}
	return b.String()
}

// fullHelpView lists every key of the shown screen, then the global ones.
func (m *Model) fullHelpView() string {
	st := m.ctx.styles
	groups := append(m.screens[m.active].help().full, m.ctx.keys.global())
	var cols []string
	for _, g := range groups {
		var keyW int
		for _, b := range g {
			keyW = max(keyW, ansi.StringWidth(b.Help().Key))
		}
		var lines []string
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			h := b.Help()
			lines = append(lines, st.Help.FullKey.Render(h.Key+strings.Repeat(" ", keyW-ansi.StringWidth(h.Key)))+
				"  "+st.Help.FullDesc.Render(h.Desc))
		}
		cols = append(cols, strings.Join(lines, "\n"))
	}
	title := st.Title.Render("Keys: " + m.active.String())
	row := joinColumns(cols, 4)
	if lipgloss.Width(row) > m.width {
		row = strings.Join(cols, "\n\n")
	}
	return title + "\n\n" + row
}

// joinColumns sets blocks side by side, gap blanks apart.
func joinColumns(blocks []string, gap int) string {
	var parts []string
	for i, b := range blocks {
		if i > 0 {
			parts = append(parts, strings.Repeat(" ", gap))
		}
		parts = append(parts, b)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, parts...)
}

// spread writes left and right on one line of width, right-aligned.
func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, max(width-lipgloss.Width(right)-1, 0), "…") + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// detailPending is a details view whose record (what, e.g. "Order") is
// still loading or failed to load.
func detailPending(st Styles, what string, id int64, failed bool) string {
	if failed {
		return st.Dim.Render(fmt.Sprintf("%s #%d could not be loaded; r tries again, esc goes back.", what, id))
	}
	return st.Dim.Render(fmt.Sprintf("Loading %s #%d…", strings.ToLower(what), id))
}

// fit cuts s to exactly height lines of at most width columns, so a screen
// can never push the status line and footer off the terminal.
func fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
