package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// Search and autocomplete run in a read-only transaction with settings of
// their own (SEARCH-NOTES.md): a statement timeout, so one pathological query
// cannot hold a connection; no JIT, which only ever cost time on these plans;
// enough work_mem that a common word's bitmap stays exact; and no parallel
// workers, which cost more to start than these plans save and take cores
// from the other requests.
const searchSettings = `SET LOCAL statement_timeout = '3s'; SET LOCAL jit = off; ` +
	`SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0`

// A search with a query runs on generic plans: its statement reads the
// full-text index part by part (searchChunks), and planning sixteen parts on
// every call would cost more than running them, while the plan that serves
// it does not depend on the words. Browsing without a query plans each call
// with its values instead, so the planner sees the real price range and
// category (a generic plan is fifty times slower for some shapes,
// SEARCH-NOTES.md).
const (
	textSearchBegin = `BEGIN READ ONLY; ` + searchSettings + `; SET LOCAL plan_cache_mode = force_generic_plan`
	browseBegin     = `BEGIN READ ONLY; ` + searchSettings + `; SET LOCAL plan_cache_mode = force_custom_plan`
)

// searchChunks is how many parts migration 003 splits the full-text index
// into: one partial GIN index per value of searchPart, runs of 256
// consecutive ids taken in turn. PostgreSQL builds the whole bitmap of a GIN
// scan before it returns a row, so a word in 100,000 products costs tens of
// milliseconds even when the search stops at its first SearchHitCap hits;
// read part by part, a common word fills the cap from the first part, at a
// sixteenth of the cost, while a rare word pays sixteen index descents, a
// few microseconds each. Runs of ids rather than single ids, so that a part
// is a sixteenth of the table's pages too: the first part, which serves
// every common word, then stays in PostgreSQL's buffers instead of being
// read from the operating system a page per hit.
const searchChunks = 16

// searchPart is the part of the full-text index that holds product p
// (migration 003's index predicates, spelt the same so the planner matches
// them).
const searchPart = "(p.id / 256) % 16"

// minPrefixRunes is the shortest last word a search matches as a prefix:
// shorter ones start too many words to mean anything.
const minPrefixRunes = 3

// searchTx runs fn in a read-only transaction begun by begin.
func (d *DB) searchTx(ctx context.Context, begin string, fn func(pgx.Tx) error) error {
	tx, err := d.Pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return wrapError(err, "begin search transaction")
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	err = fn(tx)
	if err == nil {
		err = tx.Commit(ctx)
	}
	var timedOut meaning
	if ctx.Err() == nil { // else the query was cancelled because the client went away
		timedOut = whenCode(pgQueryCanceled, aforro.Errorf(aforro.EUNAVAILABLE, "The search took too long; try a more specific query."))
	}
	return wrapError(err, "search", timedOut)
}

// SearchProducts answers GET /api/search/products/. With a query, products
// must match every word (title, category name or description); the last word
// also matches as a prefix unless it is a whole title word, and a query that
// finds nothing is retried once with its misspelt words replaced by the
// closest title words. At most aforro.SearchHitCap+1 hits are read: the count
// stops at the cap (the page then says CountCapped), and with a query the
// chosen order (relevance, price, newest) is applied to those hits. Without
// a query the order runs over every product that passes the filters. An
// unknown store is ENOTFOUND, a page past the last EPAGEOUTOFRANGE.
func (d *DB) SearchProducts(ctx context.Context, f aforro.SearchFilter, req aforro.PageRequest) (aforro.Page[aforro.Product], error) {
	var res searchResult
	begin := textSearchBegin
	if f.Q == "" {
		begin = browseBegin
	}
	// A query that is exactly a product's SKU or barcode (codes.go) finds
	// that product ahead of every text match, and the text matches are
	// ranked after it; a query that found a code is not spell-corrected,
	// and a near-miss of a code never finds it.
	var codes []aforro.Product
	err := d.searchTx(ctx, begin, func(tx pgx.Tx) error {
		var err error
		if f.Q != "" {
			if codes, err = searchCodeHits(ctx, tx, f); err != nil {
				return err
			}
		}
		skip := make([]int64, len(codes))
		for i, p := range codes {
			skip[i] = p.ID
		}
		if res, err = searchPage(ctx, tx, f, req, skip); err != nil || f.Q == "" || res.hits > 0 || len(codes) > 0 {
			return err
		}
		fixed, err := correctQuery(ctx, tx, f.Q)
		if err != nil || fixed == f.Q {
			return err
		}
		f.Q = fixed
		res, err = searchPage(ctx, tx, f, req, nil)
		return err
	})
	if err != nil {
		return aforro.Page[aforro.Product]{}, wrapError(err, "search products")
	}
	// A search ranks only its first SearchHitCap hits, so its pages end
	// there even when the count is capped, and it pages by number only.
	hits := res.hits + len(codes)
	count := min(hits, aforro.SearchHitCap)
	if err := aforro.CheckPage(req, count, false); err != nil {
		return aforro.Page[aforro.Product]{}, err
	}
	more := req.Page < aforro.TotalPages(count, req.PageSize)
	o := min(req.Offset(), len(codes))
	products := append(codes[o:min(o+req.PageSize, len(codes))], res.products...)
	return aforro.NewPage(req, count, hits > aforro.SearchHitCap, more, products), nil
}

