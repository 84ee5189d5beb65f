package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// searchDrift counts the rows in which search_titles and search_words differ
// from what they would be if rebuilt from the products now.
const searchDrift = `
WITH titles AS (SELECT lower(title) AS title_lower, count(*)::integer AS products FROM products GROUP BY 1),
title_diff AS (
	(SELECT title_lower, products FROM titles EXCEPT SELECT title_lower, products FROM search_titles)
	UNION ALL
	(SELECT title_lower, products FROM search_titles EXCEPT SELECT title_lower, products FROM titles)
),
pairs AS (
	SELECT x.word, t.title, t.title_lower, t.title_lower NOT LIKE search_like_prefix(x.word) AS tail
	  FROM search_titles t, unnest(search_title_words(t.title)) AS x(word)
),
words AS (
	SELECT word, count(*)::integer AS titles, (count(*) FILTER (WHERE tail))::integer AS tail_titles,
	       coalesce((array_agg(title ORDER BY title_lower) FILTER (WHERE tail))[1:search_first_titles_max()], '{}') AS first_titles
	  FROM pairs GROUP BY word
),
word_diff AS (
	(SELECT * FROM words EXCEPT SELECT word, titles, tail_titles, first_titles FROM search_words)
	UNION ALL
	(SELECT word, titles, tail_titles, first_titles FROM search_words EXCEPT SELECT * FROM words)
)
SELECT (SELECT count(*) FROM title_diff), (SELECT count(*) FROM word_diff),
       (SELECT count(*) FROM search_titles t JOIN titles USING (title_lower) WHERE lower(t.title) <> t.title_lower)`

func checkSearchTables(t *testing.T, d *db.DB, after string) {
	t.Helper()
	var titles, words, spelling int
	if err := d.Pool.QueryRow(context.Background(), searchDrift).Scan(&titles, &words, &spelling); err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
	if titles+words+spelling != 0 {
		t.Fatalf("after %s: search tables drifted: %d title rows, %d word rows, %d spellings", after, titles, words, spelling)
	}
}

// TestSearchTablesFollowProducts changes products every way the API and a
// bulk load can, and after each step rebuilds the autocomplete tables from
// scratch to prove the triggers kept them exact.
func TestSearchTablesFollowProducts(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Books')`); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		sql  string
	}{
		{"a bulk insert with repeated titles", `
			INSERT INTO products (title, price, category_id)
			SELECT (ARRAY['Gaming Laptop', 'gaming laptop', 'Laptop Stand', 'Acer Laptop Bag', 'Zed Lamp'])[1 + g % 5]
			       || CASE WHEN g % 3 = 0 THEN ' ' || g ELSE '' END, 10, 1
			  FROM generate_series(1, 600) AS g`},
		{"many titles for one word, past the kept list", `
			INSERT INTO products (title, price, category_id)
			SELECT chr(65 + g % 26) || chr(65 + g / 26 % 26) || ' Travel Laptop', 5, 1 FROM generate_series(1, 80) AS g`},
		{"one insert", `INSERT INTO products (title, price, category_id) VALUES ('AAA Laptop First', 1, 1)`},
		{"deleting the first titles of a word", `DELETE FROM products WHERE title LIKE 'A%' OR title LIKE 'B%'`},
		{"deleting one of two products with a title", `DELETE FROM products WHERE id = (SELECT min(id) FROM products WHERE title = 'Laptop Stand')`},
		{"renaming titles", `UPDATE products SET title = 'Renamed ' || title WHERE id % 7 = 0`},
		{"changing only prices", `UPDATE products SET price = price + 1 WHERE id % 3 = 0`},
		{"a title changing case only", `UPDATE products SET title = upper(title) WHERE id % 11 = 0`},
		{"moving products between categories", `UPDATE products SET category_id = 2 WHERE id % 5 = 0`},
		{"renaming a category", `UPDATE categories SET name = 'Gadgets' WHERE id = 1`},
		{"deleting everything", `DELETE FROM products`},
		{"loading again", `INSERT INTO products (title, price, category_id) SELECT 'Item ' || g, 1, 2 FROM generate_series(1, 50) AS g`},
		{"truncating", `TRUNCATE products CASCADE`},
	}
	for _, s := range steps {
		if _, err := d.Pool.Exec(ctx, s.sql); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkSearchTables(t, d, s.name)
	}
}

