package diagnose

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// Rules drawn from the capturing host's own conntrack (live, on the NAT
// gateway): session.conntrack and channel.expectation.
const (
	RuleHelperNotAttached  = "helper-not-attached"
	RuleExpectationMissing = "expectation-missing"
	RuleExpectationUnused  = "expectation-unused"
)

// ftpHelper reports a conntrack entry with the FTP helper attached ("ftp",
// or "ftp-PORT" for nf_conntrack_ftp's ports=).
func ftpHelper(ct *model.Conntrack) bool {
	return ct.Helper != nil && (*ct.Helper == "ftp" || strings.HasPrefix(*ct.Helper, "ftp-"))
}

// needsHelper reports an announcement of the side the host translates:
// only the helper can rewrite it.
func needsHelper(ct *model.Conntrack, ch *model.Channel) bool {
	if ch.Announce == nil {
		return false
	}
	if isActive(ch) {
		return ct.SNAT
	}
	return ct.DNAT
}

// helperNotAttached: the host translates the control connection, and no
// FTP helper is attached to its conntrack entry.
func (c *sessionCtx) helperNotAttached() {
	ct := c.s.Conntrack
	if ct == nil || ftpHelper(ct) || !ct.SNAT && !ct.DNAT {
		return
	}
	var needed *model.Channel
	sev := model.Warning
	for i := range c.s.Channels {
		ch := &c.s.Channels[i]
		if ch.Announce == nil {
			continue
		}
		if needsHelper(ct, ch) || failed(ch) {
			needed, sev = ch, model.Error
			break
		}
		if needed == nil {
			needed = ch
		}
	}
	port := portOf(c.s.Server)
	what := "no helper"
	if ct.Helper != nil {
		what = fmt.Sprintf("the helper %q, not FTP's", *ct.Helper)
	}
	f := model.Finding{Rule: RuleHelperNotAttached, Severity: sev, TS: timeRef(c.s.Start),
		Evidence: model.Evidence{Frames: []uint64{c.s.Frames.First}, Wire: []string{ct.Tuple, ct.ReplyTuple}, Vantage: "this host's conntrack"},
		Summary:  fmt.Sprintf("this host translates the control connection %s but its conntrack entry has %s attached", ct.Tuple, what),
	}
	f.Explanation = fmt.Sprintf("Conntrack translates the connection (reply direction %s; zone %d, mark %d) and no FTP helper reads its dialog, so nothing rewrites PORT, EPRT or 227 and no expectation lets the data connection through.", ct.ReplyTuple, ct.Zone, ct.Mark)
	if needed != nil {
		a := needed.Announce
		f.TS = timeRef(a.TS)
		f.Evidence.Frames = []uint64{a.Frame}
		f.Evidence.Wire = append(f.Evidence.Wire, a.Raw)
		if sev == model.Error {
			f.Explanation += fmt.Sprintf(" %s %s needed it: the data channel %s.", a.Verb, a.Endpoint, statusPhrase(needed))
		} else {
			f.Explanation += fmt.Sprintf(" %s %s did not need it (the other side is not translated), but an announcement of the translated side will fail.", a.Verb, a.Endpoint)
		}
	}
	f.Remedy = fmt.Sprintf(`Attach the FTP helper to this connection: nft 'table inet ftp { ct helper ftp-std { type "ftp" protocol tcp; } chain pre { type filter hook prerouting priority filter; tcp dport %d ct helper set "ftp-std" } }'; iptables: '-t raw -A PREROUTING -p tcp --dport %d -j CT --helper ftp'. Modern kernels attach no helper by themselves (nf_conntrack_helper=0).`, port, port)
	c.add(f, needed)
}

// expectationMissing: the FTP helper is attached, the announcement crossed
// this host, and the helper created no expectation for it.
func (c *sessionCtx) expectationMissing(ch *model.Channel) {
	ct, a := c.s.Conntrack, ch.Announce
	if ct == nil || !ftpHelper(ct) || a == nil || ch.Expectation != nil {
		return
	}
	switch a.Verb {
	case "PORT", "EPRT", "PASV", "EPSV":
	default:
		return // LPRT, LPSV: the Linux helper does not read them
	}
	ep, ok := parseEndpoint(a.Endpoint, a.EndpointAddrPort)
	if !ok {
		return
	}
	// The helper refuses on purpose an address that is not the
	// announcer's own (a bounce, a server announcing another host): other
	// rules tell of those.
	if isActive(ch) && ep.Addr() != c.client() || !isActive(ch) && ep.Addr() != c.server() {
		return
	}
	e := c.entryAt(a)
	if e != nil && e.Decrypted {
		return // it crossed encrypted: no helper reads it (tls-blinds-alg says so)
	}
	why := "the announcement was split across TCP segments or was not at the start of one (the helper reads one segment), the control port is not among nf_conntrack_ftp's ports=, or the expectation table was full (nf_conntrack_expect_max)"
	if e != nil && e.Segment != nil {
		switch p := e.Segment; {
		case p.Split:
			why = fmt.Sprintf("the line was split across %d TCP segments: the helper reads one segment and saw no whole announcement", p.Segments)
		case p.Offset > 0 || p.Index > 0:
			why = fmt.Sprintf("the line was not at the start of its TCP segment (%d bytes before it): the helper reads only the first command of a segment", p.Offset)
		}
	}
	f := model.Finding{Rule: RuleExpectationMissing, Severity: model.Error, TS: timeRef(a.TS),
		Evidence: model.Evidence{Frames: []uint64{a.Frame}, Wire: []string{a.Raw}, Vantage: "this host's conntrack"},
		Summary:  fmt.Sprintf("the FTP helper is attached but created no expectation for %s %s", a.Verb, a.Endpoint),
		Explanation: fmt.Sprintf("The control connection %s has the helper %q, and the announcement crossed this host, yet no expectation for %s appeared: %s. Without it the data connection is neither translated nor let through as related.",
			ct.Tuple, *ct.Helper, a.Endpoint, why),
		Remedy: "Make the client or server send each announcement in a segment of its own (most do; a proxy or a middlebox that coalesces segments does not), check nf_conntrack_ftp's ports= and net.netfilter.nf_conntrack_expect_max, or use passive mode with a fixed, opened port range.",
	}
	c.add(f, ch)
}

