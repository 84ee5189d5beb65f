package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// pickerModel is the store picker, shown at start when no store is
// remembered and on "s": every store, narrowed as the user types.
type pickerModel struct {
	ctx     *programContext
	visible bool
	input   textinput.Model
	stores  []aforro.Store // every store, by id
	matches []aforro.Store // those the filter keeps, in table order
	table   table
	loading bool
	loaded  bool
	failed  bool
}

// newPicker returns a hidden picker.
func newPicker(ctx *programContext) *pickerModel {
	return &pickerModel{
		ctx:   ctx,
		input: ctx.styles.newInput("Find: ", "name, town or id", 100),
		table: newTable("No store matches.",
			column{title: "ID", right: true}, column{title: "STORE", flex: true}, column{title: "LOCATION", flex: true}),
	}
}

// show opens the picker, loading the stores the first time.
func (p *pickerModel) show() tea.Cmd {
	p.visible = true
	p.input.Reset()
	p.input.Focus()
	p.refilter()
	if p.loaded || p.loading {
		return nil
	}
	return p.load()
}

// hide closes the picker.
func (p *pickerModel) hide() {
	p.visible = false
	p.input.Blur()
}

// load fetches the stores the token covers: those its scope names (GET
// /api/auth/token/ says which), else every store; a retailer has tens or
// hundreds, not millions.
func (p *pickerModel) load() tea.Cmd {
	p.loading, p.failed = true, false
	c := p.ctx
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		tok, err := c.client.CurrentToken(ctx)
		if err != nil {
			return storesLoadedMsg{result: result{err}}
		}
		var stores []aforro.Store
		if tok.Role != aforro.RoleAdmin && len(tok.Stores) > 0 {
			for _, id := range tok.Stores {
				st, err := c.client.Store(ctx, id)
				if aforro.ErrorCode(err) == aforro.ENOTFOUND {
					continue // deleted since the token was made
				}
				if err != nil {
					return storesLoadedMsg{result: result{err}}
				}
				stores = append(stores, st)
			}
			return storesLoadedMsg{stores: stores}
		}
		for st, err := range client.All(ctx, c.client.ListStores, aforro.MaxPageSize) {
			if err != nil {
				return storesLoadedMsg{result: result{err}}
			}
			stores = append(stores, st)
		}
		return storesLoadedMsg{stores: stores}
	}
}

// resize follows the terminal.
func (p *pickerModel) resize() {
	p.table.setSize(max(p.ctx.width-4, 10), max(p.ctx.height-6, 2))
	p.input.Width = max(p.ctx.width-12, 10)
}

// update handles the stores' arrival and, while visible, key presses.
func (p *pickerModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case storesLoadedMsg:
		p.loading = false
		if msg.err != nil {
			p.failed = true
			return p.ctx.errorStatus("Load the stores", msg.err)
		}
		p.stores, p.loaded = msg.stores, true
		p.refilter()
		return p.ctx.loaded("Load the stores")
	case reconnectedMsg:
		if p.failed && p.visible {
			return p.load()
		}
		return nil
	case tea.KeyMsg:
		if p.visible {
			return p.handleKey(msg)
		}
	}
	return nil
}

// handleKey moves, chooses, closes or types into the filter. Letters all
// go to the filter, so only the arrow keys move.
func (p *pickerModel) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := p.ctx.keys
	switch {
	case key.Matches(msg, k.Submit):
		i := p.table.selected()
		if i < 0 {
			return nil
		}
		st := p.matches[i]
		return func() tea.Msg { return storeChosenMsg{store: st} }
	case key.Matches(msg, k.Back):
		if p.input.Value() != "" {
			p.input.Reset()
			p.refilter()
			return nil
		}
		if p.ctx.store.ID != 0 {
			p.hide()
		}
		return nil
	case msg.Type == tea.KeyUp, msg.Type == tea.KeyDown, msg.Type == tea.KeyHome,
		msg.Type == tea.KeyEnd, msg.Type == tea.KeyPgUp, msg.Type == tea.KeyPgDown:
		p.table.update(arrowOnly(msg), k)
		return nil
	case msg.Type == tea.KeyCtrlR && p.failed:
		return p.load()
	case key.Matches(msg, k.Filter):
		return nil // the field has the focus already (KeyMap.Filter)
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.refilter()
	}
	return cmd
}

// arrowOnly maps page keys onto the table's top and bottom moves.
func arrowOnly(msg tea.KeyMsg) tea.KeyMsg {
	switch msg.Type {
	case tea.KeyPgUp:
		return tea.KeyMsg{Type: tea.KeyHome}
	case tea.KeyPgDown:
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return msg
}

// refilter keeps the stores whose id, name or location contain the
// filter's words, the cursor on the current store when it is among them.
func (p *pickerModel) refilter() {
	words := strings.Fields(strings.ToLower(p.input.Value()))
	p.matches = p.matches[:0]
	var rows []row
	cursor := 0
	for _, st := range p.stores {
		hay := strings.ToLower(strconv.FormatInt(st.ID, 10) + " " + st.Name + " " + st.Location)
		keep := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				keep = false
				break
			}
		}
		if !keep {
			continue
		}
		if st.ID == p.ctx.store.ID {
			cursor = len(p.matches)
		}
		p.matches = append(p.matches, st)
		rows = append(rows, row{cells: []string{strconv.FormatInt(st.ID, 10), st.Name, st.Location}})
	}
	p.table.cursor = cursor
	p.table.setRows(rows)
}

// view renders the picker.
func (p *pickerModel) view() string {
	st := p.ctx.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Choose a store"))
	switch {
	case p.loading:
		b.WriteString(st.Dim.Render("  loading…"))
	case p.loaded:
		b.WriteString(st.Dim.Render("  " + strconv.Itoa(len(p.matches)) + " of " + strconv.Itoa(len(p.stores))))
	}
	b.WriteString("\n\n" + p.input.View() + "\n\n")
	switch {
	case p.failed:
		b.WriteString(st.Dim.Render("The stores could not be loaded; ctrl+r tries again."))
	case p.loaded:
		b.WriteString(p.table.view(st))
	}
	return b.String()
}

// help returns the picker's keys.
func (p *pickerModel) help() helpKeys {
	k := p.ctx.keys
	keys := []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
		withHelp(k.Submit, "open store"),
	}
	if p.ctx.store.ID != 0 {
		keys = append(keys, withHelp(k.Back, "keep "+p.ctx.store.Name))
	}
	return helpKeys{short: append(keys, key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")))}
}