// TestSearchVectorFollowsCategory proves the document is kept by the
// database: a renamed category is found by its new name only.
func TestSearchVectorFollowsCategory(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Stationery');
		INSERT INTO products (id, title, description, price, category_id) VALUES
			(1, 'Desk Lamp', 'Warm light', 10, 1), (2, 'Notebook', 'Lined paper', 2, 2);
		UPDATE categories SET name = 'Lighting' WHERE id = 1;
		UPDATE products SET category_id = 1 WHERE id = 2;`)
	if err != nil {
		t.Fatal(err)
	}
	search := func(q string) []int64 {
		t.Helper()
		page, err := d.SearchProducts(ctx, aforro.SearchFilter{Q: q}, aforro.PageRequest{Page: 1, PageSize: 20})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var ids []int64
		for _, p := range page.Results {
			ids = append(ids, p.ID)
		}
		return ids
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{"lighting", []int64{1, 2}},
		{"electronics", nil},
		{"stationery", nil},
		{"paper", []int64{2}},
	}
	for _, tc := range tests {
		if got := search(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestSuggestMatchesBruteForce fills a catalogue with random titles over a
// small vocabulary (so that words repeat, start titles, and exceed the kept
// lists) and checks every autocomplete answer against the definition, before
// and after deleting products. The queries of several words take both ways of
// fetching candidates (fetchByCompletions): before the deletes, "pro st" and
// "usb-c ca" go by the completions of their last word, "Gaming La" by the
// titles of "gaming".
func TestSuggestMatchesBruteForce(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	vocab := []string{"laptop", "lapdesk", "lamp", "gaming", "game", "pro", "probe", "stand",
		"sony", "son", "usb-c", "cable", "zebra", "alpha", "beta", "lap"}
	r := rand.New(rand.NewPCG(1, 2))
	var titles []string
	for range 700 {
		n := 1 + r.IntN(4)
		words := make([]string, n)
		for i := range words {
			words[i] = vocab[r.IntN(len(vocab))]
			if r.IntN(3) == 0 {
				words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
			}
		}
		titles = append(titles, strings.Join(words, " ")+fmt.Sprintf(" %d", r.IntN(40)))
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO categories (id, name) VALUES (1, 'Things')`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO products (title, price, category_id) SELECT unnest($1::text[]), 1, 1`, titles); err != nil {
		t.Fatal(err)
	}
	queries := []string{"lap", "lapt", "laptop", "lam", "gam", "game", "pro", "prob", "son", "sony", "usb",
		"usb-c", "cab", "zeb", "alp", "bet", "sta", "Gaming La", "pro st", "usb-c ca", "laptop 1", "son pro",
		"pro pro", "laptop lap", "gaming gaming"}
	// A title's spelling is fixed when its first products arrive: the least
	// of the spellings loaded together.
	spelling := map[string]string{}
	for _, t := range titles {
		if s, ok := spelling[strings.ToLower(t)]; !ok || t < s {
			spelling[strings.ToLower(t)] = t
		}
	}
	check := func(stage string) {
		t.Helper()
		for _, q := range queries {
			got, err := d.Suggest(ctx, q)
			if err != nil {
				t.Fatalf("%s: suggest %q: %v", stage, q, err)
			}
			if want := bruteSuggest(titles, spelling, q); !slices.Equal(got, want) {
				t.Errorf("%s: suggest %q\n got %q\nwant %q", stage, q, got, want)
			}
		}
	}
	check("loaded")
	// Deleting the alphabetically first titles forces the kept lists to refill.
	var remaining []string
	rows, err := d.Pool.Query(ctx, `DELETE FROM products WHERE lower(title) < 'l' OR id % 4 = 0 RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := d.Pool.QueryRow(ctx, `SELECT array_agg(title ORDER BY id) FROM products`).Scan(&remaining); err != nil {
		t.Fatal(err)
	}
	titles = remaining
	check("after deletes")
}

