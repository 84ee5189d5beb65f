package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server/servertest"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// catalogue is the catalogue the client tests read.
const catalogue = servertest.Catalogue

// anyCursor, as the NextCursor of a wanted page, stands for any cursor:
// cursors are signed with a key of each database's own.
const anyCursor = "<any cursor>"

// cursorPresence compares NextCursor fields by whether they hold a cursor,
// with anyCursor in the wanted value.
var cursorPresence = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "NextCursor"
}, cmp.Comparer(func(a, b string) bool {
	if a == anyCursor || b == anyCursor {
		return a != "" && b != ""
	}
	return a == b
}))

// Catalogue values of the servertest.Catalogue.
var (
	electronics = aforro.Category{ID: 1, Name: "Electronics"}
	books       = aforro.Category{ID: 2, Name: "Books"}
	kitchen     = aforro.Category{ID: 3, Name: "kitchen"}
	downtown    = aforro.Store{ID: 1, Name: "Downtown", Location: "1 Main St, Lisbon"}
	harbour     = aforro.Store{ID: 2, Name: "Harbour", Location: "2 Dock Rd, Porto"}
	empty       = aforro.Store{ID: 3, Name: "Empty", Location: "Nowhere"}
	laptop      = aforro.Product{ID: 1, Title: "Laptop Pro 15", Description: "A fast laptop", Price: 129999,
		Category: electronics, CreatedAt: ts("2026-01-02T10:00:00Z"), UpdatedAt: ts("2026-01-02T10:00:00Z")}
	mouse = aforro.Product{ID: 2, Title: "Wireless Mouse", Description: "Quiet clicks", Price: 2999,
		Category: electronics, CreatedAt: ts("2026-01-03T10:00:00Z"), UpdatedAt: ts("2026-01-03T10:00:00Z")}
)

// inv is a row of store 1's inventory in the servertest.Catalogue.
func inv(id, productID int64, title string, price aforro.Money, category string, qty int) aforro.InventoryItem {
	return aforro.InventoryItem{ID: id, ProductID: productID, ProductTitle: title, Price: price,
		CategoryName: category, Quantity: qty, UpdatedAt: ts("2026-02-01T00:00:00Z")}
}

// ignoreInventoryIDs leaves out inventory row ids, which the servertest.Catalogue does not fix.
var ignoreInventoryIDs = cmpopts.IgnoreFields(aforro.InventoryItem{}, "ID")

