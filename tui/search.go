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
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Choices of the filter form's cycling fields; the first of each is "no
// constraint".
var (
	stockChoices = []string{"any", "in stock", "out of stock"}
	sortChoices  = []string{"best match", "newest", "price ↑", "price ↓"}
	sortValues   = []string{"", aforro.SortNewest, aforro.SortPriceAsc, aforro.SortPriceDesc}
)

// The filter form's fields, in the order tab walks them.
const (
	fieldCategory = iota
	fieldMinPrice
	fieldMaxPrice
	fieldStock
	fieldSort
	fieldCount
)

// searchFilters are the constraints of a search besides its words.
type searchFilters struct {
	category int64 // 0: any
	catName  string
	min, max *aforro.Money
	stock    int // index of stockChoices
	sort     int // index of sortChoices
}

// active reports whether any constraint is set.
func (f searchFilters) active() bool {
	return f.category != 0 || f.min != nil || f.max != nil || f.stock != 0 || f.sort != 0
}

// describe writes the constraints in a few words: "Books · 10.00–50.00 ·
// in stock · price ↑".
func (f searchFilters) describe() string {
	var parts []string
	if f.category != 0 {
		parts = append(parts, f.catName)
	}
	switch {
	case f.min != nil && f.max != nil:
		parts = append(parts, f.min.String()+"–"+f.max.String())
	case f.min != nil:
		parts = append(parts, "from "+f.min.String())
	case f.max != nil:
		parts = append(parts, "up to "+f.max.String())
	}
	if f.stock != 0 {
		parts = append(parts, stockChoices[f.stock])
	}
	if f.sort != 0 {
		parts = append(parts, sortChoices[f.sort])
	}
	return strings.Join(parts, " · ")
}

// filterForm is the filters being edited, applied only on enter.
type filterForm struct {
	open     bool
	field    int
	category int // 0: any; i: categories[i-1]
	min, max textinput.Model
	stock    int
	sort     int
}

// searchModel is the Search screen: the catalogue searched as you type,
// with suggestions after three characters, the full search on enter and
// each product's quantity in the chosen store.
//
// Suggestions are paced: a request goes out once the typing pauses for the
// debounce, and never sooner than SuggestEvery after the one before (the
// last text typed is asked for when that time is up), so a person typing
// stays within the server's budget per token. On a 429 the screen stops
// asking until the server's Retry-After has passed, says so calmly, and
// then suggests again for whatever is typed by then.
type searchModel struct {
	ctx    *programContext
	input  textinput.Model
	typing bool // the search field has the focus

	suggestions   []string
	suggestFor    string        // the text the suggestions answer
	suggestCursor int           // the chosen suggestion; -1: the text as typed
	suggestSeq    int           // of the latest keystroke; older answers are dropped
	paused        bool          // the server asked us to stop suggesting for a while
	pauseGen      int           // of the latest pause, so an old timer ends nothing
	pauseFor      time.Duration // the wait the server asked for
	lastSuggest   time.Time     // when the latest suggestion request went out, by clock

	// clock and after are the time the suggestions are paced by and how a
	// timer is set: time.Now and tea.Tick, replaced in tests, which drive
	// the timers' messages themselves.
	clock func() time.Time
	after func(d time.Duration, msg tea.Msg) tea.Cmd

	q        string // the words of the search shown
	filters  searchFilters
	searched bool // a search was asked for: results, not the hints, are shown
	list     pagedList[aforro.Product]
	table    table
	active   bool

	form        filterForm
	categories  []aforro.Category
	catsLoading bool
	catsLoaded  bool
	catsFailed  bool
}

// newSearch returns the Search screen.
func newSearch(ctx *programContext) *searchModel {
	st := ctx.styles
	m := &searchModel{
		ctx:           ctx,
		input:         st.newInput("Search: ", `words, "a phrase", -word; enter searches`, aforro.MaxSearchQueryLength),
		suggestCursor: -1,
		clock:         time.Now,
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
		list: pagedList[aforro.Product]{num: 1},
		table: newTable("No products match.",
			column{title: "ID", right: true}, column{title: "PRODUCT", flex: true},
			column{title: "CATEGORY", flex: true}, column{title: "PRICE", right: true},
			column{title: "QTY", right: true}, column{title: ""}),
	}
	m.form.min = st.newInput("", "any", 14)
	m.form.max = st.newInput("", "any", 14)
	return m
}

