package client

import (
	"context"
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
}

// values returns the page as query parameters, added to q when it is not nil.
func (p PageOptions) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if p.Page > 0 {
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

// All returns an iterator over every row of a list, fetching pages of
// pageSize rows (0: aforro.MaxPageSize) as the loop needs them. An error ends
// the iteration after being yielded once with a zero row.
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
		for n := 1; ; n++ {
			page, err := list(ctx, PageOptions{Page: n, PageSize: pageSize})
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, row := range page.Results {
				if !yield(row, nil) {
					return
				}
			}
			if !page.HasNext {
				return
			}
		}
	}
}
