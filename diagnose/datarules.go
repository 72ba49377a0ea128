package diagnose

import (
	"fmt"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

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
			f.Explanation = fmt.Sprintf("The client connected to the announced port at %s instead of the announced address: it substitutes the control connection's address (curl's --ftp-skip-pasv-ip default, Python ftplib's default), or a NAT translated the connection. It %s.", addrOf(cn.Responder, cn.ResponderAddrPort), statusPhrase(ch))
			f.Remedy = "Nothing to change on the client; make the server announce the address clients reach it at (see passive-address-mismatch)."
		} else {
			f.Explanation = fmt.Sprintf("The server connected to the announced port at %s instead of the announced address %s (a server that distrusts a private PORT address connects to the control peer instead), or a NAT translated the connection. It %s.", addrOf(cn.Responder, cn.ResponderAddrPort), addrOf(ch.Announce.Endpoint, ch.Announce.EndpointAddrPort), statusPhrase(ch))
			f.Remedy = "Make the client announce an address the server can reach: " + remedyPassive + ", or " + remedyHelper + "."
		}
		c.add(f, ch)
	} else if cn.Match == model.MatchExact && !expectedInitiator(c, ch, cn) {
		f := model.Finding{Rule: RuleDataConnectionElse, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary: fmt.Sprintf("data connection to %s came from %s, not from the %s", cn.Responder, addrOf(cn.Initiator, cn.InitiatorAddrPort), map[string]string{"passive": "FTP client " + c.client().String(), "active": "FTP server " + c.server().String()}[ch.Mode])}
		f.Explanation = fmt.Sprintf("The data connection reached the announced endpoint from an unexpected address, %s: a NAT between the parties translated it, or another host took the port (data-connection hijacking). vsftpd refuses such a passive connection with \"425 Security: Bad IP connecting.\" unless pasv_promiscuous=YES.", addrOf(cn.Initiator, cn.InitiatorAddrPort))
		f.Remedy = "If a NAT translates the client's data connections differently from its control connection (a pool of public addresses), make it keep one address per client (persistent/sticky NAT); otherwise investigate the host."
		c.add(f, ch)
	}
}

func expectedInitiator(c *sessionCtx, ch *model.Channel, cn *model.Connection) bool {
	from := addrOf(cn.Initiator, cn.InitiatorAddrPort)
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
	ep, _ := parseEndpoint(a.Endpoint, a.EndpointAddrPort)
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