// suggest asks for the titles completing what is typed.
func (m *searchModel) suggest(text string) tea.Cmd {
	m.lastSuggest = m.clock()
	c, seq := m.ctx, m.suggestSeq
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		r, err := c.client.Suggest(ctx, text)
		return suggestionsMsg{result: result{err}, seq: seq, query: text, suggestions: r.Suggestions}
	}
}

// search runs the search shown (words, filters, page) in the chosen store.
func (m *searchModel) search() tea.Cmd {
	if m.ctx.store.ID == 0 {
		return nil
	}
	m.searched = true
	f := aforro.SearchFilter{
		Q: m.q, CategoryID: m.filters.category, MinPrice: m.filters.min, MaxPrice: m.filters.max,
		StoreID: m.ctx.store.ID, Sort: sortValues[m.filters.sort],
	}
	if m.filters.stock != 0 {
		in := m.filters.stock == 1
		f.InStock = &in
	}
	cl := m.ctx.client
	return m.list.load(m.ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.Product], error) {
		return cl.Search(ctx, f, page)
	})
}

// loadCategories fetches every category for the filter form.
func (m *searchModel) loadCategories() tea.Cmd {
	m.catsLoading, m.catsFailed = true, false
	c := m.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		var cats []aforro.Category
		for cat, err := range client.All(ctx, c.client.ListCategories, aforro.MaxPageSize) {
			if err != nil {
				return categoriesLoadedMsg{result: result{err}}
			}
			cats = append(cats, cat)
		}
		return categoriesLoadedMsg{categories: cats}
	}
}

// update handles answers, timers, store changes and, when shown, keys.
func (m *searchModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case suggestDebounceMsg:
		if msg.seq != m.suggestSeq || !m.typing || m.paused {
			return nil
		}
		// The typing paused; ask now, unless the last request was too
		// recent: then ask when its time is up (a keystroke before that
		// starts a new pause, and this timer finds itself stale).
		if !m.lastSuggest.IsZero() {
			if wait := m.lastSuggest.Add(m.ctx.suggestEvery).Sub(m.clock()); wait > 0 {
				return m.after(wait, msg)
			}
		}
		return m.suggest(suggestText(m.input.Value()))
	case suggestionsMsg:
		return m.suggested(msg)
	case suggestResumeMsg:
		if msg.gen != m.pauseGen || !m.paused {
			return nil
		}
		m.paused = false
		if text := suggestText(m.input.Value()); m.typing && text != "" && text != m.suggestFor {
			m.suggestSeq++
			return m.suggest(text)
		}
		return nil
	case pageLoadedMsg[aforro.Product]:
		return m.list.accept(m.ctx, msg, "Search", m.search, m.setRows)
	case categoriesLoadedMsg:
		m.catsLoading = false
		if msg.err != nil {
			m.catsFailed = true
			return m.ctx.errorStatus("Load the categories", msg.err)
		}
		m.categories, m.catsLoaded = msg.categories, true
		return nil
	case storeChosenMsg:
		// The quantities shown are the previous store's: search again,
		// with the same words and filters, when the screen is next shown.
		m.list.reset()
		m.list.stale = m.searched
		m.table.cursor = 0
		m.setRows()
		return nil
	case orderPlacedMsg, orderCancelledMsg:
		m.list.stale = m.searched
		return nil
	case reconnectedMsg:
		var cmds []tea.Cmd
		if m.list.failed && m.searched {
			m.list.stale = true
			if m.active && !m.list.loading {
				cmds = append(cmds, m.search())
			}
		}
		if m.catsFailed && m.form.open {
			cmds = append(cmds, m.loadCategories())
		}
		return tea.Batch(cmds...)
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// suggested takes an answer to suggest. A 429 pauses suggesting whatever
// the answer's age: the limit is the server's, not the keystroke's.
func (m *searchModel) suggested(msg suggestionsMsg) tea.Cmd {
	var ae *client.APIError
	if errors.As(msg.err, &ae) && ae.Status == http.StatusTooManyRequests {
		if m.paused {
			return nil
		}
		m.paused, m.pauseFor = true, max(ae.RetryAfter, time.Second)
		m.pauseGen++
		m.suggestions, m.suggestCursor = nil, -1
		gen := m.pauseGen
		return tea.Batch(
			m.ctx.status(statusWarn, "Too many requests: suggestions pause for %s; enter still searches.",
				waitText(m.pauseFor)),
			tea.Tick(m.pauseFor, func(time.Time) tea.Msg { return suggestResumeMsg{gen: gen} }))
	}
	if msg.seq != m.suggestSeq || !m.typing {
		return nil
	}
	if msg.err != nil {
		return m.ctx.errorStatus("Suggestions", msg.err)
	}
	m.suggestions, m.suggestFor, m.suggestCursor = msg.suggestions, msg.query, -1
	return nil
}

// suggestText returns what to ask suggestions for: the trimmed text, or ""
// when it is too short or too long for the server.
func suggestText(v string) string {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n < aforro.SuggestMinLength || n > aforro.SuggestMaxLength {
		return ""
	}
	return v
}

// handleKey handles a key press while the screen is shown.
func (m *searchModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case m.form.open:
		return m.formKey(msg)
	case m.typing:
		return m.typingKey(msg)
	}
	k := m.ctx.keys
	if m.table.update(msg, k) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		return m.focus()
	case key.Matches(msg, k.Filters):
		return m.openForm()
	case key.Matches(msg, k.Add):
		products := m.list.page.Results
		i := m.table.selected()
		if i < 0 || i >= len(products) {
			return nil
		}
		p := products[i]
		line := basketLine{ProductID: p.ID, Title: p.Title, Price: p.Price, Stock: p.StoreQuantity}
		return func() tea.Msg { return addToOrderMsg{line: line} }
	case key.Matches(msg, k.ToReceive, k.ToCount):
		products := m.list.page.Results
		i := m.table.selected()
		if i < 0 || i >= len(products) {
			return nil
		}
		p := products[i]
		return toSheet(msg, k, p.ID, p.Title, p.StoreQuantity)
	case key.Matches(msg, k.Back):
		if m.filters.active() {
			m.filters = searchFilters{}
			m.list.first()
			m.table.cursor = 0
			return tea.Batch(m.search(), m.ctx.status(statusInfo, "Filters cleared."))
		}
	case key.Matches(msg, k.NextPage, k.PrevPage):
		if m.list.turn(msg, k) {
			m.table.cursor = 0
			return m.search()
		}
	case key.Matches(msg, k.Refresh):
		if m.searched {
			return m.search()
		}
	}
	return nil
}

