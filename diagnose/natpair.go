package diagnose

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// NAT leg pairing: the same control connection seen on both sides of a
// NAT — two capture files, or one "-i any" capture on the gateway — shows
// the same dialog with different addresses in the IP headers, and, when
// the gateway's FTP helper worked, different addresses in the
// announcements. Pairing the legs shows the rewrite, checks that the
// gateway shifted every later sequence and acknowledgement number by the
// length the rewrite added, and ties each inside data connection to its
// outside counterpart.

// maxPairSkew is how far apart in time the starts of two legs may be.
// Legs captured on one machine are microseconds apart; captures from two
// machines add their clock offset.
const maxPairSkew = 2 * time.Minute

// signatureEntries is how much of a dialog must agree for two sessions to
// be legs of one connection.
const signatureEntries = 64

// vantageOf names a session's vantage point.
func vantageOf(s *model.Session) string {
	if s.Vantage == "" {
		return s.Source
	}
	return s.Source + "/" + s.Vantage
}

// announcementLine reports dialog entries whose text a NAT helper may
// rewrite: they are left out of the signature.
func announcementLine(e *model.DialogEntry) bool {
	if e.Kind == "command" {
		switch e.Verb {
		case "PORT", "EPRT", "LPRT":
			return true
		}
		return false
	}
	switch e.Code {
	case 227, 228, 229:
		return true
	}
	return false
}

// wireText is a dialog entry as it was sent (without CR LF).
func wireText(e *model.DialogEntry) string {
	if e.Kind == "command" {
		if e.Arg == "" {
			return e.Verb
		}
		return e.Verb + " " + e.Arg
	}
	if e.Malformed {
		return e.Text
	}
	return strconv.Itoa(e.Code) + " " + e.Text
}

// Pair finds, among sessions from several vantage points, those that are
// two legs of one control connection, and returns the pairs with the
// findings they support.
func (d *Diagnoser) Pair(sessions []*model.Session) ([]model.NATPair, []model.Finding) {
	sorted := append([]*model.Session(nil), sessions...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start.Time) })
	p := d.NewLegPairer(maxPairSkew, math.MaxInt)
	for _, s := range sorted {
		p.Add(s, nil)
	}
	return p.Result()
}

// insideOutside orders two legs: the inside one carries the private
// address that the NAT replaces.
func insideOutside(a, b *model.Session, sources map[string]int) (*model.Session, *model.Session) {
	ca, cb := addrOf(a.Client, a.ClientAddrPort), addrOf(b.Client, b.ClientAddrPort)
	if ca != cb {
		if isPrivate(cb) && !isPrivate(ca) {
			return b, a
		}
		if isPrivate(ca) && !isPrivate(cb) {
			return a, b
		}
	}
	sa, sb := addrOf(a.Server, a.ServerAddrPort), addrOf(b.Server, b.ServerAddrPort)
	if sa != sb {
		if isPrivate(sb) && !isPrivate(sa) {
			return b, a
		}
		if isPrivate(sa) && !isPrivate(sb) {
			return a, b
		}
	}
	// The addresses do not tell: trust the labels, then the order of the
	// sources, then — two interfaces of one capture — the leg that started
	// first, nearest the client (its SYN was captured before it crossed).
	// None of it depends on the order the legs concluded in.
	la, lb := strings.ToLower(vantageOf(a)), strings.ToLower(vantageOf(b))
	switch {
	case strings.Contains(la, "inside") || strings.Contains(lb, "outside"):
		return a, b
	case strings.Contains(lb, "inside") || strings.Contains(la, "outside"):
		return b, a
	}
	if a.Source != b.Source {
		ia, oka := sources[a.Source]
		ib, okb := sources[b.Source]
		if oka && okb && ib < ia {
			return b, a
		}
		if oka && okb {
			return a, b
		}
	}
	switch {
	case b.Start.Before(a.Start.Time):
		return b, a
	case a.Start.Before(b.Start.Time):
		return a, b
	case vantageOf(b) < vantageOf(a):
		return b, a
	}
	return a, b
}

