package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// SummaryCmd groups the daily summary commands.
type SummaryCmd struct {
	Latest SummaryLatestCmd `cmd:"" help:"Show the newest daily summary."`
	Show   SummaryShowCmd   `cmd:"" help:"Show the daily summary of one day."`
	Today  SummaryTodayCmd  `cmd:"" help:"Show today so far, computed now (live, not stored)."`
	Run    SummaryRunCmd    `cmd:"" help:"Compute today's summary so far, now (admin token)."`
}

// Help is shown under the usage of "aforroctl summary --help".
func (SummaryCmd) Help() string {
	return "A daily summary has one row per store and one for all stores together: the\n" +
		"stock when it was generated (SKUs, units, out of stock, the low-stock items)\n" +
		"and the orders of that UTC day. The server generates it after midnight UTC.\n" +
		"Reading needs a staff token; a token scoped to stores sees only theirs.\n" +
		"LOW STOCK counts the items at or below the server's threshold (--store lists\n" +
		"them); CONFIRMED counts the day's orders confirmed, even if cancelled later,\n" +
		"but UNITS SOLD and REVENUE count only the orders still confirmed: a cancelled\n" +
		"order sold nothing. \"summary today\" computes today's figures so far, now.\n" +
		"Where the table would not fit, its headers shorten to OUT, LOW, CONF, REJ, CANC\n" +
		"and SOLD.\n\n" +
		"Examples:\n\n" +
		"    aforroctl summary latest\n" +
		"    aforroctl summary latest --store 1\n" +
		"    aforroctl summary show --date 2026-03-01 --store all\n" +
		"    aforroctl summary today --store 1\n" +
		"    aforroctl summary run"
}

// SummaryLatestCmd shows the newest summary.
type SummaryLatestCmd struct {
	Store int64 `placeholder:"ID" help:"Only this store's newest row, with its low-stock items."`
}

// Help is shown under the usage of the command.
func (SummaryLatestCmd) Help() string {
	return "With -o json it prints GET /api/summaries/latest/ as it is; with --store, the\n" +
		"page GET /api/summaries/?store_id=ID&page_size=1 (either way, .results holds\n" +
		"the rows).\n\n" +
		"Examples:\n\n" +
		"    aforroctl summary latest\n" +
		"    aforroctl summary latest --store 1\n" +
		"    aforroctl summary latest -o json | jq -r '.results[] | [.store_name, .revenue] | @tsv'"
}

// Validate rejects a store that cannot exist.
func (c *SummaryLatestCmd) Validate() error {
	if c.Store < 0 {
		return errors.New("--store must be a store id")
	}
	return nil
}

// Run shows the newest summary.
func (c *SummaryLatestCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	if c.Store == 0 {
		return emit(a, cl.LatestSummaries, func(d aforro.DaySummaries) error {
			if a.out.csv() {
				return writeCSV(a.out, summaryView, d.Results)
			}
			return writeSummaries(a.out, d.Results, false)
		})
	}
	// The rows are newest first, so the first row of the store's list is
	// its newest.
	var body []byte
	ctx := client.WithResponseBody(a.ctx, func(b []byte) { body = b })
	page, err := cl.Summaries(ctx, aforro.SummaryFilter{StoreID: c.Store}, client.PageOptions{PageSize: 1})
	if err != nil {
		return err
	}
	if len(page.Results) == 0 {
		return fmt.Errorf("no daily summary of store %d has been generated yet; \"aforroctl summary run\" computes today's", c.Store)
	}
	switch {
	case a.out.json():
		return a.out.raw(body)
	case a.out.csv():
		return writeCSV(a.out, summaryView, page.Results)
	}
	return writeSummaries(a.out, page.Results, true)
}

// lists lets latest take -o csv: it answers summary rows, as show does.
func (SummaryLatestCmd) lists() {}

// SummaryShowCmd shows the summary of one day.
type SummaryShowCmd struct {
	Date  day        `required:"" placeholder:"YYYY-MM-DD" help:"The UTC day."`
	Store storeScope `placeholder:"ID|all" help:"Only this store's row, or only the all-stores row (all), with its low-stock items."`
	Paging
}

