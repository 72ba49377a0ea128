package diagnose

import (
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// Rule ids (findings.md).
const (
	RuleActiveAddressMismatch  = "active-address-mismatch"
	RulePassiveAddressMismatch = "passive-address-mismatch"
	RuleDataConnectionMissing  = "data-connection-missing"
	RuleDataConnectionElse     = "data-connection-elsewhere"
	RuleDataConnectionFailed   = "data-connection-failed"
	RulePrivilegedPort         = "privileged-port"
	RuleFailureReply           = "failure-reply"
	RuleTLSBlindsALG           = "tls-blinds-alg"
	RuleNATRewrite             = "nat-rewrite"
	RuleNATNotRewritten        = "nat-not-rewritten"
	RuleNATSeqNotAdjusted      = "nat-seq-not-adjusted"
	RuleALGUnparsable          = "alg-unparsable"
	RuleTransferTruncated      = "transfer-truncated"
	RuleLoginFailed            = "login-failed"
	RuleCleartextCredentials   = "cleartext-credentials"
	RuleCaptureGap             = "capture-gap"
	// Added for the next round (findings.md).
	RuleRetransmissionInconsistent = "retransmission-inconsistent"
	RuleSnaplenCut                 = "snaplen-cut"
)

// Remedies that several rules share.
const (
	remedyHelper = `attach the FTP conntrack helper on the NAT gateway (nft: a ct helper object of type "ftp" ` +
		`and 'tcp dport 21 ct helper set' to it; iptables: '-t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp')`
	remedyPassive = `use passive mode on the client (curl without -P/--ftp-port, lftp 'set ftp:passive-mode on', ` +
		`ftplib set_pasv(True)): it needs no helper on the client's side`
)

// session rules, in the order they run.
func (d *Diagnoser) sessionRules(s *model.Session) []model.Finding {
	c := &sessionCtx{d: d, s: s}
	for i := range s.Channels {
		ch := &s.Channels[i]
		c.activeAddress(ch)
		c.passiveAddress(ch)
		c.privilegedPort(ch)
		c.dataConnection(ch)
		c.truncated(ch)
		c.algUnparsable(ch)
		c.expectationMissing(ch)
		c.expectationUnused(ch)
	}
	c.helperNotAttached()
	c.tls()
	c.underTLS()
	c.logins()
	c.gaps()
	c.snaplenCut()
	c.retransmissions()
	c.failureReplies()
	return c.out
}

// sessionCtx holds one session under diagnosis.
type sessionCtx struct {
	d   *Diagnoser
	s   *model.Session
	out []model.Finding
	// explained holds the frames of replies a finding already accounts for,
	// so the generic failure-reply rule stays quiet about them.
	explained map[uint64]bool
}

// entriesAt returns the dialog entries carried by a frame.
func (c *sessionCtx) entriesAt(frame uint64) []*model.DialogEntry {
	var out []*model.DialogEntry
	for i := range c.s.Dialog {
		if c.s.Dialog[i].Frame == frame {
			out = append(out, &c.s.Dialog[i])
		}
	}
	return out
}

func (c *sessionCtx) client() netip.Addr { return addrOf(c.s.Client) }
func (c *sessionCtx) server() netip.Addr { return addrOf(c.s.Server) }

// add records a finding for the session (and channel, if any).
func (c *sessionCtx) add(f model.Finding, ch *model.Channel) {
	f.Session = c.s.ID
	if ch != nil {
		f.Channel = ch.ID
	}
	if f.Evidence.Source == "" {
		f.Evidence.Source = c.s.Source
		if c.s.Vantage != "" {
			f.Evidence.Source += "/" + c.s.Vantage
		}
	}
	sort.Slice(f.Evidence.Frames, func(i, j int) bool { return f.Evidence.Frames[i] < f.Evidence.Frames[j] })
	f.Evidence.Frames = dedupe(f.Evidence.Frames)
	if f.Evidence.Frames == nil {
		f.Evidence.Frames = []uint64{}
	}
	if c.explained == nil {
		c.explained = map[uint64]bool{}
	}
	for _, fr := range f.Evidence.Frames {
		c.explained[fr] = true
	}
	c.out = append(c.out, f)
}

func dedupe(fs []uint64) []uint64 {
	out := fs[:0]
	for i, f := range fs {
		if f == 0 || (i > 0 && f == fs[i-1]) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// channelEvidence gathers the frames and wire text of a channel.
func channelEvidence(ch *model.Channel) model.Evidence {
	var ev model.Evidence
	if a := ch.Announce; a != nil {
		ev.Frames = append(ev.Frames, a.Frame, a.ReplyFrame)
		ev.Timestamps = append(ev.Timestamps, a.TS)
		if a.Raw != "" {
			ev.Wire = append(ev.Wire, a.Raw)
		}
		if a.ReplyCode != nil && a.ReplyText != "" && (a.Verb == "PORT" || a.Verb == "EPRT" || a.Verb == "LPRT") {
			ev.Wire = append(ev.Wire, fmt.Sprintf("%d %s", *a.ReplyCode, a.ReplyText))
		}
	}
	if x := ch.Transfer; x != nil {
		ev.Frames = append(ev.Frames, x.Frame, x.FinalFrame)
		ev.Timestamps = append(ev.Timestamps, x.TS)
		line := x.Verb
		if x.Arg != "" {
			line += " " + x.Arg
		}
		ev.Wire = append(ev.Wire, textfmt.Clip(line, 120))
		if n := len(x.ReplyCodes); n > 0 && x.ReplyText != "" {
			ev.Wire = append(ev.Wire, fmt.Sprintf("%d %s", x.ReplyCodes[n-1], x.ReplyText))
		}
	}
	if cn := ch.Connection; cn != nil {
		ev.Frames = append(ev.Frames, cn.FirstFrame)
		if cn.SYN != nil {
			ev.Timestamps = append(ev.Timestamps, *cn.SYN)
		}
	}
	return ev
}

func announceTS(ch *model.Channel) *model.Time {
	if ch.Announce != nil {
		return timeRef(ch.Announce.TS)
	}
	if ch.Transfer != nil {
		return timeRef(ch.Transfer.TS)
	}
	return nil
}

// timeRef returns a copy of t to point to: a finding outlives its session,
// and must not keep the session's dialog or channels alive through a
// pointer into them (nor see them reused).
func timeRef(t model.Time) *model.Time { return &t }

// failed reports a channel whose transfer did not happen.
func failed(ch *model.Channel) bool {
	switch ch.Status {
	case model.StatusRejected, model.StatusNoConnection, model.StatusRefused, model.StatusFiltered, model.StatusAborted:
		return true
	}
	return false
}

func isActive(ch *model.Channel) bool {
	return ch.Announce != nil && (ch.Announce.Verb == "PORT" || ch.Announce.Verb == "EPRT" || ch.Announce.Verb == "LPRT")
}

func replyCode(a *model.Announce) int {
	if a.ReplyCode == nil {
		return 0
	}
	return *a.ReplyCode
}

// serverRefusesForeign reports a reply text in which the server says it
// refused an address that is not the client's (vsftpd, pure-ftpd, ProFTPD).
func serverRefusesForeign(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "illegal port") || strings.Contains(t, "illegal eprt") ||
		strings.Contains(t, "won't open a connection") || strings.Contains(t, "foreign") ||
		strings.Contains(t, "bad ip")
}

// activeAddress: a PORT/EPRT/LPRT address that is not the control client's
// (findings.md active-address-mismatch), and a private PORT address that a
// NAT in front of the client did not rewrite (nat-not-rewritten).
func (c *sessionCtx) activeAddress(ch *model.Channel) {
	if !isActive(ch) {
		return
	}
	a := ch.Announce
	ep, ok := parseEndpoint(a.Endpoint)
	if !ok {
		return
	}
	A, Ac, As := ep.Addr(), c.client(), c.server()
	code := replyCode(a)
	refused := code >= 400
	if A != Ac && sameFamily(A, Ac) {
		sev := model.Warning
		if refused || failed(ch) {
			sev = model.Error
		}
		f := model.Finding{Rule: RuleActiveAddressMismatch, Severity: sev, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("%s announces %s, but the control connection comes from %s", a.Verb, ep, Ac)}
		var why []string
		switch {
		case isPrivate(A) && !isPrivate(Ac):
			f.Evidence.Vantage = "beyond the client's NAT gateway (the control connection already carries the translated address " + Ac.String() + ")"
			why = append(why, fmt.Sprintf("The client sits behind a NAT gateway: its control connection was translated to %s, but the %s command still names its private address %s. The gateway has no FTP helper (ALG) for this connection, so the payload was not rewritten.", Ac, a.Verb, A))
		case !isPrivate(A) && A != As:
			why = append(why, fmt.Sprintf("The client asks the server to connect to a third host, %s, not to itself (%s): an FTP bounce attempt, or a deliberate server-to-server (FXP) transfer.", A, Ac))
		case isPrivate(A) && isPrivate(Ac):
			why = append(why, fmt.Sprintf("The announced address %s and the client's address %s are both private but differ: a NAT or a second interface sits between the client and this capture point.", A, Ac))
		default:
			why = append(why, fmt.Sprintf("The announced address %s is not the client's address %s as seen here.", A, Ac))
		}
		why = append(why, c.activeOutcome(ch, ep))
		f.Explanation = strings.Join(nonEmpty(why), " ")
		switch {
		case isPrivate(A) && !isPrivate(Ac):
			f.Remedy = "Either " + remedyPassive + ", or " + remedyHelper + "."
		case !isPrivate(A) && A != As:
			f.Remedy = fmt.Sprintf("If no server-to-server transfer was intended, treat %s as hostile and keep the server refusing foreign PORT addresses (vsftpd port_promiscuous=NO, ProFTPD AllowForeignAddress off, pure-ftpd's default).", Ac)
		default:
			f.Remedy = "Make the client announce the address the server sees (" + remedyPassive + "), or rewrite the announcement at the NAT (" + remedyHelper + ")."
		}
		c.add(f, ch)
	}
	// Seen from inside the client's network: the PORT and the control
	// connection agree, yet the server refused the address — it saw another.
	if A == Ac && isPrivate(A) && !isPrivate(As) && refused && serverRefusesForeign(a.ReplyText) {
		f := model.Finding{Rule: RuleNATNotRewritten, Severity: model.Error, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("%s %s left unchanged by the client's NAT: the server refused it (%d)", a.Verb, ep, code)}
		f.Evidence.Vantage = "inside the client's network (before the NAT gateway)"
		f.Explanation = fmt.Sprintf("This capture was taken on the client's side, where %s is the client's own address. The server %s is public, so a NAT gateway translates the control connection on the way: the server sees the gateway's public address, not %s. The gateway did not rewrite the address inside %s (no FTP helper attached), so the server refused it with %q. %s",
			A, As, A, a.Verb, fmt.Sprintf("%d %s", code, a.ReplyText), c.followUp(ch))
		f.Remedy = "Either " + remedyPassive + ", or " + remedyHelper + "."
		c.add(f, ch)
	}
	// Beyond the NAT with a failed transfer: name the gateway as the cause.
	if A != Ac && sameFamily(A, Ac) && isPrivate(A) && !isPrivate(Ac) && (refused || failed(ch)) {
		f := model.Finding{Rule: RuleNATNotRewritten, Severity: model.Error, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("NAT gateway %s did not rewrite %s %s", Ac, a.Verb, ep)}
		f.Evidence.Vantage = "beyond the client's NAT gateway"
		f.Explanation = fmt.Sprintf("The control connection reaches the server from %s, the NAT gateway's address, while the %s payload still carries the client's private endpoint %s. A gateway with the FTP helper attached rewrites it to %s and opens the port for the server's data connection; this one did not, so the transfer failed.",
			Ac, a.Verb, ep, netip.AddrPortFrom(Ac, ep.Port()))
		f.Remedy = capitalize(remedyHelper) + "; or " + remedyPassive + "."
		c.add(f, ch)
	}
}

// activeOutcome says what the server did with an active announcement.
func (c *sessionCtx) activeOutcome(ch *model.Channel, ep netip.AddrPort) string {
	a := ch.Announce
	code := replyCode(a)
	switch {
	case code >= 400 && serverRefusesForeign(a.ReplyText):
		return fmt.Sprintf("The server refuses an address that differs from the control connection's and answered %q.%s", fmt.Sprintf("%d %s", code, a.ReplyText), c.followUp(ch))
	case code >= 400:
		return fmt.Sprintf("The server refused it with %q.%s", fmt.Sprintf("%d %s", code, a.ReplyText), c.followUp(ch))
	case code == 0:
		return "The server's reply is not in the capture."
	}
	cn := ch.Connection
	switch {
	case cn == nil && ch.Transfer != nil:
		return fmt.Sprintf("The server accepted it (%d), but no data connection to %s appeared.", code, ep)
	case cn == nil:
		return fmt.Sprintf("The server accepted it (%d); no transfer followed.", code)
	case cn.Match == model.MatchTranslated:
		return fmt.Sprintf("The server accepted it (%d) and connected to %s instead (ProFTPD does this for a private PORT address), which %s.", code, cn.Responder, statusPhrase(ch))
	}
	return fmt.Sprintf("The server accepted it (%d) and connected to %s, which %s.", code, cn.Responder, statusPhrase(ch))
}

// followUp describes what the transfer command after a refused
// announcement got.
func (c *sessionCtx) followUp(ch *model.Channel) string {
	x := ch.Transfer
	if x == nil || len(x.ReplyCodes) == 0 {
		return ""
	}
	last := x.ReplyCodes[len(x.ReplyCodes)-1]
	return fmt.Sprintf(" The %s that followed got %q.", x.Verb, fmt.Sprintf("%d %s", last, x.ReplyText))
}

func statusPhrase(ch *model.Channel) string {
	switch ch.Status {
	case model.StatusOK:
		return "worked"
	case model.StatusRefused:
		return "was refused (RST)"
	case model.StatusFiltered:
		return "was never answered (filtered)"
	case model.StatusAborted:
		return "was aborted"
	case model.StatusTruncated:
		return "carried fewer bytes than announced"
	}
	return "ended with status " + ch.Status
}

// passiveAddress: a 227/228 address that is not the control server's.
func (c *sessionCtx) passiveAddress(ch *model.Channel) {
	a := ch.Announce
	if a == nil || isActive(ch) || replyCode(a) == 229 {
		return // a 229 carries no address: nothing to mismatch
	}
	ep, ok := parseEndpoint(a.Endpoint)
	if !ok {
		return
	}
	A, As := ep.Addr(), c.server()
	if A == As || !sameFamily(A, As) {
		return
	}
	cn := ch.Connection
	sev := model.Warning
	if failed(ch) {
		sev = model.Error
	}
	f := model.Finding{Rule: RulePassiveAddressMismatch, Severity: sev, TS: announceTS(ch), Evidence: channelEvidence(ch),
		Summary: fmt.Sprintf("%d announces %s, but the control connection goes to %s", replyCode(a), ep, As)}
	var why []string
	switch {
	case A.IsUnspecified():
		why = append(why, fmt.Sprintf("The server announces the unspecified address %s: clients must substitute the control connection's address %s.", A, As))
	case isPrivate(A) && !isPrivate(As):
		why = append(why, fmt.Sprintf("The server sits behind a NAT (reached at %s) and announces its internal address %s: it does not know its public address, and the server-side gateway did not rewrite the reply.", As, A))
		f.Evidence.Vantage = "outside the server's network (the server is reached through its public address " + As.String() + ")"
	case !isPrivate(A) && isPrivate(As):
		why = append(why, fmt.Sprintf("The server is reached here at its private address %s but announces the public address %s, as a server behind NAT configured for outside clients does (vsftpd pasv_address, ProFTPD MasqueradeAddress). Clients inside reach it only if the gateway loops back (hairpin NAT) or the client ignores the announced address.", As, A))
		f.Evidence.Vantage = "inside the server's network"
	default:
		why = append(why, fmt.Sprintf("The server announces %s, another address than the one the client reached it at (%s).", A, As))
	}
	switch {
	case cn == nil && ch.Transfer != nil && !failed(ch):
		why = append(why, "The data connection is not in this capture.")
	case cn == nil && ch.Transfer != nil:
		why = append(why, fmt.Sprintf("No data connection to %s or to %s was seen.", ep, netip.AddrPortFrom(As, ep.Port())))
	case cn == nil:
	case cn.Match == model.MatchTranslated:
		why = append(why, fmt.Sprintf("The client ignored the announced address and connected to %s instead (curl and Python ftplib do this by default), which %s.", cn.Responder, statusPhrase(ch)))
	default:
		why = append(why, fmt.Sprintf("The client trusted the announced address and connected to %s, which %s.", cn.Responder, statusPhrase(ch)))
	}
	f.Explanation = strings.Join(why, " ")
	switch {
	case isPrivate(A) && !isPrivate(As):
		f.Remedy = fmt.Sprintf("Make the server announce its public address (vsftpd pasv_address=%s, ProFTPD MasqueradeAddress %s, pure-ftpd -P %s) or attach the FTP helper on the server-side gateway, which rewrites 227 replies; clients can use EPSV, whose 229 reply carries no address.", As, As, As)
	case A.IsUnspecified():
		f.Remedy = "Configure the server's passive address explicitly, or use EPSV."
	default:
		f.Remedy = "Announce an address every client can reach (or use EPSV, which carries none); for clients inside, enable hairpin NAT or a split-horizon passive address."
	}
	c.add(f, ch)

	if isPrivate(A) && !isPrivate(As) && failed(ch) {
		g := model.Finding{Rule: RuleNATNotRewritten, Severity: model.Error, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("server-side NAT did not rewrite %d %s", replyCode(a), ep)}
		g.Evidence.Vantage = f.Evidence.Vantage
		g.Explanation = fmt.Sprintf("The server is reached at %s through a NAT gateway but announced its private address %s, and the transfer failed: a gateway with the FTP helper rewrites the 227 reply to the public address; this one did not.", As, A)
		g.Remedy = "Attach the FTP helper on the server-side gateway (" + remedyHelper + "), or set the server's public passive address (vsftpd pasv_address, ProFTPD MasqueradeAddress)."
		c.add(g, ch)
	}
}

// privilegedPort: PORT/EPRT naming a port below 1024.
func (c *sessionCtx) privilegedPort(ch *model.Channel) {
	if !isActive(ch) {
		return
	}
	ep, ok := parseEndpoint(ch.Announce.Endpoint)
	if !ok || ep.Port() >= 1024 {
		return
	}
	f := model.Finding{Rule: RulePrivilegedPort, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
		Summary:     fmt.Sprintf("%s announces privileged port %d", ch.Announce.Verb, ep.Port()),
		Explanation: fmt.Sprintf("Ports below 1024 belong to system services; servers refuse them in PORT (vsftpd: 500 Illegal PORT command.) because a data connection there can be abused to talk to such a service on %s (FTP bounce).", ep.Addr()),
		Remedy:      "Let the client pick an ephemeral port (no fixed low --ftp-port), or use passive mode.",
	}
	c.add(f, ch)
}

// dataConnection: a data connection that never came, failed, or went to
// another address than announced.
func (c *sessionCtx) dataConnection(ch *model.Channel) {
	cn := ch.Connection
	switch ch.Status {
	case model.StatusNoConnection:
		if ch.Announce == nil && ch.Transfer != nil && c.s.TLS {
			return // nothing was readable: tls-blinds-alg speaks for it
		}
		f := model.Finding{Rule: RuleDataConnectionMissing, Severity: model.Error, TS: announceTS(ch), Evidence: channelEvidence(ch)}
		where := "the data connection"
		if a := ch.Announce; a != nil {
			if isActive(ch) {
				where = fmt.Sprintf("a connection from the server to %s", a.Endpoint)
			} else {
				where = fmt.Sprintf("a connection from the client to %s", a.Endpoint)
			}
		}
		closing := ""
		if x := ch.Transfer; x != nil && len(x.ReplyCodes) > 0 {
			closing = fmt.Sprintf(" and the server closed the transfer with %q", fmt.Sprintf("%d %s", x.ReplyCodes[len(x.ReplyCodes)-1], x.ReplyText))
		}
		verb := "the transfer"
		if ch.Transfer != nil {
			verb = ch.Transfer.Verb
		}
		f.Summary = fmt.Sprintf("%s expected %s; none was seen", verb, where)
		f.Explanation = fmt.Sprintf("%s needed %s within %s of the announcement; no SYN towards it was captured%s. ", verb, where, c.d.cfg.DataTimeout, closing) + c.missingCause(ch)
		f.Remedy = c.missingRemedy(ch)
		c.add(f, ch)
	case model.StatusRefused, model.StatusFiltered:
		how := "was answered by a RST: nothing listens there, or a firewall rejects it"
		if ch.Status == model.StatusFiltered {
			how = fmt.Sprintf("was never answered (SYN sent %d times): a firewall drops it", cn.SYNRetries+1)
		}
		if cn.ICMP != "" {
			how += " (" + cn.ICMP + ")"
		}
		f := model.Finding{Rule: RuleDataConnectionFailed, Severity: model.Error, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("data connection %s → %s %s", cn.Initiator, cn.Responder, ch.Status)}
		f.Explanation = fmt.Sprintf("The %s-mode data connection from %s to %s %s.", ch.Mode, cn.Initiator, cn.Responder, how)
		if x := ch.Transfer; x != nil && len(x.ReplyCodes) > 0 {
			f.Explanation += fmt.Sprintf(" The server then answered %s with %q.", x.Verb, fmt.Sprintf("%d %s", x.ReplyCodes[len(x.ReplyCodes)-1], x.ReplyText))
		}
		if ch.Mode == "active" {
			f.Remedy = "Open the client's side for the server's data connection (a NAT gateway needs the FTP helper: " + remedyHelper + "), or " + remedyPassive + "."
		} else {
			f.Remedy = "Allow the server's passive port range through every firewall on the way (vsftpd pasv_min_port/pasv_max_port, forwarded on a server-side NAT), or attach the FTP helper there."
		}
		c.add(f, ch)
	}
	if cn == nil {
		return
	}
	if cn.Match == model.MatchTranslated {
		f := model.Finding{Rule: RuleDataConnectionElse, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("data connection went to %s, not to the announced %s", cn.Responder, ch.Announce.Endpoint)}
		if ch.Mode == "passive" {
			f.Explanation = fmt.Sprintf("The client connected to the announced port at %s instead of the announced address: it substitutes the control connection's address (curl's --ftp-skip-pasv-ip default, Python ftplib's default), or a NAT translated the connection. It %s.", addrOf(cn.Responder), statusPhrase(ch))
			f.Remedy = "Nothing to change on the client; make the server announce the address clients reach it at (see passive-address-mismatch)."
		} else {
			f.Explanation = fmt.Sprintf("The server connected to the announced port at %s instead of the announced address %s (a server that distrusts a private PORT address connects to the control peer instead), or a NAT translated the connection. It %s.", addrOf(cn.Responder), addrOf(ch.Announce.Endpoint), statusPhrase(ch))
			f.Remedy = "Make the client announce an address the server can reach: " + remedyPassive + ", or " + remedyHelper + "."
		}
		c.add(f, ch)
	} else if cn.Match == model.MatchExact && !expectedInitiator(c, ch, cn) {
		f := model.Finding{Rule: RuleDataConnectionElse, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("data connection to %s came from %s, not from the %s", cn.Responder, addrOf(cn.Initiator), map[string]string{"passive": "FTP client " + c.client().String(), "active": "FTP server " + c.server().String()}[ch.Mode])}
		f.Explanation = fmt.Sprintf("The data connection reached the announced endpoint from an unexpected address, %s: a NAT between the parties translated it, or another host took the port (data-connection hijacking). vsftpd refuses such a passive connection with \"425 Security: Bad IP connecting.\" unless pasv_promiscuous=YES.", addrOf(cn.Initiator))
		f.Remedy = "If a NAT translates the client's data connections differently from its control connection (a pool of public addresses), make it keep one address per client (persistent/sticky NAT); otherwise investigate the host."
		c.add(f, ch)
	}
}

func expectedInitiator(c *sessionCtx, ch *model.Channel, cn *model.Connection) bool {
	from := addrOf(cn.Initiator)
	if ch.Mode == "passive" {
		return from == c.client()
	}
	return from == c.server()
}

// missingCause guesses why an expected data connection never came.
func (c *sessionCtx) missingCause(ch *model.Channel) string {
	a := ch.Announce
	if a == nil {
		return "No announcement was read before the transfer command, so the server had no data endpoint (a 425 \"Use PORT or PASV first.\" says so)."
	}
	ep, _ := parseEndpoint(a.Endpoint)
	if isActive(ch) {
		if isPrivate(ep.Addr()) && !isPrivate(c.client()) {
			return fmt.Sprintf("The announced address %s is private and the client reaches the server from %s: the server cannot connect back through the NAT.", ep.Addr(), c.client())
		}
		return fmt.Sprintf("The server did not connect to %s, or a firewall between the server and this capture point dropped its SYN.", ep)
	}
	if isPrivate(ep.Addr()) && !isPrivate(c.server()) {
		return fmt.Sprintf("The announced address %s is private and unreachable from the client.", ep.Addr())
	}
	return fmt.Sprintf("The client never connected to %s, or a firewall before this capture point dropped its SYN.", ep)
}

func (c *sessionCtx) missingRemedy(ch *model.Channel) string {
	if ch.Announce == nil {
		return "Send PASV/EPSV (or PORT/EPRT) before each transfer; check that the earlier announcement was accepted."
	}
	if isActive(ch) {
		return "Allow the server's data connection to reach the client (" + remedyHelper + "), or " + remedyPassive + "."
	}
	return "Allow the client's connection to the server's passive port range through firewalls and forward it on a server-side NAT (vsftpd pasv_min_port/pasv_max_port); check that the announced address is reachable."
}

// truncated: fewer bytes than announced, or the connection ended before 226.
func (c *sessionCtx) truncated(ch *model.Channel) {
	x, cn := ch.Transfer, ch.Connection
	if x == nil || cn == nil || ch.Status != model.StatusTruncated {
		return
	}
	got := cn.BytesToFTPClient + cn.BytesToFTPServer
	f := model.Finding{Rule: RuleTransferTruncated, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch)}
	if x.AnnouncedSize != nil {
		want := *x.AnnouncedSize
		if x.Restart != nil {
			want -= *x.Restart
		}
		f.Summary = fmt.Sprintf("%s %s: %s of %s bytes seen", x.Verb, textfmt.Clip(x.Arg, 40), textfmt.Thousands(got), textfmt.Thousands(want))
		from := "the 150 reply"
		if x.SizeFrom == "213" {
			from = "the SIZE reply (213)"
		}
		f.Explanation = fmt.Sprintf("The server announced %s bytes in %s, but the data connection carried %s.", textfmt.Thousands(*x.AnnouncedSize), from, textfmt.Thousands(got))
		if x.Restart != nil {
			f.Explanation += fmt.Sprintf(" (After REST %d the transfer should carry the rest: %s bytes.)", *x.Restart, textfmt.Thousands(want))
		}
	} else {
		f.Summary = fmt.Sprintf("%s %s: data connection ended before the transfer completed", x.Verb, textfmt.Clip(x.Arg, 40))
		f.Explanation = fmt.Sprintf("The data connection ended (%s) after %s bytes with no completion reply.", cn.Closed, textfmt.Thousands(got))
	}
	if final := lastCode(x); final >= 200 && final < 300 {
		f.Explanation += fmt.Sprintf(" The server still reported success (%d): the missing bytes are missing from the capture (snapshot length, capture loss, or the capture stopped early), not from the transfer.", final)
		f.Remedy = "Capture the whole transfer (tcpdump -s 0 -B 32768) to verify the payload."
	} else {
		f.Explanation += " The transfer did not complete."
		f.Remedy = "Retry the transfer (resume with REST); look for a middlebox resetting or timing out long data connections."
	}
	c.add(f, ch)
}

func lastCode(x *model.Transfer) int {
	if len(x.ReplyCodes) == 0 {
		return 0
	}
	return x.ReplyCodes[len(x.ReplyCodes)-1]
}

// algUnparsable predicts what the Linux FTP helper does with each
// announcement as captured: it reads a command only at the start of a
// segment, only the first line of a segment, drops a packet whose command
// is cut at the segment's end, knows no LPRT/228, and ignores an EPRT of
// the other address family.
func (c *sessionCtx) algUnparsable(ch *model.Channel) {
	a := ch.Announce
	if a == nil || c.s.TLS {
		return
	}
	var entry *model.DialogEntry
	for _, e := range c.entriesAt(a.Frame) {
		if (isActive(ch) && e.Kind == "command" && e.Verb == a.Verb) || (!isActive(ch) && e.Kind == "reply" && e.Code == replyCode(a)) {
			entry = e
		}
	}
	what := a.Verb
	if !isActive(ch) {
		what = fmt.Sprint(replyCode(a))
	}
	var problem, effect string
	switch {
	case a.Verb == "LPRT" || replyCode(a) == 228:
		problem, effect = fmt.Sprintf("the helper does not know %s (RFC 1639)", what), "passes it unchanged"
	case a.Verb == "EPRT" && a.Family != "" && a.Family != model.FamilyOf(c.client()):
		problem, effect = fmt.Sprintf("EPRT names an %s address on an %s control connection", a.Family, model.FamilyOf(c.client())), "ignores it (no expectation, no rewrite)"
	case entry != nil && entry.Segment != nil && entry.Segment.Split:
		problem, effect = fmt.Sprintf("the %s line is split across TCP segments", what), "drops the packet (\"nf_ct_ftp: dropping packet: partial matching\")"
	case entry != nil && entry.Segment != nil && entry.Segment.Index > 0:
		problem, effect = fmt.Sprintf("the %s line is not the first line of its TCP segment (%d lines before it)", what, entry.Segment.Index), "reads only the first line of a segment and passes it unchanged"
	case entry != nil && entry.Segment != nil && entry.Segment.Offset > 0:
		problem, effect = fmt.Sprintf("the %s line starts %d bytes into its TCP segment", what, entry.Segment.Offset), "looks only at the start of a segment and passes it unchanged"
	default:
		return
	}
	f := model.Finding{Rule: RuleALGUnparsable, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
		Summary:     fmt.Sprintf("a Linux NAT helper cannot rewrite this %s: %s", what, problem),
		Explanation: fmt.Sprintf("The Linux FTP conntrack helper (nf_conntrack_ftp/nf_nat_ftp) %s: it neither rewrites the address nor opens the data port. Behind such a NAT this data channel fails.", effect),
		Remedy:      "Use a client that sends each command in a segment of its own, EPSV/EPRT of the connection's address family, or passive mode; on the gateway, nothing can be configured to parse these.",
	}
	c.add(f, ch)
}

// tls: AUTH TLS or implicit FTPS leaves the helpers and this tool blind.
func (c *sessionCtx) tls() {
	if !c.s.TLS && !c.s.Protected {
		return
	}
	var frames []uint64
	var broken []string
	for i := range c.s.Channels {
		ch := &c.s.Channels[i]
		if ch.Connection != nil && ch.Connection.Match == model.MatchInferred {
			frames = append(frames, ch.Connection.FirstFrame)
			if failed(ch) {
				broken = append(broken, fmt.Sprintf("%s → %s %s", ch.Connection.Initiator, ch.Connection.Responder, ch.Status))
			}
		}
	}
	for _, e := range c.s.Dialog {
		if e.Kind == "command" && e.Verb == "AUTH" {
			frames = append(frames, e.Frame)
		}
		if e.Kind == "reply" && e.Code == 234 {
			frames = append(frames, e.Frame)
		}
	}
	read := c.decryptedAnnouncements()
	for _, ch := range read {
		frames = append(frames, ch.Announce.Frame)
		if failed(ch) {
			broken = append(broken, fmt.Sprintf("%s %s", ch.Announce.Endpoint, ch.Status))
		}
	}
	sev := model.Warning
	if len(broken) > 0 {
		sev = model.Error
	}
	f := model.Finding{Rule: RuleTLSBlindsALG, Severity: sev, Evidence: model.Evidence{Frames: frames},
		Summary: "control connection encrypted (AUTH TLS): NAT helpers cannot see PORT/PASV"}
	f.Explanation = "After AUTH TLS (or on implicit FTPS) every command and reply is encrypted, so a NAT gateway's FTP helper can neither rewrite PORT/EPRT nor open the ports announced in 227/229, and this analysis ties data connections to the session by hosts and timing only."
	if d := c.s.TLSDecryption; d != nil && d.Decrypted {
		f.Summary += " (read here with the TLS key log)"
		f.Explanation = "After AUTH TLS (or on implicit FTPS) every command and reply is encrypted, so a NAT gateway's FTP helper can neither rewrite PORT/EPRT nor open the ports announced in 227/229. " + c.announcedUnderTLS(read, &f.Evidence)
	}
	if !c.s.TLS {
		f.Summary = "commands protected by RFC 2228 (AUTH GSSAPI, ENC): NAT helpers cannot see PORT/PASV"
		f.Explanation = "After AUTH GSSAPI the commands travel wrapped in ENC/MIC (RFC 2228), so a NAT gateway's FTP helper can neither rewrite PORT/EPRT nor open the ports announced in the protected replies, and this analysis cannot tie data connections to them."
		for _, e := range c.s.Dialog {
			if e.Kind == "command" && (e.Verb == "ENC" || e.Verb == "MIC" || e.Verb == "CONF") {
				f.Evidence.Frames = append(f.Evidence.Frames, e.Frame)
				break
			}
		}
	}
	if len(broken) > 0 {
		f.Explanation += " Data connections then failed: " + strings.Join(broken, "; ") + "."
	}
	f.Remedy = "Use passive mode with a fixed passive port range opened explicitly in every firewall and forwarded on a server-side NAT (vsftpd pasv_min_port/pasv_max_port and pasv_address); active mode cannot work through a NAT under TLS. CCC after login lets helpers read the announcements again, at the cost of cleartext commands."
	c.add(f, nil)
}

// logins: 530 after USER/PASS, and passwords sent in clear.
func (c *sessionCtx) logins() {
	cleartextSent := false
	var passFrame uint64
	for i := range c.s.Dialog {
		e := &c.s.Dialog[i]
		if e.Kind == "command" {
			if e.Verb == "PASS" && !e.Decrypted && (!c.s.TLS || c.s.TLSDecryption != nil) {
				cleartextSent = true
				passFrame = e.Frame
			}
			continue
		}
		if e.Code != 530 {
			continue
		}
		cmd := c.s.Answered(e)
		if cmd == nil || (cmd.Verb != "USER" && cmd.Verb != "PASS") {
			continue
		}
		i, _ := e.Answers.Index() // Answered found cmd there
		user := c.userBefore(i)
		c.d.loginFailures[c.client()]++
		c.d.clientOf[c.s.ID] = c.client()
		f := model.Finding{Rule: RuleLoginFailed, Severity: model.Info, TS: timeRef(e.TS),
			Evidence: model.Evidence{Frames: []uint64{cmd.Frame, e.Frame}, Wire: []string{fmt.Sprintf("%d %s", e.Code, e.Text)}},
			Summary:  fmt.Sprintf("login as %q refused: %d %s", user, e.Code, textfmt.Clip(e.Text, 50)),
		}
		f.Explanation = fmt.Sprintf("The server refused the login after %s (530).", cmd.Verb)
		if cmd.Verb == "USER" {
			f.Explanation += " It refused the user name itself (anonymous logins disabled, or the user is listed in a deny file such as vsftpd's ftpusers)."
		}
		f.Remedy = "Check the user name and password; on vsftpd check anonymous_enable/local_enable and /etc/ftpusers."
		c.add(f, nil)
	}
	if cleartextSent && c.s.User != nil && !anonymous(*c.s.User) {
		f := model.Finding{Rule: RuleCleartextCredentials, Severity: model.Info, Evidence: model.Evidence{Frames: []uint64{passFrame}},
			Summary:     fmt.Sprintf("password of %q sent in clear text", *c.s.User),
			Explanation: "The PASS command crossed the network unencrypted: anyone on the path can read it (this report masks it unless --show-passwords).",
			Remedy:      "Use explicit FTPS (AUTH TLS; vsftpd ssl_enable=YES, force_local_logins_ssl=YES) or SFTP.",
		}
		c.add(f, nil)
	}
}

// userBefore returns the argument of the latest USER command up to the
// dialog entry of index i.
func (c *sessionCtx) userBefore(i int) string {
	for j := i; j >= 0; j-- {
		if e := &c.s.Dialog[j]; e.Kind == "command" && e.Verb == "USER" {
			return e.Arg
		}
	}
	return ""
}

func anonymous(user string) bool {
	u := strings.ToLower(user)
	return u == "anonymous" || u == "ftp"
}

// gaps: bytes of the control stream missing from the capture.
func (c *sessionCtx) gaps() {
	if c.s.GapBytes == 0 {
		return
	}
	f := model.Finding{Rule: RuleCaptureGap, Severity: model.Warning, Evidence: model.Evidence{Frames: []uint64{c.s.Frames.First}},
		Summary:     fmt.Sprintf("%s bytes of the control connection are missing from the capture", textfmt.Thousands(c.s.GapBytes)),
		Explanation: "Segments of the control connection were acknowledged by the receiver but are not in the capture (capture loss, or a capture started on a busy link). Commands or replies in them are unknown, so pairing and conclusions next to the gap may be incomplete.",
		Remedy:      "Capture with a larger buffer (tcpdump -B 32768) and without truncation (-s 0), close to one end of the connection.",
	}
	c.add(f, nil)
}

// snaplenCut: control packets, or the packets of an exported data
// connection, that the capture's snapshot length cut.
func (c *sessionCtx) snaplenCut() {
	if cut := c.s.SnaplenCut; cut != nil {
		ev := model.Evidence{Frames: []uint64{cut.FirstFrame}}
		for i := range c.s.Dialog {
			if e := &c.s.Dialog[i]; e.Cut && len(ev.Wire) < 8 {
				ev.Frames = append(ev.Frames, e.Frame)
				ev.Wire = append(ev.Wire, wireText(e)+"…")
			}
		}
		f := model.Finding{Rule: RuleSnaplenCut, Severity: model.Warning, TS: timeRef(cut.FirstTS), Evidence: ev,
			Summary: fmt.Sprintf("%s control packets cut by the capture's snapshot length (%s bytes missing): the dialog is incomplete from frame %d",
				textfmt.Thousands(int64(cut.Packets)), textfmt.Thousands(cut.Bytes), cut.FirstFrame),
			Explanation: fmt.Sprintf("The capture kept only the first bytes of these packets (tcpdump -s, a snapshot length). A line cut short is shown as cut and nothing is concluded from it: no announcement, no transfer, no user. "+
				"Lines after the first cut (frame %d) may be missing or incomplete, so the dialog, the replies' pairing and the data channels of this session are incomplete from there.", cut.FirstFrame),
			Remedy: "Capture whole packets: tcpdump -s 0 (the default of current tcpdump, 262144 bytes), or at least -s 1600 for FTP control traffic.",
		}
		c.add(f, nil)
	}
	for i := range c.s.Channels {
		ch := &c.s.Channels[i]
		x, cn := ch.Transfer, ch.Connection
		if x == nil || cn == nil || x.ExportPath == "" || cn.CutBytes == 0 {
			continue
		}
		f := model.Finding{Rule: RuleSnaplenCut, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary:     fmt.Sprintf("exported %s is partial: the snapshot length cut %s bytes of its data connection", x.ExportPath, textfmt.Thousands(cn.CutBytes)),
			Explanation: fmt.Sprintf("The capture kept only the first bytes of the data connection's packets: %s of its payload bytes are not in the capture, so the exported file has holes and no SHA-256. The transfer itself is not affected.", textfmt.Thousands(cn.CutBytes)),
			Remedy:      "Capture whole packets (tcpdump -s 0) to export the files.",
		}
		c.add(f, ch)
	}
}

// retransmissions: control bytes captured twice with different content,
// one finding per pair of copies.
func (c *sessionCtx) retransmissions() {
	for _, r := range c.s.RetransmissionConflicts {
		dir, who := "client to server", "server"
		if !r.FromClient {
			dir, who = "server to client", "client"
		}
		f := model.Finding{Rule: RuleRetransmissionInconsistent, Severity: model.Warning, TS: timeRef(r.TS),
			Evidence: model.Evidence{Frames: []uint64{r.UsedFrame, r.OtherFrame}, Wire: []string{r.Used, r.Other}},
			Summary:  fmt.Sprintf("retransmitted control bytes differ (%s): %q, then %q in frame %d", dir, textfmt.Clip(r.Used, 60), textfmt.Clip(r.Other, 60), r.OtherFrame),
		}
		first := "the first copy"
		if r.UsedFrame != 0 {
			first = fmt.Sprintf("the first copy (frame %d)", r.UsedFrame)
		}
		f.Explanation = fmt.Sprintf("The same TCP sequence numbers of the control connection were captured twice with different content: %q, then %q in frame %d. "+
			"The analysis read %s, as most TCP stacks and Zeek keep the bytes they received first; the %s may have taken the other copy, so what this report says about these bytes may not be what the %s acted on. "+
			"Overlapping segments that disagree are the classic way to show a monitor one command and the peer another (IDS evasion); a faulty middlebox or NIC offload that rewrites payload does it too.",
			r.Used, r.Other, r.OtherFrame, first, who, who)
		f.Remedy = fmt.Sprintf("Find who sent the second copy: compare its IP TTL and ID with the neighbouring segments, and capture at the %s itself to see which copy it received; treat the sender of an injected copy as hostile.", who)
		c.add(f, nil)
	}
}

// failureReplies: data-channel and session failures that no other rule
// explained, with the cause the reply text and context suggest.
func (c *sessionCtx) failureReplies() {
	for i := range c.s.Dialog {
		e := &c.s.Dialog[i]
		if e.Kind == "command" || e.Preliminary || c.explained[e.Frame] {
			continue
		}
		answered := c.s.Answered(e)
		cmd := ""
		if answered != nil {
			cmd = answered.Verb
		}
		cause, sev := failureCause(e, cmd)
		if cause == "" {
			continue
		}
		frames := []uint64{e.Frame}
		if answered != nil {
			frames = append(frames, answered.Frame)
		}
		what := fmt.Sprintf("%d %s", e.Code, e.Text)
		to := ""
		if cmd != "" {
			to = " to " + cmd
		}
		f := model.Finding{Rule: RuleFailureReply, Severity: sev, TS: timeRef(e.TS),
			Evidence: model.Evidence{Frames: frames, Wire: []string{what}},
			Summary:  fmt.Sprintf("server answered%s: %s", to, textfmt.Clip(what, 60)),
		}
		f.Explanation, f.Remedy = cause, failureRemedy(e.Code)
		c.add(f, nil)
	}
}

// failureCause explains the failure replies findings.md names.
func failureCause(e *model.DialogEntry, cmd string) (string, model.Severity) {
	switch e.Code {
	case 421, 425, 426, 500, 501, 522:
	default:
		return "", 0
	}
	text := strings.ToLower(e.Text)
	switch e.Code {
	case 421:
		return "The server is closing the control connection (421): it timed out an idle session, hit a connection limit, or shut down; right after a 227/229 through a NAT it can also mean the gateway rewrote the reply without adjusting sequence numbers.", model.Error
	case 425:
		switch {
		case strings.Contains(text, "use port or pasv first"):
			return "The server had no data endpoint for this transfer: no PORT/PASV was accepted before it.", model.Error
		case strings.Contains(text, "bad ip"):
			return "The data connection came from another address than the control connection, and the server refuses that (vsftpd pasv_promiscuous=NO): a NAT translated the client's data connection differently.", model.Error
		}
		return "The server could not open or accept the data connection (425): it was refused, filtered, or never came.", model.Error
	case 426:
		return "The data connection was closed or reset during the transfer (426): a middlebox timeout or reset, or the peer aborted.", model.Error
	case 500, 501:
		switch cmd {
		case "PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV":
			return fmt.Sprintf("The server rejected %s (%d): it does not support it, or the argument is malformed.", cmd, e.Code), model.Warning
		}
	case 522:
		return "The server does not support the requested network protocol (522): an EPRT/EPSV of an address family it does not serve, as happens through NAT64 (RFC 6384).", model.Warning
	}
	return "", 0
}

func failureRemedy(code int) string {
	switch code {
	case 421:
		return "Check server limits and idle timeouts; through a NAT helper, check for sequence-adjustment errors (nat-seq-not-adjusted)."
	case 425, 426:
		return "Check the data-channel findings of this session; use passive mode through NAT and open the passive port range in firewalls."
	case 522:
		return "Use the address family the server serves (EPSV/EPRT with the control connection's family), or PASV/PORT on IPv4."
	}
	return "Use a mode the server supports (PASV/EPSV, or PORT/EPRT) with a well-formed argument."
}

// capitalize starts a sentence with a shared remedy phrase.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