// pairLegs compares two legs of one control connection. settled, when not
// nil, says which data channels of legs that still run have their outcome:
// only those may show a failure.
func (d *Diagnoser) pairLegs(in, out *model.Session, settled func(*model.Channel) bool) (model.NATPair, []model.Finding) {
	p := model.NATPair{Inside: in.ID, Outside: out.ID, Rewrites: []model.Rewrite{},
		Translation: &model.TranslationMap{InsideClient: in.Client, InsideServer: in.Server, OutsideClient: out.Client, OutsideServer: out.Server}}
	var fs []model.Finding
	n := min(len(in.Dialog), len(out.Dialog))
	for i := 0; i < n; i++ {
		ei, eo := &in.Dialog[i], &out.Dialog[i]
		ti, to := wireText(ei), wireText(eo)
		if ti == to || ei.Kind != eo.Kind {
			continue
		}
		p.Rewrites = append(p.Rewrites, model.Rewrite{Kind: ei.Kind, Inside: ti, Outside: to, LengthDelta: len(to) - len(ti),
			InsideFrame: ei.Frame, OutsideFrame: eo.Frame})
	}
	// Data channels, in order: the dialogs agree, so the channels do.
	for i := 0; i < min(len(in.Channels), len(out.Channels)); i++ {
		ci, co := &in.Channels[i], &out.Channels[i]
		cp := model.ChannelPair{Inside: ci.ID, Outside: co.ID, InsideEndpoint: channelEndpoint(ci), OutsideEndpoint: channelEndpoint(co)}
		if ei, ok1 := parseEndpoint(cp.InsideEndpoint, netip.AddrPort{}); ok1 {
			if eo, ok2 := parseEndpoint(cp.OutsideEndpoint, netip.AddrPort{}); ok2 && ei.Port() != eo.Port() {
				cp.PortRemapped = true
			}
		}
		p.Channels = append(p.Channels, cp)
	}
	check, changed := seqCheck(in.Segments, out.Segments)
	p.SeqCheck = check
	if changed {
		ok := check.Mismatches == 0
		p.SeqAdjusted = &ok
	}
	p.WiresharkFilter = model.WiresharkFilter(in, out)
	fs = append(fs, d.pairFindings(&p, in, out, settled)...)
	return p, fs
}

// channelEndpoint is where a channel's data connection went: the observed
// responder, or else the announced endpoint.
func channelEndpoint(ch *model.Channel) string {
	if ch.Connection != nil {
		return ch.Connection.Responder
	}
	if ch.Announce != nil {
		return ch.Announce.Endpoint
	}
	return ""
}