// entryAt returns the dialog entry of an announcement (the command, or
// for 227/229 the reply).
func (c *sessionCtx) entryAt(a *model.Announce) *model.DialogEntry {
	frame := a.Frame
	if a.Verb == "PASV" || a.Verb == "EPSV" || a.Verb == "LPSV" {
		frame = a.ReplyFrame
	}
	for e := range c.entriesAt(frame) {
		if announcementLine(e) {
			return e
		}
	}
	return nil
}

// expectationUnused: the helper's expectation was removed (timed out or
// deleted) without a data connection through it, for a transfer that
// wanted one.
func (c *sessionCtx) expectationUnused(ch *model.Channel) {
	x := ch.Expectation
	if x == nil || x.Outcome != model.ExpectationTimeout && x.Outcome != model.ExpectationDeleted {
		return
	}
	switch ch.Status {
	case model.StatusUnused, model.StatusRejected:
		return // no data connection was due
	}
	sev := model.Warning
	if failed(ch) {
		sev = model.Error
	}
	how := "deleted"
	if x.Outcome == model.ExpectationTimeout {
		how = "timed out"
	}
	f := model.Finding{Rule: RuleExpectationUnused, Severity: sev, TS: timeRef(x.Created),
		Evidence: model.Evidence{Frames: []uint64{}, Wire: []string{x.Tuple}, Vantage: "this host's conntrack"},
		Summary:  fmt.Sprintf("the helper's expectation %s %s without a data connection through it", x.Tuple, how),
	}
	if ch.Announce != nil {
		f.Evidence.Frames = append(f.Evidence.Frames, ch.Announce.Frame)
		f.Evidence.Wire = append(f.Evidence.Wire, ch.Announce.Raw)
	}
	if x.Created.IsZero() {
		f.TS = nil
	}
	switch cn := ch.Connection; {
	case cn == nil:
		f.Explanation = "No data connection for it shows on this side of the host: the peer never connected, or something before this host (a firewall on the way, a wrong address) stopped it — or, when the other leg of this NAT shows one, this host dropped it on its way through."
		f.Remedy = "Check the firewalls between the peer and this host for the data ports, and the address the peer connected to; on this host, accept related connections ('ct state established,related accept')."
	case x.Outcome == model.ExpectationDeleted:
		f.Evidence.Frames = append(f.Evidence.Frames, cn.FirstFrame)
		f.Explanation = fmt.Sprintf("The data connection %s → %s reached this host (it is in the capture) and matched the expectation, which the kernel removed, but it was dropped before conntrack confirmed it: a rule of this host's forward or input chain dropped it (%s).",
			cn.Initiator, cn.Responder, statusPhrase(ch))
		f.Remedy = "Accept the related data connections before any drop: nft 'ct state established,related accept' at the top of the forward chain (iptables: '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT')."
	default:
		f.Evidence.Frames = append(f.Evidence.Frames, cn.FirstFrame)
		f.Explanation = fmt.Sprintf("A data connection %s → %s came, but not through the expectation (%s): it went elsewhere than announced, or conntrack did not relate it to the control connection.", cn.Initiator, cn.Responder, x.Tuple)
		f.Remedy = "Compare the announced endpoint with where the data connection went; check that the NAT maps the data ports as the helper expects."
	}
	if x.NATTo != "" {
		f.Explanation += fmt.Sprintf(" The expectation would have sent it to %s.", x.NATTo)
	}
	c.add(f, ch)
}

// portOf returns the port of an endpoint string, 21 when it has none.
func portOf(ep string) uint16 {
	if ap, ok := parseEndpoint(ep, netip.AddrPort{}); ok {
		return ap.Port()
	}
	return 21
}