// TestSuggestCutLists fills the kept list of "laptop" with titles that start
// with "lap" through another word: for "lap" they are the first group, and
// the second must come from past them.
func TestSuggestCutLists(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	var titles []string
	for i := range 20 {
		titles = append(titles, fmt.Sprintf("Zed Laptop %02d", i))
		if i < 6 {
			titles = append(titles, fmt.Sprintf("Lapdesk Laptop %02d", i))
		}
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO categories (id, name) VALUES (1, 'Things')`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO products (title, price, category_id) SELECT unnest($1::text[]), 1, 1`, titles); err != nil {
		t.Fatal(err)
	}
	spelling := map[string]string{}
	for _, t := range titles {
		spelling[strings.ToLower(t)] = t
	}
	for _, q := range []string{"lap", "lapt", "laptop", "zed"} {
		got, err := d.Suggest(ctx, q)
		if err != nil {
			t.Fatalf("suggest %q: %v", q, err)
		}
		if want := bruteSuggest(titles, spelling, q); !slices.Equal(got, want) {
			t.Errorf("suggest %q\n got %q\nwant %q", q, got, want)
		}
	}
}

// bruteSuggest is the autocomplete definition over ASCII titles: distinct
// titles ignoring case (shown in their spelling), those that start with q,
// then those with another word that starts with q, each group in lower-case
// byte order, ten at most.
func bruteSuggest(titles []string, spelling map[string]string, q string) []string {
	lq := strings.ToLower(q)
	word := regexp.MustCompile(`(^|[^a-z0-9])` + regexp.QuoteMeta(lq))
	present := map[string]bool{}
	for _, t := range titles {
		present[strings.ToLower(t)] = true
	}
	var prefix, inner []string
	for l := range present {
		switch {
		case strings.HasPrefix(l, lq):
			prefix = append(prefix, l)
		case word.MatchString(l):
			inner = append(inner, l)
		}
	}
	slices.Sort(prefix)
	slices.Sort(inner)
	out := []string{}
	for _, l := range append(prefix, inner...) {
		if len(out) == aforro.MaxSuggestions {
			break
		}
		out = append(out, spelling[l])
	}
	return out
}

// TestSuggestCorrectsTypos checks the third group: a word no title has is
// replaced by the closest title word.
func TestSuggestCorrectsTypos(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Electronics');
		INSERT INTO products (title, price, category_id) VALUES
			('Gaming Laptop', 1, 1), ('Laptop Stand', 1, 1), ('Wireless Headphones', 1, 1),
			('Headphones Case', 1, 1), ('Lab Coat', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"labtop", []string{"Gaming Laptop", "Laptop Stand"}},
		{"hedphones", []string{"Headphones Case", "Wireless Headphones"}},
		{"wireless hedphones", []string{"Wireless Headphones"}},
		{"lab", []string{"Lab Coat"}},
		{"qqqqqq", []string{}},
	}
	for _, tc := range tests {
		got, err := d.Suggest(ctx, tc.q)
		if err != nil {
			t.Fatalf("suggest %q: %v", tc.q, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("suggest %q (-want +got):\n%s", tc.q, d)
		}
	}
}

