package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/internal/human"
)

// The columns of an inventory CSV. A row names its product by exactly one
// of product_id, sku and barcode; export writes exportHeader.
const (
	colProductID = "product_id"
	colSKU       = "sku"
	colBarcode   = "barcode"
	colQuantity  = "quantity"
	colReason    = "reason"
	colNote      = "note"
)

var (
	importColumns = []string{colProductID, colSKU, colBarcode, colQuantity, colReason, colNote}
	exportHeader  = []string{colProductID, colQuantity, colReason, colNote}
)

// maxBatchBytes keeps a batch's JSON under the server's 1 MiB body limit,
// with room to spare, however long its reasons and notes are.
const maxBatchBytes = 900 << 10

// lookupWorkers is how many code lookups run at once.
const lookupWorkers = 4

// InventoryImportCmd sets or adds a store's stock from a CSV file.
type InventoryImportCmd struct {
	Store       int64  `required:"" placeholder:"ID" help:"Store id."`
	Mode        string `required:"" enum:"set,add" placeholder:"set|add" help:"set: each quantity becomes the stock (creating rows the store lacks); add: each quantity is added (negative removes). Never guessed."`
	ErrorPolicy string `default:"reject_all" enum:"reject_all,reject_failed" placeholder:"POLICY" help:"reject_all (default): if any row fails, no row is applied; reject_failed: the other rows are applied."`
	DryRun      bool   `help:"Show what the import would do, and change nothing."`
	Reason      string `placeholder:"TEXT" help:"The reason of rows whose reason cell is empty."`
	File        string `arg:"" placeholder:"FILE.csv" help:"The CSV file (- reads standard input)."`
}

// Help is shown under the usage of the command.
func (InventoryImportCmd) Help() string {
	return "The file starts with a header row naming its columns: product_id, sku or\n" +
		"barcode (each row gives exactly one; a code is looked up, and one that several\n" +
		"products share is that row's error), quantity, and optionally reason and note\n" +
		"(--reason fills empty reason cells). Rows go to the server 1,000 at a time,\n" +
		"each batch in one transaction. With reject_all and more than one batch, every\n" +
		"batch is first checked with a dry run, so a bad row anywhere applies nothing\n" +
		"(a row that another change makes fail in between still rejects only its own\n" +
		"batch). Prints how many rows applied and, for each failed row, its line and\n" +
		"why; exits 1 if any row failed. Needs a staff token that covers the store.\n\n" +
		"Examples:\n\n" +
		"    aforroctl inventory import --store 1 --mode add --reason \"delivery 2211\" delivery.csv\n" +
		"    aforroctl inventory import --store 1 --mode set --reason count --dry-run count.csv\n" +
		"    aforroctl inventory export --store 1 > stock.csv\n" +
		"    aforroctl inventory import --store 2 --mode set --reason \"copy of store 1\" stock.csv"
}

// importRow is one data row of the file.
type importRow struct {
	line      int // in the file, for people
	productID int64
	code      string // a SKU or barcode to look up; "" with productID set
	codeCol   string
	quantity  int
	reason    string
	note      string
	err       string // why the row fails; "" while it may apply
	before    *int
	after     *int
}

// importOutcome is the import's result, as -o json writes it.
type importOutcome struct {
	Store    int64           `json:"store"`
	Mode     string          `json:"mode"`
	DryRun   bool            `json:"dry_run"`
	Rejected bool            `json:"rejected"`
	Rows     int             `json:"rows"`
	Applied  int             `json:"applied"`
	Failed   int             `json:"failed"`
	Failures []importFailure `json:"failures"`
}

type importFailure struct {
	Line      int    `json:"line"`
	ProductID *int64 `json:"product_id"`
	Code      string `json:"code,omitempty"`
	Error     string `json:"error"`
}