// Help is shown under the usage of the command.
func (SummaryShowCmd) Help() string {
	return "Examples:\n\n" +
		"    aforroctl summary show --date 2026-03-01\n" +
		"    aforroctl summary show --date 2026-03-01 --store 2\n" +
		"    aforroctl summary show --date 2026-03-01 --store all -o json | jq '.results[0].low_stock'"
}

// Run shows the day's summary.
func (c *SummaryShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.SummaryFilter{Date: time.Time(c.Date), StoreID: c.Store.id, AllStores: c.Store.all}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.Summary], error) {
		return cl.Summaries(ctx, f, p)
	}
	v := summaryView
	v.write = func(p *printer, rows []aforro.Summary) error { return writeSummaries(p, rows, c.Store.set()) }
	return list(a, c.Paging, fetch, v)
}

// SummaryTodayCmd shows today's summary row so far, live.
type SummaryTodayCmd struct {
	Store storeScope `placeholder:"ID|all" help:"This store's row, with its low-stock items, or all (the default; a token scoped to one store gets its store)."`
}

// Help is shown under the usage of the command.
func (SummaryTodayCmd) Help() string {
	return "Computes one row now from the stock as it is and today's (UTC) orders so far,\n" +
		"without storing it: GET /api/summaries/today/ (-o json prints it as it is,\n" +
		"with \"live\": true). The stored daily rows (latest, show) are made after\n" +
		"midnight UTC.\n\n" +
		"Examples:\n\n" +
		"    aforroctl summary today\n" +
		"    aforroctl summary today --store 1\n" +
		"    aforroctl summary today --store 1 -o json | jq .revenue"
}

// Run shows today's row.
func (c *SummaryTodayCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.SummaryFilter{StoreID: c.Store.id, AllStores: c.Store.all}
	call := func(ctx context.Context) (aforro.LiveSummary, error) { return cl.TodaySummary(ctx, f) }
	return emit(a, call, func(s aforro.LiveSummary) error {
		head := fmt.Sprintf("Today so far (%s UTC), live at %s; not a stored daily summary.", s.Date, formatTime(s.ComputedAt))
		return writeSummaryRows(a.out, head, []aforro.Summary{s.Summary}, s.StoreID != nil)
	})
}

// SummaryRunCmd computes today's summary now.
type SummaryRunCmd struct{}

// Help is shown under the usage of the command.
func (SummaryRunCmd) Help() string {
	return "Needs an admin token. Computes today's rows from the stock now and today's\n" +
		"orders so far, replacing any earlier rows of today; the run after midnight\n" +
		"replaces them again with the whole day.\n\n" +
		"Examples:\n\n" +
		"    aforroctl summary run\n" +
		"    aforroctl summary run -o json | jq -r .date"
}

// Run computes the summary.
func (c *SummaryRunCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, cl.RunSummaries, func(d aforro.DaySummaries) error { return writeSummaries(a.out, d.Results, false) })
}

// day is a --date flag: a calendar day as YYYY-MM-DD.
type day time.Time

// UnmarshalText parses a day.
func (d *day) UnmarshalText(b []byte) error {
	t, err := time.Parse(aforro.DateLayout, strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%q is not a date as YYYY-MM-DD", b)
	}
	*d = day(t)
	return nil
}

// storeScope is a summary's --store flag: a store id, or "all" for the
// all-stores row.
type storeScope struct {
	id  int64
	all bool
}

// UnmarshalText parses a store id or "all".
func (s *storeScope) UnmarshalText(b []byte) error {
	v := strings.TrimSpace(string(b))
	if strings.EqualFold(v, "all") {
		*s = storeScope{all: true}
		return nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return fmt.Errorf("%q is neither a store id nor \"all\"", b)
	}
	*s = storeScope{id: id}
	return nil
}

// set reports whether the flag was given.
func (s storeScope) set() bool { return s.all || s.id != 0 }

