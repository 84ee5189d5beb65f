package client_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

// walk is what walkWhileInserting saw: the key of each row in the order All
// yielded them, the options each page was asked with, and how many rows
// were inserted while the walk went on.
type walk struct {
	keys     []string
	asked    []client.PageOptions
	inserted int64
}

// walkWhileInserting walks list with client.All, pageSize rows a page, while
// insert adds rows: before every page but the first, so rows certainly
// arrive between pages, and from a goroutine throughout.
func walkWhileInserting[T any](t *testing.T, list client.ListFunc[T], pageSize int, key func(T) string, insert func(context.Context) error) walk {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var w walk
	var inserted atomic.Int64
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := insert(ctx); err != nil {
				if ctx.Err() == nil {
					t.Errorf("insert: %v", err)
				}
				return
			}
			inserted.Add(1)
		}
	})
	recording := func(ctx context.Context, p client.PageOptions) (aforro.Page[T], error) {
		if len(w.asked) > 0 {
			if err := insert(ctx); err != nil {
				return aforro.Page[T]{}, err
			}
			inserted.Add(1)
		}
		w.asked = append(w.asked, p)
		return list(ctx, p)
	}
	for row, err := range client.All(ctx, recording, pageSize) {
		if err != nil {
			t.Fatalf("after %d rows: %v", len(w.keys), err)
		}
		w.keys = append(w.keys, key(row))
	}
	cancel()
	wg.Wait()
	w.inserted = inserted.Load()
	return w
}

// checkWalk checks that w saw every row of start exactly once and no row
// twice, and that it went on by cursor after the first page.
func checkWalk(t *testing.T, w walk, start []string) {
	t.Helper()
	seen := map[string]int{}
	for _, k := range w.keys {
		seen[k]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("row %s came %d times", k, n)
		}
	}
	var missing []string
	for _, k := range start {
		if seen[k] == 0 {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of the %d rows there from the start were skipped: %v", len(missing), len(start), missing)
	}
	if len(w.asked) < 3 {
		t.Fatalf("the walk took %d pages; the test needs several", len(w.asked))
	}
	if w.asked[0].Cursor != "" {
		t.Errorf("page 1 was asked with cursor %q", w.asked[0].Cursor)
	}
	for i, p := range w.asked[1:] {
		if p.Cursor == "" || p.Page != 0 {
			t.Errorf("page %d was asked with %+v, want a cursor and no page number", i+2, p)
		}
	}
	if w.inserted < int64(len(w.asked)-1) {
		t.Errorf("%d rows inserted during a walk of %d pages", w.inserted, len(w.asked))
	}
	t.Logf("%d pages, %d rows, %d of them there from the start, %d inserted meanwhile",
		len(w.asked), len(w.keys), len(start), w.inserted)
}

// walkByNumber is a page-number walk of list with insert before every page
// but the first, returning the keys it saw: what All did before cursors.
func walkByNumber[T any](t *testing.T, list client.ListFunc[T], pageSize int, key func(T) string, insert func(context.Context) error) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	for n := 1; ; n++ {
		if n > 1 {
			if err := insert(ctx); err != nil {
				t.Fatal(err)
			}
		}
		page, err := list(ctx, client.PageOptions{Page: n, PageSize: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			keys = append(keys, key(r))
		}
		if !page.HasNext {
			return keys
		}
	}
}

// repeated returns the keys that occur more than once.
func repeated(keys []string) []string {
	seen := map[string]bool{}
	var dups []string
	for _, k := range keys {
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
	}
	return dups
}