// Run imports the file.
func (c *InventoryImportCmd) Run(a *app) error {
	var in io.Reader = a.stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return usagef("%v", err)
		}
		defer f.Close()
		in = f
	}
	rows, err := readImport(in, c.Reason)
	if err != nil {
		return err
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	if err := resolveCodes(a.ctx, cl, rows); err != nil {
		return err
	}
	duplicates(rows)
	out := importOutcome{Store: c.Store, Mode: c.Mode, DryRun: c.DryRun, Rows: len(rows), Failures: []importFailure{}}
	var good []*importRow
	for i := range rows {
		if rows[i].err == "" {
			good = append(good, &rows[i])
		}
	}
	batches := splitBatches(good)
	rejectAll := c.ErrorPolicy == aforro.BatchRejectAll
	progress := newImportProgress(a, len(good))
	switch {
	case rejectAll && len(good) < len(rows):
		// A row of the file already fails, so nothing is applied; a dry
		// run of the others finds what else would fail.
		if _, err := c.send(a, cl, batches, true, progress.phase("checking")); err != nil {
			return err
		}
		out.Rejected = true
	case rejectAll && len(batches) > 1 && !c.DryRun:
		// Each batch is its own transaction: check them all first, so one
		// bad row anywhere applies nothing.
		rejected, err := c.send(a, cl, batches, true, progress.phase("checking"))
		if err != nil {
			return err
		}
		if out.Rejected = rejected; !rejected {
			for _, r := range good {
				r.before, r.after = nil, nil
			}
			if out.Rejected, err = c.send(a, cl, batches, false, progress.phase("importing")); err != nil {
				return err
			}
		}
	default:
		if out.Rejected, err = c.send(a, cl, batches, c.DryRun, progress.phase("importing")); err != nil {
			return err
		}
	}
	progress.done()
	for i := range rows {
		r := &rows[i]
		if r.err != "" {
			f := importFailure{Line: r.line, Error: r.err}
			if r.productID != 0 {
				f.ProductID = &r.productID
			}
			out.Failures = append(out.Failures, f)
		}
	}
	out.Failed = len(out.Failures)
	if !out.Rejected {
		out.Applied = len(rows) - out.Failed
	}
	if err := writeImport(a, out); err != nil {
		return err
	}
	switch {
	case out.Failed > 0 && out.Rejected:
		return fmt.Errorf("%d of %d rows failed, so no row was applied (--error-policy reject_all)", out.Failed, out.Rows)
	case out.Failed > 0:
		return fmt.Errorf("%d of %d rows failed", out.Failed, out.Rows)
	}
	return nil
}

// send sends the batches, each under an idempotency key of its own that the
// client's retries reuse, and records each row's outcome. It reports
// whether a batch was rejected (reject_all), after which it sends no more,
// unless this is a dry run, which goes on to find every failing row.
func (c *InventoryImportCmd) send(a *app, cl *client.Client, batches [][]*importRow, dryRun bool, progress func(int)) (rejected bool, err error) {
	for _, b := range batches {
		req := aforro.StockBatch{Mode: c.Mode, ErrorPolicy: c.ErrorPolicy, DryRun: dryRun, Rows: make([]aforro.StockBatchRow, len(b))}
		for i, r := range b {
			req.Rows[i] = aforro.StockBatchRow{ProductID: &r.productID, Quantity: &r.quantity, Reason: r.reason, Note: r.note}
		}
		ans, err := cl.StockBatch(a.ctx, c.Store, req, client.NewIdempotencyKey())
		if err != nil {
			return false, err
		}
		if len(ans.Rows) != len(b) {
			return false, fmt.Errorf("the server answered %d rows for a batch of %d", len(ans.Rows), len(b))
		}
		for i, res := range ans.Rows {
			b[i].before, b[i].after = res.QuantityBefore, res.QuantityAfter
			if res.Error != nil {
				// The batch's row numbers mean nothing in the file: its lines do.
				b[i].err = batchRowRef.ReplaceAllStringFunc(rowErrorText(res.Error), func(ref string) string {
					if n, err := strconv.Atoi(ref[len("rows[") : len(ref)-1]); err == nil && n < len(b) {
						return fmt.Sprintf("line %d", b[n].line)
					}
					return ref
				})
			}
		}
		progress(len(b))
		rejected = rejected || ans.Rejected
		if rejected && !dryRun {
			break
		}
	}
	return rejected, nil
}

