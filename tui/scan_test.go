package tui

import (
	"testing"
	"time"
)

// scanStep is one key of a scanDetector test: characters, Enter or another
// key, after a gap since the previous key.
type scanStep struct {
	gap   time.Duration
	runes string // "" with enter false: another key (an arrow)
	enter bool
}

func burst(code string, gap time.Duration) []scanStep {
	var steps []scanStep
	for i, r := range code {
		g := gap
		if i == 0 {
			g = time.Second // the first key follows a pause
		}
		steps = append(steps, scanStep{gap: g, runes: string(r)})
	}
	return steps
}

func enterAfter(gap time.Duration) scanStep { return scanStep{gap: gap, enter: true} }

func TestScanDetector(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		steps   []scanStep
		code    string // at the last Enter
		scanned bool
	}{
		{"a scanner's burst", append(burst("5901234123457", 8*ms), enterAfter(8*ms)), "5901234123457", true},
		{"at the limit", append(burst("ABC-123", scanMaxGap), enterAfter(scanMaxGap)), "ABC-123", true},
		{"typing", append(burst("5901234123457", 120*ms), enterAfter(150*ms)), "", false},
		{"a fast typist", append(burst("ABCD", 45*ms), enterAfter(40*ms)), "", false},
		{"one slow key in the middle starts a new run, too short",
			append(append(burst("59012", 8*ms), scanStep{gap: 200 * ms, runes: "3"}, scanStep{gap: 8 * ms, runes: "4"}), enterAfter(8*ms)), "", false},
		{"typing, then a scan: the scan counts",
			append(append(burst("shelf", 150*ms), burst("96385074", 6*ms)...), enterAfter(6*ms)), "96385074", true},
		{"a burst, then a pause before Enter: typed", append(burst("96385074", 6*ms), enterAfter(500*ms)), "", false},
		{"too short for a code", append(burst("123", 5*ms), enterAfter(5*ms)), "", false},
		{"characters in one message arrived together",
			[]scanStep{{gap: time.Second, runes: "5901234"}, {gap: 3 * ms, runes: "123457"}, enterAfter(2 * ms)}, "5901234123457", true},
		{"an arrow key breaks a burst",
			append(append(burst("59012", 5*ms), scanStep{gap: 5 * ms}), append(burst("34", 5*ms)[1:], enterAfter(5*ms))...), "", false},
		{"Enter alone", []scanStep{enterAfter(time.Second)}, "", false},
		{"a second scan after the first",
			append(append(append(burst("96385074", 5*ms), enterAfter(5*ms)), burst("73513537", 5*ms)...), enterAfter(5*ms)), "73513537", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d scanDetector
			at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			var code string
			var scanned bool
			for _, s := range tt.steps {
				at = at.Add(s.gap)
				switch {
				case s.enter:
					code, scanned = d.enter(at)
				case s.runes == "":
					d.other()
				default:
					d.key([]rune(s.runes), at)
				}
			}
			if code != tt.code || scanned != tt.scanned {
				t.Errorf("enter = %q, %v; want %q, %v", code, scanned, tt.code, tt.scanned)
			}
		})
	}
}