// searchResult is one run of the search statement: the hits counted (up to
// one past the cap) and the requested page of them.
type searchResult struct {
	hits     int
	products []aforro.Product
}

// params numbers the parameters of a statement assembled from constant
// fragments; only values travel as parameters, never as SQL.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// searchColumns are productColumns with the category's named apart, so a
// subquery's rows can be ordered by name.
const searchColumns = `p.id, p.title, p.description, p.price, p.created_at, p.updated_at, c.id AS category_id, c.name AS category_name, p.sku, p.barcodes`

// searchOrders are the ORDER BY lists of the sorts, over the columns of the
// hits and of products alike.
var searchOrders = map[string]string{
	aforro.SortRelevance: "in_title DESC, in_title_category DESC, rank DESC, id",
	aforro.SortNewest:    "created_at DESC, id DESC",
	aforro.SortPriceAsc:  "price, id",
	aforro.SortPriceDesc: "price DESC, id DESC",
}

// searchPage runs one search: the hit count and the page come from the same
// WHERE clause in one statement.
//
// With a query, the hits are the first SearchHitCap+1 matches in the order
// of the full-text index's parts (searchIndexParts), ordered among
// themselves: ranking (or sorting) every match of a common word costs
// hundreds of milliseconds, and walking the price or date index until enough
// matches turn up costs seconds when the word's products sit at the far end
// of it. Relevance is tiers (every word in the title; in title and
// category), then ts_rank, then id; the tiers test the document against the
// query restricted to the title's (and the category's) weights, which
// matches the same products as filtering the document first and costs no
// copy of it.
//
// skip are the products the search has already put first (its exact code
// matches): they are not hits again, and the page's text hits come after
// them (pageLimits).
func searchPage(ctx context.Context, tx pgx.Tx, f aforro.SearchFilter, req aforro.PageRequest, skip []int64) (searchResult, error) {
	if f.Q == "" {
		return browsePage(ctx, tx, f, req)
	}
	sort := f.SortOrDefault()
	order, ok := searchOrders[sort]
	if !ok {
		return searchResult{}, fmt.Errorf("search: no order for sort %q", sort)
	}
	head, prefix := splitPrefix(f.Q)
	plan := searchPlan{source: hitsFromIndex}
	if f.MinPrice != nil || f.MaxPrice != nil {
		var err error
		if plan, err = planSearch(ctx, tx, f, head, prefix); err != nil {
			return searchResult{}, err
		}
	}
	var args params
	c := searchConditions(&args, f)
	if len(skip) > 0 {
		c.tested = append(c.tested, "p.id <> ALL("+args.add(skip)+"::bigint[])")
	}
	var tsq string // the expression of the tsquery
	if plan.tsquery != "" {
		tsq = args.add(plan.tsquery) + "::text::tsquery"
	} else {
		tsq = searchTSQuery(&args, head, prefix, f.Q)
	}
	columns := "p.id, p.price, p.created_at"
	if sort == aforro.SortRelevance {
		columns += `,
			       p.search_vector @@ (SELECT title FROM q) AS in_title,
			       p.search_vector @@ (SELECT title_category FROM q) AS in_title_category,
			       ts_rank(p.search_vector, (SELECT tsq FROM q)) AS rank`
	}
	hitCap := strconv.Itoa(aforro.SearchHitCap + 1)
	var hits string
	switch plan.source {
	case hitsFromIndex:
		where := append([]string{"(SELECT numnode(tsq) > 0 FROM q)"}, c.tested...)
		hits = `
			SELECT ` + columns + `
			  FROM (` + searchIndexParts(c.indexed) + `) p
			 WHERE ` + strings.Join(where, "\n\t\t\t   AND ") + `
			 LIMIT ` + hitCap
	case hitsFromBitmaps:
		// Every match, found by intersecting the bitmaps of the index's
		// parts and of the other conditions, then the first in the order
		// the parts would have yielded them: the same hits as
		// hitsFromIndex.
		parts := make([]string, searchChunks)
		for k := range parts {
			parts[k] = searchPart + " = " + strconv.Itoa(k)
		}
		where := append([]string{"p.search_vector @@ " + tsq, "(" + strings.Join(parts, " OR ") + ")"}, c.indexed...)
		where = append(where, c.tested...)
		hits = `
			SELECT ` + columns + `
			  FROM products p
			 WHERE ` + strings.Join(where, "\n\t\t\t   AND ") + `
			 ORDER BY ` + searchPart + `, p.ctid
			 LIMIT ` + hitCap
	}
	limitSQL, offsetSQL := pageLimits(&args, req, len(skip))
	sql := `
		WITH q AS MATERIALIZED (
			SELECT tsq, search_tsquery_weights(tsq, 'A') AS title, search_tsquery_weights(tsq, 'AB') AS title_category
			  FROM (SELECT ` + tsq + ` AS tsq OFFSET 0) t
		), hits AS MATERIALIZED (` + hits + `
		), ordered AS (
			SELECT * FROM hits
			 ORDER BY ` + order + `
			 LIMIT ` + limitSQL + ` OFFSET ` + offsetSQL + `
		)
		SELECT n.hits, ` + searchColumns + `, ` + c.quantity + `
		  FROM (SELECT CASE WHEN ` + c.storeCheck + ` THEN (SELECT count(*) FROM hits) END AS hits) n
		  LEFT JOIN (ordered r
		        JOIN products p ON p.id = r.id
		        JOIN categories c ON c.id = p.category_id
		        ` + c.inventoryJoin + `) ON true
		 ORDER BY ` + prefixColumns(order, "r.")
	if plan.source == hitsFromBitmaps {
		// Planned with the values, the tsquery's included, so that the
		// planner weighs the bitmaps it intersects.
		args = append(params{pgx.QueryExecModeSimpleProtocol}, args...)
	}
	return runSearch(ctx, tx, f, sql, args)
}

