package sessionview

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// PairMark marks the rows of paired NAT legs.
const PairMark = "⇄"

// PickMark is what the ID column shows before a picked session.
const PickMark = "●"

// Column is one column of the sessions table.
type Column struct {
	title string
	width int // 0: takes what is left
	min   int
	right bool
	cell  func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style)
}

var sessionColumns = []Column{
	{title: "ID", width: 4, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		if r.Other != "" {
			return r.S.ID + " " + PairMark, th.Bold // the other leg is on the next or previous row
		}
		return r.S.ID, th.Bold
	}},
	{title: "CLIENT", width: 21, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) { return r.S.Client, th.Base }},
	{title: "SERVER", width: 21, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) { return r.S.Server, th.Base }},
	{title: "USER", width: 10, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) { return r.User, th.Base }},
	{title: "CMDS", width: 4, right: true, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		return strconv.Itoa(r.S.Commands), th.Base
	}},
	{title: "DATA", width: 7, right: true, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		return fmt.Sprintf("%d/%d", r.Observed, r.Announced), th.Base
	}},
	{title: "BYTES", width: 9, right: true, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		return styled.BytesShort(r.Bytes), th.Base
	}},
	{title: "FINDING", min: 24, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		if len(r.Findings) == 0 {
			return "✔ none", th.OK
		}
		f := &r.Findings[0]
		t := styled.PadRight(styled.SevLabel(f.Severity), 9) + " " + f.Summary
		if n := len(r.Findings); n > 1 {
			t = styled.PadRight(styled.SevLabel(f.Severity), 9) + fmt.Sprintf(" (%d) ", n) + f.Summary
		}
		return t, th.SevStyle(f.Severity)
	}},
	{title: "LAST REPLY", width: 22, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) { return r.LastReply, th.Dim }},
	{title: "SEEN AT", width: 16, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) { return r.Where, th.Dim }},
}

// columnPriority says which columns to drop first when the table is narrow
// (indexes into sessionColumns, most wanted first after the ones always shown).
var columnPriority = []int{3, 5, 8, 4, 6, 9}

// ChooseColumns picks the columns that fit in width; idW is the width of
// the longest session id.
func ChooseColumns(width, idW int) []Column {
	show := map[int]bool{0: true, 1: true, 2: true, 7: true}
	used := func() int {
		n := max(0, idW-sessionColumns[0].width)
		for i, c := range sessionColumns {
			if show[i] {
				n += max(c.width, c.min) + 1
			}
		}
		return n
	}
	// Optional columns only while the finding keeps room to be read.
	const findingRoom = 16
	for _, i := range columnPriority {
		show[i] = true
		if used()+findingRoom > width {
			delete(show, i)
		}
	}
	var cols []Column
	rest := width - used()
	for i, c := range sessionColumns {
		if !show[i] {
			continue
		}
		if i == 0 {
			c.width = max(c.width, idW)
		}
		if c.width == 0 {
			c.width = c.min + max(0, rest)
		}
		cols = append(cols, c)
	}
	return cols
}

// SessionsContent is the virtual content of the sessions table: it makes
// the cells of the visible rows only.
type SessionsContent struct {
	tview.TableContentReadOnly
	Th     *styled.Theme
	Rows   []*viewmodel.Row
	Cols   []Column
	Order  viewmodel.SortOrder
	Picked map[string]bool
}

func (c *SessionsContent) GetRowCount() int { return len(c.Rows) + 1 }

func (c *SessionsContent) GetColumnCount() int { return len(c.Cols) }

func (c *SessionsContent) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(c.Cols) {
		return nil
	}
	k := c.Cols[col]
	if row == 0 {
		return &tview.TableCell{Text: c.headerText(col), NotSelectable: true, Style: c.Th.Dim.Bold(true), MaxWidth: k.width}
	}
	if row-1 >= len(c.Rows) {
		return nil
	}
	text, st := c.cellText(row-1, col)
	return &tview.TableCell{Text: tview.Escape(text), Style: st, MaxWidth: k.width, SelectedStyle: st.Reverse(true)}
}

// headerText is a column's title, marked when the list sorts by it.
func (c *SessionsContent) headerText(col int) string {
	k := c.Cols[col]
	title := header(c.Order, k.title, k.width)
	if k.right {
		return styled.PadLeft(title, k.width)
	}
	return styled.Fit(title, k.width)
}

// header is a column's header text, marked when the list sorts by it,
// within width.
func header(o viewmodel.SortOrder, title string, width int) string {
	if o.Col == 0 || viewmodel.SortColumns[o.Col-1].Title != title {
		return title
	}
	if styled.Width(title)+1 > width {
		title = styled.ClipExact(title, max(0, width-1))
	}
	return title + o.Arrow()
}

// cellText is the text of one cell, printable, fitted to its column.
func (c *SessionsContent) cellText(i, col int) (string, tcell.Style) {
	k := c.Cols[col]
	text, st := k.cell(c.Th, c.Rows[i])
	text = textfmt.Printable(text)
	if col == 0 && len(c.Picked) > 0 {
		mark := " "
		if c.Picked[c.Rows[i].S.ID] {
			mark = PickMark
		}
		text = mark + " " + text
	}
	switch {
	case k.title == "CLIENT" || k.title == "SERVER":
		text = styled.PadRight(styled.ClipMiddle(text, k.width), k.width)
	case k.right:
		text = styled.PadLeft(styled.Clip(text, k.width), k.width)
	default:
		text = styled.Fit(text, k.width)
	}
	return text, st
}

// The sessions list leaves the UI as text: the table as the list shows it,
// every column.

// listTextWidth is the width of the list written as text: every column.
const listTextWidth = 200

// WriteListText writes rows as the table shows them, with every column.
func WriteListText(w io.Writer, rows []*viewmodel.Row, order viewmodel.SortOrder) error {
	th := styled.NewTheme(true)
	idW := 4
	for _, r := range rows {
		idW = max(idW, styled.Width(r.S.ID))
	}
	cols := ChooseColumns(listTextWidth, idW)
	c := &SessionsContent{Th: th, Rows: rows, Cols: cols, Order: order}
	var b strings.Builder
	for row := -1; row < len(rows); row++ {
		cells := make([]string, len(cols))
		for col := range cols {
			if row < 0 {
				cells[col] = c.headerText(col)
			} else {
				cells[col], _ = c.cellText(row, col)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(cells, " "), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
