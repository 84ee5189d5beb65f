package tui

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// Every golden file is drawn at this size, the smallest the issue promises.
const (
	termWidth  = 80
	termHeight = 24
)

// waitLimit bounds every wait for the screen to show something; far above
// what a local server needs, far below the test timeout.
const waitLimit = 10 * time.Second

// testNow is the clock of every test, so times on screen are fixed.
var testNow = time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)

// testServer is a real aforrod HTTP server over a fresh database holding
// the fixture. Its handler sits behind a switch, so a test can make the
// server vanish (every connection dropped) and come back.
type testServer struct {
	*servertest.Server
	down atomic.Bool
	hits sync.Map // request path → *atomic.Int64, answered or not
	// loseAnswer maps a request path to how many of its next requests are
	// served, then their answers lost (the connection dropped): the write
	// happened, and the client cannot know.
	loseAnswer sync.Map // path → *atomic.Int32
}

// requests returns how many requests for path the server has had.
func (ts *testServer) requests(path string) int64 {
	if n, ok := ts.hits.Load(path); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

// serverOption adjusts the server's configuration.
type serverOption func(*server.Config)

func newTestServer(t *testing.T, opts ...serverOption) *testServer {
	t.Helper()
	cfg := server.DefaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	ts := &testServer{}
	ts.Server = servertest.New(t, cfg, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := ts.hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
			if ts.down.Load() {
				dropConnection(w)
				return
			}
			if n, ok := ts.loseAnswer.Load(r.URL.Path); ok && n.(*atomic.Int32).Add(-1) >= 0 {
				h.ServeHTTP(httptest.NewRecorder(), r)
				dropConnection(w)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	ts.Exec(t, fixture)
	return ts
}

// waitRequests waits until the server has had n requests for path.
func (ts *testServer) waitRequests(t *testing.T, path string, n int64) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for ts.requests(path) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after %s the server has had %d requests for %s, want %d", waitLimit, ts.requests(path), path, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dropConnection closes the connection without an answer, as a server
// that died mid-request does.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// client returns a client of the server with the admin token.
func (ts *testServer) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(ts.URL, append([]client.Option{client.WithToken(ts.Admin)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixture is servertest's small, hand-checkable catalogue (store 1 has every
// stock level worth seeing: plenty, low, none; store 2 one product, store 3
// none), with the third category capitalised as the screens' golden files
// show it.
const fixture = servertest.Catalogue + `UPDATE categories SET name = 'Kitchen' WHERE id = 3;
`

// testOptions are the options of every test: plain text (no styling at
// all, so golden files are readable), a fixed clock in UTC, sentences that
// stay in the status line, and short pauses.
func testOptions(c *client.Client) Options {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return Options{
		Client:         c,
		Renderer:       r,
		Color:          true,
		Now:            func() time.Time { return testNow },
		Location:       time.UTC,
		StatusFor:      -1,
		KeyClock:       stepClock(100 * time.Millisecond), // a person typing: never a scan
		Debounce:       20 * time.Millisecond,
		SuggestEvery:   20 * time.Millisecond,
		RequestTimeout: 5 * time.Second,
	}
}

// stepClock is a key clock that moves on by step at every key press.
func stepClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	at := testNow
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(step)
		return at
	}
}

// start runs the TUI at the golden size.
func start(t *testing.T, opts Options) *teatest.TestModel {
	t.Helper()
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(termWidth, termHeight))
}

// waitFor waits until the screen has shown every one of texts since the
// last wait.
func waitFor(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(waitLimit), teatest.WithCheckInterval(10*time.Millisecond))
}

// keys sends key presses: names such as "enter", "esc", "tab", "up", or
// text, typed one character at a time. Each press (each text) ends with a
// pause, so keys held for telling a scan from typing act then rather than
// after a timer: "e", "12", "enter" is a person's e, 12 and enter, never a
// scanner's "e12".
func keys(tm *teatest.TestModel, presses ...string) {
	for _, p := range presses {
		if k, ok := namedKeys[p]; ok {
			tm.Send(tea.KeyMsg{Type: k})
		} else {
			for _, r := range p {
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
		}
		tm.Send(scanFlushMsg{})
	}
}

// namedKeys are the keys keys sends by name.
var namedKeys = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"backspace": tea.KeyBackspace, "space": tea.KeySpace, "ctrl+r": tea.KeyCtrlR,
}

// finish quits the TUI and returns its final model.
func finish(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m, ok := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(*Model)
	if !ok {
		t.Fatal("the final model is not a *Model")
	}
	return m
}

// mask replaces what a golden file cannot hold because it changes from run
// to run (a wait the server computes from its clock).
type mask struct {
	re   *regexp.Regexp
	with string
}

// requireGolden compares the final screen with testdata/<test name>.golden
// (go test -update rewrites it), after masks.
func requireGolden(t *testing.T, m *Model, masks ...mask) {
	t.Helper()
	screen := plainScreen(ansi.Strip(m.View()))
	for _, mk := range masks {
		screen = mk.re.ReplaceAllString(screen, mk.with)
	}
	// The test server's port changes from run to run; the header keeps its
	// width with the port's digits masked (ephemeral ports have five).
	if i := strings.LastIndexByte(m.ctx.server, ':'); i > 0 {
		port := m.ctx.server[i+1:]
		screen = strings.ReplaceAll(screen, m.ctx.server, m.ctx.server[:i+1]+strings.Repeat("x", len(port)))
	}
	golden.RequireEqual(t, []byte(screen))
}

// plainScreen trims each line's trailing blanks, which only the selected
// row's highlight has and which editors strip from golden files.
func plainScreen(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}
