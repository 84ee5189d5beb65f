package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aforro/aforro"
)

// Widths of the Summary screen's figures: the labels, and the narrowest
// column of figures.
const (
	summaryLabelWidth = 18
	summaryColWidth   = 12
)

// summaryModel is the Summary screen: the chosen store's today so far,
// computed live by the server at each refresh, beside the stored rows of
// the latest daily summary (the store's and the all-stores one), each
// column labelled with what it is, and the store's low-stock list (live
// when the live row came).
//
// While shown it refreshes itself every WatchEvery (a watch): each answer,
// success or not, sets the next timer, so a slow server never gets a
// second request before it answered the first. Timers carry a generation;
// leaving the screen or pressing r starts a new one, which silences the
// timers already running.
type summaryModel struct {
	ctx     *programContext
	day     aforro.DaySummaries
	store   *aforro.Summary     // the chosen store's row of day; nil: none
	all     *aforro.Summary     // the all-stores row; nil: none, or hidden from the token
	live    *aforro.LiveSummary // the store's today so far; nil: it did not come
	liveErr error               // why it did not
	table   table               // the store's low-stock list

	refreshed time.Time // when the shown answer came
	seq       int
	gen       int
	active    bool
	loading   bool
	loaded    bool
	failed    bool // the latest refresh failed; what is shown is older
	none      bool // the server has no summary at all yet
}

// newSummary returns the Summary screen.
func newSummary(ctx *programContext) *summaryModel {
	return &summaryModel{
		ctx: ctx,
		table: newTable("None: every product is above the low-stock threshold.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true},
			column{title: "QTY", right: true}, column{title: ""}),
	}
}

// load asks for the latest stored summary and the store's live row of
// today: a store's live row reads only that store's part of the indexes,
// so polling it is cheap (the all-stores live row is not polled).
func (m *summaryModel) load() tea.Cmd {
	if m.ctx.store.ID == 0 {
		return nil
	}
	m.seq++
	m.loading = true
	c, seq, storeID := m.ctx, m.seq, m.ctx.store.ID
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		day, err := c.client.LatestSummaries(ctx)
		msg := summaryLoadedMsg{result: result{err}, seq: seq, day: day}
		if err == nil || aforro.ErrorCode(err) == aforro.ENOTFOUND {
			msg.live, msg.liveErr = c.client.TodaySummary(ctx, aforro.SummaryFilter{StoreID: storeID})
		}
		msg.at = c.now()
		return msg
	}
}

// tick sets the watch's next refresh.
func (m *summaryModel) tick() tea.Cmd {
	gen := m.gen
	return tea.Tick(m.ctx.watchEvery, func(time.Time) tea.Msg { return watchTickMsg{gen: gen} })
}

// update handles answers, the watch's timer, store changes and, when shown,
// keys.
func (m *summaryModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case summaryLoadedMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.loading = false
		var next tea.Cmd
		if m.active {
			next = m.tick()
		}
		switch {
		case aforro.ErrorCode(msg.err) == aforro.ENOTFOUND:
			m.day, m.none = aforro.DaySummaries{}, true
		case msg.err != nil:
			m.failed = true
			return tea.Batch(next, m.ctx.errorStatus("Load the daily summary", msg.err))
		default:
			m.day, m.none = msg.day, false
		}
		m.live, m.liveErr = nil, msg.liveErr
		if msg.liveErr == nil {
			m.live = &msg.live
		}
		m.failed, m.loaded, m.refreshed = false, true, msg.at
		m.pick()
		return tea.Batch(next, m.ctx.loaded("Load the daily summary"))
	case watchTickMsg:
		if msg.gen != m.gen || !m.active || m.loading {
			return nil // an old timer, or a request in flight that sets the next one
		}
		return m.load()
	case storeChosenMsg:
		m.live = nil // another store's; the next load brings this one's
		m.pick()     // the day's rows hold every store the token sees
		return nil
	case reconnectedMsg:
		if m.failed && m.active {
			m.gen++
			return m.load()
		}
		return nil
	case tea.KeyMsg:
		k := m.ctx.keys
		if key.Matches(msg, k.Refresh) {
			m.gen++ // the timer starts over from this refresh
			return m.load()
		}
		m.table.update(msg, k)
	}
	return nil
}