// browsePage is searchPage without a query: the indexes on price and
// created_at give the order directly, so the sort is over every match.
func browsePage(ctx context.Context, tx pgx.Tx, f aforro.SearchFilter, req aforro.PageRequest) (searchResult, error) {
	var args params
	c := searchConditions(&args, f)
	where := append(c.indexed, c.tested...)
	whereSQL := ""
	if len(where) > 0 {
		whereSQL = "WHERE " + strings.Join(where, "\n\t\t   AND ")
	}
	order, ok := searchOrders[f.SortOrDefault()]
	if !ok || f.SortOrDefault() == aforro.SortRelevance {
		return searchResult{}, fmt.Errorf("search: no order for sort %q without a query", f.SortOrDefault())
	}
	limitSQL, offsetSQL := pageLimits(&args, req, 0)
	sql := `
		SELECT n.hits, r.*
		  FROM (SELECT CASE WHEN ` + c.storeCheck + ` THEN (
		                 SELECT count(*) FROM (SELECT 1 FROM products p ` + whereSQL + ` LIMIT ` + strconv.Itoa(aforro.SearchHitCap+1) + `) x)
		               END AS hits) n
		  LEFT JOIN LATERAL (
		        SELECT ` + searchColumns + `, ` + c.quantity + ` AS quantity
		          FROM products p
		          JOIN categories c ON c.id = p.category_id
		          ` + c.inventoryJoin + `
		          ` + whereSQL + `
		         ORDER BY ` + prefixColumns(order, "p.") + `
		         LIMIT ` + limitSQL + ` OFFSET ` + offsetSQL + `) r ON n.hits > 0
		 ORDER BY ` + prefixColumns(order, "r.")
	return runSearch(ctx, tx, f, sql, args)
}

