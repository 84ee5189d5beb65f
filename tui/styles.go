package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
)

// Styles are every look of the TUI, built once from one renderer so that
// colour follows the terminal the program draws on, not the process's stdout.
type Styles struct {
	Title     lipgloss.Style // the app name and screen titles
	Dim       lipgloss.Style // secondary text: hints, counts, times
	Bold      lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style

	Online  lipgloss.Style // connection state in the header
	Offline lipgloss.Style

	TableHeader lipgloss.Style
	Selected    lipgloss.Style // the row under the cursor
	Low         lipgloss.Style // a low-stock row
	Out         lipgloss.Style // an out-of-stock row

	Confirmed lipgloss.Style // order statuses
	Rejected  lipgloss.Style
	Cancelled lipgloss.Style

	Error   lipgloss.Style // status line kinds
	Warn    lipgloss.Style
	Success lipgloss.Style
	Info    lipgloss.Style

	Box lipgloss.Style // the frame of the store picker and prompts

	Help  help.Styles
	Input inputStyles
}

// inputStyles style the text inputs.
type inputStyles struct {
	prompt, text, placeholder, cursor lipgloss.Style
}

// NewStyles builds the styles on r. With color false no style sets a colour
// (NO_COLOR): bold and reverse video remain, so the cursor row and the
// active tab still stand out; every mark that matters also shows as text
// (a "▸" for the cursor, "LOW"/"OUT" beside a quantity, brackets around
// the active tab), so the screen reads the same without any styling.
func NewStyles(r *lipgloss.Renderer, color bool) Styles {
	fg := func(s lipgloss.Style, c string) lipgloss.Style {
		if !color {
			return s
		}
		return s.Foreground(lipgloss.Color(c))
	}
	// The 16 ANSI colours follow the user's terminal theme, light or dark,
	// so no background detection (a terminal query) is ever needed.
	const (
		red    = "1"
		green  = "2"
		yellow = "3"
		blue   = "4"
		cyan   = "6"
		grey   = "8"
	)
	st := r.NewStyle
	s := Styles{
		Title:       fg(st().Bold(true), cyan),
		Dim:         fg(st(), grey),
		Bold:        st().Bold(true),
		Tab:         st(),
		ActiveTab:   fg(st().Bold(true).Reverse(true), cyan),
		Online:      fg(st(), green),
		Offline:     fg(st().Bold(true), red),
		TableHeader: fg(st().Bold(true), blue),
		Selected:    st().Reverse(true),
		Low:         fg(st(), yellow),
		Out:         fg(st(), red),
		Confirmed:   fg(st().Bold(true), green),
		Rejected:    fg(st().Bold(true), red),
		Cancelled:   fg(st(), grey),
		Error:       fg(st().Bold(true), red),
		Warn:        fg(st(), yellow),
		Success:     fg(st(), green),
		Info:        st(),
		Box:         fg(st().Border(lipgloss.RoundedBorder()).Padding(0, 1), blue),
		Input: inputStyles{
			prompt:      fg(st().Bold(true), cyan),
			text:        st(),
			placeholder: fg(st(), grey),
			cursor:      st(),
		},
	}
	if !color {
		s.Box = st().Border(lipgloss.RoundedBorder()).Padding(0, 1)
	}
	key := fg(st().Bold(true), cyan)
	desc := fg(st(), grey)
	s.Help = help.Styles{
		Ellipsis:       desc,
		ShortKey:       key,
		ShortDesc:      desc,
		ShortSeparator: desc,
		FullKey:        key,
		FullDesc:       st(),
		FullSeparator:  desc,
	}
	return s
}

// status returns the style of an order status.
func (s Styles) status(status string) lipgloss.Style {
	switch status {
	case "CONFIRMED":
		return s.Confirmed
	case "REJECTED":
		return s.Rejected
	}
	return s.Cancelled
}

// newInput returns a text input in these styles, with a steady cursor: a
// blinking one redraws the screen twice a second for nothing.
func (s Styles) newInput(prompt, placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	ti.PromptStyle = s.Input.prompt
	ti.TextStyle = s.Input.text
	ti.PlaceholderStyle = s.Input.placeholder
	ti.CompletionStyle = s.Input.placeholder
	ti.Cursor.Style = s.Input.cursor
	ti.Cursor.TextStyle = s.Input.text
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}
