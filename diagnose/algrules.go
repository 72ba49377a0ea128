package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

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
	// Only an entry placed in its segment can make one of the findings
	// below (entry.Segment): without any in the session, no walk of the
	// dialog per announcement.
	if c.hasPlacedLines() {
		for e := range c.entriesAt(a.Frame) {
			if (isActive(ch) && e.Kind == "command" && e.Verb == a.Verb) || (!isActive(ch) && e.Kind == "reply" && e.Code == replyCode(a)) {
				entry = e
			}
		}
	}
	what := func() string { // only for a finding: most announcements make none
		if isActive(ch) {
			return a.Verb
		}
		return strconv.Itoa(replyCode(a))
	}
	var problem, effect string
	switch {
	case a.Verb == "LPRT" || replyCode(a) == 228:
		problem, effect = fmt.Sprintf("the helper does not know %s (RFC 1639)", what()), "passes it unchanged"
	case a.Verb == "EPRT" && a.Family != "" && a.Family != model.FamilyOf(c.client()):
		problem, effect = fmt.Sprintf("EPRT names an %s address on an %s control connection", a.Family, model.FamilyOf(c.client())), "ignores it (no expectation, no rewrite)"
	case entry != nil && entry.Segment != nil && entry.Segment.Split:
		problem, effect = fmt.Sprintf("the %s line is split across TCP segments", what()), "drops the packet (\"nf_ct_ftp: dropping packet: partial matching\")"
	case entry != nil && entry.Segment != nil && entry.Segment.Index > 0:
		problem, effect = fmt.Sprintf("the %s line is not the first line of its TCP segment (%d lines before it)", what(), entry.Segment.Index), "reads only the first line of a segment and passes it unchanged"
	case entry != nil && entry.Segment != nil && entry.Segment.Offset > 0:
		problem, effect = fmt.Sprintf("the %s line starts %d bytes into its TCP segment", what(), entry.Segment.Offset), "looks only at the start of a segment and passes it unchanged"
	default:
		return
	}
	f := model.Finding{Rule: RuleALGUnparsable, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
		Summary:     fmt.Sprintf("a Linux NAT helper cannot rewrite this %s: %s", what(), problem),
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
