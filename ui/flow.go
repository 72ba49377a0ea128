package ui

import (
	"encoding/csv"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// A flow is the ladder of several sessions at once, as sngrep draws the
// call flow of the dialogs picked in its list: one column per host, the
// sessions' commands, replies and data connections in time order between
// them, each row naming its session. The two legs of a NAT (client,
// gateway, server) or the retries of one client read as one story.

// maxFlowHosts bounds the columns; hosts beyond share the last one.
const maxFlowHosts = 8

type flowSpec struct {
	legs  []ladderLeg
	hosts []string
	col   map[string]int // host → column
	start time.Time      // the earliest session start
	idW   int            // width of the longest session id
}

type flowEvent struct {
	ts       time.Time
	leg      int // index in legs
	kind     evKind
	from, to int // columns
	h        *half
}

// hostOf is the address of an endpoint ("192.168.1.10:4000" →
// "192.168.1.10"); what does not parse is taken whole.
func hostOf(ep string) string {
	if ap, err := netip.ParseAddrPort(ep); err == nil {
		return ap.Addr().String()
	}
	return ep
}

// newFlowSpec lays out the sessions of rows: clients' hosts on the left,
// in session order, servers' hosts after them, hosts that only data
// connections name last.
func newFlowSpec(rows []*viewmodel.Row) *flowSpec {
	sp := &flowSpec{col: map[string]int{}, idW: 2}
	place := func(host string) {
		if _, ok := sp.col[host]; ok {
			return
		}
		if len(sp.hosts) == maxFlowHosts {
			sp.col[host] = maxFlowHosts - 1
			sp.hosts[maxFlowHosts-1] = "…"
			return
		}
		sp.col[host] = len(sp.hosts)
		sp.hosts = append(sp.hosts, host)
	}
	for _, r := range rows {
		sp.legs = append(sp.legs, ladderLeg{s: r.S, marks: marksFor(r.Findings)})
		if st := r.S.Start.Time; !st.IsZero() && (sp.start.IsZero() || st.Before(sp.start)) {
			sp.start = st
		}
		sp.idW = max(sp.idW, strWidth(r.S.ID))
	}
	for _, l := range sp.legs {
		place(hostOf(l.s.Client))
	}
	for _, l := range sp.legs {
		place(hostOf(l.s.Server))
	}
	for _, l := range sp.legs {
		for _, ch := range l.s.Channels {
			if c := ch.Connection; c != nil {
				place(hostOf(c.Initiator))
				place(hostOf(c.Responder))
			}
		}
	}
	return sp
}

// events merges every session's dialog and data connections in time order.
func (sp *flowSpec) events() []flowEvent {
	var evs []flowEvent
	for li := range sp.legs {
		leg := &sp.legs[li]
		c, s := sp.col[hostOf(leg.s.Client)], sp.col[hostOf(leg.s.Server)]
		for i := range leg.s.Dialog {
			e := &leg.s.Dialog[i]
			kind, _ := entryKind(e)
			from, to := c, s
			if kind == evReply {
				from, to = s, c
			}
			evs = append(evs, flowEvent{ts: e.TS.Time, leg: li, kind: kind, from: from, to: to, h: dialogHalf(leg, i)})
		}
		for k := range leg.s.Channels {
			ch := &leg.s.Channels[k]
			ev := dataEvent(leg, ch)
			from, to := c, s
			if cn := ch.Connection; cn != nil && ev.kind == evData {
				from, to = sp.col[hostOf(cn.Initiator)], sp.col[hostOf(cn.Responder)]
			} else if ch.Mode == "active" {
				from, to = s, c
			}
			evs = append(evs, flowEvent{ts: ev.ts, leg: li, kind: ev.kind, from: from, to: to, h: ev.l})
		}
	}
	// stable: events at the same time keep the legs' dialog order
	sort.SliceStable(evs, func(x, y int) bool { return evs[x].ts.Before(evs[y].ts) })
	return evs
}

// flowGeom places the columns in a width: after the gutter (mark, time,
// session id), evenly.
func (sp *flowSpec) columns(w int) []int {
	x0 := ladderPrefix + sp.idW + 1
	n := len(sp.hosts)
	xs := make([]int, n)
	if n == 1 {
		xs[0] = x0 + 1
		return xs
	}
	span := max(w-2-(x0+1), 8*(n-1))
	for i := range xs {
		xs[i] = x0 + 1 + i*span/(n-1)
	}
	return xs
}

func (sp *flowSpec) lifelines(th *theme, xs []int, w int) []cell {
	row := blankRow(w, th.base)
	for _, x := range xs {
		if x < w {
			row[x] = cell{'│', th.dim}
		}
	}
	return row
}

// header is the hosts over their columns and the lifelines' tops.
func (sp *flowSpec) header(th *theme, w int) [][]cell {
	xs := sp.columns(w)
	names := blankRow(w, th.base)
	putText(names, 1, padRight("sessions", ladderPrefix+sp.idW-1), th.dim)
	lo := ladderPrefix + sp.idW
	for i, h := range sp.hosts {
		hi := w
		if i+1 < len(xs) {
			hi = (xs[i] + xs[i+1]) / 2
		}
		_, end := putCentered(names, xs[i], lo, hi, h, th.title)
		lo = end + 1
	}
	top := sp.lifelines(th, xs, w)
	for _, x := range xs {
		if x < w {
			top[x] = cell{'┬', th.dim}
		}
	}
	return [][]cell{names, top}
}

// row draws one event.
func (sp *flowSpec) row(th *theme, ev *flowEvent, w int) []cell {
	xs := sp.columns(w)
	row := sp.lifelines(th, xs, w)
	if ev.h.sev > 0 {
		putText(row, 0, ev.h.sev.Glyph(), th.sevStyle(ev.h.sev))
	}
	if !ev.ts.IsZero() && !sp.start.IsZero() {
		putText(row, 1, padLeft(relSeconds(ev.ts.Sub(sp.start)), 9), th.dim)
	}
	putText(row, ladderPrefix, sp.legs[ev.leg].s.ID, th.bold)
	a, b, dir := xs[ev.from], xs[ev.to], +1
	if a > b {
		a, b, dir = b, a, -1
	}
	if a == b { // both ends on one host (loopback)
		b = min(a+4, w-1)
	}
	if b < w {
		arrow(row, a, b, dir, ev.h, ev.kind, th)
	}
	return row
}

// flowRef is what a flow row points at: a session's dialog line.
type flowRef struct {
	session string
	dialog  int // -1 for a data connection
	frame   uint64
	source  string
}

// flowItems are the flow view's items: the header, one line per event,
// the legend.
func flowItems(th *theme, sp *flowSpec) []item {
	evs := sp.events()
	items := make([]item, 0, len(evs)+3)
	for k := 0; k < 2; k++ {
		items = append(items, item{static: true, oneLine: true, render: func(w int) []line {
			return []line{cellsLine(sp.header(th, max(w, 40))[k])}
		}})
	}
	for k := range evs {
		ev := &evs[k]
		s := sp.legs[ev.leg].s
		items = append(items, item{
			oneLine: true,
			ref:     flowRef{session: s.ID, dialog: ev.h.dialog, frame: ev.h.frame, source: s.Source},
			copy:    strings.TrimRight(cellsLine(sp.row(newTheme(true), ev, 120)).plain(), " "),
			render:  func(w int) []line { return []line{cellsLine(sp.row(th, ev, max(w, 40)))} },
		})
	}
	legs := make([]*ladderLeg, len(sp.legs))
	for i := range sp.legs {
		legs[i] = &sp.legs[i]
	}
	return append(items, legendItem(th, anyDecrypted(legs...), "⏎ opens the session at the line"))
}

// flowText is the whole flow as plain text.
func flowText(sp *flowSpec, w int) string {
	th := newTheme(true)
	var b strings.Builder
	emit := func(r []cell) {
		b.WriteString(strings.TrimRight(cellsLine(r).plain(), " "))
		b.WriteByte('\n')
	}
	for _, r := range sp.header(th, w) {
		emit(r)
	}
	evs := sp.events()
	for k := range evs {
		emit(sp.row(th, &evs[k], w))
	}
	return b.String()
}

// writeFlowCSV writes the flow as CSV, one row per event: time (RFC 3339,
// UTC), session, from and to hosts, kind, text, frame.
func writeFlowCSV(out io.Writer, sp *flowSpec) error {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"time", "session", "from", "to", "kind", "text", "frame"})
	kinds := map[evKind]string{evCommand: "command", evReply: "reply", evData: "data", evNoData: "no-data"}
	evs := sp.events()
	for k := range evs {
		ev := &evs[k]
		ts := ""
		if !ev.ts.IsZero() {
			ts = string(model.At(ev.ts).AppendUTC(nil))
		}
		frame := ""
		if ev.h.frame != 0 {
			frame = strconv.FormatUint(ev.h.frame, 10)
		}
		_ = w.Write([]string{ts, sp.legs[ev.leg].s.ID, sp.hosts[ev.from], sp.hosts[ev.to], kinds[ev.kind], csvSafe(ev.h.text), frame})
	}
	w.Flush()
	return w.Error()
}