// focus gives the search field the focus.
func (m *searchModel) focus() tea.Cmd {
	m.typing = true
	m.input.CursorEnd()
	return m.input.Focus()
}

// blur leaves the search field and its suggestions.
func (m *searchModel) blur() {
	m.typing = false
	m.input.Blur()
	m.suggestions, m.suggestCursor = nil, -1
	m.suggestSeq++ // a suggestion on its way is for a field no longer edited
}

// typingKey handles a key press in the search field: up and down choose a
// suggestion, enter searches, esc closes the suggestions, then the field.
func (m *searchModel) typingKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	switch {
	case key.Matches(msg, k.Submit):
		text := strings.TrimSpace(m.input.Value())
		if m.suggestCursor >= 0 && m.suggestCursor < len(m.suggestions) {
			text = m.suggestions[m.suggestCursor]
		}
		m.input.SetValue(text)
		m.blur()
		m.q, m.table.cursor = text, 0
		m.list.first()
		return m.search()
	case key.Matches(msg, k.Back):
		if len(m.suggestions) > 0 {
			m.suggestions, m.suggestCursor = nil, -1
			m.suggestSeq++
			return nil
		}
		m.blur()
		m.input.SetValue(m.q) // the field shows what the results are for
		return nil
	case msg.Type == tea.KeyDown:
		if len(m.suggestions) > 0 {
			m.suggestCursor = min(m.suggestCursor+1, len(m.suggestions)-1)
		} else if m.list.loaded {
			m.blur()
			m.input.SetValue(m.q)
		}
		return nil
	case msg.Type == tea.KeyUp:
		m.suggestCursor = max(m.suggestCursor-1, -1)
		return nil
	case key.Matches(msg, k.Filter):
		return nil // in the search field already (KeyMap.Filter)
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() == before {
		return cmd
	}
	m.suggestCursor = -1
	m.suggestSeq++
	text := suggestText(m.input.Value())
	if text == "" {
		m.suggestions, m.suggestFor = nil, ""
		return cmd
	}
	if m.paused {
		return cmd // the resume timer asks for whatever is typed by then
	}
	return tea.Batch(cmd, m.after(m.ctx.debounce, suggestDebounceMsg{seq: m.suggestSeq}))
}