// pick finds the chosen store's row and the all-stores row of the day.
func (m *summaryModel) pick() {
	m.store, m.all = nil, nil
	for i := range m.day.Results {
		s := &m.day.Results[i]
		switch {
		case s.StoreID == nil:
			m.all = s
		case *s.StoreID == m.ctx.store.ID:
			m.store = s
		}
	}
	var rows []row
	if low := m.lowRow(); low != nil {
		for _, it := range low.LowStock {
			// On the server's list, so low by the server's threshold.
			mark, tag := markLow, "LOW"
			if it.Quantity <= 0 {
				mark, tag = markOut, "OUT"
			}
			rows = append(rows, row{mark: mark, cells: []string{
				strconv.FormatInt(it.ProductID, 10), it.Title, strconv.FormatInt(it.Quantity, 10), tag,
			}})
		}
	}
	m.table.setRows(rows)
	m.resize()
}

// lowRow is the row whose low-stock list is shown: the live one, stock as
// it is now, or else the store's stored row.
func (m *summaryModel) lowRow() *aforro.Summary {
	if m.live != nil {
		return &m.live.Summary
	}
	return m.store
}

// captures nothing: the screen has no text field.
func (m *summaryModel) captures(tea.KeyMsg) bool { return false }

// activate refreshes now and starts the watch.
func (m *summaryModel) activate() tea.Cmd {
	m.active = true
	m.gen++
	return m.load()
}

// deactivate stops the watch: the timer running finds a newer generation.
func (m *summaryModel) deactivate() {
	m.active = false
	m.gen++
}

// figureLines is how many lines the figures take above the low-stock list:
// the title, the legend, a note or a blank, two lines of column titles,
// nine figures, a blank, and the list's title.
const figureLines = 16

// resize fits the low-stock list under the figures.
func (m *summaryModel) resize() {
	m.table.setSize(m.ctx.width, m.ctx.height-figureLines)
}

// view renders the figures, the low-stock list and when it was refreshed.
func (m *summaryModel) view() string {
	st := m.ctx.styles
	title := st.Title.Render(fmt.Sprintf("Summary of %s (#%d)", m.ctx.store.Name, m.ctx.store.ID))
	top := spread(title, m.freshness(), m.ctx.width)
	switch {
	case !m.loaded && m.failed:
		return top + "\n\n" + st.Dim.Render("The summary could not be loaded; r tries again.")
	case !m.loaded:
		return top + "\n\n" + st.Dim.Render("Loading the summary…")
	}
	var b strings.Builder
	b.WriteString(top + "\n")
	b.WriteString(st.Dim.Render(ansi.Truncate(m.legend(), m.ctx.width, "…")) + "\n")
	b.WriteString(m.figures())
	lowTitle := "Low stock at " + m.ctx.store.Name
	switch low := m.lowRow(); {
	case low == nil:
		b.WriteString(st.Title.Render(lowTitle) + "\n" + st.Dim.Render("-"))
		return b.String()
	case m.live != nil:
		lowTitle += " now (live)"
	default:
		lowTitle += " on " + low.Date
	}
	b.WriteString(spread(st.Title.Render(lowTitle)+st.Dim.Render("  lowest first"), st.Dim.Render(m.table.rangeText()), m.ctx.width) + "\n")
	b.WriteString(m.table.view(st))
	return b.String()
}

// legend says what each kind of column is: live figures are made at each
// refresh, daily ones were made once after their UTC day.
func (m *summaryModel) legend() string {
	live := "Live: stock now, today's orders (UTC)"
	switch {
	case m.none:
		return live + " · no daily summary made yet"
	case m.dayRow() != nil:
		return live + " · Daily: made " + m.ctx.formatTime(m.dayRow().GeneratedAt) + ", stock then"
	}
	return live
}

// dayRow returns a row of the day, to say when the day was summarised.
func (m *summaryModel) dayRow() *aforro.Summary {
	if m.store != nil {
		return m.store
	}
	return m.all
}

// freshness says when the figures were last fetched, and how often.
func (m *summaryModel) freshness() string {
	st := m.ctx.styles
	every := "every " + shortDuration(m.ctx.watchEvery)
	switch {
	case m.refreshed.IsZero():
		return st.Dim.Render(every)
	case m.failed:
		return st.Warn.Render("refresh failed · showing " + m.ctx.formatClock(m.refreshed))
	}
	return st.Dim.Render("refreshed " + m.ctx.formatClock(m.refreshed) + " · " + every)
}

