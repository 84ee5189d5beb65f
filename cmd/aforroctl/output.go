package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/aforro/aforro/internal/human"
	"golang.org/x/term"
)

// Output formats.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatCSV   = "csv"
)

// columnGap separates table columns; minFlexWidth is as narrow as a text
// column gets when the table is squeezed to the terminal's width.
const (
	columnGap    = 2
	minFlexWidth = 8
)

// printer writes command output: tables for people, the API's own JSON or
// CSV for scripts.
type printer struct {
	stdout io.Writer
	stderr io.Writer
	format string
	width  int // columns a table may use; 0: unlimited (not a terminal)
	styles styles
	csvw   *csv.Writer // made by the first CSV record
}

// styles are the table's looks; all plain when colour is off.
type styles struct {
	header lipgloss.Style
	key    lipgloss.Style
	cell   lipgloss.Style
	low    lipgloss.Style // a low-stock row
	out    lipgloss.Style // an out-of-stock row, a REJECTED order
}

// newPrinter returns a printer for stdout. Colour is on for a terminal (or
// with CLICOLOR_FORCE) unless NO_COLOR is set or TERM is dumb; tables fit
// COLUMNS, else the terminal's width.
func newPrinter(stdout, stderr io.Writer, format string, env map[string]string) *printer {
	tty, width := terminal(stdout)
	if n, err := strconv.Atoi(env["COLUMNS"]); err == nil && n > 0 {
		width = n
	}
	force := env["CLICOLOR_FORCE"] != "" && env["CLICOLOR_FORCE"] != "0"
	color := (tty || force) && env["NO_COLOR"] == "" && env["TERM"] != "dumb"

	r := lipgloss.NewRenderer(stdout)
	r.SetHasDarkBackground(true) // never query the terminal for it
	r.SetColorProfile(termenv.Ascii)
	if color {
		r.SetColorProfile(termenv.ANSI)
	}
	return &printer{
		stdout: stdout,
		stderr: stderr,
		format: format,
		width:  width,
		styles: styles{
			header: r.NewStyle().Bold(true),
			key:    r.NewStyle().Bold(true),
			cell:   r.NewStyle(),
			low:    r.NewStyle().Foreground(lipgloss.Color("3")),
			out:    r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		},
	}
}

// marked returns the style of a cell with mark m.
func (s styles) marked(m mark) lipgloss.Style {
	switch m {
	case markLow:
		return s.low
	case markOut, markRejected:
		return s.out
	}
	return s.cell
}

// terminal reports whether w is a terminal, and its width.
func terminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return true, 0
	}
	return true, width
}

// json reports whether the output is the API's JSON.
func (p *printer) json() bool { return p.format == formatJSON }

