package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

// ids lists the ids of products, in order.
func ids(ps []aforro.Product) []int64 {
	out := make([]int64, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func money(m aforro.Money) *aforro.Money { return &m }

func TestSearch(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t, client.WithToken("")) // search is public
	ctx := context.Background()
	yes, no := true, false

	tests := []struct {
		name       string
		filter     aforro.SearchFilter
		page       client.PageOptions
		wantIDs    []int64
		wantCount  int
		wantQty    map[int64]int // store_quantity by product; nil: none sent
		wantHasNxt bool
	}{
		{"no query: newest first", aforro.SearchFilter{}, client.PageOptions{}, []int64{5, 4, 3, 2, 1}, 5, nil, false},
		{"title matches, ties by id", aforro.SearchFilter{Q: "laptop"}, client.PageOptions{}, []int64{1, 3}, 2, nil, false},
		{"a typo still finds laptops", aforro.SearchFilter{Q: "labtop"}, client.PageOptions{}, []int64{1, 3}, 2, nil, false},
		{"category name", aforro.SearchFilter{Q: "kitchen"}, client.PageOptions{}, []int64{5}, 1, nil, false},
		{"category filter, price sort", aforro.SearchFilter{CategoryID: 1, Sort: aforro.SortPriceAsc},
			client.PageOptions{}, []int64{2, 3, 1}, 3, nil, false},
		{"price range, descending", aforro.SearchFilter{MinPrice: money(3000), MaxPrice: money(100000), Sort: aforro.SortPriceDesc},
			client.PageOptions{}, []int64{3, 5, 4}, 3, nil, false},
		{"paged", aforro.SearchFilter{Sort: aforro.SortPriceAsc}, client.PageOptions{Page: 2, PageSize: 2},
			[]int64{5, 3}, 5, nil, true},
		{"store quantities", aforro.SearchFilter{Q: "laptop", StoreID: 1}, client.PageOptions{}, []int64{1, 3}, 2,
			map[int64]int{1: 10, 3: 0}, false},
		{"in stock", aforro.SearchFilter{StoreID: 1, InStock: &yes}, client.PageOptions{}, []int64{4, 2, 1}, 3,
			map[int64]int{4: 50, 2: 3, 1: 10}, false},
		{"out of stock or not stocked", aforro.SearchFilter{StoreID: 1, InStock: &no}, client.PageOptions{}, []int64{5, 3}, 2,
			map[int64]int{5: 0, 3: 0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Search(ctx, tc.filter, tc.page)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.wantIDs, ids(got.Results)); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if got.Count != tc.wantCount || got.HasNext != tc.wantHasNxt || got.CountCapped {
				t.Errorf("count %d, has_next %v, count_capped %v; want %d, %v, false",
					got.Count, got.HasNext, got.CountCapped, tc.wantCount, tc.wantHasNxt)
			}
			for _, p := range got.Results {
				want, ok := tc.wantQty[p.ID]
				switch {
				case tc.wantQty == nil && p.StoreQuantity != nil:
					t.Errorf("product %d has store_quantity %d without store_id", p.ID, *p.StoreQuantity)
				case tc.wantQty != nil && (!ok || p.StoreQuantity == nil || *p.StoreQuantity != want):
					t.Errorf("product %d: store_quantity %v, want %d", p.ID, p.StoreQuantity, want)
				}
			}
		})
	}

	t.Run("whole product", func(t *testing.T) {
		got, err := c.Search(ctx, aforro.SearchFilter{Q: "wireless"}, client.PageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]aforro.Product{mouse}, got.Results); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})

	t.Run("count capped at 1000", func(t *testing.T) {
		srv.Exec(t, `INSERT INTO products (title, price, category_id)
			SELECT 'Widget ' || g, 1, 2 FROM generate_series(1, 1001) AS g`)
		got, err := c.Search(ctx, aforro.SearchFilter{Q: "widget"}, client.PageOptions{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got.Count != aforro.SearchHitCap || !got.CountCapped || got.TotalPages != 10 || len(got.Results) != 100 {
			t.Errorf("count %d, count_capped %v, total_pages %d, %d results; want 1000, true, 10, 100",
				got.Count, got.CountCapped, got.TotalPages, len(got.Results))
		}
	})
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()
	yes := true
	tests := []struct {
		name   string
		filter aforro.SearchFilter
		page   client.PageOptions
		want   *client.APIError
	}{
		{"min above max", aforro.SearchFilter{MinPrice: money(500), MaxPrice: money(100)}, client.PageOptions{},
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid min_price: must not be greater than max_price.",
				Fields: map[string]string{"min_price": "must not be greater than max_price"}}},
		{"in stock without a store, and a bad sort", aforro.SearchFilter{InStock: &yes, Sort: "cheapest"}, client.PageOptions{},
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid in_stock: requires store_id (and 1 more problem).",
				Fields: map[string]string{"in_stock": "requires store_id", "sort": "must be one of relevance, newest, price_asc, price_desc"}}},
		{"query too long", aforro.SearchFilter{Q: strings.Repeat("x", 201)}, client.PageOptions{},
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid q: must be at most 200 characters.",
				Fields: map[string]string{"q": "must be at most 200 characters"}}},
		{"unknown store", aforro.SearchFilter{StoreID: 99}, client.PageOptions{},
			&client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Store 99 not found."}},
		{"page past the last", aforro.SearchFilter{Q: "laptop"}, client.PageOptions{Page: 3},
			&client.APIError{Status: 404, Code: aforro.EPAGEOUTOFRANGE, Message: "Page 3 is out of range: the last page is 1."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Search(ctx, tc.filter, tc.page)
			checkAPIError(t, err, tc.want)
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t, client.WithToken(""))
	ctx := context.Background()
	tests := []struct {
		prefix string
		want   aforro.SuggestResponse
	}{
		{"lap", aforro.SuggestResponse{Query: "lap", Suggestions: []string{"Laptop Pro 15", "Gaming Laptop"}}},
		{"  GO pro ", aforro.SuggestResponse{Query: "GO pro", Suggestions: []string{"Go Programming"}}},
		{"zzzzz", aforro.SuggestResponse{Query: "zzzzz", Suggestions: []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			got, err := c.Suggest(ctx, tc.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	errs := []struct {
		prefix string
		want   *client.APIError
	}{
		{" la ", &client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Query must be at least 3 characters long."}},
		{strings.Repeat("a", 101), &client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Query must be at most 100 characters long."}},
	}
	for _, tc := range errs {
		t.Run("error "+tc.want.Message, func(t *testing.T) {
			_, err := c.Suggest(ctx, tc.prefix)
			checkAPIError(t, err, tc.want)
		})
	}
}

func TestSuggestRateLimited(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	cfg.SuggestLimit, cfg.SuggestTokenLimit = 2, 2 // the client sends its token
	srv := newConfiguredServer(t, cfg)
	c := srv.client(t)
	ctx := context.Background()
	for i := range cfg.SuggestLimit {
		if _, err := c.Suggest(ctx, "lap"); err != nil {
			t.Fatalf("request %d within the limit: %v", i+1, err)
		}
	}
	_, err := c.Suggest(ctx, "lap")
	ae := apiError(t, err)
	// GCRA lets the next request in after one emission interval, 30 s here.
	if ae.Status != 429 || ae.Code != aforro.ERATELIMITED || ae.RetryAfter < time.Second || ae.RetryAfter > 30*time.Second {
		t.Errorf("status %d, code %q, RetryAfter %v; want 429, %q, 1s..30s", ae.Status, ae.Code, ae.RetryAfter, aforro.ERATELIMITED)
	}
	if want := "Rate limit exceeded. Maximum 2 requests per minute."; ae.Message != want {
		t.Errorf("message %q, want %q", ae.Message, want)
	}
}
