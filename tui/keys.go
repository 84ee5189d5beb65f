package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the TUI knows. The same bindings decide what a key
// press does (key.Matches) and what the footer and the full help show, so
// the two cannot drift apart.
type KeyMap struct {
	// Everywhere, unless a text field has the focus.
	Quit    key.Binding
	Help    key.Binding
	NextTab key.Binding
	PrevTab key.Binding
	GoToTab key.Binding // "1"-"8"
	Store   key.Binding
	Refresh key.Binding

	// Moving in tables and lists.
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextPage key.Binding
	PrevPage key.Binding

	// Text fields and prompts.
	Submit    key.Binding
	Back      key.Binding
	NextField key.Binding
	PrevField key.Binding
	Toggle    key.Binding
	Yes       key.Binding
	No        key.Binding

	// Filter is "/" on every screen, with one meaning: go to the filter.
	// It opens the screen's filter or search field (Inventory, Search, the
	// store picker's field) or turns the status filter (Orders); on the
	// screens without a filter (Order, Summary) it opens Search's field. In
	// a filter or search field it does nothing (the field has the focus
	// already), so a slash is never typed there by accident.
	Filter key.Binding

	// Inventory and Search.
	LowStock key.Binding
	Add      key.Binding
	Filters  key.Binding

	// Stock work on Inventory's selected row.
	SetStock    key.Binding
	AdjustStock key.Binding
	History     key.Binding

	// Receive and Count; ToReceive and ToCount put the selected product of
	// Inventory or Search on their sheet.
	Reference key.Binding
	ToReceive key.Binding
	ToCount   key.Binding

	// Order.
	More   key.Binding
	Less   key.Binding
	Remove key.Binding
	Place  key.Binding
	Email  key.Binding
	Empty  key.Binding

	// Orders.
	Open         key.Binding
	CancelOrder  key.Binding
	StatusFilter key.Binding
}

// DefaultKeyMap returns the keys the README documents.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	return KeyMap{
		Quit:    b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:    b([]string{"?"}, "?", "help"),
		NextTab: b([]string{"tab"}, "tab", "next screen"),
		PrevTab: b([]string{"shift+tab"}, "shift+tab", "previous screen"),
		GoToTab: b([]string{"1", "2", "3", "4", "5", "6", "7", "8"}, "1-8", "go to screen"),
		Store:   b([]string{"s"}, "s", "choose store"),
		Refresh: b([]string{"r", "ctrl+r"}, "r", "refresh"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		Top:      b([]string{"home", "g"}, "g/home", "first row"),
		Bottom:   b([]string{"end", "G"}, "G/end", "last row"),
		NextPage: b([]string{"right", "]", "pgdown"}, "→/]", "next page"),
		PrevPage: b([]string{"left", "[", "pgup"}, "←/[", "previous page"),

		Submit:    b([]string{"enter"}, "enter", "apply"),
		Back:      b([]string{"esc"}, "esc", "back"),
		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		Toggle:    b([]string{" ", "left", "right"}, "space/←/→", "change"),
		Yes:       b([]string{"y", "Y"}, "y", "yes"),
		No:        b([]string{"n", "N", "esc"}, "n/esc", "no"),

		Filter:   b([]string{"/"}, "/", "filter"),
		LowStock: b([]string{"l"}, "l", "low stock only"),
		Add:      b([]string{"a"}, "a", "add to order"),
		Filters:  b([]string{"f"}, "f", "filters"),

		SetStock:    b([]string{"e"}, "e", "set quantity"),
		AdjustStock: b([]string{"d"}, "d", "adjust by"),
		History:     b([]string{"h"}, "h", "history (ledger)"),

		Reference: b([]string{"n"}, "n", "reference"),
		ToReceive: b([]string{"R"}, "R", "onto the Receive sheet"),
		ToCount:   b([]string{"C"}, "C", "onto the Count sheet"),

		More:   b([]string{"+", "="}, "+", "one more"),
		Less:   b([]string{"-", "_"}, "-", "one less"),
		Remove: b([]string{"x", "delete"}, "x", "remove"),
		Place:  b([]string{"enter"}, "enter", "place order"),
		Email:  b([]string{"e"}, "e", "email"),
		Empty:  b([]string{"X"}, "X", "empty basket"),

		Open:         b([]string{"enter"}, "enter", "details"),
		CancelOrder:  b([]string{"c"}, "c", "cancel order"),
		StatusFilter: b([]string{"/", "t"}, "/", "status filter"), // "/" as everywhere; t as before
	}
}

// helpKeys is what the footer and the full help show for one screen; it
// implements help.KeyMap. The global keys are added by the root model.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp returns the footer's keys.
func (h helpKeys) ShortHelp() []key.Binding { return h.short }

// FullHelp returns the full help's columns.
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// global is the help column of keys that work on every screen.
func (k KeyMap) global() []key.Binding {
	return []key.Binding{withHelp(k.Filter, "filter or search"), k.NextTab, k.PrevTab, k.GoToTab, k.Store, k.Help, k.Quit}
}

// withHelp returns b showing desc in the help instead of its own text, for a
// key that means something more specific on one screen ("enter": "search").
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
