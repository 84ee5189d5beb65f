package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// Paging are the flags of every list command.
type Paging struct {
	Page     *int `placeholder:"N" xor:"page" help:"Page to show (default 1)."`
	PageSize *int `placeholder:"N" help:"Rows per page (default 20, at most 100; with --all, 100)."`
	All      bool `xor:"page" help:"Fetch every page, following the server's cursors: with -o json one result per line and with -o csv one row per line, written as each page arrives; a table is written when the last page has come, to align its columns."`
}

// lister marks the commands that list (they embed Paging): only they take
// -o csv.
type lister interface{ lists() }

func (Paging) lists() {}

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
// JSON lines or CSV, or gathered into one table.
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
	switch {
	case a.out.json():
		return a.out.raw(body)
	case a.out.csv():
		// The header line comes even without rows, for the script reading it.
		if err := writeCSV(a.out, v, page.Results); err != nil {
			return err
		}
	case len(page.Results) > 0:
		if err := writeRows(a.out, v, page.Results); err != nil {
			return err
		}
	}
	switch {
	case len(page.Results) == 0:
		a.out.note("No %s.", v.noun)
	case page.TotalPages > 1:
		a.out.note("Page %d of %s (%s); --page N or --all shows more.", page.Page, lastPage(page), howMany(v, page.Count, page.CountCapped))
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

// lastPage writes how many pages a list has. A capped count sets the pages
// it fills, and a list goes on past them while it has rows: from the last
// of those on, as long as rows follow, there are more pages than the count
// says ("50+"). (Search stops at its cap, so there no rows follow.)
func lastPage[T any](page aforro.Page[T]) string {
	if page.CountCapped && page.HasNext && page.Page >= page.TotalPages {
		return fmt.Sprintf("%d+", page.TotalPages)
	}
	return strconv.Itoa(page.TotalPages)
}

// listAll fetches every page through client.All, which follows the pages'
// cursors (or, for search, their numbers). JSON lines and CSV rows are
// written as each page arrives, so memory holds one page whatever the
// list's length; a table needs every row to align its columns, so it is
// written at the end.
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
	if a.out.csv() {
		if err := a.out.csvRecord(v.csvHeader); err != nil {
			return err
		}
	}
	var last aforro.Page[T] // the envelope of the latest page
	pages := 0
	fetched := func(ctx context.Context, po client.PageOptions) (aforro.Page[T], error) {
		// The rows so far go out before the next page is asked for.
		if pages > 0 {
			if err := a.out.flush(); err != nil {
				return aforro.Page[T]{}, err
			}
		}
		pages++
		page, err := fetch(ctx, po)
		last = page
		last.Results = nil
		return page, err
	}
	var rows []T
	n := 0
	for row, err := range client.All(ctx, fetched, p.options().PageSize) {
		if err != nil {
			return err
		}
		if writeErr != nil {
			return writeErr
		}
		n++
		switch {
		case a.out.csv():
			writeErr = a.out.csvRecord(v.csvRecord(row))
		case !a.out.json():
			rows = append(rows, row)
		}
	}
	if writeErr != nil {
		return writeErr
	}
	switch {
	case a.out.csv():
		if err := a.out.flush(); err != nil {
			return err
		}
	case !a.out.json() && n > 0:
		if err := writeRows(a.out, v, rows); err != nil {
			return err
		}
	}
	if n == 0 && !a.out.json() {
		a.out.note("No %s.", v.noun)
	}
	// A search ends at its capped count, on a numbered page: every page was
	// fetched but not every match, so say so, or --all would look complete.
	// A list walked by cursor goes on to its last row, past any cap.
	if last.CountCapped && !last.Cursored {
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