// shortDuration writes d as "30s", "5m" or "1h30m", not "5m0s".
func shortDuration(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// figures renders the table of figures: the store's today so far (live),
// then the stored rows of the latest day, the store's and all stores'.
// Each column has two title lines: what kind of figures, and whose.
func (m *summaryModel) figures() string {
	st := m.ctx.styles
	cols := []*aforro.Summary{nil}
	if m.live != nil {
		cols[0] = &m.live.Summary
	}
	kinds := []string{"Today so far"}
	whose := []string{"(live)"}
	if !m.none {
		daily := "Daily " + m.day.Date
		cols, kinds, whose = append(cols, m.store), append(kinds, daily), append(whose, m.ctx.store.Name)
		if m.all != nil {
			cols, kinds, whose = append(cols, m.all), append(kinds, daily), append(whose, aforro.AllStoresName)
		}
	}
	// Columns as wide as the widest title, as far as the screen allows.
	width := summaryColWidth
	for i := range kinds {
		width = max(width, ansi.StringWidth(kinds[i])+2, ansi.StringWidth(whose[i])+2)
	}
	width = max(min(width, (m.ctx.width-summaryLabelWidth)/len(cols)), summaryColWidth)
	for i := range kinds {
		kinds[i], whose[i] = ansi.Truncate(kinds[i], width-2, "…"), ansi.Truncate(whose[i], width-2, "…")
	}
	line := func(label string, cells []string) string {
		s := fmt.Sprintf("%-*s", summaryLabelWidth, label)
		for _, c := range cells {
			s += strings.Repeat(" ", max(width-ansi.StringWidth(c), 0)) + c
		}
		return s
	}
	var notes []string
	switch {
	case m.liveErr != nil:
		_, why := describe(m.liveErr)
		notes = append(notes, "Today so far: "+why)
	case m.none:
		notes = append(notes, "No daily summary yet: the server makes one after midnight UTC.")
	case m.store == nil:
		notes = append(notes, m.ctx.store.Name+" is not in that day's summary.")
	case m.all == nil:
		// A token limited to stores is not shown the others' figures.
		notes = append(notes, "All stores: not shown to a token limited to its stores.")
	}
	var b strings.Builder
	b.WriteString(st.Dim.Render(ansi.Truncate(strings.Join(notes, " "), m.ctx.width, "…")))
	b.WriteString("\n" + st.TableHeader.Render(line("", kinds)) + "\n" + st.TableHeader.Render(line("", whose)) + "\n")
	figure := func(label string, value func(s *aforro.Summary) string) {
		cells := make([]string, len(cols))
		for i, s := range cols {
			cells[i] = "-"
			if s != nil {
				cells[i] = value(s)
			}
		}
		b.WriteString(line(label, cells) + "\n")
	}
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	figure("Products stocked", func(s *aforro.Summary) string { return count(s.SKUCount) })
	figure("Units in stock", func(s *aforro.Summary) string { return count(s.TotalUnits) })
	figure("Out of stock", func(s *aforro.Summary) string { return count(s.OutOfStock) })
	figure("Low stock", func(s *aforro.Summary) string {
		if len(s.LowStock) >= aforro.MaxSummaryLowStock {
			return fmt.Sprintf("%d+", aforro.MaxSummaryLowStock)
		}
		return strconv.Itoa(len(s.LowStock))
	})
	figure("Orders confirmed", func(s *aforro.Summary) string { return count(s.OrdersConfirmed) })
	figure("Orders rejected", func(s *aforro.Summary) string { return count(s.OrdersRejected) })
	figure("Orders cancelled", func(s *aforro.Summary) string { return count(s.OrdersCancelled) })
	figure("Units sold", func(s *aforro.Summary) string { return count(s.UnitsSold) })
	figure("Revenue", func(s *aforro.Summary) string { return s.Revenue.String() })
	return b.String() + "\n"
}

// help returns the screen's keys.
func (m *summaryModel) help() helpKeys {
	k := m.ctx.keys
	refresh := withHelp(k.Refresh, "refresh now")
	return helpKeys{
		short: []key.Binding{refresh, k.Up, k.Down, withHelp(k.Filter, "search")},
		full:  [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {refresh, withHelp(k.Filter, "search the catalogue")}},
	}
}
