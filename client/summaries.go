package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aforro/aforro"
)

// Summaries returns one page of daily inventory summary rows, newest day
// first, narrowed by f (Date, StoreID or AllStores). A token scoped to stores
// sees only its stores' rows.
func (c *Client) Summaries(ctx context.Context, f aforro.SummaryFilter, page PageOptions) (aforro.Page[aforro.Summary], error) {
	q := url.Values{}
	if !f.Date.IsZero() {
		q.Set("date", f.Date.Format(aforro.DateLayout))
	}
	switch {
	case f.AllStores:
		q.Set("store_id", "all")
	case f.StoreID != 0:
		q.Set("store_id", strconv.FormatInt(f.StoreID, 10))
	}
	var out aforro.Page[aforro.Summary]
	err := c.do(ctx, http.MethodGet, "/api/summaries/", page.values(q), nil, &out)
	return out, err
}

// LatestSummaries returns every visible row of the most recent summarised
// day, the all-stores row first.
func (c *Client) LatestSummaries(ctx context.Context) (aforro.DaySummaries, error) {
	var out aforro.DaySummaries
	err := c.do(ctx, http.MethodGet, "/api/summaries/latest/", nil, nil, &out)
	return out, err
}

// TodaySummary returns today's summary row so far (UTC), computed now and
// not stored: the all-stores row, or with f.StoreID one store's (f.Date is
// ignored). A token scoped to one store gets that store's row by default.
func (c *Client) TodaySummary(ctx context.Context, f aforro.SummaryFilter) (aforro.LiveSummary, error) {
	q := url.Values{}
	switch {
	case f.AllStores:
		q.Set("store_id", "all")
	case f.StoreID != 0:
		q.Set("store_id", strconv.FormatInt(f.StoreID, 10))
	}
	var out aforro.LiveSummary
	err := c.do(ctx, http.MethodGet, "/api/summaries/today/", q, nil, &out)
	return out, err
}

// RunSummaries computes today's summary so far, now (admin), and returns it.
func (c *Client) RunSummaries(ctx context.Context) (aforro.DaySummaries, error) {
	var out aforro.DaySummaries
	err := c.do(ctx, http.MethodPost, "/api/summaries/run/", nil, nil, &out)
	return out, err
}

// Jobs returns the admin view of the background jobs: this instance's
// scheduler, the last run of each daily job and the outbox counts.
func (c *Client) Jobs(ctx context.Context) (aforro.JobsStatus, error) {
	var out aforro.JobsStatus
	err := c.do(ctx, http.MethodGet, "/api/admin/jobs/", nil, nil, &out)
	return out, err
}
