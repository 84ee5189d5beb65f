package tui

import (
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// A barcode scanner is a keyboard that types a code and Enter in one quick
// burst; a person types the same characters far apart. POS software tells
// them apart by that speed, and so does the counter: scanDetector watches
// the keystrokes and their times, and says at Enter whether the characters
// since the last pause were a scan. It is pure (the caller gives the times,
// from Options.KeyClock), so its table tests need no clock.
//
// The rule: a scan is at least scanMinRunes characters, each within
// scanMaxGap of the one before, ending with an Enter within scanMaxGap of
// the last. A pause longer than that starts a new run, so a code typed by
// hand never becomes a scan however fast its last characters came, and a
// scan that follows typing is still one. Scanners send a character every
// 2-20 ms; the fastest typists average 60 ms between keys and seldom go
// below 30 ms for four keys in a row, hence 35 ms. Several characters in
// one key message (the terminal delivered them in one read) arrived
// together: they count as no gap.
const (
	scanMaxGap   = 35 * time.Millisecond
	scanMinRunes = 4
)

// scanDetector is the state of the current run of keystrokes.
type scanDetector struct {
	gap  time.Duration // the longest pause within a scan; 0 is scanMaxGap
	run  []rune        // the characters since the last pause
	last time.Time     // when the last of them came; zero before any
}

// maxGap returns the longest pause within a scan.
func (d *scanDetector) maxGap() time.Duration {
	if d.gap > 0 {
		return d.gap
	}
	return scanMaxGap
}

// key records printable characters that arrived at at.
func (d *scanDetector) key(runes []rune, at time.Time) {
	if len(runes) == 0 {
		return
	}
	if d.pausedBefore(at) {
		d.run = d.run[:0] // a pause: what came before was typed
	}
	d.run = append(d.run, runes...)
	d.last = at
}

// pausedBefore reports whether a key at at comes after a pause: the run
// before it is over.
func (d *scanDetector) pausedBefore(at time.Time) bool {
	return d.last.IsZero() || at.Sub(d.last) > d.maxGap() || at.Before(d.last)
}

// enter reports, for an Enter at at, whether the run it ends is a scan, and
// its code; either way the run is over.
func (d *scanDetector) enter(at time.Time) (code string, scanned bool) {
	defer d.reset()
	if d.pausedBefore(at) || utf8.RuneCountInString(string(d.run)) < scanMinRunes {
		return "", false
	}
	return string(d.run), true
}

// other records a key that is neither a character nor Enter (an arrow, a
// backspace): a scanner never sends one, so the run is typing.
func (d *scanDetector) other() { d.reset() }

func (d *scanDetector) reset() {
	d.run = d.run[:0]
	d.last = time.Time{}
}

// scanScreen is a screen that takes scans: Inventory (the scan finds the
// product), Order (it adds one to the basket), Receive and Count (one unit
// more of the product on the sheet).
type scanScreen interface {
	screen
	scanned(code string) tea.Cmd
}

// scanFlushMsg ends the wait for more of a burst: the keys held since
// generation gen were typed, and act now. Generation 0 ends any wait (the
// tests' way of pausing between key presses, without a timer).
type scanFlushMsg struct{ gen int }

// scanHold is the root model's side of scanning. On a screen that takes
// scans, with no field focused, characters are held for the scan gap
// before they act: a scanner's burst must not act as commands ("1" goes to
// Inventory, "a" adds to the order) before its Enter shows it was a scan.
// A person never notices the wait (35 ms by default); when it ends, or
// another key comes, the held keys act in the order they came.
type scanHold struct {
	detect    scanDetector
	held      []tea.KeyMsg
	gen       int  // numbers the waits; only the latest one's end flushes
	replaying bool // the held keys are acting: they are not held again
}

// holdKey holds or releases msg on a screen that takes scans; it reports
// false for a key it leaves alone.
func (m *Model) holdKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	h := &m.scan
	s, ok := m.screens[m.active].(scanScreen)
	if h.replaying || !ok || m.confirmQuit || m.picker.visible || m.showHelp ||
		m.ctx.store.ID == 0 || s.captures(msg) {
		return nil, false
	}
	now := m.opts.KeyClock()
	switch {
	case msg.Type == tea.KeyRunes && !msg.Paste && !msg.Alt:
		var typed tea.Cmd
		if len(h.held) > 0 && h.detect.pausedBefore(now) {
			typed = m.releaseKeys() // what came before the pause was typed
			if _, still := m.screens[m.active].(scanScreen); !still || m.screens[m.active].captures(msg) {
				return tea.Sequence(typed, m.handleKey(msg)), true
			}
		}
		h.detect.key(msg.Runes, now)
		h.held = append(h.held, msg)
		h.gen++
		gen := h.gen
		return tea.Sequence(typed, tea.Tick(h.detect.maxGap(), func(time.Time) tea.Msg { return scanFlushMsg{gen: gen} })), true
	case msg.Type == tea.KeyEnter && len(h.held) > 0:
		if code, scanned := h.detect.enter(now); scanned {
			h.held = nil
			h.gen++
			return s.scanned(code), true
		}
		return m.releaseKeys(msg), true
	case len(h.held) > 0:
		h.detect.other()
		return m.releaseKeys(msg), true
	}
	h.detect.other()
	return nil, false
}

// releaseKeys lets the held keys act, then more.
func (m *Model) releaseKeys(more ...tea.KeyMsg) tea.Cmd {
	h := &m.scan
	keys := append(h.held, more...)
	h.held = nil
	h.gen++
	h.replaying = true
	defer func() { h.replaying = false }()
	cmds := make([]tea.Cmd, 0, len(keys))
	for _, k := range keys {
		cmds = append(cmds, m.handleKey(k))
	}
	return tea.Sequence(cmds...)
}

// scanPaused ends a wait: if no key came since, the held keys were typed.
func (m *Model) scanPaused(msg scanFlushMsg) tea.Cmd {
	if msg.gen != 0 && msg.gen != m.scan.gen || len(m.scan.held) == 0 {
		return nil
	}
	m.scan.detect.reset()
	return m.releaseKeys()
}