// openForm opens the filter form on the filters in effect.
func (m *searchModel) openForm() tea.Cmd {
	f := &m.form
	f.open, f.field = true, fieldCategory
	f.category = 0
	for i, c := range m.categories {
		if c.ID == m.filters.category {
			f.category = i + 1
		}
	}
	f.min.SetValue(moneyText(m.filters.min))
	f.max.SetValue(moneyText(m.filters.max))
	f.stock, f.sort = m.filters.stock, m.filters.sort
	m.focusField()
	if !m.catsLoaded && !m.catsLoading {
		return m.loadCategories()
	}
	return nil
}

// moneyText writes an optional amount, "" when absent.
func moneyText(p *aforro.Money) string {
	if p == nil {
		return ""
	}
	return p.String()
}

// focusField gives the focus to the form's price field under the cursor.
func (m *searchModel) focusField() {
	m.form.min.Blur()
	m.form.max.Blur()
	switch m.form.field {
	case fieldMinPrice:
		m.form.min.Focus()
		m.form.min.CursorEnd()
	case fieldMaxPrice:
		m.form.max.Focus()
		m.form.max.CursorEnd()
	}
}

// formKey handles a key press in the filter form.
func (m *searchModel) formKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.keys
	f := &m.form
	switch {
	case key.Matches(msg, k.Submit):
		return m.applyForm()
	case key.Matches(msg, k.Back):
		f.open = false
		m.focusField()
		return nil
	case key.Matches(msg, k.NextField):
		f.field = (f.field + 1) % fieldCount
		m.focusField()
		return nil
	case key.Matches(msg, k.PrevField):
		f.field = (f.field + fieldCount - 1) % fieldCount
		m.focusField()
		return nil
	case msg.Type == tea.KeyCtrlR && m.catsFailed:
		return m.loadCategories()
	}
	var price *textinput.Model
	switch f.field {
	case fieldMinPrice:
		price = &f.min
	case fieldMaxPrice:
		price = &f.max
	default:
		step := 0
		switch {
		case msg.Type == tea.KeyLeft:
			step = -1
		case key.Matches(msg, k.Toggle):
			step = 1
		case msg.Type == tea.KeyBackspace || msg.Type == tea.KeyDelete:
			m.setChoice(0, false) // back to "any"
			return nil
		}
		if step != 0 {
			m.setChoice(step, true)
		}
		return nil
	}
	if msg.Type == tea.KeyRunes && strings.IndexFunc(string(msg.Runes), notPriceRune) >= 0 {
		return nil // a price is digits and a point; letters do nothing here
	}
	var cmd tea.Cmd
	*price, cmd = price.Update(msg)
	return cmd
}

// notPriceRune reports whether r has no place in a price.
func notPriceRune(r rune) bool { return (r < '0' || r > '9') && r != '.' }

// setChoice moves the cycling field under the cursor by step, or sets it
// to its first choice when relative is false.
func (m *searchModel) setChoice(step int, relative bool) {
	f := &m.form
	var v *int
	var n int
	switch f.field {
	case fieldCategory:
		v, n = &f.category, len(m.categories)+1
	case fieldStock:
		v, n = &f.stock, len(stockChoices)
	case fieldSort:
		v, n = &f.sort, len(sortChoices)
	default:
		return
	}
	if !relative {
		*v = 0
		return
	}
	*v = ((*v+step)%n + n) % n
}

// applyForm checks the prices and searches with the form's filters.
func (m *searchModel) applyForm() tea.Cmd {
	f := &m.form
	var next searchFilters
	for _, p := range []struct {
		label string
		in    *textinput.Model
		out   **aforro.Money
		field int
	}{
		{"Min price", &f.min, &next.min, fieldMinPrice},
		{"Max price", &f.max, &next.max, fieldMaxPrice},
	} {
		v := strings.TrimSpace(p.in.Value())
		if v == "" {
			continue
		}
		amount, err := aforro.ParseMoney(v)
		if err != nil {
			f.field = p.field
			m.focusField()
			return m.ctx.status(statusError, "%s %s.", p.label, err)
		}
		*p.out = &amount
	}
	if next.min != nil && next.max != nil && *next.min > *next.max {
		f.field = fieldMaxPrice
		m.focusField()
		return m.ctx.status(statusError, "The max price is below the min price.")
	}
	if f.category > 0 && f.category <= len(m.categories) {
		c := m.categories[f.category-1]
		next.category, next.catName = c.ID, c.Name
	}
	next.stock, next.sort = f.stock, f.sort
	f.open = false
	m.focusField()
	m.filters = next
	m.list.first()
	m.table.cursor = 0
	return m.search()
}

