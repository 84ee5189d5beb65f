package tui

import (
	"regexp"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server"
)

// suggestPath is the autocomplete endpoint, whose requests tests count.
const suggestPath = "/api/search/suggest/"

// searchScreen returns the final model's Search screen.
func searchScreen(m *Model) *searchModel { return m.screens[tabSearch].(*searchModel) }

func TestSearch(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)

	t.Run("suggest, choose, search, add", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2")
		waitFor(t, tm, "[2 Search]", "suggestions come after 3 letters")
		// Titles starting with "lap" come first, then those with a word
		// starting with it.
		keys(tm, "lap")
		waitFor(t, tm, "Laptop Pro 15", "Gaming Laptop")
		keys(tm, "down", "down", "enter")
		waitFor(t, tm, "Page 1 of 1 · 1 product")
		keys(tm, "a")
		waitFor(t, tm, "Added Gaming Laptop: 1 in the basket, but the store has 0.")
		m := finish(t, tm)
		s := searchScreen(m)
		if s.q != "Gaming Laptop" || s.typing || len(s.suggestions) != 0 {
			t.Errorf("query %q, typing %v, suggestions %q; want the chosen suggestion searched, the field left",
				s.q, s.typing, s.suggestions)
		}
		want := []basketLine{{ProductID: 3, Title: "Gaming Laptop", Price: 99900, Qty: 1, Stock: intp(0)}}
		if d := cmp.Diff(want, m.order.lines); d != "" {
			t.Errorf("basket (-want +got):\n%s", d)
		}
		requireGolden(t, m)
	})

	t.Run("enter searches what is typed", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "lap", "enter")
		waitFor(t, tm, "Page 1 of 1 · 2 products")
		keys(tm, "down", "a")
		waitFor(t, tm, "Added Gaming Laptop")
		m := finish(t, tm)
		if s := searchScreen(m); s.q != "lap" || len(s.list.page.Results) != 2 {
			t.Errorf("query %q, %d products; want \"lap\" and 2", s.q, len(s.list.page.Results))
		}
	})

	t.Run("category and price range", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		// Categories are listed by name: any, Books, Electronics, Kitchen.
		keys(tm, "2", "esc", "f")
		// The category's line, not just "‹ any ›", which the stock line
		// shows while the categories are still loading.
		waitFor(t, tm, "Category   ‹ any ›") // the categories are loaded
		keys(tm, "right", "right", "down", "30", "tab", "1000.5", "enter")
		waitFor(t, tm, "Filters: Electronics · 30.00–1000.50", "Page 1 of 1 · 1 product")
		m := finish(t, tm)
		s := searchScreen(m)
		min, max := aforro.Money(3000), aforro.Money(100050)
		want := searchFilters{category: 1, catName: "Electronics", min: &min, max: &max}
		if d := cmp.Diff(want, s.filters, cmp.AllowUnexported(searchFilters{})); d != "" {
			t.Errorf("filters (-want +got):\n%s", d)
		}
		if len(s.list.page.Results) != 1 || s.list.page.Results[0].ID != 3 {
			t.Errorf("products %+v, want only Gaming Laptop", s.list.page.Results)
		}
		requireGolden(t, m)
	})

	t.Run("filter form", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "esc", "f")
		// The category's line, not just "‹ any ›", which the stock line
		// shows while the categories are still loading.
		waitFor(t, tm, "Category   ‹ any ›")
		keys(tm, "left", "down", "down", "50", "down", "space", "down", "left")
		waitFor(t, tm, "‹ in stock ›", "‹ price ↓ ›")
		m := finish(t, tm)
		s := searchScreen(m)
		if !s.form.open || s.form.field != fieldSort || s.filters.active() {
			t.Errorf("form open %v on field %d, filters %+v; want the form open on Order, nothing applied",
				s.form.open, s.form.field, s.filters)
		}
		requireGolden(t, m)
	})

	t.Run("in stock only, esc clears", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "laptop", "enter")
		waitFor(t, tm, "2 products")
		// Up from the first field wraps round to the last two.
		keys(tm, "f", "up", "up", "space", "enter")
		waitFor(t, tm, "Filters: in stock", "1 product ")
		keys(tm, "esc")
		waitFor(t, tm, "Filters cleared.", "2 products")
		if s := searchScreen(finish(t, tm)); s.filters.active() {
			t.Errorf("filters %+v after esc", s.filters)
		}
	})

	t.Run("bad prices keep the form open", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name    string
			presses []string
			status  string
			field   int
		}{
			{"min above max", []string{"down", "50", "down", "20", "enter"}, "The max price is below the min price.", fieldMaxPrice},
			{"three decimals", []string{"down", "down", "1.999", "enter"}, "Max price must have at most 2 decimal places.", fieldMaxPrice},
			{"letters are ignored", []string{"down", "abc", "enter"}, "Page 1 of 1", fieldMinPrice},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				opts := testOptions(srv.client(t))
				opts.StoreID = 1
				tm := start(t, opts)
				waitFor(t, tm, "Wireless Mouse")
				keys(tm, "2", "esc", "f")
				keys(tm, tc.presses...)
				waitFor(t, tm, tc.status)
				s := searchScreen(finish(t, tm))
				wantOpen := tc.field != fieldMinPrice
				if s.form.open != wantOpen || (wantOpen && s.form.field != tc.field) {
					t.Errorf("form open %v on field %d; want open %v on field %d", s.form.open, s.form.field, wantOpen, tc.field)
				}
			})
		}
	})

	t.Run("pages", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		opts.PageSize = 2
		tm := start(t, opts)
		waitFor(t, tm, "Page 1 of 2 · 4 products")
		// An empty search lists the newest products.
		keys(tm, "2", "enter")
		waitFor(t, tm, "Page 1 of 3 · 5 products", "Cast Iron Skillet")
		keys(tm, "]")
		waitFor(t, tm, "Page 2 of 3", "Gaming Laptop")
		keys(tm, "]", "]")
		waitFor(t, tm, "Page 3 of 3", "Laptop Pro 15")
		keys(tm, "[")
		waitFor(t, tm, "Page 2 of 3")
		// Search gives no cursors: its pages go by number.
		if s := searchScreen(finish(t, tm)); s.list.num != 2 || s.list.page.Page != 2 || s.list.cursors != nil {
			t.Errorf("page %d, the answer's page %d, cursors %q; want 2, 2 and none", s.list.num, s.list.page.Page, s.list.cursors)
		}
	})

	t.Run("esc closes the suggestions, then the field", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "cast", "enter")
		waitFor(t, tm, "1 product ")
		keys(tm, "/", "backspace", "backspace", "backspace", "backspace", "gam")
		waitFor(t, tm, "Gaming Laptop")
		keys(tm, "esc")
		m := finish(t, tm)
		s := searchScreen(m)
		if !s.typing || len(s.suggestions) != 0 || s.input.Value() != "gam" {
			t.Errorf("after one esc: typing %v, suggestions %q, field %q; want the field kept, no suggestions",
				s.typing, s.suggestions, s.input.Value())
		}
		s.handleKey(tea.KeyMsg{Type: tea.KeyEscape})
		if s.typing || s.input.Value() != "cast" || s.q != "cast" {
			t.Errorf("after two: typing %v, field %q, query %q; want the field left showing the search shown",
				s.typing, s.input.Value(), s.q)
		}
	})

	t.Run("no suggestion under 3 letters", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "la")
		waitFor(t, tm, "Search: la")
		time.Sleep(10 * opts.Debounce)
		keys(tm, "p")
		waitFor(t, tm, "Laptop Pro 15")
		finish(t, tm)
		if n := srv.requests(suggestPath); n != 1 {
			t.Errorf("%d suggest requests, want 1 (for \"lap\")", n)
		}
	})
}

