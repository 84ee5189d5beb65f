package tui

import (
	"time"
	"unicode/utf8"
)

// A barcode scanner is a keyboard that types a code and Enter in one quick
// burst; a person types the same characters far apart. POS software tells
// them apart by that speed, and so does the counter: scanDetector watches
// the keystrokes and their times, and says at Enter whether the characters
// since the last pause were a scan. It is pure (the caller gives the times,
// from programContext.now), so its table tests need no clock.
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
	run  []rune    // the characters since the last pause
	last time.Time // when the last of them came; zero before any
}

// key records printable characters that arrived at at.
func (d *scanDetector) key(runes []rune, at time.Time) {
	if len(runes) == 0 {
		return
	}
	if d.last.IsZero() || at.Sub(d.last) > scanMaxGap || at.Before(d.last) {
		d.run = d.run[:0] // a pause: what came before was typed
	}
	d.run = append(d.run, runes...)
	d.last = at
}

// enter reports, for an Enter at at, whether the run it ends is a scan, and
// its code; either way the run is over.
func (d *scanDetector) enter(at time.Time) (code string, scanned bool) {
	defer d.reset()
	if d.last.IsZero() || at.Sub(d.last) > scanMaxGap || at.Before(d.last) ||
		utf8.RuneCountInString(string(d.run)) < scanMinRunes {
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
