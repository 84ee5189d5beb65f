package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// TransfersCmd groups the transfer commands.
type TransfersCmd struct {
	Create  TransfersCreateCmd  `cmd:"" help:"Draft a transfer of stock from one store to another."`
	List    TransfersListCmd    `cmd:"" help:"List a store's transfers, newest first."`
	Show    TransfersShowCmd    `cmd:"" help:"Show one transfer, its lines and receipts."`
	Ship    TransfersShipCmd    `cmd:"" help:"Ship a draft: every line leaves the source, or none does."`
	Receive TransfersReceiveCmd `cmd:"" help:"Record a receipt at the destination: units accepted and rejected."`
	Cancel  TransfersCancelCmd  `cmd:"" help:"Cancel a transfer; units still on the road return to the source."`
}

// Help is shown under the usage of "aforroctl transfers --help".
func (TransfersCmd) Help() string {
	return "A staff token covering the source store may create, ship and cancel; one\n" +
		"covering the destination may receive; either may list and show.\n\nExamples:\n\n" +
		"    aforroctl transfers create --from 1 --to 2 --line 643:10 --line 124:4\n" +
		"    aforroctl transfers create --from 1 --to 2 --lines-file restock.csv --reference R-77\n" +
		"    aforroctl transfers ship 5\n" +
		"    aforroctl transfers list --store 2 --direction in --status shipped\n" +
		"    aforroctl transfers receive 5 --line 643:9:1:damaged\n" +
		"    aforroctl transfers receive 5 --all\n" +
		"    aforroctl transfers cancel 5"
}

// TransfersCreateCmd drafts a transfer.
type TransfersCreateCmd struct {
	From           int64          `required:"" placeholder:"ID" help:"Source store id."`
	To             int64          `required:"" placeholder:"ID" help:"Destination store id."`
	Line           []transferLine `placeholder:"PRODUCT:QTY" help:"One line: a product id and the quantity (default 1). Repeat the flag, or separate lines with commas."`
	LinesFile      string         `placeholder:"FILE" help:"Read lines from a CSV file (product_id,quantity; a header line is skipped; - reads stdin)."`
	Note           string         `placeholder:"TEXT" help:"A note for the receiving store."`
	Reference      string         `placeholder:"REF" help:"Your reference, such as a delivery note number."`
	IdempotencyKey string         `placeholder:"KEY" help:"Idempotency key: the same key with the same draft creates it once. Default: a new random key."`
}

// Help is shown under the usage of the command.
func (TransfersCreateCmd) Help() string {
	return "The draft touches no stock until it is shipped. Lines come from --line flags,\n" +
		"a CSV file, or both.\n\nExamples:\n\n" +
		"    aforroctl transfers create --from 1 --to 2 --line 643:10,124:4 --note 'for the weekend'\n" +
		"    aforroctl transfers create --from 1 --to 2 --lines-file restock.csv -o json | jq .id"
}

// Run creates the draft.
func (c *TransfersCreateCmd) Run(a *app) error {
	if c.From == c.To {
		return usagef("--to must differ from --from: a transfer moves stock between two stores")
	}
	req := aforro.CreateTransfer{SourceStoreID: c.From, DestinationStoreID: c.To, Note: c.Note, Reference: c.Reference}
	for _, l := range c.Line {
		req.Lines = append(req.Lines, aforro.TransferLineInput(l))
	}
	if c.LinesFile != "" {
		rows, err := readCSV(a, c.LinesFile, 2)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var l transferLine
			if err := l.UnmarshalText([]byte(r.fields[0] + ":" + r.fields[1])); err != nil {
				return usagef("%s line %d: %v", c.LinesFile, r.line, err)
			}
			req.Lines = append(req.Lines, aforro.TransferLineInput(l))
		}
	}
	if len(req.Lines) == 0 {
		return usagef("give the transfer's lines with --line or --lines-file")
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	key := c.IdempotencyKey
	if key == "" {
		key = client.NewIdempotencyKey()
	}
	var replayed bool
	var created aforro.Transfer
	err = emit(a, func(ctx context.Context) (aforro.Transfer, error) {
		var err error
		created, replayed, err = cl.CreateTransfer(ctx, req, key)
		return created, err
	}, func(t aforro.Transfer) error { return writeTransfer(a.out, t) })
	if err := unreachableWithKey(err, key, "created"); err != nil {
		return err
	}
	if replayed {
		a.out.note("Transfer %d was created earlier with this idempotency key; this is its original answer.", created.ID)
	}
	return nil
}

