// Package termquiet keeps Bubble Tea v1 from querying the terminal when a
// program that links it starts. Import it, for its side effect only, from
// every main package that links github.com/charmbracelet/bubbletea:
//
//	import _ "github.com/aforro/aforro/internal/termquiet"
//
// Bubble Tea v1's package init (tea_init.go, v1.3.10; removed only in v2)
// calls lipgloss.HasDarkBackground, which writes an OSC 11 background-colour
// query and a cursor-position request to stdout and waits up to termenv's
// OSCTimeout (5 s) for an answer. It runs before main in every process that
// links Bubble Tea, whatever the command: aforroctl stores list -o json on a
// terminal that does not answer (a relayed pty, script(1), a CI runner's)
// hung five seconds and began its output with the query's bytes.
//
// The init below sets the default Lip Gloss renderer's background
// explicitly, which lipgloss.HasDarkBackground then returns without asking
// the terminal. It runs before Bubble Tea's init because the Go
// specification fixes the order (since Go 1.21): packages are sorted by
// import path and each step initialises the first one whose imports are all
// initialised. This package imports only Lip Gloss, and its path
// (github.com/aforro/...) sorts before github.com/charmbracelet/bubbletea, so
// it is initialised right after Lip Gloss and before Bubble Tea. The
// TestNoTerminalQuery test of cmd/aforroctl runs the real binary on a
// terminal that never answers and fails if this ever stops holding.
//
// Nothing is lost: Aforro's TUI and CLI styles use only the 16 ANSI colours,
// which follow the terminal's own light or dark theme, and set the
// background on their own renderers, so no code of Aforro needs the answer.
package termquiet

import "github.com/charmbracelet/lipgloss"

func init() {
	lipgloss.SetHasDarkBackground(true)
}