// pairFindings: nat-rewrite for each rewritten announcement,
// nat-not-rewritten for announcements the gateway passed unchanged though
// it translated the connection, nat-seq-not-adjusted for a bad shift.
func (d *Diagnoser) pairFindings(p *model.NATPair, in, out *model.Session, settled func(*model.Channel) bool) []model.Finding {
	var fs []model.Finding
	leg := func(s *model.Session, frames ...uint64) model.Evidence {
		src := vantageOf(s)
		var fr []uint64
		for _, f := range frames {
			if f != 0 {
				fr = append(fr, f)
			}
		}
		if fr == nil {
			fr = []uint64{}
		}
		return model.Evidence{Source: src, Frames: fr}
	}
	for _, rw := range p.Rewrites {
		ev := leg(in, rw.InsideFrame)
		o := leg(out, rw.OutsideFrame)
		ev.Other = &o
		ev.Wire = []string{rw.Inside, rw.Outside}
		ev.Vantage = "both sides of the NAT: " + vantageOf(in) + " (inside) and " + vantageOf(out) + " (outside)"
		f := model.Finding{Rule: RuleNATRewrite, Severity: model.Info, Session: in.ID, Evidence: ev,
			Summary:     fmt.Sprintf("NAT rewrote %q → %q (%+d bytes)", rw.Inside, rw.Outside, rw.LengthDelta),
			Explanation: fmt.Sprintf("The gateway's FTP helper rewrote the %s on its way out, so the far end sees an endpoint it can reach; the payload length changed by %+d bytes, so the gateway must shift every later sequence number of that direction (and the acknowledgements coming back) by as much.", rw.Kind, rw.LengthDelta),
			Remedy:      "Nothing to change: this is the helper working.",
		}
		if ts := entryTS(in, rw.InsideFrame); ts != nil {
			f.TS = ts
		}
		fs = append(fs, f)
	}
	translatedClient := in.Client != out.Client
	translatedServer := in.Server != out.Server
	for i := 0; i < min(len(in.Channels), len(out.Channels)); i++ {
		ci, co := &in.Channels[i], &out.Channels[i]
		if ci.Announce == nil || co.Announce == nil || ci.Announce.Raw != co.Announce.Raw {
			continue
		}
		if settled != nil && !(settled(ci) && settled(co)) {
			continue
		}
		active := isActive(ci)
		ep, ok := parseEndpoint(ci.Announce.Endpoint, ci.Announce.EndpointAddrPort)
		if !ok {
			continue
		}
		if active && !(translatedClient && ep.Addr() == addrOf(in.Client, in.ClientAddrPort)) {
			continue
		}
		if !active && !(translatedServer && ep.Addr() == addrOf(in.Server, in.ServerAddrPort)) {
			continue
		}
		if !failed(ci) && !failed(co) {
			continue
		}
		ev := leg(in, ci.Announce.Frame, ci.Announce.ReplyFrame)
		o := leg(out, co.Announce.Frame, co.Announce.ReplyFrame)
		ev.Other = &o
		ev.Wire = []string{ci.Announce.Raw}
		ev.Vantage = "both sides of the NAT"
		peer := out.Client
		what := "client"
		if !active {
			peer, what = out.Server, "server"
		}
		f := model.Finding{Rule: RuleNATNotRewritten, Severity: model.Error, Session: in.ID, Channel: ci.ID, TS: timeRef(ci.Announce.TS), Evidence: ev,
			Summary: fmt.Sprintf("NAT translated the %s to %s but passed %q unchanged", what, addrOf(peer, netip.AddrPort{}), ci.Announce.Raw),
			Explanation: fmt.Sprintf("Both legs carry the same %s, naming %s, while the IP headers show the %s as %s inside and %s outside: the gateway translates the connection but its FTP helper did not rewrite the announcement (not attached, or it could not parse it), so the data channel failed (%s).",
				ci.Announce.Verb, ep, what, addrOf(in.Client, in.ClientAddrPort), addrOf(out.Client, out.ClientAddrPort), co.Status),
		}
		if !active {
			f.Explanation = fmt.Sprintf("Both legs carry the same %d reply naming %s, while the server is %s inside and %s outside: the server-side gateway translates the connection but did not rewrite the reply, so the data channel failed (%s).",
				*ci.Announce.ReplyCode, ep, addrOf(in.Server, in.ServerAddrPort), addrOf(out.Server, out.ServerAddrPort), co.Status)
		}
		f.Remedy = capitalize(remedyHelper) + "."
		fs = append(fs, f)
	}
	// A data connection that shows on one side of the gateway only: the
	// gateway itself stopped it.
	for i := 0; i < min(len(in.Channels), len(out.Channels)); i++ {
		ci, co := &in.Channels[i], &out.Channels[i]
		if settled != nil && !(settled(ci) && settled(co)) {
			continue
		}
		var seen *model.Channel
		var where, missing string
		switch {
		case ci.Mode == "active" && co.Connection != nil && ci.Connection == nil:
			seen, where, missing = co, "outside", "inside"
		case ci.Mode == "passive" && ci.Connection != nil && co.Connection == nil:
			seen, where, missing = ci, "inside", "outside"
		default:
			continue
		}
		cn := seen.Connection
		ev := leg(out, cn.FirstFrame)
		if where == "inside" {
			ev = leg(in, cn.FirstFrame)
		}
		ev.Vantage = "both sides of the NAT"
		f := model.Finding{Rule: RuleDataConnectionFailed, Severity: model.Error, Session: in.ID, Channel: ci.ID, TS: cn.SYN, Evidence: ev,
			Summary: fmt.Sprintf("data connection %s → %s reached the gateway but never crossed it", cn.Initiator, cn.Responder),
			Explanation: fmt.Sprintf("The %s-mode data connection shows on the %s leg (%s, %s) and not at all on the %s leg: the gateway itself stopped it — a forward rule dropped it, or no NAT mapping or helper expectation existed for it. (When the helper's expectation is consumed by a first, dropped SYN, Linux answers the retransmitted SYN itself with a RST.)",
				seen.Mode, where, statusPhrase(seen), cn.Initiator+" → "+cn.Responder, missing),
			Remedy: "Allow the data connection through the gateway's forward chain (nft: 'ct state related accept' with the FTP helper attached), or open the passive port range explicitly.",
		}
		fs = append(fs, f)
	}
	if p.SeqAdjusted != nil && !*p.SeqAdjusted {
		f := model.Finding{Rule: RuleNATSeqNotAdjusted, Severity: model.Error, Session: in.ID,
			Evidence: model.Evidence{Source: vantageOf(out), Frames: []uint64{p.SeqCheck.FirstBad}, Vantage: "both sides of the NAT"},
			Summary:  fmt.Sprintf("NAT rewrote the control payload but did not shift sequence numbers consistently (%d of %d segments off)", p.SeqCheck.Mismatches, p.SeqCheck.Segments),
			Explanation: "After a rewrite changed the payload length, the gateway must add the difference to every later sequence number of that direction and subtract it from the acknowledgements coming back (Linux seqadj). " + p.SeqCheck.Detail +
				" The endpoints then see data they did not send or acknowledgements for data never sent: the control connection stalls or the server answers 421.",
			Remedy: "Upgrade the gateway kernel or attach the helper the documented way (nft 'ct helper set', iptables '-j CT --helper ftp') so that NAT sets up sequence adjustment; as a workaround use EPSV/EPRT-free passive mode with a fixed port range so no rewrite is needed.",
		}
		fs = append(fs, f)
	}
	return fs
}

