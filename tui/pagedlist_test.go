package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// pagingScript drives a pagedList without a server: each load asks fetch,
// which records the options and answers the page the test set next.
type pagingScript struct {
	t       *testing.T
	c       *programContext
	l       pagedList[int]
	asked   []client.PageOptions
	answer  aforro.Page[int]
	err     error
	reloads int
}

func newPagingScript(t *testing.T) *pagingScript {
	return &pagingScript{t: t, l: pagedList[int]{num: 1}, c: &programContext{
		ctx: context.Background(), keys: DefaultKeyMap(), pageSize: 2, requestLimit: time.Second,
	}}
}

// load runs one load and hands its answer to accept.
func (s *pagingScript) load() {
	s.t.Helper()
	cmd := s.l.load(s.c, func(_ context.Context, p client.PageOptions) (aforro.Page[int], error) {
		s.asked = append(s.asked, p)
		return s.answer, s.err
	})
	msg, ok := cmd().(pageLoadedMsg[int])
	if !ok {
		s.t.Fatal("load's command did not answer a pageLoadedMsg")
	}
	s.l.accept(s.c, msg, "Load", func() tea.Cmd { s.reloads++; return nil }, func() {})
}

// turn presses "]" (next) or "[" (previous) and loads when the page moved.
func (s *pagingScript) turn(k string) {
	s.t.Helper()
	if !s.l.turn(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}, s.c.keys) {
		s.t.Fatalf("%q did not turn the page from page %d", k, s.l.num)
	}
	s.load()
}

// lastAsked returns the options of the latest load.
func (s *pagingScript) lastAsked() client.PageOptions { return s.asked[len(s.asked)-1] }

func TestPagedListCursors(t *testing.T) {
	t.Parallel()

	t.Run("on by cursor, back by the cursors kept", func(t *testing.T) {
		s := newPagingScript(t)
		s.answer = aforro.Page[int]{Count: 7, Page: 1, TotalPages: 4, HasNext: true, NextCursor: "c2", Results: []int{1, 2}}
		s.load()
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, HasPrevious: true, NextCursor: "c3", Results: []int{3, 4}}
		s.turn("]")
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, HasPrevious: true, NextCursor: "c4", Results: []int{5, 6}}
		s.turn("]")
		if got := s.l.pageText("row", "rows"); got != "Page 3 of 4 · 7 rows" {
			t.Errorf("page 3 reads %q: the count is page 1's", got)
		}
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, HasPrevious: true, NextCursor: "c3", Results: []int{3, 4}}
		s.turn("[")
		s.answer = aforro.Page[int]{Count: 7, Page: 1, TotalPages: 4, HasNext: true, NextCursor: "c2", Results: []int{1, 2}}
		s.turn("[")
		want := []client.PageOptions{
			{Page: 1, PageSize: 2}, {Cursor: "c2", PageSize: 2}, {Cursor: "c3", PageSize: 2},
			{Cursor: "c2", PageSize: 2}, {Page: 1, PageSize: 2},
		}
		if d := cmp.Diff(want, s.asked); d != "" {
			t.Errorf("pages asked (-want +got):\n%s", d)
		}
		if s.l.num != 1 || !cmp.Equal(s.l.cursors, []string{"c2"}) {
			t.Errorf("page %d, cursors %q; want page 1 and its cursor", s.l.num, s.l.cursors)
		}
	})

	t.Run("a refresh keeps the way back and takes the new way on", func(t *testing.T) {
		s := newPagingScript(t)
		s.answer = aforro.Page[int]{Count: 7, Page: 1, TotalPages: 4, HasNext: true, NextCursor: "c2", Results: []int{1, 2}}
		s.load()
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, NextCursor: "c3", Results: []int{3, 4}}
		s.turn("]")
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, NextCursor: "c3b", Results: []int{3, 4}}
		s.load()
		if s.lastAsked().Cursor != "c2" || !cmp.Equal(s.l.cursors, []string{"c2", "c3b"}) {
			t.Errorf("refresh asked %+v, cursors now %q", s.lastAsked(), s.l.cursors)
		}
	})

	t.Run("a list without cursors goes by number", func(t *testing.T) {
		s := newPagingScript(t)
		for n := 1; n <= 3; n++ {
			s.answer = aforro.Page[int]{Count: 6, Page: n, TotalPages: 3, HasNext: n < 3, HasPrevious: n > 1, Results: []int{n}}
			if n == 1 {
				s.load()
			} else {
				s.turn("]")
			}
		}
		s.answer = aforro.Page[int]{Count: 6, Page: 2, TotalPages: 3, HasNext: true, HasPrevious: true, Results: []int{2}}
		s.turn("[")
		want := []client.PageOptions{{Page: 1, PageSize: 2}, {Page: 2, PageSize: 2}, {Page: 3, PageSize: 2}, {Page: 2, PageSize: 2}}
		if d := cmp.Diff(want, s.asked); d != "" {
			t.Errorf("pages asked (-want +got):\n%s", d)
		}
		if got := s.l.pageText("product", "products"); got != "Page 2 of 3 · 6 products" {
			t.Errorf("page text %q", got)
		}
	})

	t.Run("a new filter starts again at page 1 without cursors", func(t *testing.T) {
		s := newPagingScript(t)
		s.answer = aforro.Page[int]{Count: 7, Page: 1, TotalPages: 4, HasNext: true, NextCursor: "c2", Results: []int{1, 2}}
		s.load()
		s.answer = aforro.Page[int]{Cursored: true, HasNext: true, NextCursor: "c3", Results: []int{3, 4}}
		s.turn("]")
		s.l.first()
		s.answer = aforro.Page[int]{Count: 1, Page: 1, TotalPages: 1, Results: []int{9}}
		s.load()
		if s.lastAsked() != (client.PageOptions{Page: 1, PageSize: 2}) || s.l.cursors != nil || s.l.page.HasNext {
			t.Errorf("asked %+v, cursors %q", s.lastAsked(), s.l.cursors)
		}
		if s.l.turn(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]")}, s.c.keys) {
			t.Error("] turned past the only page")
		}
	})

	for _, tc := range []struct {
		name string
		err  error
	}{
		{"a refused cursor starts again at page 1", &client.APIError{Status: 400, Code: aforro.EINVALID,
			Message: "Invalid cursor.", Fields: map[string]string{"cursor": "is not a cursor of this list"}}},
		{"a page past the end starts again at page 1", &client.APIError{Status: 404, Code: aforro.EPAGEOUTOFRANGE,
			Message: "Page 3 is out of range."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newPagingScript(t)
			s.answer = aforro.Page[int]{Count: 7, Page: 1, TotalPages: 4, HasNext: true, NextCursor: "c2", Results: []int{1, 2}}
			s.load()
			s.answer, s.err = aforro.Page[int]{}, tc.err
			s.turn("]")
			if s.reloads != 1 || s.l.num != 1 || s.l.cursors != nil || s.l.failed {
				t.Errorf("reloads %d, page %d, cursors %q, failed %v; want one reload of page 1", s.reloads, s.l.num, s.l.cursors, s.l.failed)
			}
		})
	}
}