// summaryView is the table of summary rows, one per store, highlighting
// out-of-stock and low-stock counts.
var summaryView = view[aforro.Summary]{
	noun: "summary rows",
	columns: []column{{title: "STORE", flex: true}, {title: "SKUS", right: true}, {title: "UNITS", right: true},
		{title: "OUT OF STOCK", short: "OUT", right: true}, {title: "LOW STOCK", short: "LOW", right: true},
		{title: "CONFIRMED", short: "CONF", right: true}, {title: "REJECTED", short: "REJ", right: true},
		{title: "CANCELLED", short: "CANC", right: true}, {title: "UNITS SOLD", short: "SOLD", right: true},
		{title: "REVENUE", right: true}},
	cells: func(s aforro.Summary) []string {
		low := strconv.Itoa(len(s.LowStock))
		if len(s.LowStock) >= aforro.MaxSummaryLowStock {
			low += "+" // the server lists at most that many
		}
		return []string{s.StoreName, fmtInt(s.SKUCount), fmtInt(s.TotalUnits), fmtInt(s.OutOfStock), low,
			fmtInt(s.OrdersConfirmed), fmtInt(s.OrdersRejected), fmtInt(s.OrdersCancelled), fmtInt(s.UnitsSold),
			s.Revenue.String()}
	},
	// A row's low-stock items are a list: CSV has their number.
	csvHeader: []string{"date", "store_id", "store_name", "sku_count", "total_units", "out_of_stock", "low_stock_count",
		"orders_confirmed", "orders_rejected", "orders_cancelled", "units_sold", "revenue", "generated_at"},
	csvRecord: func(s aforro.Summary) []string {
		return []string{s.Date, csvOptionalID(s.StoreID), s.StoreName, fmtInt(s.SKUCount), fmtInt(s.TotalUnits),
			fmtInt(s.OutOfStock), strconv.Itoa(len(s.LowStock)), fmtInt(s.OrdersConfirmed), fmtInt(s.OrdersRejected),
			fmtInt(s.OrdersCancelled), fmtInt(s.UnitsSold), s.Revenue.String(), csvTime(s.GeneratedAt)}
	},
	// The indexes are those of the columns above.
	cellMarks: func(s aforro.Summary) []mark {
		m := make([]mark, 10)
		if s.OutOfStock > 0 {
			m[3] = markOut
		}
		if len(s.LowStock) > 0 {
			m[4] = markLow
		}
		if s.OrdersRejected > 0 {
			m[6] = markRejected
		}
		return m
	},
}

// lowStockView is the table of a summary row's low-stock items.
var lowStockView = view[aforro.SummaryItem]{
	noun:    "low-stock items",
	columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "QTY", right: true}},
	cells: func(it aforro.SummaryItem) []string {
		return []string{formatID(it.ProductID), it.Title, fmtInt(it.Quantity)}
	},
	mark: func(it aforro.SummaryItem) mark {
		if it.Quantity <= 0 {
			return markOut
		}
		return markLow
	},
}

// writeSummaries writes summary rows under a line naming their day, and with
// lowStock, when there is one row, that row's low-stock items below them.
func writeSummaries(p *printer, rows []aforro.Summary, lowStock bool) error {
	if len(rows) == 0 {
		p.note("No summary rows.")
		return nil
	}
	// Every row is of one day, generated in one run.
	head := fmt.Sprintf("Daily summary of %s (UTC), generated %s.", rows[0].Date, formatTime(rows[0].GeneratedAt))
	return writeSummaryRows(p, head, rows, lowStock)
}

// writeSummaryRows writes rows under the line head, and with lowStock, when
// there is one row, that row's low-stock items below them.
func writeSummaryRows(p *printer, head string, rows []aforro.Summary, lowStock bool) error {
	if err := p.line(head); err != nil {
		return err
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	if err := writeTable(p, summaryView, rows); err != nil {
		return err
	}
	if !lowStock || len(rows) != 1 {
		return nil
	}
	if len(rows[0].LowStock) == 0 {
		p.note("No low-stock items.")
		return nil
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	if len(rows[0].LowStock) >= aforro.MaxSummaryLowStock {
		p.note("The low-stock list holds the %d items with the least stock.", aforro.MaxSummaryLowStock)
	}
	return writeTable(p, lowStockView, rows[0].LowStock)
}

// fmtInt formats a count.
func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
