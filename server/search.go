package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// searchProducts is GET /api/search/products/ (API.md, "Search").
func (s *Server) searchProducts(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr := pageRequest(q, &errs)
	if q.Has("cursor") {
		errs.Add("cursor", "search pages by number only (page), within its 1,000 ranked hits")
	}
	f := aforro.SearchFilter{
		Q:          queryText(q, "q", &errs),
		CategoryID: optionalID(q, "category", &errs),
		MinPrice:   optionalMoney(q, "min_price", &errs),
		MaxPrice:   optionalMoney(q, "max_price", &errs),
		StoreID:    optionalID(q, "store_id", &errs),
	}
	if n := utf8.RuneCountInString(f.Q); n > aforro.MaxSearchQueryLength {
		errs.Add("q", fmt.Sprintf("must be at most %d characters", aforro.MaxSearchQueryLength))
	}
	if f.MinPrice != nil && f.MaxPrice != nil && *f.MinPrice > *f.MaxPrice {
		errs.Add("min_price", "must not be greater than max_price")
	}
	if q.Has("in_stock") {
		if v, ok := triBool(q, "in_stock", &errs); ok {
			f.InStock = &v
		}
		if !q.Has("store_id") {
			errs.Add("in_stock", "requires store_id")
		}
	}
	if q.Has("sort") {
		switch f.Sort = strings.TrimSpace(q.Get("sort")); f.Sort {
		case aforro.SortRelevance, aforro.SortNewest, aforro.SortPriceAsc, aforro.SortPriceDesc:
		default:
			errs.Add("sort", "must be one of relevance, newest, price_asc, price_desc")
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.Product], error) {
		return d.SearchProducts(ctx, f, pr)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// suggest is GET /api/search/suggest/ (API.md, "Autocomplete"); rateLimited
// wraps it in the route table.
func (s *Server) suggest(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	q := queryText(req.URL.Query(), "q", &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(q); {
	case n < aforro.SuggestMinLength:
		return aforro.Errorf(aforro.EINVALID, "Query must be at least %d characters long.", aforro.SuggestMinLength)
	case n > aforro.SuggestMaxLength:
		return aforro.Errorf(aforro.EINVALID, "Query must be at most %d characters long.", aforro.SuggestMaxLength)
	}
	titles, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) ([]string, error) { return d.Suggest(ctx, q) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, aforro.SuggestResponse{Query: q, Suggestions: titles})
	return nil
}

// queryText reads a free-text parameter, trimmed. Text PostgreSQL cannot hold
// is a client error, not a database one: a NUL here, invalid UTF-8 already
// in validQuery.
func queryText(q url.Values, name string, errs *aforro.FieldErrors) string {
	v := strings.TrimSpace(q.Get(name))
	if strings.ContainsRune(v, 0) {
		errs.Add(name, "must be valid UTF-8 text without NUL characters")
		return ""
	}
	return v
}

// optionalMoney reads an optional non-negative decimal with at most two
// places; nil means absent (or invalid, with a field error recorded).
func optionalMoney(q url.Values, name string, errs *aforro.FieldErrors) *aforro.Money {
	if !q.Has(name) {
		return nil
	}
	m, err := aforro.ParseMoney(q.Get(name))
	if err != nil {
		errs.Add(name, err.Error())
		return nil
	}
	return &m
}

// triBool reads a present true/false/1/0 parameter (any case); ok is false
// when the value is none of those, and a field error is recorded.
func triBool(q url.Values, name string, errs *aforro.FieldErrors) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(q.Get(name))) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	errs.Add(name, "must be true, false, 1 or 0")
	return false, false
}
