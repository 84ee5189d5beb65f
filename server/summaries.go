package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// JobsReporter is what the server asks the background jobs of its process
// for the admin view.
type JobsReporter interface {
	// Status reports the instance's election and scheduler state.
	Status() aforro.SchedulerStatus
}

// summaryScope limits a filter to what tok may see: a token scoped to stores
// sees only their rows, never the all-stores rows (which fold in every other
// store's figures); asking for another store, or for the all-stores rows, is
// 403.
func summaryScope(tok aforro.Token, f *aforro.SummaryFilter) error {
	if tok.Role == aforro.RoleAdmin || len(tok.Stores) == 0 {
		return nil
	}
	if f.AllStores {
		return aforro.Errorf(aforro.EFORBIDDEN, "The all-stores summary is not visible to a token scoped to stores.")
	}
	if f.StoreID != 0 {
		if err := requireStore(tok, f.StoreID); err != nil {
			return err
		}
	}
	f.Stores = tok.Stores
	return nil
}

// summaryFilter reads date (YYYY-MM-DD) and store_id (a store id, or "all"
// for the all-stores rows).
func summaryFilter(q url.Values, errs *aforro.FieldErrors) aforro.SummaryFilter {
	var f aforro.SummaryFilter
	if q.Has("date") {
		d, err := time.Parse(aforro.DateLayout, strings.TrimSpace(q.Get("date")))
		if err != nil {
			errs.Add("date", "must be a date as YYYY-MM-DD")
		}
		f.Date = d
	}
	if q.Has("store_id") {
		v := strings.TrimSpace(q.Get("store_id"))
		if strings.EqualFold(v, "all") {
			f.AllStores = true
		} else if id, err := strconv.ParseInt(v, 10, 64); err != nil || id < 1 {
			errs.Add("store_id", `must be a positive integer id, or "all" for the all-stores rows`)
		} else {
			f.StoreID = id
		}
	}
	return f
}

func (s *Server) listSummaries(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := summaryFilter(q, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := summaryScope(tokenFrom(req.Context()), &f); err != nil {
		return err
	}
	page, err := s.db.ListSummaries(req.Context(), f, pr)
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

func (s *Server) latestSummaries(w http.ResponseWriter, req bunrouter.Request) error {
	var f aforro.SummaryFilter
	if err := summaryScope(tokenFrom(req.Context()), &f); err != nil {
		return err
	}
	day, err := s.db.LatestSummaries(req.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, day)
	return nil
}

// todaySummary answers today's summary row so far, computed now and not
// stored: the all-stores row by default (store_id=all says so too), or one
// store's. A token scoped to stores never sees the all-stores row; without
// store_id it gets its store's row when it covers exactly one, else it must
// name one.
func (s *Server) todaySummary(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	var errs aforro.FieldErrors
	only := url.Values{} // store_id alone: a date has no meaning here
	if q.Has("store_id") {
		only["store_id"] = q["store_id"]
	}
	f := summaryFilter(only, &errs)
	if q.Has("date") {
		errs.Add("date", "is not accepted: this row is always today's (UTC); GET /api/summaries/?date= lists stored days")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	tok := tokenFrom(req.Context())
	if scoped := tok.Role != aforro.RoleAdmin && len(tok.Stores) > 0; scoped && !f.AllStores && f.StoreID == 0 {
		if len(tok.Stores) > 1 {
			errs.Add("store_id", "is required: this token covers several stores, so name one")
			return errs.Err()
		}
		f.StoreID = tok.Stores[0]
	}
	if err := summaryScope(tok, &f); err != nil {
		return err
	}
	row, err := s.db.LiveSummary(req.Context(), f.StoreID, time.Now(), s.cfg.LowStock)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, row)
	return nil
}

// runSummaries computes today's summary so far, now, on this instance: it
// calls the job's function directly, whoever leads the scheduler, and
// replaces today's rows (the midnight run replaces them again with the whole
// day).
func (s *Server) runSummaries(w http.ResponseWriter, req bunrouter.Request) error {
	now := time.Now()
	rows, err := s.db.GenerateSummaries(req.Context(), now, s.cfg.LowStock)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, aforro.DaySummaries{Date: now.UTC().Format(aforro.DateLayout), Results: rows})
	return nil
}

// jobsStatus answers the admin view of the background jobs: this instance's
// scheduler (null with --no-jobs), the latest run of each daily job and the
// outbox counts, the last two read from PostgreSQL and so cluster-wide.
func (s *Server) jobsStatus(w http.ResponseWriter, req bunrouter.Request) error {
	var st aforro.JobsStatus
	if s.cfg.Jobs != nil {
		sched := s.cfg.Jobs.Status()
		st.Scheduler = &sched
	}
	var err error
	if st.LastRuns, err = s.db.LastJobRuns(req.Context()); err != nil {
		return err
	}
	if st.Outbox, err = s.db.OutboxCounts(req.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