func TestReadMethods(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	ctx := context.Background()

	tests := []struct {
		name string
		call func() (any, error)
		want any
	}{
		{"ListStores", func() (any, error) { return c.ListStores(ctx, client.PageOptions{}) },
			aforro.Page[aforro.Store]{Count: 3, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.Store{downtown, harbour, empty}}},
		{"ListStores page 2", func() (any, error) { return c.ListStores(ctx, client.PageOptions{Page: 2, PageSize: 2}) },
			aforro.Page[aforro.Store]{Count: 3, Page: 2, PageSize: 2, TotalPages: 2, HasPrevious: true,
				Results: []aforro.Store{empty}}},
		{"Store", func() (any, error) { return c.Store(ctx, 2) }, harbour},
		{"ListCategories", func() (any, error) { return c.ListCategories(ctx, client.PageOptions{}) },
			aforro.Page[aforro.Category]{Count: 3, Page: 1, PageSize: 20, TotalPages: 1,
				Results: []aforro.Category{books, electronics, kitchen}}},
		{"Category", func() (any, error) { return c.Category(ctx, 3) }, kitchen},
		{"ListProducts by category", func() (any, error) {
			return c.ListProducts(ctx, aforro.ProductFilter{CategoryID: 1}, client.PageOptions{PageSize: 2})
		}, aforro.Page[aforro.Product]{Count: 3, Page: 1, PageSize: 2, TotalPages: 2, HasNext: true,
			NextCursor: anyCursor, Results: []aforro.Product{laptop, mouse}}},
		{"Product", func() (any, error) { return c.Product(ctx, 1) }, laptop},
		{"ListInventory", func() (any, error) {
			return c.ListInventory(ctx, 1, aforro.InventoryFilter{}, client.PageOptions{})
		}, aforro.Page[aforro.InventoryItem]{Count: 4, Page: 1, PageSize: 20, TotalPages: 1, Results: []aforro.InventoryItem{
			inv(0, 3, "Gaming Laptop", 99900, "Electronics", 0),
			inv(0, 4, "Go Programming", 3950, "Books", 50),
			inv(0, 1, "Laptop Pro 15", 129999, "Electronics", 10),
			inv(0, 2, "Wireless Mouse", 2999, "Electronics", 3),
		}}},
		{"ListInventory filtered", func() (any, error) {
			return c.ListInventory(ctx, 1, aforro.InventoryFilter{Q: "LAPTOP", CategoryID: 1, LowStock: true}, client.PageOptions{})
		}, aforro.Page[aforro.InventoryItem]{Count: 1, Page: 1, PageSize: 20, TotalPages: 1, Results: []aforro.InventoryItem{
			inv(0, 3, "Gaming Laptop", 99900, "Electronics", 0),
		}}},
		{"ListInventory of an empty store", func() (any, error) {
			return c.ListInventory(ctx, 3, aforro.InventoryFilter{}, client.PageOptions{})
		}, aforro.Page[aforro.InventoryItem]{Page: 1, PageSize: 20, Results: []aforro.InventoryItem{}}},
		{"Health", func() (any, error) { return c.Health(ctx) }, aforro.Health{Status: "ok"}},
		{"Ready", func() (any, error) { return c.Ready(ctx) },
			aforro.Health{Status: "ok", Checks: map[string]string{"postgres": "ok", "redis": "ok"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call()
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if d := cmp.Diff(tc.want, got, ignoreInventoryIDs, cursorPresence); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	anonymous := srv.client(t, client.WithToken(""))
	harbourStaff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 2)))
	ctx := context.Background()

	tests := []struct {
		name string
		call func() error
		want *client.APIError
	}{
		{"unknown store", func() error { _, err := c.Store(ctx, 99); return err },
			&client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Store 99 not found."}},
		{"unknown category", func() error { _, err := c.Category(ctx, 99); return err },
			&client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Category 99 not found."}},
		{"unknown product", func() error { _, err := c.Product(ctx, 99); return err },
			&client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Product 99 not found."}},
		{"inventory of an unknown store", func() error {
			_, err := c.ListInventory(ctx, 99, aforro.InventoryFilter{}, client.PageOptions{})
			return err
		}, &client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Store 99 not found."}},
		{"page past the last", func() error {
			_, err := c.ListStores(ctx, client.PageOptions{Page: 5})
			return err
		}, &client.APIError{Status: 404, Code: aforro.EPAGEOUTOFRANGE, Message: "Page 5 is out of range: the last page is 1."}},
		{"no token", func() error {
			_, err := anonymous.ListInventory(ctx, 1, aforro.InventoryFilter{}, client.PageOptions{})
			return err
		}, &client.APIError{Status: 401, Code: aforro.EUNAUTHORIZED, Message: "Authentication required: send Authorization: Bearer <token>."}},
		{"staff token of another store", func() error {
			_, err := harbourStaff.ListInventory(ctx, 1, aforro.InventoryFilter{}, client.PageOptions{})
			return err
		}, &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This token does not cover store 1."}},
		{"validation error with fields", func() error {
			_, err := c.ListInventory(ctx, 1, aforro.InventoryFilter{Q: strings.Repeat("x", 101)}, client.PageOptions{})
			return err
		}, &client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid q: must be at most 100 characters.",
			Fields: map[string]string{"q": "must be at most 100 characters"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var got *client.APIError
			if !errors.As(err, &got) {
				t.Fatalf("error = %v (%T), want an *APIError", err, err)
			}
			if got.RequestID == "" {
				t.Error("RequestID is empty; the server sends X-Request-Id")
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(client.APIError{}, "RequestID")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if code := aforro.ErrorCode(err); code != tc.want.Code {
				t.Errorf("aforro.ErrorCode = %q, want %q", code, tc.want.Code)
			}
			if err.Error() != tc.want.Message {
				t.Errorf("Error() = %q, want the server's sentence %q", err.Error(), tc.want.Message)
			}
			var ce *client.ConnError
			if errors.As(err, &ce) {
				t.Errorf("an API error is also a *ConnError: %v", ce)
			}
		})
	}
}

func TestReadyWhenPostgreSQLIsDown(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.DB.Close()
	c := srv.client(t, client.WithRetries(1))
	_, err := c.Ready(context.Background())
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != aforro.EUNAVAILABLE {
		t.Fatalf("Ready = %v (%T), want a 503 *APIError with code %s", err, err, aforro.EUNAVAILABLE)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://"+servertest.ClosedAddr(t), client.WithRetries(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListStores(context.Background(), client.PageOptions{})
	var ce *client.ConnError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want a *ConnError", err, err)
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		t.Errorf("a connection failure is also an *APIError: %v", ae)
	}
	if ce.Method != http.MethodGet || !strings.HasSuffix(ce.URL, "/api/stores/") || ce.Timeout() {
		t.Errorf("ConnError = %+v", ce)
	}
	if !strings.HasPrefix(err.Error(), "cannot reach the server at "+c.BaseURL()+": ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestCancelledContextIsNotAConnError(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	c := srv.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Health(ctx)
	var ce *client.ConnError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ce) {
		t.Errorf("error = %v (%T), want context.Canceled and no *ConnError", err, err)
	}
}

func TestAll(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	ctx := context.Background()
	pages := &countingTransport{next: http.DefaultTransport}
	c := srv.client(t, client.WithHTTPClient(&http.Client{Transport: pages}))

	t.Run("every page", func(t *testing.T) {
		var got []string
		for p, err := range client.All(ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.Product], error) {
			return c.ListProducts(ctx, aforro.ProductFilter{}, page)
		}, 2) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.Title)
		}
		want := []string{"Laptop Pro 15", "Wireless Mouse", "Gaming Laptop", "Go Programming", "Cast Iron Skillet"}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("stops fetching when the loop stops", func(t *testing.T) {
		before := pages.count()
		for range client.All(ctx, c.ListStores, 1) {
			break
		}
		if n := pages.count() - before; n != 1 {
			t.Errorf("fetched %d pages, want 1", n)
		}
	})
	t.Run("empty list", func(t *testing.T) {
		n := 0
		for _, err := range client.All(ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.InventoryItem], error) {
			return c.ListInventory(ctx, 3, aforro.InventoryFilter{}, page)
		}, 0) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 0 {
			t.Errorf("got %d rows, want none", n)
		}
	})
	t.Run("error ends the iteration", func(t *testing.T) {
		var errs []error
		for _, err := range client.All(ctx, func(ctx context.Context, page client.PageOptions) (aforro.Page[aforro.InventoryItem], error) {
			return c.ListInventory(ctx, 99, aforro.InventoryFilter{}, page)
		}, 0) {
			errs = append(errs, err)
		}
		if len(errs) != 1 || aforro.ErrorCode(errs[0]) != aforro.ENOTFOUND {
			t.Errorf("errors = %v, want one not_found", errs)
		}
	})
}

func TestWithResponseBodyPassesTheServersJSON(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, catalogue)
	c := srv.client(t)
	resp, err := http.Get(srv.URL + "/api/products/1/")
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	p, err := c.Product(client.WithResponseBody(context.Background(), func(b []byte) { got = b }), 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	if p.Title != "Laptop Pro 15" {
		t.Errorf("decoded product = %+v", p)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "127.0.0.1:8000", "ftp://example.com", "http://", "http://x/?a=1", "://"} {
		if _, err := client.New(u); err == nil {
			t.Errorf("New(%q) succeeded, want an error", u)
		}
	}
}