// setRows turns the products into table rows.
func (m *searchModel) setRows() {
	products := m.list.page.Results
	rows := make([]row, len(products))
	for i, p := range products {
		qty, mark, tag := "-", markNone, ""
		if p.StoreQuantity != nil {
			qty = strconv.Itoa(*p.StoreQuantity)
			mark, tag = stockMark(*p.StoreQuantity, m.ctx.warnAt)
		}
		rows[i] = row{mark: mark, cells: []string{
			strconv.FormatInt(p.ID, 10), p.Title, p.Category.Name, p.Price.String(), qty, tag,
		}}
	}
	m.table.setRows(rows)
}

// hasFilter: "/" opens this screen's search field.
func (m *searchModel) hasFilter() {}

// captures keeps the keys for the search field (but tab, which switches
// screens as everywhere) and every key for the filter form, where tab
// moves between fields.
func (m *searchModel) captures(msg tea.KeyMsg) bool {
	return m.form.open || m.typing && msg.Type != tea.KeyTab && msg.Type != tea.KeyShiftTab
}

// activate searches again when the results are stale, or opens the field
// when nothing was searched yet, so typing starts at once.
func (m *searchModel) activate() tea.Cmd {
	m.active = true
	switch {
	case !m.searched:
		return m.focus()
	case m.list.stale && !m.list.loading:
		return m.search()
	}
	return nil
}

// deactivate leaves the field, keeping what was typed, and drops the form.
func (m *searchModel) deactivate() {
	m.active = false
	if m.typing {
		m.blur()
	}
	if m.form.open {
		m.form.open = false
		m.focusField()
	}
}

// resize fits the table between the field, the filter line and the page
// line.
func (m *searchModel) resize() {
	m.table.setSize(m.ctx.width, m.ctx.height-3)
	m.input.Width = max(m.ctx.width-len(m.input.Prompt)-1, 10)
}

// view renders the field, the filters, then the suggestions, the form or
// the results, and the page line.
func (m *searchModel) view() string {
	st := m.ctx.styles
	h := m.ctx.height - 3
	var filters string
	if m.filters.active() {
		filters = st.Bold.Render("Filters: ") + m.filters.describe() + st.Dim.Render("  (f to change, esc clears)")
	} else {
		filters = st.Dim.Render("f filters: category, price, in stock, order")
	}
	var body string
	switch {
	case m.form.open:
		body = m.formView()
	case m.showSuggestions():
		body = m.suggestionsView()
	case !m.searched:
		body = st.Dim.Render("Type a few words: suggestions come after 3 letters, enter searches.\n" +
			"Every word must match; \"a phrase\", -word and or work too, and typos are forgiven.\n" +
			"Enter on an empty field lists the newest products (with the filters).")
	case m.list.failed && len(m.list.page.Results) == 0:
		body = st.Dim.Render("The search could not be run; r tries again.")
	case !m.list.loaded:
		body = st.Dim.Render("Searching…")
	default:
		body = m.table.view(st)
	}
	return m.fieldView() + "\n" + filters + "\n" + fit(body, m.ctx.width, h) + "\n" + m.pageLine()
}

// fieldView is the search field, or what was searched once it is left.
func (m *searchModel) fieldView() string {
	st := m.ctx.styles
	if m.typing || !m.searched {
		return m.input.View()
	}
	q := m.q
	if q == "" {
		q = st.Dim.Render("(every product)")
	}
	return st.Input.prompt.Render(m.input.Prompt) + q + st.Dim.Render("  / to change")
}

// showSuggestions reports whether the suggestions (or why there are none)
// take the place of the results: while typing, once there is something to
// say. The previous answer stays until the next one, so the list does not
// flicker with every key.
func (m *searchModel) showSuggestions() bool {
	if !m.typing || suggestText(m.input.Value()) == "" {
		return false
	}
	return m.paused || len(m.suggestions) > 0 || m.suggestFor != ""
}