// column returns one text column of every row of a query.
func (ts *testServer) column(t *testing.T, sql string) []string {
	t.Helper()
	rows, err := ts.DB.Pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAllFollowsCursorsWhileRowsArrive(t *testing.T) {
	t.Parallel()

	// Categories are listed by name: the new ones (odd numbers) land among
	// the old ones (even numbers), before and after the walk's position.
	t.Run("categories by name", func(t *testing.T) {
		t.Parallel()
		srv := newConfiguredServer(t, server.DefaultConfig())
		srv.Exec(t, `INSERT INTO categories (name) SELECT format('cat %s', lpad((2 * g)::text, 4, '0')) FROM generate_series(1, 200) g`)
		c := srv.client(t)
		start := srv.column(t, `SELECT name FROM categories`)
		var next atomic.Int64
		insert := func(ctx context.Context) error {
			name := fmt.Sprintf("cat %04d", 2*next.Add(1)-1)
			_, err := c.CreateCategory(ctx, aforro.CategoryInput{Name: &name})
			return err
		}
		name := func(c aforro.Category) string { return c.Name }
		w := walkWhileInserting(t, c.ListCategories, 15, name, insert)
		checkWalk(t, w, start)
		// The list's order: by name, ignoring case.
		if !slices.IsSortedFunc(w.keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Errorf("the walk is not in name order: %v", w.keys)
		}

		// The same walk by page number repeats rows, so the test would
		// catch a walk that is not by cursor.
		if dups := repeated(walkByNumber(t, c.ListCategories, 15, name, insert)); len(dups) == 0 {
			t.Error("a page-number walk with rows inserted before its position repeated none; the test proves nothing")
		}
	})

	// Every store's orders, newest first: the new orders come first, which
	// shifts every page-numbered page down.
	t.Run("orders newest first", func(t *testing.T) {
		t.Parallel()
		srv := newConfiguredServer(t, server.DefaultConfig())
		srv.Exec(t, `INSERT INTO orders (store_id, status, created_at)
			SELECT 1 + g % 2, 'REJECTED', '2026-03-01T00:00:00Z'::timestamptz + (g / 3) * interval '1 minute'
			FROM generate_series(1, 240) g`)
		c := srv.client(t)
		start := srv.column(t, `SELECT id::text FROM orders`)
		insert := func(ctx context.Context) error {
			_, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 2, Items: []aforro.OrderLine{line(5, 1)}}, "")
			return err
		}
		list := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.OrderSummary], error) {
			return c.ListOrders(ctx, client.OrderFilter{}, p)
		}
		id := func(o aforro.OrderSummary) string { return strconv.FormatInt(o.ID, 10) }
		w := walkWhileInserting(t, list, 20, id, insert)
		checkWalk(t, w, start)
		if dups := repeated(walkByNumber(t, list, 20, id, insert)); len(dups) == 0 {
			t.Error("a page-number walk with orders placed between its pages repeated none; the test proves nothing")
		}
	})
}