// TestSearchHitSourcesAgree fills a catalogue large enough for planSearch to
// choose each way of finding hits (the index part by part, intersected
// bitmaps) and checks every answer against the
// definition computed the slow way: the first SearchHitCap+1 matches in the
// order of the index's parts, ordered by the sort (relevance: every word in
// the title, then in title and category, then ts_rank, then id).
func TestSearchHitSourcesAgree(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets'), (2, 'Delta Supplies');
		INSERT INTO products (id, title, description, price, category_id, created_at)
		SELECT g, 'Alpha ' || CASE WHEN g % 7 = 0 THEN 'Delta ' ELSE '' END || 'Widget ' || g,
		       CASE WHEN g % 11 = 0 THEN 'Works with delta rails.' ELSE 'Plain.' END,
		       (g % 100) + 0.99, 1 + g % 2, now() - g * interval '1 minute'
		  FROM generate_series(1, 3000) AS g;
		INSERT INTO stores (id, name, location) VALUES (1, 'Small', 'Here'), (2, 'Large', 'There');
		INSERT INTO inventory (store_id, product_id, quantity)
		SELECT 1, g, g % 4 FROM generate_series(5, 3000, 97) AS g
		UNION ALL
		SELECT 2, g, 1 + g % 3 FROM generate_series(2, 3000, 2) AS g;
		ANALYZE categories, products, stores, inventory;`)
	if err != nil {
		t.Fatal(err)
	}
	syncStock(t, d, "the fixture")
	money := func(s string) *aforro.Money {
		m, err := aforro.ParseMoney(s)
		if err != nil {
			t.Fatal(err)
		}
		return &m
	}
	yes, no := true, false
	tests := []struct {
		name string
		f    aforro.SearchFilter
		page aforro.PageRequest
	}{
		{"word", aforro.SearchFilter{Q: "delta"}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"capped", aforro.SearchFilter{Q: "alpha"}, aforro.PageRequest{Page: 3, PageSize: 7}},
		{"capped by price", aforro.SearchFilter{Q: "alpha", Sort: aforro.SortPriceAsc}, aforro.PageRequest{Page: 2, PageSize: 9}},
		{"capped by date", aforro.SearchFilter{Q: "alpha", Sort: aforro.SortNewest}, aforro.PageRequest{Page: 1, PageSize: 9}},
		{"category", aforro.SearchFilter{Q: "delta", CategoryID: 2}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"few in stock", aforro.SearchFilter{Q: "alpha", StoreID: 1, InStock: &yes}, aforro.PageRequest{Page: 1, PageSize: 10}},
		{"few in stock, second page", aforro.SearchFilter{Q: "alpha", StoreID: 1, InStock: &yes}, aforro.PageRequest{Page: 2, PageSize: 10}},
		{"many in stock", aforro.SearchFilter{Q: "alpha", StoreID: 2, InStock: &yes}, aforro.PageRequest{Page: 4, PageSize: 20}},
		{"in stock, two words", aforro.SearchFilter{Q: "alpha delta", StoreID: 1, InStock: &yes, MinPrice: money("5")}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"not in stock", aforro.SearchFilter{Q: "delta", StoreID: 1, InStock: &no}, aforro.PageRequest{Page: 2, PageSize: 20}},
		{"in stock, narrow prices", aforro.SearchFilter{Q: "alpha", StoreID: 2, InStock: &yes, MinPrice: money("10"), MaxPrice: money("10.99")}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"not in stock, narrow prices", aforro.SearchFilter{Q: "alpha", StoreID: 2, InStock: &no, MinPrice: money("11"), MaxPrice: money("11.99"), Sort: aforro.SortNewest}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"in stock in a category", aforro.SearchFilter{Q: "widget", CategoryID: 1, StoreID: 2, InStock: &yes}, aforro.PageRequest{Page: 2, PageSize: 20}},
		{"narrow prices", aforro.SearchFilter{Q: "alpha", MinPrice: money("10"), MaxPrice: money("10.99")}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"narrow prices by price", aforro.SearchFilter{Q: "alpha", MinPrice: money("10"), MaxPrice: money("12"), Sort: aforro.SortPriceDesc}, aforro.PageRequest{Page: 1, PageSize: 20}},
		{"wide prices", aforro.SearchFilter{Q: "alpha", MaxPrice: money("80")}, aforro.PageRequest{Page: 2, PageSize: 20}},
		{"prices in a category", aforro.SearchFilter{Q: "alpha", CategoryID: 1, MinPrice: money("20"), MaxPrice: money("21")}, aforro.PageRequest{Page: 1, PageSize: 20}},
	}
	orders := map[string]string{
		aforro.SortRelevance: "t1 DESC, t2 DESC, r DESC, id",
		aforro.SortPriceAsc:  "price, id",
		aforro.SortPriceDesc: "price DESC, id DESC",
		aforro.SortNewest:    "created_at DESC, id DESC",
	}
	for _, tc := range tests {
		var args []any
		arg := func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}
		where := []string{"p.search_vector @@ q.tsq"}
		if tc.f.CategoryID != 0 {
			where = append(where, "p.category_id = "+arg(tc.f.CategoryID))
		}
		if tc.f.MinPrice != nil {
			where = append(where, "p.price >= "+arg(tc.f.MinPrice.String())+"::numeric")
		}
		if tc.f.MaxPrice != nil {
			where = append(where, "p.price <= "+arg(tc.f.MaxPrice.String())+"::numeric")
		}
		if tc.f.InStock != nil {
			stock := "EXISTS (SELECT 1 FROM inventory s WHERE s.store_id = " + arg(tc.f.StoreID) + " AND s.product_id = p.id AND s.quantity > 0)"
			if !*tc.f.InStock {
				stock = "NOT " + stock
			}
			where = append(where, stock)
		}
		var wantCount int
		var wantIDs []int64
		err := d.Pool.QueryRow(ctx, `
			WITH q AS (SELECT websearch_to_tsquery('english', `+arg(tc.f.Q)+`) AS tsq),
			m AS (
				SELECT p.id, p.price, p.created_at, ts_filter(p.search_vector, '{a}') @@ q.tsq AS t1,
				       ts_filter(p.search_vector, '{a,b}') @@ q.tsq AS t2, ts_rank(p.search_vector, q.tsq) AS r
				  FROM products p, q
				 WHERE `+strings.Join(where, " AND ")+`
				 ORDER BY (p.id / 256) % 16, p.ctid
				 LIMIT `+fmt.Sprint(aforro.SearchHitCap+1)+`)
			SELECT (SELECT count(*) FROM m),
			       ARRAY(SELECT id FROM m ORDER BY `+orders[tc.f.SortOrDefault()]+`
			              LIMIT `+arg(tc.page.PageSize)+` OFFSET `+arg(tc.page.Offset())+`)`,
			args...).Scan(&wantCount, &wantIDs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		page, err := d.SearchProducts(ctx, tc.f, tc.page)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		gotIDs := []int64{}
		for _, p := range page.Results {
			gotIDs = append(gotIDs, p.ID)
		}
		if wantIDs == nil {
			wantIDs = []int64{}
		}
		if page.Count != min(wantCount, aforro.SearchHitCap) || page.CountCapped != (wantCount > aforro.SearchHitCap) {
			t.Errorf("%s: count %d (capped %v), want %d", tc.name, page.Count, page.CountCapped, wantCount)
		}
		if d := cmp.Diff(wantIDs, gotIDs); d != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestSearchTSQueryWeights checks that restricting a query's operands to
// weights matches exactly the products that filtering their documents to
// those weights does, for every shape of query (phrases, negation, or,
// prefixes, quotes and backslashes in lexemes).
func TestSearchTSQueryWeights(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gaming Gear'), (2, 'Kitchen');
		INSERT INTO products (title, description, price, category_id) VALUES
			('Gaming Laptop', 'A cheap laptop for gaming.', 1, 1),
			('Laptop Stand', 'Holds a gaming laptop.', 1, 2),
			('Cheap Mouse', 'Wireless.', 1, 1),
			('O''Neil''s Kettle', 'Kitchen kettle, a\b tested.', 1, 2),
			('Stainless Steel Pan', 'Not a knife.', 1, 2)`)
	if err != nil {
		t.Fatal(err)
	}
	var mismatches int
	err = d.Pool.QueryRow(ctx, `
		WITH q(tsq) AS (VALUES
			(websearch_to_tsquery('english', '"gaming laptop" -cheap or mouse')),
			(search_tsquery('gaming', 'lapt')),
			(websearch_to_tsquery('english', 'kitchen')),
			(websearch_to_tsquery('simple', 'o''neil''s a\b')),
			(to_tsquery('simple', '''it''''s'':* & !steel')),
			(websearch_to_tsquery('english', '"stainless steel" -knife')))
		SELECT count(*)
		  FROM q, products p, (VALUES ('{a}'::"char"[], 'A'), ('{a,b}', 'AB'), ('{c}', 'C')) w(filter, weights)
		 WHERE (ts_filter(p.search_vector, w.filter) @@ q.tsq) IS DISTINCT FROM
		       (p.search_vector @@ search_tsquery_weights(q.tsq, w.weights))`).Scan(&mismatches)
	if err != nil {
		t.Fatal(err)
	}
	if mismatches != 0 {
		t.Errorf("%d (query, product, weights) triples differ", mismatches)
	}
}

