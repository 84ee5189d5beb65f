package main

import (
	"context"
	"fmt"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Paging are the flags of every list command.
type Paging struct {
	Page     *int `placeholder:"N" xor:"page" help:"Page to show (default 1)."`
	PageSize *int `placeholder:"N" help:"Rows per page (default 20, at most 100; with --all, 100)."`
	All      bool `xor:"page" help:"Fetch every page (with -o json, one result per line)."`
}

// Validate rejects pages that cannot exist.
func (p Paging) Validate() error {
	if p.Page != nil && *p.Page < 1 {
		return fmt.Errorf("--page must be at least 1")
	}
	if p.PageSize != nil && *p.PageSize < 1 {
		return fmt.Errorf("--page-size must be at least 1")
	}
	return nil
}

// options returns the page the flags ask for.
func (p Paging) options() client.PageOptions {
	var o client.PageOptions
	if p.Page != nil {
		o.Page = *p.Page
	}
	if p.PageSize != nil {
		o.PageSize = *p.PageSize
	}
	return o
}

// list runs a list command: one page, or with --all every page, streamed as
// JSON lines or gathered into one table.
func list[T any](a *app, p Paging, fetch client.ListFunc[T], v view[T]) error {
	if p.All {
		return listAll(a, p, fetch, v)
	}
	var body []byte
	ctx := client.WithResponseBody(a.ctx, func(b []byte) { body = b })
	page, err := fetch(ctx, p.options())
	if err != nil {
		return err
	}
	if a.out.json() {
		return a.out.raw(body)
	}
	if len(page.Results) == 0 {
		a.out.note("No %s.", v.noun)
		return nil
	}
	if err := writeRows(a.out, v, page.Results); err != nil {
		return err
	}
	switch {
	case page.TotalPages > 1:
		a.out.note("Page %d of %d (%s); --page N or --all shows more.", page.Page, page.TotalPages, howMany(v, page.Count, page.CountCapped))
	case v.one != "":
		a.out.note("%s.", howMany(v, page.Count, page.CountCapped))
	}
	return nil
}

// howMany says how many rows a list has, as "3 stores", "1 match" or, when
// the server stopped counting, "1000+ matches".
func howMany[T any](v view[T], count int, capped bool) string {
	switch {
	case capped:
		return fmt.Sprintf("%d+ %s", count, v.noun)
	case count == 1 && v.one != "":
		return "1 " + v.one
	}
	return fmt.Sprintf("%d %s", count, v.noun)
}

// listAll fetches every page. JSON lines are written as each page arrives;
// a table needs every row to align its columns, so it is written at the end.
func listAll[T any](a *app, p Paging, fetch client.ListFunc[T], v view[T]) error {
	ctx := a.ctx
	var writeErr error
	if a.out.json() {
		ctx = client.WithResponseBody(ctx, func(b []byte) {
			if writeErr == nil {
				writeErr = a.out.jsonLines(b)
			}
		})
	}
	// A capped count (search) means every page was fetched but not every
	// match: say so, or --all would look complete.
	var capped bool
	counted := func(ctx context.Context, po client.PageOptions) (aforro.Page[T], error) {
		page, err := fetch(ctx, po)
		capped = capped || page.CountCapped
		return page, err
	}
	var rows []T
	for row, err := range client.All(ctx, counted, p.options().PageSize) {
		if err != nil {
			return err
		}
		if writeErr != nil {
			return writeErr
		}
		if !a.out.json() {
			rows = append(rows, row)
		}
	}
	switch {
	case a.out.json():
		if writeErr != nil {
			return writeErr
		}
	case len(rows) == 0:
		a.out.note("No %s.", v.noun)
	default:
		if err := writeRows(a.out, v, rows); err != nil {
			return err
		}
	}
	if capped {
		a.out.note("Only the first %d %s are listed: a search stops counting there; narrow it to see the others.",
			aforro.SearchHitCap, v.noun)
	}
	return nil
}

// show runs a show command: one resource as the API's JSON or as label/value
// lines.
func show[T any](a *app, get func(context.Context) (T, error), fields func(T) []field) error {
	return emit(a, get, func(v T) error { return a.out.writeDetail(fields(v)) })
}

// emit runs a command that answers with one resource: call makes the request,
// and its result is written as exactly the server's JSON or by table.
func emit[T any](a *app, call func(context.Context) (T, error), table func(T) error) error {
	var body []byte
	v, err := call(client.WithResponseBody(a.ctx, func(b []byte) { body = b }))
	if err != nil {
		return err
	}
	if a.out.json() {
		return a.out.raw(body)
	}
	return table(v)
}
