package diagnose

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

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
	ep, ok := parseEndpoint(a.Endpoint, a.EndpointAddrPort)
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
	ep, ok := parseEndpoint(a.Endpoint, a.EndpointAddrPort)
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
	ep, ok := parseEndpoint(ch.Announce.Endpoint, ch.Announce.EndpointAddrPort)
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
