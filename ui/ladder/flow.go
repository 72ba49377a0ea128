package ladder

import (
	"encoding/csv"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// A flow is the ladder of several sessions at once, as sngrep draws the
// call flow of the dialogs picked in its list: one column per host, the
// sessions' commands, replies and data connections in time order between
// them, each row naming its session. The two legs of a NAT (client,
// gateway, server) or the retries of one client read as one story.

// maxFlowHosts bounds the columns; hosts beyond share the last one.
const maxFlowHosts = 8

type Flow struct {
	legs  []Leg
	Hosts []string
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

// NewFlow lays out the sessions of rows: clients' hosts on the left,
// in session order, servers' hosts after them, hosts that only data
// connections name last.
func NewFlow(rows []*viewmodel.Row) *Flow {
	sp := &Flow{col: map[string]int{}, idW: 2}
	place := func(host string) {
		if _, ok := sp.col[host]; ok {
			return
		}
		if len(sp.Hosts) == maxFlowHosts {
			sp.col[host] = maxFlowHosts - 1
			sp.Hosts[maxFlowHosts-1] = "…"
			return
		}
		sp.col[host] = len(sp.Hosts)
		sp.Hosts = append(sp.Hosts, host)
	}
	for _, r := range rows {
		sp.legs = append(sp.legs, Leg{S: r.Session(), Marks: sessionview.MarksFor(r.Findings)})
		if st := r.S.Start.Time; !st.IsZero() && (sp.start.IsZero() || st.Before(sp.start)) {
			sp.start = st
		}
		sp.idW = max(sp.idW, styled.Width(r.S.ID))
	}
	for _, l := range sp.legs {
		place(hostOf(l.S.Client))
	}
	for _, l := range sp.legs {
		place(hostOf(l.S.Server))
	}
	for _, l := range sp.legs {
		for _, ch := range l.S.Channels {
			if c := ch.Connection; c != nil {
				place(hostOf(c.Initiator))
				place(hostOf(c.Responder))
			}
		}
	}
	return sp
}

// events merges every session's dialog and data connections in time order.
func (sp *Flow) events() []flowEvent {
	var evs []flowEvent
	for li := range sp.legs {
		leg := &sp.legs[li]
		c, s := sp.col[hostOf(leg.S.Client)], sp.col[hostOf(leg.S.Server)]
		for i := range leg.S.Dialog {
			e := &leg.S.Dialog[i]
			kind, _ := entryKind(e)
			from, to := c, s
			if kind == evReply {
				from, to = s, c
			}
			evs = append(evs, flowEvent{ts: e.TS.Time, leg: li, kind: kind, from: from, to: to, h: dialogHalf(leg, i)})
		}
		for k := range leg.S.Channels {
			ch := &leg.S.Channels[k]
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
func (sp *Flow) columns(w int) []int {
	x0 := ladderPrefix + sp.idW + 1
	n := len(sp.Hosts)
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

func (sp *Flow) lifelines(th *styled.Theme, xs []int, w int) []cell {
	row := blankRow(w, th.Base)
	for _, x := range xs {
		if x < w {
			row[x] = cell{'│', th.Dim}
		}
	}
	return row
}

// header is the hosts over their columns and the lifelines' tops.
func (sp *Flow) header(th *styled.Theme, w int) [][]cell {
	xs := sp.columns(w)
	names := blankRow(w, th.Base)
	putText(names, 1, styled.PadRight("sessions", ladderPrefix+sp.idW-1), th.Dim)
	lo := ladderPrefix + sp.idW
	for i, h := range sp.Hosts {
		hi := w
		if i+1 < len(xs) {
			hi = (xs[i] + xs[i+1]) / 2
		}
		_, end := putCentered(names, xs[i], lo, hi, h, th.Title)
		lo = end + 1
	}
	top := sp.lifelines(th, xs, w)
	for _, x := range xs {
		if x < w {
			top[x] = cell{'┬', th.Dim}
		}
	}
	return [][]cell{names, top}
}

// row draws one event.
func (sp *Flow) row(th *styled.Theme, ev *flowEvent, w int) []cell {
	xs := sp.columns(w)
	row := sp.lifelines(th, xs, w)
	if ev.h.sev > 0 {
		putText(row, 0, ev.h.sev.Glyph(), th.SevStyle(ev.h.sev))
	}
	if !ev.ts.IsZero() && !sp.start.IsZero() {
		putText(row, 1, styled.PadLeft(relSeconds(ev.ts.Sub(sp.start)), 9), th.Dim)
	}
	putText(row, ladderPrefix, sp.legs[ev.leg].S.ID, th.Bold)
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

// FlowRef is what a flow row points at: a session's dialog line.
type FlowRef struct {
	Session string
	Dialog  int // -1 for a data connection
	Frame   uint64
	Source  string
}

// FlowItems are the flow view's items: the header, one line per event,
// the legend.
func FlowItems(th *styled.Theme, sp *Flow) []styled.Item {
	evs := sp.events()
	items := make([]styled.Item, 0, len(evs)+3)
	for k := 0; k < 2; k++ {
		items = append(items, styled.Item{Static: true, OneLine: true, Render: func(w int) []styled.Line {
			return []styled.Line{cellsLine(sp.header(th, max(w, 40))[k])}
		}})
	}
	for k := range evs {
		ev := &evs[k]
		s := sp.legs[ev.leg].S
		items = append(items, styled.Item{
			OneLine: true,
			Ref:     FlowRef{Session: s.ID, Dialog: ev.h.dialog, Frame: ev.h.frame, Source: s.Source},
			Copy:    strings.TrimRight(cellsLine(sp.row(styled.NewTheme(true), ev, 120)).Plain(), " "),
			Render:  func(w int) []styled.Line { return []styled.Line{cellsLine(sp.row(th, ev, max(w, 40)))} },
		})
	}
	legs := make([]*Leg, len(sp.legs))
	for i := range sp.legs {
		legs[i] = &sp.legs[i]
	}
	return append(items, legendItem(th, anyDecrypted(legs...), "⏎ opens the session at the line"))
}

// FlowText is the whole flow as plain text.
func FlowText(sp *Flow, w int) string {
	th := styled.NewTheme(true)
	var b strings.Builder
	emit := func(r []cell) {
		b.WriteString(strings.TrimRight(cellsLine(r).Plain(), " "))
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

// WriteFlowCSV writes the flow as CSV, one row per event: time (RFC 3339,
// UTC), session, from and to hosts, kind, text, frame.
func WriteFlowCSV(out io.Writer, sp *Flow) error {
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
		_ = w.Write([]string{ts, sp.legs[ev.leg].S.ID, sp.Hosts[ev.from], sp.Hosts[ev.to], kinds[ev.kind], textfmt.CSVSafe(ev.h.text), frame})
	}
	w.Flush()
	return w.Error()
}