// rowErrorText is a row's error as a line for people: each field's problem
// under its column's name (the batch's rows[i] means nothing in a file),
// or the sentence when no field is named.
func rowErrorText(e *aforro.BatchRowError) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		col := k
		if i := strings.LastIndexByte(k, '.'); i >= 0 {
			col = k[i+1:]
		}
		parts = append(parts, col+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// readImport reads the CSV: a problem with the file as a whole (no header,
// a column missing or unknown, broken quoting) is a usage error naming its
// line; a row's own problem is that row's error.
func readImport(in io.Reader, defaultReason string) ([]importRow, error) {
	cr := csv.NewReader(in)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, usagef("the file is empty: it needs a header row (%s)", strings.Join(importColumns, ","))
	}
	if err != nil {
		return nil, usagef("read the header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(importColumns, h) {
			return nil, usagef("unknown column %q in the header row: the columns are %s", header[i], strings.Join(importColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, usagef("column %q is in the header row twice", h)
		}
		col[h] = i
	}
	if _, ok := col[colQuantity]; !ok {
		return nil, usagef("the header row has no quantity column")
	}
	_, hasID := col[colProductID]
	_, hasSKU := col[colSKU]
	_, hasBarcode := col[colBarcode]
	if !hasID && !hasSKU && !hasBarcode {
		return nil, usagef("the header row names no product column: product_id, sku or barcode")
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []importRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		r := importRow{line: line}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) || !errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, usagef("%v", err)
			}
			r.line = pe.StartLine
			r.err = fmt.Sprintf("has %d fields; the header row has %d", len(rec), len(header))
			rows = append(rows, r)
			continue
		}
		var named []string
		for _, c := range []string{colProductID, colSKU, colBarcode} {
			if cell(rec, c) != "" {
				named = append(named, c)
			}
		}
		q := cell(rec, colQuantity)
		n, qerr := strconv.Atoi(q)
		r.reason, r.note = cell(rec, colReason), cell(rec, colNote)
		if r.reason == "" {
			r.reason = defaultReason
		}
		switch {
		case len(named) == 0:
			r.err = "names no product: give a product_id, sku or barcode"
		case len(named) > 1:
			r.err = fmt.Sprintf("names its product twice (%s): give one", strings.Join(named, " and "))
		case q == "":
			r.err = "quantity: is required"
		case qerr != nil:
			r.err = fmt.Sprintf("quantity: %q is not a whole number", q)
		}
		r.quantity = n
		if r.err == "" {
			if named[0] == colProductID {
				id, err := strconv.ParseInt(cell(rec, colProductID), 10, 64)
				if err != nil || id < 1 {
					r.err = fmt.Sprintf("product_id: %q is not a product id", cell(rec, colProductID))
				}
				r.productID = id
			} else {
				r.code, r.codeCol = cell(rec, named[0]), named[0]
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, usagef("the file has a header row but no rows")
	}
	return rows, nil
}

// resolveCodes finds the product of each row named by a SKU or barcode,
// looking each distinct code up once. A code no product has, or that
// several share, is the row's error. In the sku column a product whose SKU
// it is wins (SKUs are unique); in the barcode column, one whose barcode it
// is.
func resolveCodes(ctx context.Context, cl *client.Client, rows []importRow) error {
	type key struct{ col, code string }
	found := map[key][]aforro.Product{}
	for _, r := range rows {
		if r.code != "" && r.err == "" {
			found[key{r.codeCol, r.code}] = nil
		}
	}
	if len(found) == 0 {
		return nil
	}
	keys := make(chan key)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range lookupWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				res, err := cl.LookupProducts(ctx, k.code)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("look up %s %q: %w", k.col, k.code, err)
				}
				found[k] = res.Results
				mu.Unlock()
			}
		}()
	}
	// The workers write found, so the keys are listed before they start.
	todo := slices.Collect(maps.Keys(found))
	for _, k := range todo {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		keys <- k
	}
	close(keys)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for i := range rows {
		r := &rows[i]
		if r.code == "" || r.err != "" {
			continue
		}
		ps := found[key{r.codeCol, r.code}]
		var skuMatch, other []aforro.Product
		for _, p := range ps {
			if p.SKU != nil && strings.EqualFold(*p.SKU, r.code) {
				skuMatch = append(skuMatch, p)
			} else {
				other = append(other, p)
			}
		}
		match := other
		if r.codeCol == colSKU {
			match = skuMatch
		}
		switch {
		case len(match) == 1:
			r.productID = match[0].ID
		case len(match) == 0:
			r.err = fmt.Sprintf("%s: no product has the %s %s", r.codeCol, r.codeCol, r.code)
		default:
			ids := make([]string, len(match))
			for k, p := range match {
				ids[k] = formatID(p.ID)
			}
			r.err = fmt.Sprintf("%s: %s is ambiguous: products %s share it; use their product_id", r.codeCol, r.code, strings.Join(ids, ", "))
		}
	}
	return nil
}

// batchRowRef is a batch's name of one of its rows, in an error's words.
var batchRowRef = regexp.MustCompile(`rows\[\d+\]`)

// duplicates fails every row of a product that more than one row names:
// batches would otherwise apply each (add) or the last (set), where a
// single batch refuses them; which was meant cannot be told.
func duplicates(rows []importRow) {
	at := map[int64][]int{}
	for i, r := range rows {
		if r.err == "" && r.productID != 0 {
			at[r.productID] = append(at[r.productID], i)
		}
	}
	for id, idx := range at {
		if len(idx) < 2 {
			continue
		}
		lines := make([]string, len(idx))
		for k, i := range idx {
			lines[k] = strconv.Itoa(rows[i].line)
		}
		for _, i := range idx {
			rows[i].err = fmt.Sprintf("product %d is on lines %s: give each product once", id, strings.Join(lines, ", "))
		}
	}
}