func TestCursorPages(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()

	t.Run("a walk page by page, the last without a cursor", func(t *testing.T) {
		first, err := c.ListStores(ctx, client.PageOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := aforro.Page[aforro.Store]{Count: 3, Page: 1, PageSize: 1, TotalPages: 3, HasNext: true,
			NextCursor: anyCursor, Results: []aforro.Store{downtown}}
		if d := cmp.Diff(want, first, cursorPresence); d != "" {
			t.Errorf("page 1 (-want +got):\n%s", d)
		}
		second, err := c.ListStores(ctx, client.PageOptions{PageSize: 1, Cursor: first.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		// A page asked by cursor is not counted.
		want = aforro.Page[aforro.Store]{PageSize: 1, HasNext: true, HasPrevious: true, Cursored: true,
			NextCursor: anyCursor, Results: []aforro.Store{harbour}}
		if d := cmp.Diff(want, second, cursorPresence); d != "" {
			t.Errorf("page 2 (-want +got):\n%s", d)
		}
		last, err := c.ListStores(ctx, client.PageOptions{PageSize: 1, Cursor: second.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		want = aforro.Page[aforro.Store]{PageSize: 1, HasPrevious: true, Cursored: true, Results: []aforro.Store{empty}}
		if d := cmp.Diff(want, last); d != "" {
			t.Errorf("last page (-want +got):\n%s", d)
		}
	})

	t.Run("the cursor replaces the page number", func(t *testing.T) {
		first, err := c.ListCategories(ctx, client.PageOptions{PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		// Page 7 does not exist; had it been sent with the cursor, the
		// server would have refused the pair.
		got, err := c.ListCategories(ctx, client.PageOptions{Page: 7, PageSize: 2, Cursor: first.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]aforro.Category{kitchen}, got.Results); d != "" || !got.Cursored || got.HasNext {
			t.Errorf("page after the cursor: %+v (-want +got):\n%s", got, d)
		}
	})

	t.Run("a cursor the server did not give for this list is a field error", func(t *testing.T) {
		cats, err := c.ListCategories(ctx, client.PageOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		electronicsProducts, err := c.ListProducts(ctx, aforro.ProductFilter{CategoryID: 1}, client.PageOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			call func() error
		}{
			{"tampered", func() error {
				_, err := c.ListCategories(ctx, client.PageOptions{PageSize: 1, Cursor: tamper(cats.NextCursor)})
				return err
			}},
			{"not a cursor at all", func() error {
				_, err := c.ListCategories(ctx, client.PageOptions{Cursor: "not-a-cursor"})
				return err
			}},
			{"of another list", func() error {
				_, err := c.ListStores(ctx, client.PageOptions{PageSize: 1, Cursor: cats.NextCursor})
				return err
			}},
			{"with other filters", func() error {
				_, err := c.ListProducts(ctx, aforro.ProductFilter{CategoryID: 2}, client.PageOptions{PageSize: 1, Cursor: electronicsProducts.NextCursor})
				return err
			}},
			{"without the filters", func() error {
				_, err := c.ListProducts(ctx, aforro.ProductFilter{}, client.PageOptions{PageSize: 1, Cursor: electronicsProducts.NextCursor})
				return err
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ae := apiError(t, tc.call())
				if ae.Status != 400 || ae.Code != aforro.EINVALID || ae.Fields["cursor"] == "" {
					t.Errorf("error %+v, want a 400 %s naming the field cursor", ae, aforro.EINVALID)
				}
				if aforro.ErrorCode(ae) != aforro.EINVALID {
					t.Errorf("aforro.ErrorCode = %q", aforro.ErrorCode(ae))
				}
			})
		}
	})

	t.Run("search pages by number", func(t *testing.T) {
		var ids []int64
		for p, err := range client.All(ctx, func(ctx context.Context, po client.PageOptions) (aforro.Page[aforro.Product], error) {
			return c.Search(ctx, aforro.SearchFilter{}, po)
		}, 2) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		if d := cmp.Diff([]int64{5, 4, 3, 2, 1}, ids); d != "" {
			t.Errorf("every search hit (-want +got):\n%s", d)
		}
		if _, err := c.Search(ctx, aforro.SearchFilter{}, client.PageOptions{Cursor: "x"}); err == nil {
			t.Error("Search with a cursor succeeded; the server would have ignored the cursor")
		}
	})
}

// tamper changes one character in the middle of a cursor, inside its
// payload, to another of the base64url alphabet.
func tamper(cursor string) string {
	b := []byte(cursor)
	i := len(b) / 3
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestAllPastTheCappedCount(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	srv.Exec(t, `INSERT INTO categories (name) SELECT 'Group ' || g FROM generate_series(1, 1050) g`)
	c := srv.client(t)
	ctx := context.Background()

	first, err := c.ListCategories(ctx, client.PageOptions{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if first.Count != aforro.ListCountCap || !first.CountCapped || first.TotalPages != 10 || !first.HasNext || first.NextCursor == "" {
		t.Errorf("page 1 of 1053 categories: count %d, capped %v, total pages %d, has next %v, cursor %q; want %d, true, 10, true and a cursor",
			first.Count, first.CountCapped, first.TotalPages, first.HasNext, first.NextCursor, aforro.ListCountCap)
	}
	n := 0
	for _, err := range client.All(ctx, c.ListCategories, 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1053 {
		t.Errorf("All yielded %d categories, want all 1053, past the capped count", n)
	}
}

func TestListOrders(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()
	// Orders 1-3 at store 1 (2 REJECTED: product 3 is out of stock), 4 at store 2.
	for _, o := range []aforro.PlaceOrder{
		{StoreID: 1, Items: []aforro.OrderLine{line(1, 2)}},
		{StoreID: 1, Items: []aforro.OrderLine{line(3, 1), line(4, 2)}},
		{StoreID: 1, Items: []aforro.OrderLine{line(2, 1)}},
		{StoreID: 2, Items: []aforro.OrderLine{line(5, 4)}},
	} {
		if _, _, err := c.PlaceOrder(ctx, o, ""); err != nil {
			t.Fatal(err)
		}
	}
	srv.Exec(t, `UPDATE orders SET created_at = '2026-03-01T09:00:00Z'::timestamptz + id * interval '1 hour'`)
	at := func(id int) time.Time { return ts("2026-03-01T09:00:00Z").Add(time.Duration(id) * time.Hour) }
	o1 := aforro.OrderSummary{ID: 1, Store: 1, Status: aforro.StatusConfirmed, CreatedAt: at(1), TotalItems: 2}
	o2 := aforro.OrderSummary{ID: 2, Store: 1, Status: aforro.StatusRejected, CreatedAt: at(2), TotalItems: 3}
	o3 := aforro.OrderSummary{ID: 3, Store: 1, Status: aforro.StatusConfirmed, CreatedAt: at(3), TotalItems: 1}
	o4 := aforro.OrderSummary{ID: 4, Store: 2, Status: aforro.StatusConfirmed, CreatedAt: at(4), TotalItems: 4}
	harbourStaff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 2)))
	unscopedStaff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff)))

	tests := []struct {
		name   string
		c      *client.Client
		filter client.OrderFilter
		page   client.PageOptions
		want   aforro.Page[aforro.OrderSummary]
	}{
		{"every store's, newest first", c, client.OrderFilter{}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Count: 4, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.OrderSummary{o4, o3, o2, o1}}},
		{"paged", c, client.OrderFilter{}, client.PageOptions{PageSize: 3},
			aforro.Page[aforro.OrderSummary]{Count: 4, Page: 1, PageSize: 3, TotalPages: 2, HasNext: true,
				NextCursor: anyCursor, Results: []aforro.OrderSummary{o4, o3, o2}}},
		{"by status, in any case", c, client.OrderFilter{Status: "confirmed"}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Count: 3, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.OrderSummary{o4, o3, o1}}},
		{"one store", c, client.OrderFilter{StoreID: 1, Status: aforro.StatusConfirmed}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Count: 2, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.OrderSummary{o3, o1}}},
		{"a store without orders", c, client.OrderFilter{StoreID: 3}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Page: 1, PageSize: 20, Results: []aforro.OrderSummary{}}},
		{"a scoped staff token sees its stores'", harbourStaff, client.OrderFilter{}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Count: 1, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.OrderSummary{o4}}},
		{"an unscoped staff token sees all", unscopedStaff, client.OrderFilter{StoreID: 2}, client.PageOptions{},
			aforro.Page[aforro.OrderSummary]{Count: 1, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.OrderSummary{o4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.ListOrders(ctx, tc.filter, tc.page)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cursorPresence, cmpopts.IgnoreFields(aforro.OrderSummary{}, "PlacedBy")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	t.Run("every order by cursor", func(t *testing.T) {
		var got []aforro.OrderSummary
		for o, err := range client.All(ctx, func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.OrderSummary], error) {
			return c.ListOrders(ctx, client.OrderFilter{StoreID: 1}, p)
		}, 1) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, o)
		}
		if d := cmp.Diff([]aforro.OrderSummary{o3, o2, o1}, got, cmpopts.IgnoreFields(aforro.OrderSummary{}, "PlacedBy")); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := harbourStaff.ListOrders(ctx, client.OrderFilter{StoreID: 1}, client.PageOptions{})
		checkAPIError(t, err, &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This token does not cover store 1."})
		_, err = c.ListOrders(ctx, client.OrderFilter{Status: "shipped"}, client.PageOptions{})
		if ae := apiError(t, err); ae.Status != 400 || ae.Fields["status"] == "" {
			t.Errorf("a bad status: %+v, want a 400 on the field status", ae)
		}
		_, err = srv.client(t, client.WithToken("")).ListOrders(ctx, client.OrderFilter{}, client.PageOptions{})
		if ae := apiError(t, err); ae.Status != 401 {
			t.Errorf("no token: %+v, want a 401", ae)
		}
	})
}

func TestListProductsUpdatedSince(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	// Products 2 and 4 changed at the same instant; 5 before the time asked.
	srv.Exec(t, `
UPDATE products SET updated_at = '2026-04-01T00:00:00Z' WHERE id IN (1, 3);
UPDATE products SET updated_at = '2026-03-01T12:00:00.5Z' WHERE id IN (2, 4);
UPDATE products SET updated_at = '2026-02-01T00:00:00Z' WHERE id = 5;`)
	c := srv.client(t)
	ctx := context.Background()
	since := ts("2026-03-01T12:00:00Z").Add(500 * time.Millisecond)

	var ids []int64
	for p, err := range client.All(ctx, func(ctx context.Context, po client.PageOptions) (aforro.Page[aforro.Product], error) {
		return c.ListProducts(ctx, aforro.ProductFilter{UpdatedSince: since}, po)
	}, 1) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// At or after the time, by updated_at and then id.
	if d := cmp.Diff([]int64{2, 4, 1, 3}, ids); d != "" {
		t.Errorf("products updated since %v (-want +got):\n%s", since, d)
	}

	page, err := c.ListProducts(ctx, aforro.ProductFilter{UpdatedSince: since.Add(time.Microsecond), CategoryID: 1}, client.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]aforro.Product{laptop, gamingLaptop()}, page.Results,
		cmpopts.IgnoreFields(aforro.Product{}, "UpdatedAt")); d != "" {
		t.Errorf("electronics updated after %v (-want +got):\n%s", since, d)
	}

	// A change moves a product to the end of the sync.
	before := time.Now().Add(-time.Minute)
	if _, err := c.UpdateProduct(ctx, 5, aforro.ProductInput{Description: ptr("Cast iron, 12-inch")}); err != nil {
		t.Fatal(err)
	}
	page, err = c.ListProducts(ctx, aforro.ProductFilter{UpdatedSince: before}, client.PageOptions{})
	if err != nil || len(page.Results) != 1 || page.Results[0].ID != 5 {
		t.Errorf("products updated since a minute ago: %+v, %v; want product 5", page.Results, err)
	}
}

// gamingLaptop is product 3 of the servertest.Catalogue.
func gamingLaptop() aforro.Product {
	return aforro.Product{ID: 3, Title: "Gaming Laptop", Description: "RGB everywhere", Price: 99900,
		Category: electronics, CreatedAt: ts("2026-01-04T10:00:00Z")}
}

func TestAllWithoutServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pages := func(ps ...aforro.Page[int]) (client.ListFunc[int], *[]client.PageOptions) {
		var asked []client.PageOptions
		return func(_ context.Context, p client.PageOptions) (aforro.Page[int], error) {
			asked = append(asked, p)
			if len(asked) > len(ps) {
				return aforro.Page[int]{}, errors.New("asked past the last page")
			}
			return ps[len(asked)-1], nil
		}, &asked
	}
	collect := func(list client.ListFunc[int]) ([]int, error) {
		var rows []int
		for r, err := range client.All(ctx, list, 2) {
			if err != nil {
				return rows, err
			}
			rows = append(rows, r)
		}
		return rows, nil
	}

	t.Run("cursors", func(t *testing.T) {
		list, asked := pages(
			aforro.Page[int]{Page: 1, HasNext: true, NextCursor: "c1", Results: []int{1, 2}},
			aforro.Page[int]{Cursored: true, HasNext: true, NextCursor: "c2", Results: []int{3, 4}},
			aforro.Page[int]{Cursored: true, Results: []int{5}})
		rows, err := collect(list)
		if err != nil || !slices.Equal(rows, []int{1, 2, 3, 4, 5}) {
			t.Errorf("rows %v, %v", rows, err)
		}
		want := []client.PageOptions{{Page: 1, PageSize: 2}, {Cursor: "c1", PageSize: 2}, {Cursor: "c2", PageSize: 2}}
		if d := cmp.Diff(want, *asked); d != "" {
			t.Errorf("pages asked (-want +got):\n%s", d)
		}
	})
	t.Run("page numbers when there are no cursors", func(t *testing.T) {
		list, asked := pages(
			aforro.Page[int]{Page: 1, HasNext: true, Results: []int{1, 2}},
			aforro.Page[int]{Page: 2, HasNext: true, Results: []int{3, 4}},
			aforro.Page[int]{Page: 3, Results: []int{5}})
		rows, err := collect(list)
		if err != nil || !slices.Equal(rows, []int{1, 2, 3, 4, 5}) {
			t.Errorf("rows %v, %v", rows, err)
		}
		want := []client.PageOptions{{Page: 1, PageSize: 2}, {Page: 2, PageSize: 2}, {Page: 3, PageSize: 2}}
		if d := cmp.Diff(want, *asked); d != "" {
			t.Errorf("pages asked (-want +got):\n%s", d)
		}
	})
	t.Run("a cursor page that says more follow without a cursor", func(t *testing.T) {
		list, _ := pages(
			aforro.Page[int]{Page: 1, HasNext: true, NextCursor: "c1", Results: []int{1, 2}},
			aforro.Page[int]{Cursored: true, HasNext: true, Results: []int{3, 4}})
		if rows, err := collect(list); err == nil || !slices.Equal(rows, []int{1, 2, 3, 4}) {
			t.Errorf("rows %v, error %v; want the rows of both pages, then an error", rows, err)
		}
	})
	t.Run("the same cursor again", func(t *testing.T) {
		list, asked := pages(
			aforro.Page[int]{Page: 1, HasNext: true, NextCursor: "c1", Results: []int{1}},
			aforro.Page[int]{Cursored: true, HasNext: true, NextCursor: "c1", Results: []int{2}})
		if _, err := collect(list); err == nil || len(*asked) != 2 {
			t.Errorf("error %v after %d pages; want an error after 2", err, len(*asked))
		}
	})
	t.Run("the loop stops early", func(t *testing.T) {
		list, asked := pages(aforro.Page[int]{Page: 1, HasNext: true, NextCursor: "c1", Results: []int{1, 2}})
		for range client.All(ctx, list, 2) {
			break
		}
		if len(*asked) != 1 {
			t.Errorf("%d pages asked for one row", len(*asked))
		}
	})
}