// raw writes one JSON document exactly as the server sent it.
func (p *printer) raw(body []byte) error {
	body = bytes.TrimRight(body, "\n")
	if _, err := fmt.Fprintf(p.stdout, "%s\n", body); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// jsonLines writes each result of a page body as one line, exactly as the
// server sent it, for a stream that jq reads row by row.
func (p *printer) jsonLines(body []byte) error {
	var page struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return fmt.Errorf("read page: %w", err)
	}
	// One write a page, not one a row.
	out := make([]byte, 0, len(body))
	for _, r := range page.Results {
		out = append(append(out, r...), '\n')
	}
	if _, err := p.stdout.Write(out); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// csv reports whether the output is CSV.
func (p *printer) csv() bool { return p.format == formatCSV }

// csvRecord writes one CSV record (encoding/csv: RFC 4180 quoting, one
// record per line). Records are buffered until flush.
func (p *printer) csvRecord(fields []string) error {
	if p.csvw == nil {
		p.csvw = csv.NewWriter(p.stdout)
	}
	if err := p.csvw.Write(fields); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// flush writes out the buffered CSV records.
func (p *printer) flush() error {
	if p.csvw == nil {
		return nil
	}
	p.csvw.Flush()
	if err := p.csvw.Error(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// note writes a message for people to stderr, leaving stdout to the data.
func (p *printer) note(format string, args ...any) {
	fmt.Fprintf(p.stderr, format+"\n", args...)
}

// mark flags a table row for highlighting.
type mark int

const (
	unmarked     mark = iota
	markLow           // low stock
	markOut           // out of stock
	markRejected      // a REJECTED order, or a line that made one so
)

// column describes one table column.
type column struct {
	title string
	short string // a shorter title, used when the table is too wide; "": none
	right bool   // a number: right-aligned and never truncated
	flex  bool   // free text: truncated with an ellipsis when the table is too wide
}

// view says how values of T appear in a table.
type view[T any] struct {
	noun    string // plural, as in "No stores."
	columns []column
	cells   func(T) []string
	mark    func(T) mark // nil: no highlighting
	// cellMarks, when set, highlights single cells: its marks, one per
	// column, win over the row's mark where they are not unmarked.
	cellMarks func(T) []mark
	// one, when set, is the noun of a single row ("match"), and asks list to
	// say how many rows there are even when they fit on one page.
	one string
	// write, when set, writes the rows instead of writeTable, for output
	// that is more than one table.
	write func(p *printer, rows []T) error
	// csvHeader and csvRecord are the rows as -o csv writes them, for
	// scripts: the API's field names, and its values as text (times in
	// RFC 3339, money as a decimal, a null as an empty field).
	csvHeader []string
	csvRecord func(T) []string
}

// writeCSV writes rows as CSV with v's header line first.
func writeCSV[T any](p *printer, v view[T], rows []T) error {
	if err := p.csvRecord(v.csvHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := p.csvRecord(v.csvRecord(r)); err != nil {
			return err
		}
	}
	return p.flush()
}

// writeTable writes rows as a table with a header.
func writeTable[T any](p *printer, v view[T], rows []T) error {
	cells := make([][]string, len(rows))
	marks := make([][]mark, len(rows))
	for i, r := range rows {
		cells[i] = v.cells(r)
		row := unmarked
		if v.mark != nil {
			row = v.mark(r)
		}
		var cm []mark
		if v.cellMarks != nil {
			cm = v.cellMarks(r)
		}
		marks[i] = make([]mark, len(v.columns))
		for c := range marks[i] {
			marks[i][c] = row
			if c < len(cm) && cm[c] != unmarked {
				marks[i][c] = cm[c]
			}
		}
	}
	return p.render(v.columns, cells, marks, true)
}

// writeRows writes rows with v's own writer, or as a table.
func writeRows[T any](p *printer, v view[T], rows []T) error {
	if v.write != nil {
		return v.write(p, rows)
	}
	return writeTable(p, v, rows)
}

// field is one line of a detail view: a label and its value.
type field struct{ label, value string }

// writeDetail writes one resource as label/value lines.
func (p *printer) writeDetail(fields []field) error {
	return p.writeMarkedDetail(fields, nil)
}

// writeMarkedDetail is writeDetail highlighting the values of the fields
// that marks names by label.
func (p *printer) writeMarkedDetail(fields []field, marks map[string]mark) error {
	cells := make([][]string, len(fields))
	cellMarks := make([][]mark, len(fields))
	for i, f := range fields {
		cells[i] = []string{f.label, f.value}
		cellMarks[i] = []mark{unmarked, marks[f.label]}
	}
	return p.render([]column{{title: "FIELD"}, {title: "VALUE", flex: true}}, cells, cellMarks, false)
}

// line writes one line of text output.
func (p *printer) line(s string) error {
	if _, err := io.WriteString(p.stdout, s+"\n"); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// blankLine separates two blocks of table output.
func (p *printer) blankLine() error {
	if _, err := io.WriteString(p.stdout, "\n"); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// render lays out a table that fits the printer's width: when it is too
// wide, the widest text columns give way first, their cells cut with an
// ellipsis; numbers are never cut. marks highlight cells, by row and column.
// Columns are laid out with lipgloss styles directly: lipgloss/table v1.1.0
// drops the last row of a table without headers, which the detail views are.
func (p *printer) render(cols []column, rows [][]string, marks [][]mark, header bool) error {
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	widths := columnWidths(titles, rows, header)
	// Short titles come before cutting text: a wide header over narrow
	// numbers (OUT OF STOCK over 1) costs more than it says.
	if p.width > 0 && tableWidth(widths) > p.width {
		for i, c := range cols {
			if c.short != "" {
				titles[i] = c.short
			}
		}
		widths = columnWidths(titles, rows, header)
	}
	p.fit(cols, widths)
	for _, r := range rows {
		for i := range r {
			if cols[i].flex {
				r[i] = ansi.Truncate(r[i], widths[i], "…")
			}
		}
	}
	var b strings.Builder
	line := func(cells []string, style func(col int) lipgloss.Style) {
		var l strings.Builder
		for i, c := range cells {
			s := style(i)
			last := i == len(cells)-1
			if !last || cols[i].right {
				s = s.Width(widths[i])
			}
			if cols[i].right {
				s = s.Align(lipgloss.Right)
			}
			l.WriteString(s.Render(c))
			if !last {
				l.WriteString(strings.Repeat(" ", columnGap))
			}
		}
		// An empty last cell (an order line that was not short) would
		// otherwise leave trailing blanks.
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	if header {
		line(titles, func(int) lipgloss.Style { return p.styles.header })
	}
	for r, cells := range rows {
		line(cells, func(col int) lipgloss.Style {
			switch {
			case !header && col == 0:
				return p.styles.key
			case r < len(marks) && col < len(marks[r]):
				return p.styles.marked(marks[r][col])
			}
			return p.styles.cell
		})
	}
	if _, err := io.WriteString(p.stdout, b.String()); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// columnWidths returns the width of each column: its widest cell, and its
// title when there is a header.
func columnWidths(titles []string, rows [][]string, header bool) []int {
	widths := make([]int, len(titles))
	for i, t := range titles {
		if header {
			widths[i] = ansi.StringWidth(t)
		}
		for _, r := range rows {
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	return widths
}

// tableWidth is the width of a table with columns of widths.
func tableWidth(widths []int) int {
	total := columnGap * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	return total
}

// fit narrows the flexible columns of widths until the table fits the
// printer's width, or they are all as narrow as they may get.
func (p *printer) fit(cols []column, widths []int) {
	if p.width <= 0 {
		return
	}
	total := tableWidth(widths)
	for total > p.width {
		widest := -1
		for i, c := range cols {
			if c.flex && widths[i] > minFlexWidth && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		widths[widest]--
		total--
	}
}

// Formats of table cells.
func formatTime(t time.Time) string { return human.Time(t) } // local, as the TUI and aforrod show times
func formatID(id int64) string      { return strconv.FormatInt(id, 10) }

// Formats of CSV fields: as the API's JSON writes the values.
func csvTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
func csvOptionalID(id *int64) string {
	if id == nil {
		return ""
	}
	return formatID(*id)
}

// formatDelta writes a stock change with its sign, "+5" or "-2".
func formatDelta(d int) string {
	if d > 0 {
		return "+" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}