// splitBatches cuts rows into batches of at most aforro.MaxBatchRows rows
// and maxBatchBytes of JSON.
func splitBatches(rows []*importRow) [][]*importRow {
	var out [][]*importRow
	var cur []*importRow
	size := 0
	for _, r := range rows {
		b, _ := json.Marshal(aforro.StockBatchRow{ProductID: &r.productID, Quantity: &r.quantity, Reason: r.reason, Note: r.note})
		if len(cur) == aforro.MaxBatchRows || (len(cur) > 0 && size+len(b)+1 > maxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, r)
		size += len(b) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// importProgress is the progress bar of an import: on a terminal only, and
// not under -o json, so a script or a pipe gets only the summary.
type importProgress struct {
	bar   *progressbar.ProgressBar // nil: no bar
	total int
}

func newImportProgress(a *app, total int) *importProgress {
	tty, _ := terminal(a.out.stdout)
	if !tty || a.out.json() || total == 0 {
		return &importProgress{}
	}
	return &importProgress{total: total, bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(a.out.stdout),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())}
}

// phase starts a pass over the rows and returns what counts its progress.
func (p *importProgress) phase(name string) func(int) {
	if p.bar == nil {
		return func(int) {}
	}
	p.bar.Reset()
	p.bar.Describe(name)
	_ = p.bar.RenderBlank() // at once: the bar renders at most every 100 ms
	return func(n int) { _ = p.bar.Add(n) }
}

// done clears the bar, leaving the terminal to the summary.
func (p *importProgress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// writeImport writes the import's summary: a line of counts, then each
// failed row's line and error.
func writeImport(a *app, out importOutcome) error {
	if a.out.json() {
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode summary: %w", err)
		}
		return a.out.raw(b)
	}
	var head string
	switch {
	case out.Rejected:
		head = fmt.Sprintf("Store %d, mode %s: %d of %s failed; none was applied (reject_all).", out.Store, out.Mode, out.Failed, human.Plural(out.Rows, "row", "rows"))
	case out.DryRun:
		head = fmt.Sprintf("Store %d, mode %s, dry run: %s would apply, %d would fail; nothing changed.", out.Store, out.Mode, human.Plural(out.Applied, "row", "rows"), out.Failed)
	default:
		head = fmt.Sprintf("Store %d, mode %s: %s applied, %d failed.", out.Store, out.Mode, human.Plural(out.Applied, "row", "rows"), out.Failed)
	}
	if err := a.out.line(head); err != nil {
		return err
	}
	if len(out.Failures) == 0 {
		return nil
	}
	if err := a.out.blankLine(); err != nil {
		return err
	}
	cells := make([][]string, len(out.Failures))
	for i, f := range out.Failures {
		cells[i] = []string{strconv.Itoa(f.Line), csvOptionalID(f.ProductID), f.Error}
	}
	return a.out.render([]column{{title: "LINE", right: true}, {title: "PRODUCT", right: true}, {title: "ERROR", flex: true}},
		cells, nil, true)
}

// InventoryExportCmd writes a store's stock as CSV that import reads back.
type InventoryExportCmd struct {
	Store int64 `required:"" placeholder:"ID" help:"Store id."`
}

// lists lets export take -o csv, which is all it writes.
func (InventoryExportCmd) lists() {}

// Help is shown under the usage of the command.
func (InventoryExportCmd) Help() string {
	return "Writes every row of the store's stock, by product title, as CSV with the\n" +
		"header import reads (product_id,quantity,reason,note; reason and note empty),\n" +
		"fetched page by page by cursor. Needs a staff token that covers the store.\n\n" +
		"Examples:\n\n" +
		"    aforroctl inventory export --store 1 > stock.csv\n" +
		"    aforroctl inventory import --store 1 --mode set --reason count stock.csv"
}

// Run writes the CSV.
func (c *InventoryExportCmd) Run(a *app) error {
	if a.out.json() {
		return usagef("inventory export writes CSV; for JSON use \"aforroctl inventory list --store %d --all -o json\"", c.Store)
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	if err := a.out.csvRecord(exportHeader); err != nil {
		return err
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.InventoryItem], error) {
		if err := a.out.flush(); err != nil { // the rows so far go out before the next page
			return aforro.Page[aforro.InventoryItem]{}, err
		}
		return cl.ListInventory(ctx, c.Store, aforro.InventoryFilter{}, p)
	}
	for it, err := range client.All(a.ctx, fetch, aforro.MaxPageSize) {
		if err != nil {
			return err
		}
		if err := a.out.csvRecord([]string{formatID(it.ProductID), strconv.Itoa(it.Quantity), "", ""}); err != nil {
			return err
		}
	}
	return a.out.flush()
}
