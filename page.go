package aforro

import (
	"encoding/json"
	"math"
)

// Pagination limits shared by every list endpoint.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// ListCountCap is the most rows a list counts exactly, as search counts
	// at most SearchHitCap hits: beyond it the envelope says CountCapped, so
	// no page ever counts a million rows.
	ListCountCap = 1000
	// TextCountCap is ListCountCap for a list filtered by a title word (a
	// store's inventory with ?q=): counting tests the word against every
	// row walked until the cap, about 1 us a row, so a common word counted
	// to 1,000 cost milliseconds a page (docs/benchmarks.md, issue 14).
	TextCountCap = 100
)

// PageRequest is a validated, 1-based page request, or a cursor page: After
// holds the sort key of the last row the previous page answered, and the
// page holds the rows after it (Page is then ignored).
type PageRequest struct {
	Page     int
	PageSize int
	After    []string
}

// Cursored reports whether req asks for the rows after a cursor.
func (p PageRequest) Cursored() bool { return p.After != nil }

// Offset is the number of rows before the requested page. It saturates
// instead of overflowing, so a page number far past any list (page=7e17)
// is simply out of range, never a negative offset.
func (p PageRequest) Offset() int {
	if p.Cursored() {
		return 0
	}
	if p.PageSize > 0 && p.Page-1 > math.MaxInt/p.PageSize {
		return math.MaxInt
	}
	return (p.Page - 1) * p.PageSize
}

// Page is the envelope of every list answer.
type Page[T any] struct {
	Count       int
	Page        int
	PageSize    int
	TotalPages  int
	HasNext     bool
	HasPrevious bool
	// CountCapped is true when Count stopped at a cap (ListCountCap,
	// TextCountCap for a title word, or SearchHitCap for search): the list has more rows than Count says.
	CountCapped bool
	// Cursored is true for a page asked for by cursor: such a page is not
	// counted, and Count, Page and TotalPages are null in its JSON.
	Cursored bool
	// NextCursor continues the list after this page ("" on the last page,
	// null in JSON). Next is what it encodes: the sort key of the last row,
	// set by the database layer when more rows follow.
	NextCursor string
	Next       []string
	Results    []T
}

// pageJSON is Page on the wire.
type pageJSON[T any] struct {
	Count       *int    `json:"count"`
	Page        *int    `json:"page"`
	PageSize    int     `json:"page_size"`
	TotalPages  *int    `json:"total_pages"`
	HasNext     bool    `json:"has_next"`
	HasPrevious bool    `json:"has_previous"`
	CountCapped bool    `json:"count_capped,omitempty"`
	NextCursor  *string `json:"next_cursor"`
	Results     []T     `json:"results"`
}

// MarshalJSON writes the envelope of API.md (see Wire).
func (p Page[T]) MarshalJSON() ([]byte, error) { return json.Marshal(p.Wire()) }

// Wire returns the envelope of API.md as a value that encoding/json writes
// directly, with nulls where a cursor page has no count and where the list
// has no next page. Encoding it rather than the Page spares the re-reading
// and compacting encoding/json gives whatever a MarshalJSON returns.
func (p Page[T]) Wire() any {
	w := pageJSON[T]{PageSize: p.PageSize, HasNext: p.HasNext, HasPrevious: p.HasPrevious,
		CountCapped: p.CountCapped, Results: p.Results}
	if w.Results == nil {
		w.Results = []T{}
	}
	if !p.Cursored {
		w.Count, w.Page, w.TotalPages = &p.Count, &p.Page, &p.TotalPages
	}
	if p.NextCursor != "" {
		w.NextCursor = &p.NextCursor
	}
	return w
}

// UnmarshalJSON reads what MarshalJSON writes; a null count means a cursor page.
func (p *Page[T]) UnmarshalJSON(b []byte) error {
	var w pageJSON[T]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Page[T]{PageSize: w.PageSize, HasNext: w.HasNext, HasPrevious: w.HasPrevious,
		CountCapped: w.CountCapped, Cursored: w.Count == nil, Results: w.Results}
	for dst, src := range map[*int]*int{&p.Count: w.Count, &p.Page: w.Page, &p.TotalPages: w.TotalPages} {
		if src != nil {
			*dst = *src
		}
	}
	if w.NextCursor != nil {
		p.NextCursor = *w.NextCursor
	}
	return nil
}

// TotalPages is the number of pages count rows fill; an empty list has none.
func TotalPages(count, pageSize int) int {
	if count <= 0 || pageSize <= 0 {
		return 0
	}
	return (count + pageSize - 1) / pageSize
}

// CheckPage reports EPAGEOUTOFRANGE when req asks for a page past the last of
// count rows. Page 1 of an empty list is always in range, and so is any page
// of a capped count, whose end is unknown until the page is read.
func CheckPage(req PageRequest, count int, capped bool) error {
	if req.Page == 1 || req.Cursored() || capped {
		return nil
	}
	if tp := TotalPages(count, req.PageSize); req.Page > tp {
		return Errorf(EPAGEOUTOFRANGE, "Page %d is out of range: the last page is %d.", req.Page, max(tp, 1))
	}
	return nil
}

// NewPage builds the envelope for results, which hold the rows of req's page
// out of count in all (at least count when capped); more says whether rows
// follow the page.
func NewPage[T any](req PageRequest, count int, capped, more bool, results []T) Page[T] {
	if results == nil {
		results = []T{}
	}
	p := Page[T]{
		PageSize:    req.PageSize,
		HasNext:     more,
		HasPrevious: req.Page > 1 || req.Cursored(),
		Cursored:    req.Cursored(),
		Results:     results,
	}
	if !p.Cursored {
		p.Count, p.CountCapped, p.Page = count, capped, req.Page
		p.TotalPages = TotalPages(count, req.PageSize)
		if capped {
			// A page past the capped count exists when it has rows: the
			// pages run at least that far.
			p.TotalPages = max(p.TotalPages, req.Page)
		}
	}
	return p
}