// unreachableWithKey adds to a lost answer which key makes a repeat safe.
func unreachableWithKey(err error, key, done string) error {
	var ce *client.ConnError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w\nIf the server received the request, the transfer was %s; repeating the command "+
			"with --idempotency-key %s cannot do it twice", err, done, key)
	}
	return err
}

// transferLine is one --line of a new transfer: "PRODUCT:QTY", or "PRODUCT"
// for one unit.
type transferLine aforro.TransferLineInput

// UnmarshalText parses a line; the server judges the numbers.
func (l *transferLine) UnmarshalText(b []byte) error {
	var o orderLine
	if err := o.UnmarshalText(b); err != nil {
		return err
	}
	*l = transferLine{ProductID: o.ProductID, Quantity: o.QuantityRequested}
	return nil
}

// receiptLine is one --line of a receipt:
// "PRODUCT:ACCEPTED[:REJECTED:REASON]".
type receiptLine aforro.ReceiptLineInput

const receiptLineSyntax = "PRODUCT:ACCEPTED[:REJECTED:REASON] (such as 643:9 or 643:9:1:damaged)"

// UnmarshalText parses a receipt line; the server judges the numbers and
// the reason.
func (l *receiptLine) UnmarshalText(b []byte) error {
	parts := strings.Split(strings.TrimSpace(string(b)), ":")
	if len(parts) != 2 && len(parts) != 4 {
		return fmt.Errorf("%q is not %s", b, receiptLineSyntax)
	}
	p, err1 := strconv.ParseInt(parts[0], 10, 64)
	acc, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%q is not %s", b, receiptLineSyntax)
	}
	*l = receiptLine{ProductID: p, Accepted: acc}
	if len(parts) == 4 {
		rej, err := strconv.Atoi(parts[2])
		if err != nil {
			return fmt.Errorf("%q is not %s", b, receiptLineSyntax)
		}
		l.Rejected, l.Reason = rej, parts[3]
	}
	return nil
}

// csvRow is one data row of a lines file, with its line number.
type csvRow struct {
	line   int
	fields []string
}

// readCSV reads a lines file (or stdin for "-"): rows of at least min
// fields, skipping blank lines and a first line that does not start with a
// number (a header).
func readCSV(a *app, path string, min int) ([]csvRow, error) {
	var r io.Reader = a.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("cannot read the lines file: %v", err)
		}
		defer f.Close()
		r = f
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows []csvRow
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, usagef("%s: %v", path, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if n == 1 {
			if _, err := strconv.ParseInt(strings.TrimSpace(rec[0]), 10, 64); err != nil {
				continue // a header
			}
		}
		if len(rec) < min {
			return nil, usagef("%s line %d: want at least %d fields, got %d", path, n, min, len(rec))
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, csvRow{line: n, fields: rec})
	}
}

// TransfersListCmd lists a store's transfers.
type TransfersListCmd struct {
	Store     int64  `required:"" placeholder:"ID" help:"Store id."`
	Direction string `placeholder:"in|out" help:"in: transfers the store receives; out: those it ships (default both)."`
	Status    string `placeholder:"STATUS" help:"Only transfers in this state: draft, shipped, partially_received, received or cancelled."`
	Paging
}

// Help is shown under the usage of the command.
func (TransfersListCmd) Help() string {
	return "UNITS is the sum of the lines' quantities; IN TRANSIT what is still on the road.\n\nExamples:\n\n" +
		"    aforroctl transfers list --store 2 --direction in --status shipped\n" +
		"    aforroctl transfers list --store 1 --all -o csv > transfers.csv"
}

// Run lists the transfers.
func (c *TransfersListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := client.TransferFilter{Direction: c.Direction, Status: c.Status}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.TransferSummary], error) {
		return cl.ListStoreTransfers(ctx, c.Store, f, p)
	}
	return list(a, c.Paging, fetch, transferSummaryView())
}

