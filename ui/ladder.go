package ui

import (
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/model"
)

// The ladder diagram draws a session in time order between columns for the
// client, the NAT gateway (when the two legs of the control connection were
// paired) and the server: commands go right, replies left, data connections
// in the direction of their SYN. An announcement the NAT rewrote shows its
// inside text left of the gateway and its outside text right of it, with
// ✎ on the gateway's line.

// ladderLeg is one leg of the control connection with its finding marks.
type ladderLeg struct {
	s     *model.Session
	marks frameMarks
}

// ladderSpec says what to draw.
type ladderSpec struct {
	client ladderLeg  // the leg on the client's side (the only one when unpaired)
	server *ladderLeg // the leg on the server's side, when paired
	pair   *model.NATPair
	viewed string // the session whose dialog indexes the rows refer to
}

type evKind int

const (
	evCommand evKind = iota
	evReply
	evData
	evNoData
)

// half is what one leg shows of an event.
type half struct {
	text   string
	short  string // shorter forms when text does not fit (announcements):
	addr   string // "PORT 192.168.1.10:4000", then "192.168.1.10:4000"
	failed bool   // a data connection that did not make it
	dialog int    // index in the leg's dialog, or -1
	frame  uint64
	sev    model.Severity
}

type ladderEvent struct {
	ts        time.Time
	seq       int
	kind      evKind
	dir       int   // +1 towards the server, -1 towards the client
	l, r      *half // client-side leg, server-side leg (nil when not seen there)
	rewritten bool
	// expect is the outcome of the host's conntrack expectation for a
	// data channel ("used", "deleted", …), "" when unknown.
	expect string
}

// natLegs orders a pair's sessions as client side, server side: the leg
// whose server address differs is the server's side (DNAT); otherwise the
// inside leg is the client's side (SNAT, masquerading).
func natLegs(p *model.NATPair, inside, outside *model.Session) (client, server *model.Session) {
	if inside == nil || outside == nil {
		return inside, outside
	}
	host := func(ep string) string {
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			return ap.Addr().String()
		}
		return ep
	}
	if host(inside.Client) == host(outside.Client) && host(inside.Server) != host(outside.Server) {
		return outside, inside
	}
	return inside, outside
}

// natLabel says what the gateway translates: the client's address (SNAT),
// the server's (DNAT) or both.
func natLabel(cs, ss *model.Session) string {
	host := func(ep string) string {
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			return ap.Addr().String()
		}
		return ep
	}
	snat := host(cs.Client) != host(ss.Client)
	dnat := host(cs.Server) != host(ss.Server)
	switch {
	case snat && dnat:
		return cs.Server + " ⇄ " + ss.Client
	case dnat:
		return cs.Server + " ⇄"
	case snat:
		return "⇄ " + ss.Client
	}
	return "⇄"
}

func sameMessage(a, b *model.DialogEntry) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == "command" {
		return a.Verb == b.Verb
	}
	return a.Code == b.Code
}

func dialogHalf(leg *ladderLeg, i int) *half {
	e := &leg.s.Dialog[i]
	text := strings.TrimPrefix(strings.TrimPrefix(entryText(e), "→ "), "← ")
	if len(e.TextLines) > 0 { // the dialog pane shows them; the ladder only says so
		text += " (+" + strconv.Itoa(e.Lines-1) + " lines)"
	}
	mark := ""
	if e.Decrypted {
		mark = decryptedMark
	}
	h := &half{text: mark + text, dialog: i, frame: e.Frame, sev: leg.marks.worst[e.Frame]}
	for k := range leg.s.Channels {
		if a := leg.s.Channels[k].Announce; a != nil && a.Frame == e.Frame && a.Frame != 0 {
			if e.Kind == "command" {
				h.short = mark + e.Verb + " " + a.Endpoint
			} else {
				h.short = mark + strconv.Itoa(e.Code) + " " + a.Endpoint
			}
			h.addr = a.Endpoint
		}
	}
	return h
}

func entryKind(e *model.DialogEntry) (evKind, int) {
	if e.Kind == "command" {
		return evCommand, +1
	}
	return evReply, -1
}

