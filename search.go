package aforro

// Search limits (API.md, "Search" and "Autocomplete").
const (
	// SearchHitCap is the most hits a search counts and ranks; beyond it the
	// page envelope says CountCapped.
	SearchHitCap = 1000
	// MaxSearchQueryLength bounds q of a search, in characters.
	MaxSearchQueryLength = 200
	// SuggestMinLength and SuggestMaxLength bound the trimmed q of an
	// autocomplete request, in characters.
	SuggestMinLength = 3
	SuggestMaxLength = 100
	// MaxSuggestions is the most titles an autocomplete answer holds.
	MaxSuggestions = 10
)

// Search orders.
const (
	SortRelevance = "relevance" // the default with q: best match first
	SortNewest    = "newest"    // the default without q: created_at, newest first
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
)

// SearchFilter is a validated GET /api/search/products/ request, less its
// page. Zero values mean "no constraint".
type SearchFilter struct {
	// Q is the trimmed query, in web-search syntax: words (all must match),
	// "quoted phrases", -excluded words and "or". The last word, while it is
	// not yet a whole title word, also matches as a prefix, and a query that
	// finds nothing is retried with misspelt words corrected.
	Q          string
	CategoryID int64
	// MinPrice and MaxPrice bound the price, inclusive; nil means unbounded.
	MinPrice, MaxPrice *Money
	// StoreID adds each product's quantity in that store (StoreQuantity).
	StoreID int64
	// InStock, which needs StoreID, keeps only products the store has in
	// stock (true) or only those it has none of, stocked at zero or not
	// stocked at all (false).
	InStock *bool
	// Sort is one of the Sort constants; empty means the default for Q. With
	// Q, the order applies to the hits found, at most SearchHitCap of them.
	Sort string
}

// SortOrDefault returns f.Sort, or the default order for f.Q when it is
// empty. Relevance without a query has nothing to rank by, so it means newest.
func (f SearchFilter) SortOrDefault() string {
	switch {
	case f.Sort == "" && f.Q != "":
		return SortRelevance
	case f.Sort == "" || (f.Sort == SortRelevance && f.Q == ""):
		return SortNewest
	}
	return f.Sort
}

// SuggestResponse is the body of GET /api/search/suggest/.
type SuggestResponse struct {
	Query       string   `json:"query"`
	Suggestions []string `json:"suggestions"`
}