func transferSummaryView() view[aforro.TransferSummary] {
	return view[aforro.TransferSummary]{
		noun: "transfers",
		columns: []column{{title: "ID", right: true}, {title: "STATUS"}, {title: "FROM", right: true}, {title: "TO", right: true},
			{title: "CREATED"}, {title: "UNITS", right: true}, {title: "IN TRANSIT", short: "TRANSIT", right: true},
			{title: "REFERENCE", flex: true}},
		cells: func(t aforro.TransferSummary) []string {
			return []string{formatID(t.ID), t.Status, formatID(t.SourceStoreID), formatID(t.DestinationStoreID),
				formatTime(t.CreatedAt), strconv.Itoa(t.TotalUnits), strconv.Itoa(t.InTransit), t.Reference}
		},
		csvHeader: []string{"id", "status", "source_store_id", "destination_store_id", "created_at", "total_units", "in_transit", "reference"},
		csvRecord: func(t aforro.TransferSummary) []string {
			return []string{formatID(t.ID), t.Status, formatID(t.SourceStoreID), formatID(t.DestinationStoreID),
				csvTime(t.CreatedAt), strconv.Itoa(t.TotalUnits), strconv.Itoa(t.InTransit), t.Reference}
		},
	}
}

// TransfersShowCmd shows one transfer.
type TransfersShowCmd struct {
	ID int64 `arg:"" help:"Transfer id."`
}

// Run shows the transfer.
func (c *TransfersShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Transfer, error) { return cl.Transfer(ctx, c.ID) },
		func(t aforro.Transfer) error { return writeTransfer(a.out, t) })
}

// TransfersShipCmd ships a draft.
type TransfersShipCmd struct {
	ID             int64  `arg:"" help:"Transfer id."`
	IdempotencyKey string `placeholder:"KEY" help:"Idempotency key: the same key ships once and answers every repeat with the first answer. Default: a new random key."`
}

// Help is shown under the usage of the command.
func (TransfersShipCmd) Help() string {
	return "When the source is short of any line nothing ships: the command exits 1 and\n" +
		"names each short line on stderr.\n\nExamples:\n\n" +
		"    aforroctl transfers ship 5\n" +
		"    aforroctl transfers ship 5 --idempotency-key van2-0611"
}

// Run ships the transfer.
func (c *TransfersShipCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	key := c.IdempotencyKey
	if key == "" {
		key = client.NewIdempotencyKey()
	}
	err = emit(a, func(ctx context.Context) (aforro.Transfer, error) {
		t, _, err := cl.ShipTransfer(ctx, c.ID, key)
		return t, err
	}, func(t aforro.Transfer) error { return writeTransfer(a.out, t) })
	var ae *client.APIError
	if errors.As(err, &ae) && len(ae.RejectedItems) > 0 {
		lines := make([]string, len(ae.RejectedItems))
		for i, r := range ae.RejectedItems {
			lines[i] = fmt.Sprintf("product %d wanted %d, store has %d", r.ProductID, r.Requested, r.Available)
		}
		return fmt.Errorf("%w\n  %s", err, strings.Join(lines, "\n  "))
	}
	return unreachableWithKey(err, key, "shipped")
}

// TransfersReceiveCmd records a receipt.
type TransfersReceiveCmd struct {
	ID             int64         `arg:"" help:"Transfer id."`
	Line           []receiptLine `placeholder:"PRODUCT:ACCEPTED[:REJECTED:REASON]" help:"Units of one product accepted, and optionally rejected with a reason (damaged, missing, other). Repeat the flag, or separate lines with commas."`
	LinesFile      string        `placeholder:"FILE" help:"Read receipt lines from a CSV file (product_id,accepted[,rejected,reason]; a header line is skipped; - reads stdin)."`
	All            bool          `help:"Accept every unit still on the road."`
	IdempotencyKey string        `placeholder:"KEY" help:"Idempotency key: the same key with the same receipt records it once. Default: a new random key."`
}

// Help is shown under the usage of the command.
func (TransfersReceiveCmd) Help() string {
	return "Accepted units join the destination's stock; rejected ones are written off\n" +
		"there with their reason. Receipts may come in parts until nothing is on the road.\n\nExamples:\n\n" +
		"    aforroctl transfers receive 5 --line 643:9:1:damaged --line 124:4\n" +
		"    aforroctl transfers receive 5 --all"
}