// syncStock runs SyncStockedStores and checks that every product's
// stocked_stores is then exactly the stores with stock of it.
func syncStock(t *testing.T, d *db.DB, after string) {
	t.Helper()
	if _, err := d.SyncStockedStores(context.Background()); err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
	if n := dbtest.QueryInt(t, d, dbtest.StockDrift); n != 0 {
		t.Fatalf("after %s: %d products' stocked_stores differ from the inventory", after, n)
	}
}

// TestStockedStoresFollowInventory checks that the inventory's triggers
// queue every product whose stores with stock change, whatever writes the
// inventory, and that SyncStockedStores then makes its stocked_stores exact,
// also after concurrent orders emptying the same products at different
// stores.
func TestStockedStoresFollowInventory(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	const stores = 8
	_, err := d.Pool.Exec(ctx, `
		INSERT INTO categories (id, name) VALUES (1, 'Gadgets');
		INSERT INTO products (id, title, price, category_id) SELECT g, 'Widget ' || g, 1, 1 FROM generate_series(1, 4) AS g;
		INSERT INTO stores (id, name) SELECT g, 'Store ' || g FROM generate_series(1, `+fmt.Sprint(stores)+`) AS g`)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ name, sql string }{
		{"insert", `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 5), (2, 1, 0), (3, 1, 2), (1, 2, 1)`},
		{"update to zero", `UPDATE inventory SET quantity = 0 WHERE store_id = 1 AND product_id = 1`},
		{"update within stock", `UPDATE inventory SET quantity = 9 WHERE store_id = 3`},
		{"update from zero", `UPDATE inventory SET quantity = 4 WHERE store_id = 2`},
		{"upsert", `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 1, 3), (4, 1, 1), (1, 2, 0)
			ON CONFLICT (store_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity`},
		{"move to another store", `UPDATE inventory SET store_id = 5 WHERE store_id = 4 AND product_id = 1`},
		{"move to another product", `UPDATE inventory SET product_id = 4 WHERE store_id = 5 AND product_id = 1`},
		{"delete", `DELETE FROM inventory WHERE store_id = 3`},
		{"stock everywhere", `INSERT INTO inventory (store_id, product_id, quantity)
			SELECT s.id, p, 1 FROM stores s, generate_series(1, 4) AS p
			ON CONFLICT (store_id, product_id) DO UPDATE SET quantity = 1`},
	}
	for _, st := range steps {
		if _, err := d.Pool.Exec(ctx, st.sql); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		syncStock(t, d, st.name)
	}

	// Every store sells its last unit of products 2, 3 and 4 at once, then
	// gets one back of product 3.
	errs := make(chan error, 2*stores)
	for s := int64(1); s <= stores; s++ {
		go func() {
			_, err := d.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: s, Items: []aforro.OrderLine{
				{ProductID: 4, QuantityRequested: 1}, {ProductID: 2, QuantityRequested: 1}, {ProductID: 3, QuantityRequested: 1}}}, nil)
			errs <- err
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for s := int64(1); s <= stores; s++ {
		go func() {
			_, err := d.AdjustStock(ctx, s, 3, 1, "restock")
			errs <- err
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	syncStock(t, d, "concurrent orders and restocks")
	var got []int64
	if err := d.Pool.QueryRow(ctx, `SELECT ARRAY(SELECT x FROM unnest(stocked_stores) AS x ORDER BY x) FROM products WHERE id = 3`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int64{1, 2, 3, 4, 5, 6, 7, 8}, got); d != "" {
		t.Errorf("product 3's stores (-want +got):\n%s", d)
	}
}
