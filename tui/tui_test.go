package tui

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	keys(tm, "?")
	waitFor(t, tm, "Keys: Inventory", "low stock only", "choose store")
	m := finish(t, tm)
	if !m.showHelp {
		t.Error("the help is not shown")
	}
	requireGolden(t, m)
}

func TestTabs(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse")
	keys(tm, "tab", "tab")
	waitFor(t, tm, "[3 Order]")
	keys(tm, "shift+tab", "shift+tab", "shift+tab")
	waitFor(t, tm, "[8 Count]")
	keys(tm, "4")
	waitFor(t, tm, "[4 Orders]", "No orders.")
	m := finish(t, tm)
	if m.active != tabOrders {
		t.Errorf("tab %v, want Orders", m.active)
	}
}

func TestResize(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	for _, tc := range []struct {
		name          string
		width, height int
		want          string
	}{
		{"wide", 120, 30, "Page 1 of 1 · 4 products"},
		{"narrow", 60, 16, "Page 1 of 1 · 4 products"},
		{"too small", 40, 10, "least 50x12."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := testOptions(srv.client(t))
			opts.StoreID = 1
			tm := start(t, opts)
			waitFor(t, tm, "Wireless Mouse")
			tm.Send(tea.WindowSizeMsg{Width: tc.width, Height: tc.height})
			waitFor(t, tm, tc.want)
			m := finish(t, tm)
			for i, l := range strings.Split(m.View(), "\n") {
				if w := lipgloss.Width(l); w > tc.width {
					t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, tc.width, l)
				}
			}
			if n := strings.Count(m.View(), "\n") + 1; n > tc.height {
				t.Errorf("%d lines, more than %d", n, tc.height)
			}
			requireGolden(t, m)
		})
	}
}

// sgr matches an ANSI "select graphic rendition" sequence.
var sgr = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// params returns the parameters of the SGR sequences in s.
func params(s string) []string {
	var out []string
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.Split(m[1], ";")...)
	}
	return out
}

// colours returns the colour parameters of the SGR sequences in s.
func colours(s string) []string {
	var out []string
	for _, p := range params(s) {
		if len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p != "39" && p != "49" {
			out = append(out, p)
		}
	}
	return out
}

// With NO_COLOR no colour is sent, but the active tab and the cursor row
// still stand out in reverse video.
func TestNoColor(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, color := range []bool{true, false} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI)
		m, err := New(Options{Client: c, Renderer: r, Color: color})
		if err != nil {
			t.Fatal(err)
		}
		m.Update(tea.WindowSizeMsg{Width: termWidth, Height: termHeight})
		m.Update(storeChosenMsg{store: aforro.Store{ID: 1, Name: "Downtown"}})
		inv := m.screens[tabInventory].(*inventoryModel)
		inv.update(pageLoadedMsg[aforro.InventoryItem]{list: &inv.list, seq: inv.list.seq, page: aforro.Page[aforro.InventoryItem]{
			Count: 2, Page: 1, PageSize: 50, TotalPages: 1, Results: []aforro.InventoryItem{
				{ProductID: 1, ProductTitle: "Laptop Pro 15", Price: 129999, CategoryName: "Electronics", Quantity: 10},
				{ProductID: 2, ProductTitle: "Wireless Mouse", Price: 2999, CategoryName: "Electronics", Quantity: 3},
			}}})
		view := m.View()
		got := colours(view)
		if color && len(got) == 0 {
			t.Errorf("with colour, no colour is sent:\n%q", view)
		}
		if !color && len(got) > 0 {
			t.Errorf("with NO_COLOR, colours %v are sent:\n%q", got, view)
		}
		if !slices.Contains(params(view), "7") {
			t.Errorf("color %v: nothing is in reverse video:\n%q", color, view)
		}
	}
}

