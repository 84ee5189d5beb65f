package aforro

import "math"

// Pagination limits shared by every list endpoint.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageRequest is a validated, 1-based page request.
type PageRequest struct {
	Page     int
	PageSize int
}

// Offset is the number of rows before the requested page. It saturates
// instead of overflowing, so a page number far past any list (page=7e17)
// is simply out of range, never a negative offset.
func (p PageRequest) Offset() int {
	if p.PageSize > 0 && p.Page-1 > math.MaxInt/p.PageSize {
		return math.MaxInt
	}
	return (p.Page - 1) * p.PageSize
}

// Page is the envelope of every list answer.
type Page[T any] struct {
	Count       int  `json:"count"`
	Page        int  `json:"page"`
	PageSize    int  `json:"page_size"`
	TotalPages  int  `json:"total_pages"`
	HasNext     bool `json:"has_next"`
	HasPrevious bool `json:"has_previous"`
	// CountCapped is true when Count stopped at a cap (search counts at most 1,000 hits).
	CountCapped bool `json:"count_capped,omitempty"`
	Results     []T  `json:"results"`
}

// TotalPages is the number of pages count rows fill; an empty list has none.
func TotalPages(count, pageSize int) int {
	if count <= 0 || pageSize <= 0 {
		return 0
	}
	return (count + pageSize - 1) / pageSize
}

// CheckPage reports EPAGEOUTOFRANGE when req asks for a page past the last of
// count rows. Page 1 of an empty list is always in range.
func CheckPage(req PageRequest, count int) error {
	if req.Page == 1 {
		return nil
	}
	if tp := TotalPages(count, req.PageSize); req.Page > tp {
		return Errorf(EPAGEOUTOFRANGE, "Page %d is out of range: the last page is %d.", req.Page, max(tp, 1))
	}
	return nil
}

// NewPage builds the envelope for results, which hold the rows of req's page
// out of count in all.
func NewPage[T any](req PageRequest, count int, results []T) Page[T] {
	if results == nil {
		results = []T{}
	}
	tp := TotalPages(count, req.PageSize)
	return Page[T]{
		Count:       count,
		Page:        req.Page,
		PageSize:    req.PageSize,
		TotalPages:  tp,
		HasNext:     req.Page < tp,
		HasPrevious: req.Page > 1,
		Results:     results,
	}
}