// A 429 from autocomplete pauses suggestions calmly for the wait the server
// asks, with no request in between, and then they come back by themselves.
func TestSearchRateLimited(t *testing.T) {
	t.Parallel()
	limited := func(window time.Duration) serverOption {
		return func(c *server.Config) { c.SuggestLimit, c.SuggestTokenLimit, c.SuggestWindow = 1, 1, window }
	}

	t.Run("pauses", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, limited(30*time.Second))
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "lap")
		waitFor(t, tm, "Laptop Pro 15")
		keys(tm, "t")
		waitFor(t, tm, "Too many requests: suggestions pause for", "Suggestions paused")
		keys(tm, "o")
		waitFor(t, tm, "Search: lapto")
		time.Sleep(10 * opts.Debounce)
		m := finish(t, tm)
		if n := srv.requests(suggestPath); n != 2 {
			t.Errorf("%d suggest requests, want 2: none while paused", n)
		}
		s := searchScreen(m)
		if !s.paused || s.pauseFor <= 0 || s.pauseFor > 30*time.Second {
			t.Errorf("paused %v for %v; want paused for the server's Retry-After (up to 30s)", s.paused, s.pauseFor)
		}
		// The wait counts down on the server's clock.
		requireGolden(t, m, mask{regexp.MustCompile(`pause for \d+ seconds`), "pause for NN seconds"})
	})

	t.Run("resumes", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, limited(2*time.Second))
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Wireless Mouse")
		keys(tm, "2", "lap")
		waitFor(t, tm, "Laptop Pro 15")
		keys(tm, "t")
		waitFor(t, tm, "Suggestions paused")
		keys(tm, "o")
		// No key is pressed: the pause ends and "lapto" is asked for.
		waitFor(t, tm, "Suggestions (↓/↑ choose, enter searches)")
		m := finish(t, tm)
		s := searchScreen(m)
		if s.paused || s.suggestFor != "lapto" {
			t.Errorf("paused %v, suggestions for %q; want resumed, for \"lapto\"", s.paused, s.suggestFor)
		}
		if n := srv.requests(suggestPath); n != 3 {
			t.Errorf("%d suggest requests, want 3: lap, lapt (429), lapto", n)
		}
	})
}