// When the server goes away the header says so, the screen keeps what it
// showed, and when it comes back the TUI notices by itself and reloads.
func TestServerGoesAway(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t, client.WithRetries(0)))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse", "● online")
	srv.down.Store(true)
	keys(tm, "r")
	waitFor(t, tm, "✗ offline, retrying", "Load the inventory: Cannot reach the server at")
	srv.down.Store(false)
	waitFor(t, tm, "● online", "Connected to "+srv.URL+" again.")
	keys(tm, "l")
	waitFor(t, tm, "2 products")
	m := finish(t, tm)
	if inv := m.screens[tabInventory].(*inventoryModel); m.conn != connOnline || inv.list.failed {
		t.Errorf("connection %v, inventory failed %v; want online and loaded", m.conn, inv.list.failed)
	}
	requireGolden(t, m)
}

// screenCase opens one screen with something on it to show.
type screenCase struct {
	name    string
	presses []string // from the Inventory screen, loaded
	wait    []string
}

// screenCases open every screen: the Search screen with results, the
// Summary screen with the fixture's summary.
var screenCases = []screenCase{
	{"inventory", nil, nil},
	{"search", []string{"2", "lap", "enter"}, []string{"Page 1 of 1 · 2 products"}},
	{"order", []string{"a", "3"}, []string{"Basket for Downtown"}},
	{"orders", []string{"4"}, []string{"No orders."}},
	{"summary", []string{"5"}, []string{"Daily 2026-03-04", "Gaming Laptop"}},
}

// moreScreens are the screens of TestResizeScreens beyond screenCases:
// with zincNails, a low-stock list longer than the screen, scrolled to
// its end; the store picker; the full help.
var moreScreens = []screenCase{
	{"low stock scrolled", []string{"l", "G"}, []string{"rows 26-42 of 42"}},
	{"picker", []string{"s"}, []string{"Choose a store", "2 Dock Rd, Porto"}},
	{"help", []string{"?"}, []string{"Keys: Inventory"}},
}

// zincNails adds 40 products low in stock at Downtown, after the
// fixture's by title: 42 low-stock rows there, more than 80x24 shows.
const zincNails = `
INSERT INTO products (id, title, price, category_id)
     SELECT g, 'Zinc Nail ' || lpad((g - 5)::text, 2, '0'), 0.25, 1 FROM generate_series(6, 45) g;
INSERT INTO inventory (store_id, product_id, quantity) SELECT 1, g, g % 5 + 1 FROM generate_series(6, 45) g;
SELECT setval(pg_get_serial_sequence('products', 'id'), 45);
`

// open starts the TUI on store 1 and opens the screen of tc.
func (tc screenCase) open(t *testing.T, opts Options) *teatest.TestModel {
	t.Helper()
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse", "● online")
	keys(tm, tc.presses...)
	waitFor(t, tm, tc.wait...)
	return tm
}

// Every screen fits the terminal at every size from the smallest laid out,
// and the tab shown stays in sight; the golden files hold each screen at
// 80x24 and at 120x40.
func TestResizeScreens(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, summaryFixture+zincNails)
	for _, tc := range append(screenCases, moreScreens...) {
		for _, size := range [][2]int{{minWidth, minHeight}, {termWidth, termHeight}, {120, 40}} {
			t.Run(fmt.Sprintf("%s %dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				tm := tc.open(t, testOptions(srv.client(t)))
				tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				m := finish(t, tm)
				view := m.View()
				lines := strings.Split(view, "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines, want %d", len(lines), size[1])
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, size[0], l)
					}
				}
				if active := fmt.Sprintf("[%d %s", m.active+1, m.active); !m.picker.visible && !strings.Contains(lines[1], active) {
					t.Errorf("the tabs %q do not show %q", lines[1], active)
				}
				if size[0] >= termWidth {
					requireGolden(t, m)
				}
			})
		}
	}
}