// suggestionsView lists the suggestions, the chosen one marked.
func (m *searchModel) suggestionsView() string {
	st := m.ctx.styles
	if m.paused {
		return st.Warn.Render("Suggestions paused: too many requests. They resume by themselves.") + "\n" +
			st.Dim.Render("Enter still searches.")
	}
	if len(m.suggestions) == 0 {
		return st.Dim.Render(fmt.Sprintf("No suggestions for %q; enter searches anyway.", m.suggestFor))
	}
	lines := []string{st.Dim.Render("Suggestions (↓/↑ choose, enter searches)")}
	for i, s := range m.suggestions {
		if i == m.suggestCursor {
			lines = append(lines, st.Selected.Render(cursorMark+" "+s))
		} else {
			lines = append(lines, "  "+s)
		}
	}
	return strings.Join(lines, "\n")
}

// formView renders the filter form, the field under the cursor marked.
func (m *searchModel) formView() string {
	st := m.ctx.styles
	f := &m.form
	choice := func(v string) string { return "‹ " + v + " ›" }
	category := "any"
	switch {
	case f.category > 0 && f.category <= len(m.categories):
		category = m.categories[f.category-1].Name
	case m.catsLoading:
		category = "any (loading the categories…)"
	case m.catsFailed:
		category = "any (the categories could not be loaded; ctrl+r tries again)"
	}
	values := [fieldCount]string{
		choice(category), f.min.View(), f.max.View(), choice(stockChoices[f.stock]), choice(sortChoices[f.sort]),
	}
	labels := [fieldCount]string{"Category", "Min price", "Max price", "Stock here", "Order"}
	lines := []string{st.Title.Render("Filters"), ""}
	for i := range fieldCount {
		mark := "  "
		label := fmt.Sprintf("%-11s", labels[i])
		if i == f.field {
			mark = cursorMark + " "
			label = st.Bold.Render(label)
		}
		lines = append(lines, mark+label+values[i])
	}
	return strings.Join(lines, "\n")
}

// pageLine says which page this is, of how many products.
func (m *searchModel) pageLine() string {
	if !m.list.loaded {
		return ""
	}
	parts := []string{m.list.pageText("product", "products")}
	if r := m.list.rowsText(&m.table, m.ctx.pageSize); r != "" {
		parts = append(parts, r)
	}
	switch {
	case m.list.loading:
		parts = append(parts, "loading…")
	case m.list.failed:
		parts = append(parts, "not refreshed: r tries again")
	default:
		parts = append(parts, "quantities in "+m.ctx.store.Name)
	}
	return m.ctx.styles.Dim.Render(joinFit(m.ctx.width, parts...))
}

// help returns the screen's keys.
func (m *searchModel) help() helpKeys {
	k := m.ctx.keys
	switch {
	case m.form.open:
		keys := []key.Binding{k.NextField, k.Toggle, withHelp(k.Submit, "apply"), withHelp(k.Back, "cancel")}
		return helpKeys{short: keys, full: [][]key.Binding{{k.NextField, k.PrevField, k.Toggle},
			{withHelp(k.Submit, "apply"), withHelp(k.Back, "cancel")}}}
	case m.typing:
		choose := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "suggestion"))
		keys := []key.Binding{withHelp(k.Submit, "search"), choose, withHelp(k.Back, "close")}
		return helpKeys{short: keys, full: [][]key.Binding{keys}}
	}
	// Only keys that act: add needs a row, the page keys a page there.
	var add, sheets []key.Binding
	if len(m.list.page.Results) > 0 {
		add, sheets = []key.Binding{k.Add}, []key.Binding{k.ToReceive, k.ToCount}
	}
	pages := m.list.pageKeys(k)
	return helpKeys{
		short: slices.Concat([]key.Binding{withHelp(k.Filter, "search"), k.Filters}, add, pages),
		full: [][]key.Binding{slices.Concat([]key.Binding{k.Up, k.Down, k.Top, k.Bottom}, pages),
			slices.Concat([]key.Binding{withHelp(k.Filter, "search"), k.Filters, withHelp(k.Back, "clear filters")}, add, sheets, []key.Binding{k.Refresh})},
	}
}
