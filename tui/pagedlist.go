package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// pagedList is a list a screen loads from the server a page at a time: the
// page shown, the page to ask for, and where its latest request stands. The
// screen keeps what the list is filtered by and builds the request; the list
// numbers requests, so that an answer a newer request has made stale is
// dropped.
type pagedList[T any] struct {
	page    aforro.Page[T] // the last page's envelope and rows
	num     int            // the page to ask for, from 1
	seq     int            // of the latest request
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
	list, seq, page := l, l.seq, client.PageOptions{Page: l.num, PageSize: c.pageSize}
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		p, err := fetch(ctx, page)
		return pageLoadedMsg[T]{result: result{err}, list: list, seq: seq, page: p}
	}
}

// accept takes an answer to load: a page that came is shown with setRows,
// a failure is said in the status line as what could not be done, and when
// the list shrank under the page asked for, reload asks again from page 1.
// An answer to an older request changes nothing.
func (l *pagedList[T]) accept(c *programContext, msg pageLoadedMsg[T], what string, reload func() tea.Cmd, setRows func()) tea.Cmd {
	if msg.list != l || msg.seq != l.seq {
		return nil
	}
	l.loading = false
	switch {
	case aforro.ErrorCode(msg.err) == aforro.EPAGEOUTOFRANGE && l.num > 1:
		l.num = 1
		return reload()
	case msg.err != nil:
		l.failed = true
		return c.errorStatus(what, msg.err)
	}
	l.failed, l.loaded = false, true
	l.page = msg.page
	setRows()
	return nil
}

// turn answers the next- and previous-page keys: it reports whether msg
// moved num to a page there is, which the screen then loads. While a page
// is loading the keys do nothing.
func (l *pagedList[T]) turn(msg tea.KeyMsg, k KeyMap) bool {
	switch {
	case l.loading:
		return false
	case key.Matches(msg, k.NextPage) && l.page.HasNext:
		l.num++
	case key.Matches(msg, k.PrevPage) && l.page.HasPrevious:
		l.num--
	default:
		return false
	}
	return true
}

// reset forgets the rows and goes back to page 1; an answer on its way is
// dropped.
func (l *pagedList[T]) reset() {
	*l = pagedList[T]{num: 1, seq: l.seq + 1}
}

// pageText writes "Page 2 of 5 · 96 products", or "more than 1000
// products" when the server stopped counting.
func (l *pagedList[T]) pageText(one, many string) string {
	count := plural(l.page.Count, one, many)
	if l.page.CountCapped {
		count = fmt.Sprintf("more than %d %s", l.page.Count, many)
	}
	return fmt.Sprintf("Page %d of %d · %s", l.page.Page, max(l.page.TotalPages, 1), count)
}