// ladderEvents merges the legs' dialogs and data connections in time order.
func ladderEvents(sp *ladderSpec) []ladderEvent {
	var evs []ladderEvent
	add := func(e ladderEvent) {
		e.seq = len(evs)
		evs = append(evs, e)
	}
	a := sp.client.s.Dialog
	var b []model.DialogEntry
	if sp.server != nil {
		b = sp.server.s.Dialog
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && sameMessage(&a[i], &b[j]):
			k, dir := entryKind(&a[i])
			l, r := dialogHalf(&sp.client, i), dialogHalf(sp.server, j)
			add(ladderEvent{ts: a[i].TS.Time, kind: k, dir: dir, l: l, r: r, rewritten: l.text != r.text})
			i, j = i+1, j+1
		case j >= len(b) || (i < len(a) && !a[i].TS.After(b[j].TS.Time)):
			k, dir := entryKind(&a[i])
			add(ladderEvent{ts: a[i].TS.Time, kind: k, dir: dir, l: dialogHalf(&sp.client, i)})
			i++
		default:
			k, dir := entryKind(&b[j])
			add(ladderEvent{ts: b[j].TS.Time, kind: k, dir: dir, r: dialogHalf(sp.server, j)})
			j++
		}
	}
	// Data channels: paired ones on one row.
	partner := map[string]string{} // client-leg channel → server-leg channel
	if sp.pair != nil && sp.server != nil {
		for _, cp := range sp.pair.Channels {
			if sp.client.s.ID == sp.pair.Inside {
				partner[cp.Inside] = cp.Outside
			} else {
				partner[cp.Outside] = cp.Inside
			}
		}
	}
	var serverChans map[string]*model.Channel
	if sp.server != nil {
		serverChans = map[string]*model.Channel{}
		for k := range sp.server.s.Channels {
			serverChans[sp.server.s.Channels[k].ID] = &sp.server.s.Channels[k]
		}
	}
	used := map[string]bool{}
	for k := range sp.client.s.Channels {
		ch := &sp.client.s.Channels[k]
		var other *model.Channel
		if id, ok := partner[ch.ID]; ok {
			other = serverChans[id]
			used[id] = true
		}
		ev := dataEvent(&sp.client, ch)
		if other != nil {
			o := dataEvent(sp.server, other)
			ev.r = o.l
			if o.kind == evData && ev.kind == evNoData {
				ev.kind, ev.ts = evData, o.ts
			}
			if ev.expect == "" {
				ev.expect = o.expect
			}
		}
		add(ev)
	}
	if sp.server != nil {
		for k := range sp.server.s.Channels {
			ch := &sp.server.s.Channels[k]
			if used[ch.ID] {
				continue
			}
			ev := dataEvent(sp.server, ch)
			ev.r, ev.l = ev.l, nil
			add(ev)
		}
	}
	sort.SliceStable(evs, func(x, y int) bool {
		if !evs[x].ts.Equal(evs[y].ts) {
			return evs[x].ts.Before(evs[y].ts)
		}
		return evs[x].seq < evs[y].seq
	})
	return evs
}

// dataEvent makes the event of one channel's data connection (on the l
// half; the caller moves it to r for the server-side leg).
func dataEvent(leg *ladderLeg, ch *model.Channel) ladderEvent {
	dir := +1
	if ch.Mode == "active" {
		dir = -1
	}
	name := shortChannel(ch.ID)
	c := ch.Connection
	if c == nil || (c.SYN == nil && c.FirstFrame == 0) {
		ts := time.Time{}
		switch {
		case ch.Announce != nil:
			ts = ch.Announce.TS.Add(time.Nanosecond)
		case ch.Transfer != nil:
			ts = ch.Transfer.TS.Add(time.Nanosecond)
		}
		// After the reply that settled it, when known: the one answering
		// the transfer command, else the active announcement.
		settled := -1
		if t := ch.Transfer; t != nil {
			settled = finalReply(leg.s, commandAt(leg.s, t.Frame, t.Verb))
		}
		if a := ch.Announce; settled < 0 && a != nil && ch.Mode == "active" {
			settled = finalReply(leg.s, commandAt(leg.s, a.Frame, a.Verb))
		}
		if settled >= 0 {
			ts = leg.s.Dialog[settled].TS.Add(time.Nanosecond)
		}
		text := name + " no data connection"
		if ch.Status != "" && ch.Status != model.StatusNoConnection {
			text += " (" + statusWord(ch.Status) + ")"
		}
		var fr uint64
		if ch.Announce != nil {
			fr = ch.Announce.Frame
		}
		return ladderEvent{ts: ts, kind: evNoData, dir: dir, l: &half{text: text, failed: true, dialog: -1, frame: fr}, expect: expectOf(ch)}
	}
	ts := time.Time{}
	if c.SYN != nil {
		ts = c.SYN.Time
	} else if ch.Announce != nil {
		ts = ch.Announce.TS.Time
	}
	text := name + " data"
	if ch.Transfer != nil {
		text = name + " " + ch.Transfer.Verb
	}
	failed := false
	switch {
	case c.Refused:
		text, failed = name+" SYN refused", true
	case !c.Established && c.SYNRetries > 0:
		text, failed = name+" SYN ×"+itoa(c.SYNRetries+1)+" unanswered", true
	case !c.Established && c.HandshakeSeen:
		text, failed = name+" not established", true
	default:
		text += " " + textfmt.Thousands(c.BytesToFTPClient+c.BytesToFTPServer) + " B"
		if x := ch.Transfer; x != nil && x.FileBytes != nil {
			text += " (" + decryptedMark + "file " + textfmt.Thousands(*x.FileBytes) + " B)"
		}
	}
	return ladderEvent{ts: ts, kind: evData, dir: dir, l: &half{text: text, failed: failed, dialog: -1, frame: c.FirstFrame, sev: leg.marks.worst[c.FirstFrame]},
		expect: expectOf(ch)}
}