// conditions are the SQL fragments of a search's filters, over products p.
type conditions struct {
	// indexed are the filters the full-text index answers together with
	// the query (the category, in stock at the store), tested those it
	// does not (the price bounds, not in stock at the store).
	indexed, tested []string
	// store is the store's parameter ("" without store_id), storeCheck
	// true when the store exists (or there is none), and quantity and
	// inventoryJoin give its quantity of each product on the page.
	store, storeCheck, quantity, inventoryJoin string
}

// searchConditions adds the parameters of f's filters to args and returns
// their conditions.
func searchConditions(args *params, f aforro.SearchFilter) conditions {
	c := conditions{storeCheck: "true", quantity: "NULL::integer"}
	if f.CategoryID != 0 {
		c.indexed = append(c.indexed, "p.category_id = "+args.add(f.CategoryID)+"::bigint")
	}
	if f.MinPrice != nil {
		c.tested = append(c.tested, "p.price >= "+args.add(f.MinPrice.String())+"::numeric")
	}
	if f.MaxPrice != nil {
		c.tested = append(c.tested, "p.price <= "+args.add(f.MaxPrice.String())+"::numeric")
	}
	if f.StoreID != 0 {
		c.store = args.add(f.StoreID) + "::bigint"
		c.storeCheck = "EXISTS (SELECT 1 FROM stores WHERE id = " + c.store + ")"
		c.quantity = "coalesce(i.quantity, 0)"
		c.inventoryJoin = "LEFT JOIN inventory i ON i.store_id = " + c.store + " AND i.product_id = p.id"
	}
	if f.InStock != nil {
		// The index holds each product's stores with stock (migration 005),
		// which SyncStockedStores brings up to date within a moment of a
		// change; the inventory has the last word, so a product sold out
		// since is never listed as in stock.
		inStock := "EXISTS (SELECT 1 FROM inventory s WHERE s.store_id = " + c.store +
			" AND s.product_id = p.id AND s.quantity > 0)"
		if *f.InStock {
			c.indexed = append(c.indexed, "p.stocked_stores @> ARRAY["+c.store+"]")
			c.tested = append(c.tested, inStock)
		} else {
			c.tested = append(c.tested, "NOT "+inStock)
		}
	}
	return c
}

// pageLimits adds the LIMIT and OFFSET of the requested page to args. Pages
// never reach past the cap, which keeps OFFSET small. The first ahead
// positions of the answer are taken already (a search's exact code
// matches), so the hits fill the page from after them.
func pageLimits(args *params, req aforro.PageRequest, ahead int) (limit, offset string) {
	o := min(req.Offset(), aforro.SearchHitCap)
	taken := max(0, min(ahead-o, req.PageSize)) // rows of the page already taken
	l := max(0, min(req.PageSize-taken, aforro.SearchHitCap-max(o, ahead)))
	return args.add(l) + "::integer", args.add(max(0, o-ahead)) + "::integer"
}

