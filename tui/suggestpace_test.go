package tui

import (
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// fakeTimers are the Search screen's clock and timers in a test: time
// moves only when the test moves it, and a timer's message is delivered to
// the screen when its time comes. No test sleeps.
type fakeTimers struct {
	now time.Time
	due []fakeTimer
}

type fakeTimer struct {
	at  time.Time
	msg tea.Msg
}

func (f *fakeTimers) after(d time.Duration, msg tea.Msg) tea.Cmd {
	f.due = append(f.due, fakeTimer{at: f.now.Add(d), msg: msg})
	return nil // the message comes through advance, not a command
}

// advance moves the clock to t, delivering every timer due by then in time
// order; it returns when suggestion requests went out: a timer's message
// that returns a command is the request (timers themselves return none).
func (f *fakeTimers) advance(t time.Time, s *searchModel) (sent []time.Time) {
	for {
		slices.SortStableFunc(f.due, func(a, b fakeTimer) int { return a.at.Compare(b.at) })
		if len(f.due) == 0 || f.due[0].at.After(t) {
			break
		}
		next := f.due[0]
		f.due = f.due[1:]
		f.now = next.at
		if cmd := s.update(next.msg); cmd != nil {
			sent = append(sent, f.now)
		}
	}
	f.now = t
	return sent
}

// TestSuggestPacing types as a person does for 30 seconds, some keys
// quicker than the debounce and many slower, word after word with pauses
// and backspaces: the Search screen asks for suggestions at most once per
// SuggestEvery (so at most 60 a minute, the server's budget per token),
// never while keys come quicker than the debounce, and always for the text
// finally typed.
func TestSuggestPacing(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://127.0.0.1:1") // never asked: the requests are counted, not sent
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(c)
	opts.Debounce, opts.SuggestEvery = DefaultDebounce, DefaultSuggestEvery
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	m.ctx.store = aforro.Store{ID: 1, Name: "Downtown"}
	s := m.screens[tabSearch].(*searchModel)
	f := &fakeTimers{now: testNow}
	s.clock, s.after = func() time.Time { return f.now }, f.after
	s.focus()

	// A typist: gaps between keys from 120 ms to 420 ms, a pause after each
	// word, then quick backspaces.
	gaps := []time.Duration{180, 320, 260, 410, 150, 280, 230, 350, 120, 300}
	words := []string{"wireless", "laptop", "keyboard", "monitor", "headphones", "charger", "cable", "speaker"}
	var (
		sent     []time.Time
		lastKey  time.Time
		keysSent int
		slowGaps int // pauses longer than the debounce: what a debounce alone would ask for
	)
	press := func(gap time.Duration, k tea.KeyMsg) {
		if gap > opts.Debounce {
			slowGaps++
		}
		sent = append(sent, f.advance(f.now.Add(gap), s)...)
		s.update(k)
		lastKey, keysSent = f.now, keysSent+1
	}
	end := testNow.Add(30 * time.Second)
	for i := 0; f.now.Before(end); i++ {
		w := words[i%len(words)]
		for j, r := range w {
			press(gaps[(i+j)%len(gaps)]*time.Millisecond, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		if f.now.Add(2 * time.Second).After(end) {
			break // the last word stays in the field
		}
		press(1200*time.Millisecond, tea.KeyMsg{Type: tea.KeyBackspace})
		for range len(w) - 1 {
			press(70*time.Millisecond, tea.KeyMsg{Type: tea.KeyBackspace})
		}
	}
	sent = append(sent, f.advance(f.now.Add(3*time.Second), s)...)

	span := lastKey.Sub(testNow)
	limit := int(span/opts.SuggestEvery) + 1
	if slowGaps <= limit {
		t.Fatalf("the typing has %d pauses over the debounce; the test needs more than %d, what pacing allows", slowGaps, limit)
	}
	for i := 1; i < len(sent); i++ {
		if d := sent[i].Sub(sent[i-1]); d < opts.SuggestEvery {
			t.Errorf("requests %d and %d went out %v apart, less than %v", i, i+1, d, opts.SuggestEvery)
		}
	}
	if len(sent) > limit {
		t.Errorf("%d requests in %v of typing, more than %d", len(sent), span, limit)
	}
	if len(sent) == 0 || !sent[len(sent)-1].After(lastKey) {
		t.Errorf("no request after the last key (%v): the text finally typed must be asked for", lastKey.Sub(testNow))
	}
	t.Logf("%d keys over %v, %d pauses over the debounce, %d requests", keysSent, span, slowGaps, len(sent))
}