func expectOf(ch *model.Channel) string {
	if ch.Expectation == nil {
		return ""
	}
	return ch.Expectation.Outcome
}

// expectMark is the gateway line's mark of a data channel's expectation.
func expectMark(th *theme, outcome string) cell {
	switch outcome {
	case model.ExpectationUsed:
		return cell{'✓', th.ok}
	case model.ExpectationTimeout, model.ExpectationDeleted:
		return cell{'✖', th.sevStyle(model.Error)}
	}
	return cell{'…', th.dim}
}

func itoa(n int) string { return textfmt.Thousands(int64(n)) }

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
		w := max(strWidth(string(r)), 1)
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
	s = clip(s, hi-lo)
	n := strWidth(s)
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
func arrow(row []cell, a, b, dir int, h *half, kind evKind, th *theme) {
	fill, st := '─', th.cmd
	switch kind {
	case evReply:
		st = th.reply
	case evData:
		fill, st = '═', th.data
	case evNoData:
		fill, st = '┄', th.sevStyle(model.Error)
	}
	if h.failed {
		if kind == evData {
			fill = '╌'
		}
		st = th.sevStyle(model.Error)
	}
	if h.sev > 0 {
		st = th.sevStyle(h.sev)
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
		if strWidth(text) > room-2 && alt != "" {
			text = alt
		}
	}
	if strWidth(text) > room-2 && h.addr != "" {
		text = clipMiddle(text, room-2)
	}
	label := " " + clip(text, room-2) + " "
	n := strWidth(label)
	start := a + 2 + (room-n)/2 + 1
	putText(row, start, label, st)
}

// ladderHeader draws the column names, addresses and the tops of the
// lifelines for a width.
func ladderHeader(th *theme, sp *ladderSpec, w int) [][]cell {
	nat := sp.server != nil
	g := geometry(w, nat)
	names := blankRow(w, th.base)
	addrs := blankRow(w, th.base)
	cs := sp.client.s
	ss := cs
	if nat {
		ss = sp.server.s
	}
	hiC := w
	if nat {
		hiC = g.xn - 1
	}
	putCentered(names, g.xc, 0, hiC, "client", th.title)
	loS := g.xc + 2
	if nat {
		loS = g.xn + 2
		putCentered(names, g.xn, g.xc+2, g.xs-1, "NAT gateway", th.nat)
	}
	putCentered(names, g.xs, loS, w, "server", th.title)
	// The addresses are longer than the names: the client's and the
	// server's take their place first, the gateway's gets the gap between
	// them, so that no label overwrites another.
	_, endC := putCentered(addrs, g.xc, 0, hiC, cs.Client, th.base)
	startS, _ := putCentered(addrs, g.xs, max(loS, endC+1), w, ss.Server, th.base)
	if nat {
		putCentered(addrs, g.xn, endC+1, startS-1, natLabel(cs, ss), th.nat)
	}
	top := lifeline(th, g, w)
	top[g.xc], top[g.xs] = cell{'┬', th.dim}, cell{'┬', th.dim}
	if nat {
		top[g.xn] = cell{'┬', th.nat}
	}
	return [][]cell{names, addrs, top}
}