// runSearch runs a search statement, whose rows are the hit count (NULL
// when the store does not exist) and the page's products, and reads them.
func runSearch(ctx context.Context, tx pgx.Tx, f aforro.SearchFilter, sql string, args params) (searchResult, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return searchResult{}, wrapError(err, "run search")
	}
	defer rows.Close()
	res := searchResult{hits: -1}
	for rows.Next() {
		var hits *int
		var id *int64
		var p aforro.Product
		var title, description, categoryName *string
		var price *aforro.Money
		var created, updated *time.Time
		var categoryID *int64
		var qty *int
		var sku *string
		var barcodes []string
		if err := rows.Scan(&hits, &id, &title, &description, &price, &created, &updated, &categoryID, &categoryName,
			&sku, &barcodes, &qty); err != nil {
			return searchResult{}, wrapError(err, "scan search row")
		}
		if hits == nil {
			return searchResult{}, errNotFound("Store", f.StoreID)
		}
		res.hits = *hits
		if id == nil { // the empty side of the LEFT JOIN: no row on this page
			continue
		}
		p.ID, p.Title, p.Description, p.Price = *id, *title, *description, *price
		p.CreatedAt, p.UpdatedAt, p.Category = created.UTC(), updated.UTC(), aforro.Category{ID: *categoryID, Name: *categoryName}
		p.StoreQuantity, p.SKU, p.Barcodes = qty, sku, barcodes
		res.products = append(res.products, p)
	}
	if err := rows.Err(); err != nil {
		return searchResult{}, wrapError(err, "read search rows")
	}
	if res.hits < 0 {
		return searchResult{}, errors.New("search returned no count row")
	}
	return res, nil
}

// searchTSQuery adds the parameters of a search's tsquery to args and
// returns the expression that makes it: the words of the query, and the word
// still being typed (prefix, splitPrefix) matched as a prefix too unless it
// is already a whole title word, since a prefix term makes the index read
// every posting list it starts and a finished word does not need it.
func searchTSQuery(args *params, head, prefix, q string) string {
	headSQL, prefixSQL, qSQL := args.add(head)+"::text", args.add(prefix)+"::text", args.add(q)+"::text"
	return `CASE WHEN ` + prefixSQL + ` = '' OR EXISTS (SELECT 1 FROM search_words WHERE word = lower(` + prefixSQL + `))
			     THEN search_tsquery(` + qSQL + `, '') ELSE search_tsquery(` + headSQL + `, ` + prefixSQL + `) END`
}

// searchIndexParts reads the products matching tsquery q.tsq and the
// indexed conditions (conditions.indexed) from the full-text index, part by
// part (searchChunks): the index holds the category and the stores with
// stock too, so they intersect with the query inside it. Each part is fenced
// by OFFSET 0, so the conditions the caller adds on top test the rows it
// yields rather than joining in an index of their own (the bitmap of a price
// range costs more than the rows it saves when the word is common, which is
// when it matters; planSearch weighs the other cases).
func searchIndexParts(indexed []string) string {
	and := andEach(indexed)
	parts := make([]string, searchChunks)
	for k := range parts {
		parts[k] = `(SELECT p.id, p.search_vector, p.price, p.created_at, p.stocked_stores FROM products p
			  WHERE ` + searchPart + ` = ` + strconv.Itoa(k) + `
			    AND p.search_vector @@ (SELECT tsq FROM q)` + and + ` OFFSET 0)`
	}
	return strings.Join(parts, "\n\t\t\tUNION ALL ")
}

// andEach is " AND cond" for each of conds.
func andEach(conds []string) string {
	var b strings.Builder
	for _, cond := range conds {
		b.WriteString(" AND " + cond)
	}
	return b.String()
}

// hitSource is how a search with a query finds its hits. Both find the
// same ones, in the same order; they differ in what they cost.
type hitSource int

const (
	// hitsFromIndex reads the index part by part and tests the prices of
	// each match, stopping at the cap: cheap when the matches are few or
	// many of them pass.
	hitsFromIndex hitSource = iota
	// hitsFromBitmaps intersects the bitmaps of the whole index and of the
	// price index, then reads only the hits: cheap when a common word has
	// few products in a narrow price range.
	hitsFromBitmaps
)

// searchPlan is what planSearch chose: where the hits come from, and the
// tsquery (as text), which it has already made.
type searchPlan struct {
	source  hitSource
	tsquery string
}

// searchProbeRows is how many matches planSearch reads from the index's
// first part to see how many pass the filters.
const searchProbeRows = 200

// Rough costs, in microseconds, of the steps planSearch weighs, measured at
// a million products with PostgreSQL's default 128 MB of shared buffers:
// testing a match read from the index (a heap fetch, mostly from the first
// part's pages, which stay cached), adding an entry to a bitmap, and reading
// a product row that is not cached (from the operating system's cache).
const (
	costIndexRow    = 3.0
	costBitmapEntry = 0.3
	costColdRow     = 6.0
)

