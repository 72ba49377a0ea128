package ui

import (
	"fmt"
	"strconv"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// column is one column of the sessions table.
type column struct {
	title string
	width int // 0: takes what is left
	min   int
	right bool
	cell  func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style)
}

var sessionColumns = []column{
	{title: "ID", width: 4, cell: func(th *styled.Theme, r *viewmodel.Row) (string, tcell.Style) {
		if r.Other != "" {
			return r.S.ID + " " + pairMark, th.Bold // the other leg is on the next or previous row
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

// chooseColumns picks the columns that fit in width; idW is the width of
// the longest session id.
func chooseColumns(width, idW int) []column {
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
	var cols []column
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

// sessionsContent is the virtual content of the sessions table: it makes
// the cells of the visible rows only.
type sessionsContent struct {
	tview.TableContentReadOnly
	th     *styled.Theme
	rows   []*viewmodel.Row
	cols   []column
	order  sortOrder
	picked map[string]bool
}

func (c *sessionsContent) GetRowCount() int { return len(c.rows) + 1 }

func (c *sessionsContent) GetColumnCount() int { return len(c.cols) }

func (c *sessionsContent) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(c.cols) {
		return nil
	}
	k := c.cols[col]
	if row == 0 {
		return &tview.TableCell{Text: c.headerText(col), NotSelectable: true, Style: c.th.Dim.Bold(true), MaxWidth: k.width}
	}
	if row-1 >= len(c.rows) {
		return nil
	}
	text, st := c.cellText(row-1, col)
	return &tview.TableCell{Text: tview.Escape(text), Style: st, MaxWidth: k.width, SelectedStyle: st.Reverse(true)}
}

// headerText is a column's title, marked when the list sorts by it.
func (c *sessionsContent) headerText(col int) string {
	k := c.cols[col]
	title := c.order.header(k.title, k.width)
	if k.right {
		return styled.PadLeft(title, k.width)
	}
	return styled.Fit(title, k.width)
}

// cellText is the text of one cell, printable, fitted to its column.
func (c *sessionsContent) cellText(i, col int) (string, tcell.Style) {
	k := c.cols[col]
	text, st := k.cell(c.th, c.rows[i])
	text = textfmt.Printable(text)
	if col == 0 && len(c.picked) > 0 {
		mark := " "
		if c.picked[c.rows[i].S.ID] {
			mark = pickMark
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
