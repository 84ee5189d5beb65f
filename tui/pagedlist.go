package tui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// pagedList is a list a screen loads from the server a page at a time: the
// page shown, the page to ask for, and where its latest request stands. The
// screen keeps what the list is filtered by and builds the request; the list
// numbers requests, so that an answer a newer request has made stale is
// dropped.
//
// Page 1 is asked by number, and counted; every page after it by the
// cursor the page before it gave, so rows coming and going at the till do
// not shift the pages (the server does not count a page asked by cursor:
// the count shown is page 1's). The cursors of the pages before the one
// shown are kept, so the previous page is asked by its cursor too. A list
// without cursors (search) is asked by page number throughout.
type pagedList[T any] struct {
	page  aforro.Page[T] // the last page's envelope and rows
	num   int            // the page to ask for, from 1
	shown int            // the number of page (0 before the first came)
	// cursors[i] is the cursor of page i+2, as page i+1 gave it.
	cursors []string
	// count, totalPages and capped are of the latest page asked by number.
	count, totalPages int
	capped            bool

	seq     int // of the latest request
	loading bool
	loaded  bool
	failed  bool // the latest request failed
	stale   bool // something changed the rows since they were loaded
}

// load numbers a new request for page num and returns the command that
// sends it; fetch is the request, with whatever the screen filters the list
// by. The screen checks first that a store is chosen.
func (l *pagedList[T]) load(c *programContext, fetch func(context.Context, client.PageOptions) (aforro.Page[T], error)) tea.Cmd {
	l.seq++
	l.loading, l.stale = true, false
	page := client.PageOptions{Page: l.num, PageSize: c.pageSize}
	if l.num > 1 && len(l.cursors) >= l.num-1 {
		page = client.PageOptions{Cursor: l.cursors[l.num-2], PageSize: c.pageSize}
	}
	list, seq := l, l.seq
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		p, err := fetch(ctx, page)
		return pageLoadedMsg[T]{result: result{err}, list: list, seq: seq, page: p}
	}
}

// accept takes an answer to load: a page that came is shown with setRows,
// a failure is said in the status line as what could not be done, and when
// the list shrank under the page asked for, or the server refused its
// cursor, reload asks again from page 1. An answer to an older request
// changes nothing.
func (l *pagedList[T]) accept(c *programContext, msg pageLoadedMsg[T], what string, reload func() tea.Cmd, setRows func()) tea.Cmd {
	if msg.list != l || msg.seq != l.seq {
		return nil
	}
	l.loading = false
	switch {
	case l.num > 1 && (aforro.ErrorCode(msg.err) == aforro.EPAGEOUTOFRANGE || cursorRefused(msg.err)):
		l.first()
		return reload()
	case msg.err != nil:
		l.failed = true
		return c.errorStatus(what, msg.err)
	}
	l.failed, l.loaded = false, true
	l.page, l.shown = msg.page, l.num
	if !msg.page.Cursored {
		l.count, l.totalPages, l.capped = msg.page.Count, msg.page.TotalPages, msg.page.CountCapped
	}
	// Keep the way back to the pages before this one and on to the next.
	if len(l.cursors) >= l.num-1 {
		l.cursors = l.cursors[:l.num-1]
		if msg.page.NextCursor != "" {
			l.cursors = append(l.cursors, msg.page.NextCursor)
		}
	} else {
		l.cursors = nil // reached by number: on by number too
	}
	setRows()
	return c.loaded(what)
}

// cursorRefused reports whether err is the server's refusal of a cursor.
func cursorRefused(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Fields["cursor"] != ""
}

// turn answers the next- and previous-page keys: it reports whether msg
// moved num to a page there is, next to the page shown, which the screen
// then loads. While a page is loading the keys do nothing.
func (l *pagedList[T]) turn(msg tea.KeyMsg, k KeyMap) bool {
	switch {
	case l.loading:
		return false
	case key.Matches(msg, k.NextPage) && l.page.HasNext:
		l.num = l.shown + 1
	case key.Matches(msg, k.PrevPage) && l.shown > 1:
		l.num = l.shown - 1
	default:
		return false
	}
	return true
}

// pageKeys returns the page keys that act on the page shown: next only
// when there is a next page, previous only past page 1. The footer and the
// help offer these, never a key that would do nothing.
func (l *pagedList[T]) pageKeys(k KeyMap) []key.Binding {
	var keys []key.Binding
	if l.page.HasNext {
		keys = append(keys, k.NextPage)
	}
	if l.shown > 1 {
		keys = append(keys, k.PrevPage)
	}
	return keys
}

// rowsText says which of the list's rows t shows when the page does not
// fit on the screen, as "rows 18-34 of 42" (rows counted over the whole
// list, pages of pageSize); "" when the page's rows all show.
func (l *pagedList[T]) rowsText(t *table, pageSize int) string {
	if len(t.rows) <= t.visible() {
		return ""
	}
	first := (max(l.shown, 1)-1)*pageSize + 1
	r := t.rangeOf(first, 0)
	total := strconv.Itoa(l.count)
	if l.capped || (l.page.HasNext && l.count < first+len(t.rows)) {
		total += "+"
	}
	return "rows " + r + " of " + total
}

// joinFit joins parts with " · " into at most width columns, leaving out
// the last parts (the least needed) that do not fit.
func joinFit(width int, parts ...string) string {
	for n := len(parts); n > 1; n-- {
		if s := strings.Join(parts[:n], " · "); ansi.StringWidth(s) <= width {
			return s
		}
	}
	return parts[0]
}

// first goes back to page 1, as a new filter does; the cursors of the
// pages after it were for the rows as they were listed before.
func (l *pagedList[T]) first() {
	l.num, l.cursors = 1, nil
}

// reset forgets the rows and goes back to page 1; an answer on its way is
// dropped.
func (l *pagedList[T]) reset() {
	*l = pagedList[T]{num: 1, seq: l.seq + 1}
}

// pageText writes "Page 2 of 5 · 96 products", or with a count the server
// stopped at, "Page 2 of 50 · 1000+ products". From the last page that
// count fills on, while rows follow, the pages are "50+".
func (l *pagedList[T]) pageText(one, many string) string {
	count := plural(l.count, one, many)
	if l.capped {
		count = fmt.Sprintf("%d+ %s", l.count, many)
	}
	n := max(l.shown, 1)
	pages := strconv.Itoa(max(l.totalPages, n))
	if l.page.HasNext && n >= l.totalPages {
		pages += "+"
	}
	return fmt.Sprintf("Page %d of %s · %s", n, pages, count)
}
