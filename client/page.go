package client

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"strconv"

	"github.com/aforro/aforro"
)

// PageOptions selects one page of a list. Zero fields leave the choice to the
// server: page 1, aforro.DefaultPageSize rows.
type PageOptions struct {
	Page     int
	PageSize int
	// Cursor, when set, asks for the rows after the page that answered it as
	// its NextCursor; Page is then not sent. The list and its filters must be
	// the ones that page was asked with, or the server answers an *APIError
	// with code aforro.EINVALID on the field "cursor". Search pages by
	// number only and takes no cursor.
	Cursor string
}

// values returns the page as query parameters, added to q when it is not nil.
func (p PageOptions) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	switch {
	case p.Cursor != "":
		q.Set("cursor", p.Cursor)
	case p.Page > 0:
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	return q
}

// ListFunc fetches one page of a list; a method value such as c.ListStores is
// one, and a closure adapts the methods that take a filter.
type ListFunc[T any] func(ctx context.Context, page PageOptions) (aforro.Page[T], error)

// errNoWayOn is All's error for a page that says more rows follow but gives
// no cursor to them and is not numbered either.
var errNoWayOn = errors.New("the server says more rows follow, but its page has neither a next cursor nor a page number")

// All returns an iterator over every row of a list, fetching pages of
// pageSize rows (0: aforro.MaxPageSize) as the loop needs them, one page in
// memory at a time. It asks for the first page, then follows each page's
// NextCursor: a keyset walk, so rows added or removed meanwhile never make
// it repeat or skip a row that was there throughout. A list that gives no
// cursors (search) is walked by page number instead. An error ends the
// iteration after being yielded once with a zero row.
//
//	for st, err := range client.All(ctx, c.ListStores, 0) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(st.Name)
//	}
func All[T any](ctx context.Context, list ListFunc[T], pageSize int) iter.Seq2[T, error] {
	if pageSize <= 0 {
		pageSize = aforro.MaxPageSize
	}
	return func(yield func(T, error) bool) {
		var zero T
		next := PageOptions{Page: 1, PageSize: pageSize}
		for {
			page, err := list(ctx, next)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, row := range page.Results {
				if !yield(row, nil) {
					return
				}
			}
			switch {
			case !page.HasNext:
				return
			case page.NextCursor != "" && page.NextCursor == next.Cursor:
				// The same cursor again would walk in a circle.
				yield(zero, errors.New("the server answered a page with the cursor that asked for it"))
				return
			case page.NextCursor != "":
				next = PageOptions{Cursor: page.NextCursor, PageSize: pageSize}
			case next.Cursor == "" && !page.Cursored:
				next.Page++
			default:
				yield(zero, errNoWayOn)
				return
			}
		}
	}
}