func entryTS(s *model.Session, frame uint64) *model.Time {
	for i := range s.Dialog {
		if s.Dialog[i].Frame == frame {
			return timeRef(s.Dialog[i].TS)
		}
	}
	return nil
}

// seqCheck verifies that the outside leg's sequence and acknowledgement
// numbers equal the inside leg's shifted by the length changes of the
// rewritten segments before them. changed reports a length change at all.
func seqCheck(in, out []model.Segment) (*model.SeqCheck, bool) {
	check := &model.SeqCheck{}
	changed := false
	var details []string
	for _, fromClient := range []bool{true, false} {
		di, do := directionOf(in, fromClient), directionOf(out, fromClient)
		ri, ro := directionOf(in, !fromClient), directionOf(out, !fromClient)
		isnI, isnO := isn(di), isn(do)
		pi, po := payloadSegments(di, isnI), payloadSegments(do, isnO)
		n := min(len(pi), len(po))
		// cumulative shift after each matched payload segment, by the
		// outside end it reaches, for the acknowledgement check
		type mark struct {
			outEnd int64
			shift  int64
		}
		var marks []mark
		var shift int64
		for k := 0; k < n; k++ {
			check.Segments++
			if got := po[k].rel - pi[k].rel; got != shift {
				check.Mismatches++
				if check.FirstBad == 0 {
					check.FirstBad = po[k].frame
					details = append(details, fmt.Sprintf("segment at outside frame %d is shifted by %+d, expected %+d", po[k].frame, got, shift))
				}
			}
			if dl := int64(po[k].len - pi[k].len); dl != 0 {
				changed = true
				shift += dl
			}
			marks = append(marks, mark{po[k].rel + int64(po[k].len), shift})
		}
		// acknowledgements of this direction's bytes, sent by the peer
		m := min(len(ri), len(ro))
		for k := 0; k < m; k++ {
			if !ri[k].HasAck || !ro[k].HasAck || ri[k].SYN || ro[k].SYN {
				continue
			}
			ackI := int64(int32(ri[k].Ack - isnI))
			ackO := int64(int32(ro[k].Ack - isnO))
			var want int64
			for _, mk := range marks {
				if mk.outEnd <= ackO {
					want = mk.shift
				}
			}
			check.Segments++
			if got := ackO - ackI; got != want {
				check.Mismatches++
				if check.FirstBad == 0 {
					check.FirstBad = ro[k].Frame
					details = append(details, fmt.Sprintf("acknowledgement at outside frame %d is shifted by %+d, expected %+d", ro[k].Frame, got, want))
				}
			}
		}
	}
	if len(details) > 0 {
		check.Detail = "First difference: " + details[0] + "."
	}
	return check, changed
}

func directionOf(segs []model.Segment, fromClient bool) []model.Segment {
	var out []model.Segment
	for _, s := range segs {
		if s.FromClient == fromClient {
			out = append(out, s)
		}
	}
	return out
}

// isn returns the sequence number of a direction's first data byte.
func isn(segs []model.Segment) uint32 {
	for _, s := range segs {
		if s.SYN {
			return s.Seq + 1
		}
	}
	if len(segs) > 0 {
		return segs[0].Seq
	}
	return 0
}

type relSeg struct {
	rel   int64
	len   int
	frame uint64
}

// payloadSegments lists a direction's payload segments relative to its
// first byte, in order, without retransmissions.
func payloadSegments(segs []model.Segment, base uint32) []relSeg {
	var out []relSeg
	var high int64
	for _, s := range segs {
		if s.Len == 0 {
			continue
		}
		rel := int64(int32(s.Seq - base))
		if rel < high {
			continue // retransmitted
		}
		out = append(out, relSeg{rel, s.Len, s.Frame})
		high = rel + int64(s.Len)
	}
	return out
}
