package ladder

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"

	"github.com/ftpscope/ftpscope/model"
)

// The ladder diagram draws a session in time order between columns for the
// client, the NAT gateway (when the two legs of the control connection were
// paired) and the server: commands go right, replies left, data connections
// in the direction of their SYN. An announcement the NAT rewrote shows its
// inside text left of the gateway and its outside text right of it, with
// ✎ on the gateway's line.

// Leg is one leg of the control connection with its finding marks.
type Leg struct {
	S     *model.Session
	Marks sessionview.FrameMarks
}

// Spec says what to draw.
type Spec struct {
	Client Leg  // the leg on the client's side (the only one when unpaired)
	Server *Leg // the leg on the server's side, when paired
	Pair   *model.NATPair
	Viewed string // the session whose dialog indexes the rows refer to
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

// NATLegs orders a pair's sessions as client side, server side: the leg
// whose server address differs is the server's side (DNAT); otherwise the
// inside leg is the client's side (SNAT, masquerading).
func NATLegs(p *model.NATPair, inside, outside *model.Session) (client, server *model.Session) {
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

func dialogHalf(leg *Leg, i int) *half {
	e := &leg.S.Dialog[i]
	text := strings.TrimPrefix(strings.TrimPrefix(sessionview.EntryText(e), "→ "), "← ")
	if len(e.TextLines) > 0 { // the dialog pane shows them; the ladder only says so
		text += " (+" + strconv.Itoa(e.Lines-1) + " lines)"
	}
	mark := ""
	if e.Decrypted {
		mark = styled.DecryptedMark
	}
	h := &half{text: mark + text, dialog: i, frame: e.Frame, sev: leg.Marks.Worst[e.Frame]}
	for k := range leg.S.Channels {
		if a := leg.S.Channels[k].Announce; a != nil && a.Frame == e.Frame && a.Frame != 0 {
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
func ladderEvents(sp *Spec) []ladderEvent {
	var evs []ladderEvent
	add := func(e ladderEvent) {
		e.seq = len(evs)
		evs = append(evs, e)
	}
	a := sp.Client.S.Dialog
	var b []model.DialogEntry
	if sp.Server != nil {
		b = sp.Server.S.Dialog
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && sameMessage(&a[i], &b[j]):
			k, dir := entryKind(&a[i])
			l, r := dialogHalf(&sp.Client, i), dialogHalf(sp.Server, j)
			add(ladderEvent{ts: a[i].TS.Time, kind: k, dir: dir, l: l, r: r, rewritten: l.text != r.text})
			i, j = i+1, j+1
		case j >= len(b) || (i < len(a) && !a[i].TS.After(b[j].TS.Time)):
			k, dir := entryKind(&a[i])
			add(ladderEvent{ts: a[i].TS.Time, kind: k, dir: dir, l: dialogHalf(&sp.Client, i)})
			i++
		default:
			k, dir := entryKind(&b[j])
			add(ladderEvent{ts: b[j].TS.Time, kind: k, dir: dir, r: dialogHalf(sp.Server, j)})
			j++
		}
	}
	// Data channels: paired ones on one row.
	partner := map[string]string{} // client-leg channel → server-leg channel
	if sp.Pair != nil && sp.Server != nil {
		for _, cp := range sp.Pair.Channels {
			if sp.Client.S.ID == sp.Pair.Inside {
				partner[cp.Inside] = cp.Outside
			} else {
				partner[cp.Outside] = cp.Inside
			}
		}
	}
	var serverChans map[string]*model.Channel
	if sp.Server != nil {
		serverChans = map[string]*model.Channel{}
		for k := range sp.Server.S.Channels {
			serverChans[sp.Server.S.Channels[k].ID] = &sp.Server.S.Channels[k]
		}
	}
	used := map[string]bool{}
	for k := range sp.Client.S.Channels {
		ch := &sp.Client.S.Channels[k]
		var other *model.Channel
		if id, ok := partner[ch.ID]; ok {
			other = serverChans[id]
			used[id] = true
		}
		ev := dataEvent(&sp.Client, ch)
		if other != nil {
			o := dataEvent(sp.Server, other)
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
	if sp.Server != nil {
		for k := range sp.Server.S.Channels {
			ch := &sp.Server.S.Channels[k]
			if used[ch.ID] {
				continue
			}
			ev := dataEvent(sp.Server, ch)
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
func dataEvent(leg *Leg, ch *model.Channel) ladderEvent {
	dir := +1
	if ch.Mode == "active" {
		dir = -1
	}
	name := sessionview.ShortChannel(ch.ID)
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
			settled = sessionview.FinalReply(leg.S, sessionview.CommandAt(leg.S, t.Frame, t.Verb))
		}
		if a := ch.Announce; settled < 0 && a != nil && ch.Mode == "active" {
			settled = sessionview.FinalReply(leg.S, sessionview.CommandAt(leg.S, a.Frame, a.Verb))
		}
		if settled >= 0 {
			ts = leg.S.Dialog[settled].TS.Add(time.Nanosecond)
		}
		text := name + " no data connection"
		if ch.Status != "" && ch.Status != model.StatusNoConnection {
			text += " (" + styled.StatusWord(ch.Status) + ")"
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
			text += " (" + styled.DecryptedMark + "file " + textfmt.Thousands(*x.FileBytes) + " B)"
		}
	}
	return ladderEvent{ts: ts, kind: evData, dir: dir, l: &half{text: text, failed: failed, dialog: -1, frame: c.FirstFrame, sev: leg.Marks.Worst[c.FirstFrame]},
		expect: expectOf(ch)}
}

func expectOf(ch *model.Channel) string {
	if ch.Expectation == nil {
		return ""
	}
	return ch.Expectation.Outcome
}

func itoa(n int) string { return textfmt.Thousands(int64(n)) }

// Ref is what a ladder row points at: a line of the viewed session's
// dialog (⏎ selects it in the dialog pane, x shows its frame).
type Ref struct {
	Dialog int // index in the viewed session's dialog, or -1
}

// dialogOf is the dialog line of the viewed session an event shows, or -1.
func (sp *Spec) dialogOf(ev *ladderEvent) int {
	h := ev.l
	if sp.Server != nil && sp.Viewed == sp.Server.S.ID {
		h = ev.r
	}
	if h == nil {
		return -1
	}
	return h.dialog
}

// Items makes the ladder pane's items: the header, one line per
// event (rendered only when on screen), the legend.
func Items(th *styled.Theme, sp *Spec) []styled.Item {
	evs := ladderEvents(sp)
	items := make([]styled.Item, 0, len(evs)+4)
	for k := 0; k < 3; k++ {
		items = append(items, styled.Item{Static: true, OneLine: true, Render: func(w int) []styled.Line {
			return []styled.Line{cellsLine(ladderHeader(th, sp, max(w, 30))[k])}
		}})
	}
	for k := range evs {
		ev := &evs[k]
		items = append(items, styled.Item{
			OneLine: true,
			Ref:     Ref{Dialog: sp.dialogOf(ev)},
			Render:  func(w int) []styled.Line { return []styled.Line{cellsLine(ladderRow(th, sp, ev, max(w, 30)))} },
		})
	}
	var more []string
	if sp.Server != nil {
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
func legendItem(th *styled.Theme, decrypted bool, more ...string) styled.Item {
	legend := "→ command · ← reply · ═ data connection · ╌✖ failed · ┄ no data connection"
	if decrypted {
		legend += " · " + styled.DecryptedMark + "decrypted with the TLS key log"
	}
	for _, m := range more {
		legend += " · " + m
	}
	return styled.Item{Static: true, Render: func(w int) []styled.Line {
		out := []styled.Line{{}}
		for _, x := range styled.Wrap(legend, max(10, w-2)) {
			out = append(out, styled.Line{{Text: "  " + x, Style: th.Dim}})
		}
		return out
	}}
}

// Text is the whole ladder as plain text (for y and for tests).
func Text(sp *Spec, w int) string {
	th := styled.NewTheme(true)
	var b strings.Builder
	emit := func(r []cell) {
		b.WriteString(strings.TrimRight(cellsLine(r).Plain(), " "))
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