func lifeline(th *theme, g ladderGeom, w int) []cell {
	row := blankRow(w, th.base)
	row[g.xc] = cell{'│', th.dim}
	row[g.xs] = cell{'│', th.dim}
	if g.xn >= 0 {
		row[g.xn] = cell{'│', th.nat}
	}
	return row
}

// ladderRow draws one event for a width.
func ladderRow(th *theme, sp *ladderSpec, ev *ladderEvent, w int) []cell {
	nat := sp.server != nil
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
		putText(row, 0, sev.Glyph(), th.sevStyle(sev))
	}
	if start := sp.client.s.Start.Time; !ev.ts.IsZero() && !start.IsZero() {
		putText(row, 1, padLeft(relSeconds(ev.ts.Sub(start)), 9), th.dim)
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
		row[g.xn] = cell{'✎', th.nat}
	case ev.expect != "":
		row[g.xn] = expectMark(th, ev.expect)
	case ev.l != nil && ev.r != nil && ev.kind != evNoData:
		row[g.xn] = cell{'┼', th.nat}
	}
	return row
}

// dialogOf is the dialog line of the viewed session an event shows, or -1.
func (sp *ladderSpec) dialogOf(ev *ladderEvent) int {
	h := ev.l
	if sp.server != nil && sp.viewed == sp.server.s.ID {
		h = ev.r
	}
	if h == nil {
		return -1
	}
	return h.dialog
}

func relSeconds(d time.Duration) string {
	return "+" + strconv.FormatFloat(d.Seconds(), 'f', 4, 64)
}

func cellsLine(cells []cell) line {
	var l line
	var b strings.Builder
	var cur tcell.Style
	for i, c := range cells {
		if i > 0 && c.st != cur {
			l = append(l, seg{b.String(), cur})
			b.Reset()
		}
		cur = c.st
		if c.r != wideRest {
			b.WriteRune(c.r)
		}
	}
	if b.Len() > 0 {
		l = append(l, seg{b.String(), cur})
	}
	return l
}

// ladderItems makes the ladder pane's items: the header, one line per
// event (rendered only when on screen), the legend.
func ladderItems(th *theme, sp *ladderSpec) []item {
	evs := ladderEvents(sp)
	items := make([]item, 0, len(evs)+4)
	for k := 0; k < 3; k++ {
		items = append(items, item{static: true, oneLine: true, render: func(w int) []line {
			return []line{cellsLine(ladderHeader(th, sp, max(w, 30))[k])}
		}})
	}
	for k := range evs {
		ev := &evs[k]
		items = append(items, item{
			oneLine: true,
			ref:     ladderRef{dialog: sp.dialogOf(ev)},
			render:  func(w int) []line { return []line{cellsLine(ladderRow(th, sp, ev, max(w, 30)))} },
		})
	}
	var more []string
	if sp.server != nil {
		more = append(more, "✎ rewritten by the NAT")
	}
	for k := range evs {
		if evs[k].expect != "" {
			more = append(more, "✓ ✖ … the gateway's expectation used, removed unused, pending")
			break
		}
	}
	return append(items, legendItem(th, sp.decrypted(), more...))
}

// legendItem is the ladder's legend, with what this ladder adds.
func legendItem(th *theme, decrypted bool, more ...string) item {
	legend := "→ command · ← reply · ═ data connection · ╌✖ failed · ┄ no data connection"
	if decrypted {
		legend += " · " + decryptedMark + "decrypted with the TLS key log"
	}
	for _, m := range more {
		legend += " · " + m
	}
	return item{static: true, render: func(w int) []line {
		out := []line{{}}
		for _, x := range wrap(legend, max(10, w-2)) {
			out = append(out, line{{"  " + x, th.dim}})
		}
		return out
	}}
}

// ladderText is the whole ladder as plain text (for y and for tests).
func ladderText(sp *ladderSpec, w int) string {
	th := newTheme(true)
	var b strings.Builder
	emit := func(r []cell) {
		b.WriteString(strings.TrimRight(cellsLine(r).plain(), " "))
		b.WriteByte('\n')
	}
	for _, r := range ladderHeader(th, sp, w) {
		emit(r)
	}
	evs := ladderEvents(sp)
	for k := range evs {
		emit(ladderRow(th, sp, &evs[k], w))
	}
	return b.String()
}
