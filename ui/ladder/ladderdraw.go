package ladder

import (
	"strconv"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// expectMark is the gateway line's mark of a data channel's expectation.
func expectMark(th *styled.Theme, outcome string) cell {
	switch outcome {
	case model.ExpectationUsed:
		return cell{'✓', th.OK}
	case model.ExpectationTimeout, model.ExpectationDeleted:
		return cell{'✖', th.SevStyle(model.Error)}
	}
	return cell{'…', th.Dim}
}

// cell is one character of a ladder row.
type cell struct {
	r  rune
	st tcell.Style
}

// ladderGeom is where the columns go for a width.
type ladderGeom struct {
	w, x0      int
	xc, xn, xs int // xn < 0 when there is no NAT column
}

const ladderPrefix = 11 // gutter mark, time, spaces

func geometry(w int, nat bool) ladderGeom {
	g := ladderGeom{w: w, x0: ladderPrefix, xn: -1}
	g.xc = g.x0 + 1
	g.xs = max(g.xc+8, w-2)
	if nat {
		g.xn = (g.xc + g.xs) / 2
	}
	return g
}

func blankRow(w int, st tcell.Style) []cell {
	row := make([]cell, w)
	for i := range row {
		row[i] = cell{' ', st}
	}
	return row
}

func putText(row []cell, x int, s string, st tcell.Style) {
	for _, r := range s {
		w := max(styled.Width(string(r)), 1)
		if x >= 0 && x+w <= len(row) {
			row[x] = cell{r, st}
			if w == 2 {
				row[x+1] = cell{wideRest, st} // the right half of a wide glyph (🔓)
			}
		}
		x += w
	}
}

// wideRest marks the cell that a wide glyph to its left covers.
const wideRest = rune(-1)

// putCentered writes s centred on x, kept inside [lo, hi), and returns the
// cells it took.
func putCentered(row []cell, x, lo, hi int, s string, st tcell.Style) (start, end int) {
	s = styled.Clip(s, hi-lo)
	n := styled.Width(s)
	start = x - n/2
	if start+n > hi {
		start = hi - n
	}
	if start < lo {
		start = lo
	}
	putText(row, start, s, st)
	return start, start + n
}

// arrow draws a message between columns a < b.
func arrow(row []cell, a, b, dir int, h *half, kind evKind, th *styled.Theme) {
	fill, st := '─', th.Cmd
	switch kind {
	case evReply:
		st = th.Reply
	case evData:
		fill, st = '═', th.Data
	case evNoData:
		fill, st = '┄', th.SevStyle(model.Error)
	}
	if h.failed {
		if kind == evData {
			fill = '╌'
		}
		st = th.SevStyle(model.Error)
	}
	if h.sev > 0 {
		st = th.SevStyle(h.sev)
	}
	for x := a + 1; x < b; x++ {
		row[x] = cell{fill, st}
	}
	head := '▶'
	if dir < 0 {
		head = '◀'
	}
	switch {
	case kind == evNoData:
		// no arrowhead: nothing crossed
	case h.failed && dir > 0:
		row[b-1] = cell{'✖', st}
	case h.failed:
		row[a+1] = cell{'✖', st}
	case dir > 0:
		row[b-1] = cell{head, st}
	default:
		row[a+1] = cell{head, st}
	}
	room := b - a - 5
	if room < 3 {
		return
	}
	text := h.text
	for _, alt := range []string{h.short, h.addr} {
		if styled.Width(text) > room-2 && alt != "" {
			text = alt
		}
	}
	if styled.Width(text) > room-2 && h.addr != "" {
		text = styled.ClipMiddle(text, room-2)
	}
	label := " " + styled.Clip(text, room-2) + " "
	n := styled.Width(label)
	start := a + 2 + (room-n)/2 + 1
	putText(row, start, label, st)
}

// ladderHeader draws the column names, addresses and the tops of the
// lifelines for a width.
func ladderHeader(th *styled.Theme, sp *Spec, w int) [][]cell {
	nat := sp.Server != nil
	g := geometry(w, nat)
	names := blankRow(w, th.Base)
	addrs := blankRow(w, th.Base)
	cs := sp.Client.S
	ss := cs
	if nat {
		ss = sp.Server.S
	}
	hiC := w
	if nat {
		hiC = g.xn - 1
	}
	putCentered(names, g.xc, 0, hiC, "client", th.Title)
	loS := g.xc + 2
	if nat {
		loS = g.xn + 2
		putCentered(names, g.xn, g.xc+2, g.xs-1, "NAT gateway", th.NAT)
	}
	putCentered(names, g.xs, loS, w, "server", th.Title)
	// The addresses are longer than the names: the client's and the
	// server's take their place first, the gateway's gets the gap between
	// them, so that no label overwrites another.
	_, endC := putCentered(addrs, g.xc, 0, hiC, cs.Client, th.Base)
	startS, _ := putCentered(addrs, g.xs, max(loS, endC+1), w, ss.Server, th.Base)
	if nat {
		putCentered(addrs, g.xn, endC+1, startS-1, natLabel(cs, ss), th.NAT)
	}
	top := lifeline(th, g, w)
	top[g.xc], top[g.xs] = cell{'┬', th.Dim}, cell{'┬', th.Dim}
	if nat {
		top[g.xn] = cell{'┬', th.NAT}
	}
	return [][]cell{names, addrs, top}
}

func lifeline(th *styled.Theme, g ladderGeom, w int) []cell {
	row := blankRow(w, th.Base)
	row[g.xc] = cell{'│', th.Dim}
	row[g.xs] = cell{'│', th.Dim}
	if g.xn >= 0 {
		row[g.xn] = cell{'│', th.NAT}
	}
	return row
}

// ladderRow draws one event for a width.
func ladderRow(th *styled.Theme, sp *Spec, ev *ladderEvent, w int) []cell {
	nat := sp.Server != nil
	g := geometry(w, nat)
	row := lifeline(th, g, w)
	// Gutter: the worst finding on this row.
	var sev model.Severity
	for _, h := range []*half{ev.l, ev.r} {
		if h != nil && h.sev > sev {
			sev = h.sev
		}
	}
	if sev > 0 {
		putText(row, 0, sev.Glyph(), th.SevStyle(sev))
	}
	if start := sp.Client.S.Start.Time; !ev.ts.IsZero() && !start.IsZero() {
		putText(row, 1, styled.PadLeft(relSeconds(ev.ts.Sub(start)), 9), th.Dim)
	}
	if !nat {
		h := ev.l
		if ev.expect != "" {
			c := *h
			c.text += " · expectation " + ev.expect
			h = &c
		}
		arrow(row, g.xc, g.xs, ev.dir, h, ev.kind, th)
		return row
	}
	if ev.l != nil {
		arrow(row, g.xc, g.xn, ev.dir, ev.l, ev.kind, th)
	}
	if ev.r != nil {
		arrow(row, g.xn, g.xs, ev.dir, ev.r, ev.kind, th)
	}
	switch {
	case ev.rewritten:
		row[g.xn] = cell{'✎', th.NAT}
	case ev.expect != "":
		row[g.xn] = expectMark(th, ev.expect)
	case ev.l != nil && ev.r != nil && ev.kind != evNoData:
		row[g.xn] = cell{'┼', th.NAT}
	}
	return row
}

func relSeconds(d time.Duration) string {
	return "+" + strconv.FormatFloat(d.Seconds(), 'f', 4, 64)
}

func cellsLine(cells []cell) styled.Line {
	var l styled.Line
	var b strings.Builder
	var cur tcell.Style
	for i, c := range cells {
		if i > 0 && c.st != cur {
			l = append(l, styled.Seg{Text: b.String(), Style: cur})
			b.Reset()
		}
		cur = c.st
		if c.r != wideRest {
			b.WriteRune(c.r)
		}
	}
	if b.Len() > 0 {
		l = append(l, styled.Seg{Text: b.String(), Style: cur})
	}
	return l
}