// Run records the receipt.
func (c *TransfersReceiveCmd) Run(a *app) error {
	var req aforro.ReceiveTransfer
	for _, l := range c.Line {
		req.Lines = append(req.Lines, aforro.ReceiptLineInput(l))
	}
	if c.LinesFile != "" {
		rows, err := readCSV(a, c.LinesFile, 2)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var l receiptLine
			if err := l.UnmarshalText([]byte(strings.Join(r.fields, ":"))); err != nil {
				return usagef("%s line %d: %v", c.LinesFile, r.line, err)
			}
			req.Lines = append(req.Lines, aforro.ReceiptLineInput(l))
		}
	}
	if c.All == (len(req.Lines) > 0) {
		return usagef("give the receipt's lines with --line or --lines-file, or --all (not both)")
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	if c.All {
		t, err := cl.Transfer(a.ctx, c.ID)
		if err != nil {
			return err
		}
		for _, l := range t.Lines {
			if l.InTransit > 0 {
				req.Lines = append(req.Lines, aforro.ReceiptLineInput{ProductID: l.ProductID, Accepted: l.InTransit})
			}
		}
		if len(req.Lines) == 0 {
			return fmt.Errorf("transfer %d is %s: nothing is on the road", c.ID, t.Status)
		}
	}
	key := c.IdempotencyKey
	if key == "" {
		key = client.NewIdempotencyKey()
	}
	err = emit(a, func(ctx context.Context) (aforro.Transfer, error) {
		t, _, err := cl.ReceiveTransfer(ctx, c.ID, req, key)
		return t, err
	}, func(t aforro.Transfer) error { return writeTransfer(a.out, t) })
	return unreachableWithKey(err, key, "received")
}

// TransfersCancelCmd cancels a transfer.
type TransfersCancelCmd struct {
	ID int64 `arg:"" help:"Transfer id."`
}

// Run cancels the transfer.
func (c *TransfersCancelCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Transfer, error) { return cl.CancelTransfer(ctx, c.ID) },
		func(t aforro.Transfer) error { return writeTransfer(a.out, t) })
}

// writeTransfer writes a transfer as label/value lines, its lines, and its
// receipts.
func writeTransfer(p *printer, t aforro.Transfer) error {
	fields := []field{
		{"ID", formatID(t.ID)},
		{"Status", t.Status},
		{"From", formatID(t.SourceStoreID)},
		{"To", formatID(t.DestinationStoreID)},
		{"Created", formatTime(t.CreatedAt)},
	}
	for _, at := range []struct {
		label string
		t     *time.Time
	}{{"Shipped", t.ShippedAt}, {"Received", t.ReceivedAt}, {"Cancelled", t.CancelledAt}} {
		if at.t != nil {
			fields = append(fields, field{at.label, formatTime(*at.t)})
		}
	}
	if t.Reference != "" {
		fields = append(fields, field{"Reference", t.Reference})
	}
	if t.Note != "" {
		fields = append(fields, field{"Note", t.Note})
	}
	if err := p.writeDetail(fields); err != nil {
		return err
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	lines := view[aforro.TransferLine]{
		noun: "lines",
		columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "QTY", right: true},
			{title: "RECEIVED", right: true}, {title: "REJECTED", right: true}, {title: "RETURNED", right: true},
			{title: "IN TRANSIT", short: "TRANSIT", right: true}},
		cells: func(l aforro.TransferLine) []string {
			return []string{formatID(l.ProductID), l.ProductTitle, strconv.Itoa(l.Quantity), strconv.Itoa(l.Received),
				strconv.Itoa(l.Rejected), strconv.Itoa(l.Returned), strconv.Itoa(l.InTransit)}
		},
	}
	if err := writeTable(p, lines, t.Lines); err != nil {
		return err
	}
	if len(t.Receipts) == 0 {
		return nil
	}
	type receiptRow struct {
		id int64
		at string
		aforro.ReceiptLine
	}
	var rows []receiptRow
	for _, r := range t.Receipts {
		for _, l := range r.Lines {
			rows = append(rows, receiptRow{r.ID, formatTime(r.CreatedAt), l})
		}
	}
	if err := p.blankLine(); err != nil {
		return err
	}
	return writeTable(p, view[receiptRow]{
		noun: "receipts",
		columns: []column{{title: "RECEIPT", right: true}, {title: "AT"}, {title: "PRODUCT", right: true},
			{title: "ACCEPTED", right: true}, {title: "REJECTED", right: true}, {title: "REASON"}},
		cells: func(r receiptRow) []string {
			return []string{formatID(r.id), r.at, formatID(r.ProductID), strconv.Itoa(r.Accepted), strconv.Itoa(r.Rejected), r.Reason}
		},
		mark: func(r receiptRow) mark {
			if r.Rejected > 0 {
				return markRejected
			}
			return unmarked
		},
	}, rows)
}