func TestPageText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    pagedList[int]
		want string
	}{
		{"counted", pagedList[int]{shown: 2, count: 96, totalPages: 5, page: aforro.Page[int]{HasNext: true}},
			"Page 2 of 5 · 96 products"},
		{"one", pagedList[int]{shown: 1, count: 1, totalPages: 1}, "Page 1 of 1 · 1 product"},
		{"empty", pagedList[int]{shown: 1}, "Page 1 of 1 · 0 products"},
		{"capped", pagedList[int]{shown: 2, count: 1000, capped: true, totalPages: 50, page: aforro.Page[int]{HasNext: true}},
			"Page 2 of 50 · 1000+ products"},
		{"capped, at the count's last page", pagedList[int]{shown: 50, count: 1000, capped: true, totalPages: 50,
			page: aforro.Page[int]{HasNext: true}}, "Page 50 of 50+ · 1000+ products"},
		{"capped, past it", pagedList[int]{shown: 53, count: 1000, capped: true, totalPages: 50,
			page: aforro.Page[int]{HasNext: true}}, "Page 53 of 53+ · 1000+ products"},
		{"capped, the last page", pagedList[int]{shown: 54, count: 1000, capped: true, totalPages: 50},
			"Page 54 of 54 · 1000+ products"},
		{"search, capped, its last page", pagedList[int]{shown: 50, count: 1000, capped: true, totalPages: 50},
			"Page 50 of 50 · 1000+ products"},
	}
	for _, tc := range tests {
		if got := tc.l.pageText("product", "products"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// manyWidgets stocks store 1 with 1046 more products, Widget 0001 to 1046
// (some low, some out): with the fixture's 4, 1050 rows, more than a list
// counts.
const manyWidgets = `
INSERT INTO products (id, title, description, price, category_id, created_at)
SELECT 100 + g, 'Widget ' || lpad(g::text, 4, '0'), 'A widget', 1.50, 2, '2026-01-07T00:00:00Z'
  FROM generate_series(1, 1046) g;
INSERT INTO inventory (store_id, product_id, quantity, updated_at)
SELECT 1, 100 + g, g % 13, '2026-02-01T00:00:00Z' FROM generate_series(1, 1046) g;`

func TestCappedInventory(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, manyWidgets)

	// 1050 rows in pages of 50, by title: the count stops at 1000, 20
	// pages; page 2 (Widget 0048 to 0097) is asked by the cursor page 1 gave.
	t.Run("page 2", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Page 1 of 20 · 1000+ products")
		keys(tm, "]")
		waitFor(t, tm, "Page 2 of 20 · 1000+ products", "Widget 0048")
		m := finish(t, tm)
		if l := m.screens[tabInventory].(*inventoryModel).list; !l.page.Cursored || len(l.cursors) != 2 {
			t.Errorf("page 2: asked by cursor %v, %d cursors kept; want true and 2", l.page.Cursored, len(l.cursors))
		}
		requireGolden(t, m)
	})

	// Past the pages the count fills, to the last (Widget 0998 to 1046 and
	// Wireless Mouse), and back to page 20 (Widget 0948 to 0997).
	t.Run("to the end and back", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(srv.client(t))
		opts.StoreID = 1
		tm := start(t, opts)
		waitFor(t, tm, "Page 1 of 20 · 1000+ products")
		for n := 2; n <= 19; n++ {
			keys(tm, "]")
			waitFor(t, tm, fmt.Sprintf("Page %d of 20 · 1000+ products", n))
		}
		keys(tm, "]")
		waitFor(t, tm, "Page 20 of 20+ · 1000+ products")
		keys(tm, "]")
		waitFor(t, tm, "Page 21 of 21 · 1000+ products", "Widget 0998")
		keys(tm, "[")
		waitFor(t, tm, "Page 20 of 20+ · 1000+ products", "Widget 0948")
		m := finish(t, tm)
		if l := m.screens[tabInventory].(*inventoryModel).list; l.num != 20 || !l.page.Cursored {
			t.Errorf("page %d, asked by cursor %v; want page 20 by cursor", l.num, l.page.Cursored)
		}
	})
}