// planSearch chooses how a search with price filters finds its hits. It
// reads the first searchProbeRows matches in the index's first part, which
// hitsFromIndex would read first, to see what share of them pass the tested
// filters (prices are often tied to the words: laptops are dear), and takes
// the planner's estimates (search_estimates) of how many products match
// the query and the indexed filters and how many are in the price range.
func planSearch(ctx context.Context, tx pgx.Tx, f aforro.SearchFilter, head, prefix string) (searchPlan, error) {
	var args params
	tsq := searchTSQuery(&args, head, prefix, f.Q)
	c := searchConditions(&args, f)
	var category, store *int64
	if f.CategoryID != 0 {
		category = &f.CategoryID
	}
	if f.InStock != nil && *f.InStock {
		store = &f.StoreID
	}
	var minPrice, maxPrice *string
	if f.MinPrice != nil {
		s := f.MinPrice.String()
		minPrice = &s
	}
	if f.MaxPrice != nil {
		s := f.MaxPrice.String()
		maxPrice = &s
	}
	plan := searchPlan{source: hitsFromIndex}
	var matches, priced float64
	var seen, passed int
	err := tx.QueryRow(ctx, `
		WITH q AS MATERIALIZED (SELECT `+tsq+` AS tsq)
		SELECT q.tsq::text, e.matches, e.priced, x.seen, x.passed
		  FROM q, search_estimates(q.tsq, `+args.add(category)+`::bigint, `+args.add(store)+`::bigint,
		                           `+args.add(minPrice)+`::numeric, `+args.add(maxPrice)+`::numeric) e,
		       (SELECT count(*) AS seen, count(*) FILTER (WHERE `+strings.Join(append([]string{"true"}, c.tested...), " AND ")+`) AS passed
		          FROM (SELECT p.id, p.price, p.stocked_stores FROM products p
		                 WHERE `+searchPart+` = 0 AND p.search_vector @@ (SELECT tsq FROM q)`+andEach(c.indexed)+`
		                 LIMIT `+strconv.Itoa(searchProbeRows)+`) p) x
		 WHERE `+c.storeCheck, // which also uses the store's parameter when in_stock does not
		args...).Scan(&plan.tsquery, &matches, &priced, &seen, &passed)
	// No row is an unknown store, which the search itself reports.
	if err := wrapError(err, "estimate the search", whenNoRows(nil)); err != nil {
		return searchPlan{}, err
	}
	if seen == 0 {
		return plan, nil // few matches, if any: reading them is cheap
	}
	if seen < searchProbeRows {
		matches = float64(seen * searchChunks) // the first part was read to its end
	}
	matches = max(matches, float64(seen))
	pass := max(float64(passed), 0.5) / float64(seen)
	fromIndex := min(matches, float64(aforro.SearchHitCap+1)/pass) * costIndexRow
	if (matches+priced)*costBitmapEntry+matches*pass*costColdRow < fromIndex {
		plan.source = hitsFromBitmaps
	}
	return plan, nil
}

// prefixColumns qualifies each column of an ORDER BY list with table.
func prefixColumns(order, table string) string {
	keys := strings.Split(order, ", ")
	for i, k := range keys {
		keys[i] = table + k
	}
	return strings.Join(keys, ", ")
}

// splitPrefix separates the word still being typed from q: the run of
// letters and digits q ends with, when it has at least minPrefixRunes, starts
// q or follows a space, and is not inside a quoted phrase or after "or"
// (where it would change what the query means). head is q without it.
func splitPrefix(q string) (head, prefix string) {
	i := len(q)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(q[:i])
		if !isWordRune(r) {
			break
		}
		i -= size
	}
	head, prefix = q[:i], q[i:]
	before, _ := utf8.DecodeLastRuneInString(head)
	words := strings.Fields(strings.ToLower(head))
	switch {
	case utf8.RuneCountInString(prefix) < minPrefixRunes,
		head != "" && !unicode.IsSpace(before),
		strings.Count(head, `"`)%2 == 1,
		len(words) > 0 && words[len(words)-1] == "or":
		return q, ""
	}
	return head, prefix
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