// With NO_COLOR the new screens send no colour, yet the cursor row stands
// out in reverse video and every mark reads as text (the golden files are
// the screens with all styling stripped).
func TestNoColorScreens(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, summaryFixture)
	for _, tc := range screenCases {
		if tc.name != "search" && tc.name != "summary" {
			continue
		}
		for _, color := range []bool{true, false} {
			name := tc.name
			if !color {
				name += " NO_COLOR"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := testOptions(srv.client(t))
				r := lipgloss.NewRenderer(io.Discard)
				r.SetColorProfile(termenv.ANSI)
				opts.Renderer, opts.Color = r, color
				m := finish(t, tc.open(t, opts))
				view := m.View()
				switch got := colours(view); {
				case color && len(got) == 0:
					t.Errorf("with colour, no colour is sent:\n%q", view)
				case !color && len(got) > 0:
					t.Errorf("with NO_COLOR, colours %v are sent:\n%q", got, view)
				}
				if !slices.Contains(params(view), "7") {
					t.Errorf("nothing is in reverse video:\n%q", view)
				}
				if !color {
					requireGolden(t, m)
				}
			})
		}
	}
}

// When the server goes away the new screens keep what they show, say the
// refresh failed, and load again by themselves when it is back.
func TestServerGoesAwayScreens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		screenCase
		failed, back []string // what shows when the refresh fails, and when it works again
		check        func(m *Model) error
	}{
		{screenCases[1], []string{"Search: Cannot reach the server at", "2 products · not refreshed"},
			[]string{"2 products · quantities in Downtown"}, func(m *Model) error {
				if s := searchScreen(m); s.list.failed || len(s.list.page.Results) != 2 {
					return fmt.Errorf("search failed %v with %d products; want 2, loaded again", s.list.failed, len(s.list.page.Results))
				}
				return nil
			}},
		{screenCases[4], []string{"Load the daily summary: Cannot reach", "refresh failed · showing 14:30:00"},
			[]string{"refreshed 14:30:00 · every 30s"}, func(m *Model) error {
				if s := summaryScreen(m); s.failed || s.store == nil {
					return fmt.Errorf("summary failed %v, store row %v; want loaded again", s.failed, s.store)
				}
				return nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			srv.Exec(t, summaryFixture)
			tm := tc.open(t, testOptions(srv.client(t, client.WithRetries(0))))
			srv.down.Store(true)
			keys(tm, "r")
			waitFor(t, tm, append(tc.failed, "✗ offline, retrying")...)
			srv.down.Store(false)
			// Loaded again with no key pressed, maybe in the frame that says
			// so.
			waitFor(t, tm, append(tc.back, "● online", "Connected to "+srv.URL+" again.")...)
			m := finish(t, tm)
			if err := tc.check(m); err != nil {
				t.Error(err)
			}
			if m.conn != connOnline {
				t.Errorf("connection %v, want online", m.conn)
			}
		})
	}
}

// A sentence too long for the status line wraps onto a second line, taken
// from the bottom of the body, instead of being cut off; the screen keeps
// its height.
func TestLongStatusWraps(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t))
	opts.StoreID = 1
	tm := start(t, opts)
	waitFor(t, tm, "Wireless Mouse", "● online")
	long := "No answer: the order may or may not be placed. enter tries again, and places it at most once."
	tm.Send(statusMsg{kind: statusError, text: long, seq: 1 << 20})
	m := finish(t, tm)
	lines := strings.Split(m.View(), "\n")
	if len(lines) != termHeight {
		t.Fatalf("%d lines, want %d", len(lines), termHeight)
	}
	status := strings.Join(lines[termHeight-3:termHeight-1], " ")
	if !strings.Contains(status, "✗ No answer") || !strings.HasSuffix(strings.TrimSpace(status), "places it at most once.") {
		t.Errorf("status lines %q; want the whole sentence on two lines", lines[termHeight-3:termHeight-1])
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > termWidth {
			t.Errorf("line %d is %d columns wide: %q", i+1, w, l)
		}
	}
	if got := wrapLines(strings.Repeat("word ", 60), 20, 2); strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "…") {
		t.Errorf("wrapLines past two lines = %q; want two lines, the last ending in …", got)
	}
}
