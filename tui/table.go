package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Table layout constants.
const (
	tableGap     = 2 // blanks between columns
	tableGutter  = 2 // the cursor mark and a blank before the first column
	minFlexWidth = 6 // narrowest a text column is squeezed to
	cursorMark   = "▸"
)

// column is one column of a table.
type column struct {
	title string
	right bool // a number: right-aligned, never cut
	flex  bool // free text: cut with an ellipsis when the table is too wide
}

// rowMark is how a row stands out: low stock, out of stock, an order
// status.
type rowMark int

const (
	markNone rowMark = iota
	markLow
	markOut
	markDim
)

// row is one line of a table.
type row struct {
	cells []string
	mark  rowMark
}

// table is a scrolling table with a cursor, rows marked by meaning. It is
// its own component rather than bubbles/table because rows must be styled
// one by one (low stock) and the cursor must show without any styling
// (NO_COLOR), which bubbles/table v1 does not do.
type table struct {
	cols   []column
	rows   []row
	cursor int
	offset int // first row shown
	width  int
	height int // lines, the header included
	empty  string
}

// newTable returns a table with these columns; empty is shown when it has
// no rows.
func newTable(empty string, cols ...column) table {
	return table{cols: cols, empty: empty}
}

// setRows replaces the rows, keeping the cursor on the same position as
// far as the new rows allow.
func (t *table) setRows(rows []row) {
	t.rows = rows
	t.cursor = min(t.cursor, max(len(rows)-1, 0))
	t.scroll()
}

// setSize fits the table into width columns and height lines.
func (t *table) setSize(width, height int) {
	t.width, t.height = width, max(height, 2)
	t.scroll()
}

// selected returns the index of the row under the cursor, or -1.
func (t *table) selected() int {
	if len(t.rows) == 0 {
		return -1
	}
	return t.cursor
}

// update moves the cursor for a navigation key and reports whether msg was
// one.
func (t *table) update(msg tea.KeyMsg, k KeyMap) bool {
	page := max(t.height-2, 1)
	switch {
	case key.Matches(msg, k.Up):
		t.cursor--
	case key.Matches(msg, k.Down):
		t.cursor++
	case key.Matches(msg, k.Top):
		t.cursor = 0
	case key.Matches(msg, k.Bottom):
		t.cursor = len(t.rows) - 1
	case msg.String() == "ctrl+u":
		t.cursor -= page
	case msg.String() == "ctrl+d":
		t.cursor += page
	default:
		return false
	}
	t.cursor = max(min(t.cursor, len(t.rows)-1), 0)
	t.scroll()
	return true
}

// scroll keeps the cursor row in view.
func (t *table) scroll() {
	visible := max(t.height-1, 1)
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+visible {
		t.offset = t.cursor - visible + 1
	}
	t.offset = max(min(t.offset, len(t.rows)-visible), 0)
}

// visible returns how many rows fit under the header.
func (t *table) visible() int { return max(t.height-1, 1) }

// rangeText says which rows are shown when not all of them fit, as
// "18-34 of 42"; "" when every row shows.
func (t *table) rangeText() string { return t.rangeOf(1, len(t.rows)) }

// rangeOf is rangeText for a table that is one page of a longer list: its
// first row is the list's row number first, of total rows (0: leave the
// total out). "" when every row shows.
func (t *table) rangeOf(first, total int) string {
	if len(t.rows) <= t.visible() {
		return ""
	}
	from := first + t.offset
	to := first + min(t.offset+t.visible(), len(t.rows)) - 1
	if total <= 0 {
		return fmt.Sprintf("%d-%d", from, to)
	}
	return fmt.Sprintf("%d-%d of %d", from, to, total)
}

// view renders the header and the visible rows, at most height lines.
func (t *table) view(st Styles) string {
	widths := t.layout()
	var b strings.Builder
	b.WriteString(st.TableHeader.Render(t.line(nil, widths, "  ")))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Dim.Render(strings.Repeat(" ", tableGutter)+t.empty))
		return b.String()
	}
	end := min(t.offset+max(t.height-1, 1), len(t.rows))
	for i := t.offset; i < end; i++ {
		r := t.rows[i]
		gutter := "  "
		if i == t.cursor {
			gutter = cursorMark + " "
		}
		line := t.line(r.cells, widths, gutter)
		b.WriteByte('\n')
		switch {
		case i == t.cursor:
			pad := max(t.width-ansi.StringWidth(line), 0)
			b.WriteString(st.Selected.Render(line + strings.Repeat(" ", pad)))
		case r.mark == markLow:
			b.WriteString(st.Low.Render(line))
		case r.mark == markOut:
			b.WriteString(st.Out.Render(line))
		case r.mark == markDim:
			b.WriteString(st.Dim.Render(line))
		default:
			b.WriteString(line)
		}
	}
	return b.String()
}

// line lays out one row's cells (the titles when cells is nil), cut to the
// table's width.
func (t *table) line(cells []string, widths []int, gutter string) string {
	var b strings.Builder
	b.WriteString(gutter)
	for i, c := range t.cols {
		v := c.title
		if cells != nil {
			v = cells[i]
		}
		v = ansi.Truncate(v, widths[i], "…")
		pad := strings.Repeat(" ", max(widths[i]-ansi.StringWidth(v), 0))
		if c.right {
			v = pad + v
		} else if i < len(t.cols)-1 {
			v += pad
		}
		b.WriteString(v)
		if i < len(t.cols)-1 {
			b.WriteString(strings.Repeat(" ", tableGap))
		}
	}
	out := strings.TrimRight(b.String(), " ")
	if t.width > 0 {
		out = ansi.Truncate(out, t.width, "…")
	}
	return out
}

// layout returns each column's width: as wide as its widest cell, the
// widest text columns giving way first when the table is too wide.
func (t *table) layout() []int {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = ansi.StringWidth(c.title)
		for _, r := range t.rows {
			widths[i] = max(widths[i], ansi.StringWidth(r.cells[i]))
		}
	}
	if t.width <= 0 {
		return widths
	}
	total := tableGutter + tableGap*(len(t.cols)-1)
	for _, w := range widths {
		total += w
	}
	for total > t.width {
		widest := -1
		for i, c := range t.cols {
			if c.flex && widths[i] > minFlexWidth && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
		total--
	}
	return widths
}
