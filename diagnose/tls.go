package diagnose

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// Under TLS read with a key log the announcements are known, yet no NAT
// helper on the path could read them: findings about them say so, and
// tls-blinds-alg quotes what was announced.

// decryptedAnnouncements returns the channels whose announcement was read
// from TLS with the key log.
func (c *sessionCtx) decryptedAnnouncements() []*model.Channel {
	var out []*model.Channel
	for i := range c.s.Channels {
		if ch := &c.s.Channels[i]; c.announcedEncrypted(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// announcedEncrypted reports whether a channel's announcement crossed the
// network inside TLS: its dialog line was decrypted.
func (c *sessionCtx) announcedEncrypted(ch *model.Channel) bool {
	a := ch.Announce
	if a == nil || !c.s.TLS {
		return false
	}
	for e := range c.entriesAt(a.Frame) {
		if e.Decrypted && (e.Kind == "command" && e.Verb == a.Verb || e.Kind == "reply" && e.Code == replyCode(a)) {
			return true
		}
	}
	return false
}

// announcedUnderTLS lists what the encrypted announcements said, in words
// and as wire evidence, and what no helper could have fixed in them.
func (c *sessionCtx) announcedUnderTLS(read []*model.Channel, ev *model.Evidence) string {
	if len(read) == 0 {
		return "Decrypted with the key log, the dialog holds no PORT, EPRT or PASV announcement."
	}
	var said, private []string
	for _, ch := range read {
		a := ch.Announce
		what := a.Verb
		if !isActive(ch) {
			what = fmt.Sprint(replyCode(a))
		}
		if a.Raw != "" {
			ev.Wire = append(ev.Wire, a.Raw)
		}
		tied := "no data connection"
		if cn := ch.Connection; cn != nil {
			tied = "data connection " + cn.Match
		}
		said = append(said, fmt.Sprintf("%s %s (%s, %s, %s)", what, a.Endpoint, ch.ID, tied, ch.Status))
		// A private address announced across a NAT (one end public, as
		// seen here, whichever side the capture was taken on).
		ep, ok := parseEndpoint(a.Endpoint, a.EndpointAddrPort)
		if !ok || !isPrivate(ep.Addr()) || isPrivate(c.client()) && isPrivate(c.server()) {
			continue
		}
		who := "server"
		if isActive(ch) {
			who = "client"
		}
		private = append(private, fmt.Sprintf("the %s announced its private address %s inside the encrypted %s", who, ep.Addr(), what))
	}
	text := "Decrypted with the key log, the session announced " + strings.Join(said, "; ") + "."
	if len(private) > 0 {
		text += " " + capitalize(strings.Join(dedupeStrings(private), "; ")) + ": no helper could have rewritten it."
	}
	return text
}

// underTLS corrects the remedies of findings about encrypted
// announcements: attaching an FTP helper cannot help there.
func (c *sessionCtx) underTLS() {
	for i := range c.out {
		f := &c.out[i]
		switch f.Rule {
		case RuleActiveAddressMismatch, RulePassiveAddressMismatch, RuleNATNotRewritten:
		default:
			continue
		}
		ch := c.channel(f.Channel)
		if ch == nil || !c.announcedEncrypted(ch) {
			continue
		}
		f.Explanation += " The announcement travelled inside TLS: no FTP helper on the path could read it."
		if isActive(ch) {
			f.Remedy = "Under TLS no NAT helper can rewrite PORT/EPRT: " + remedyPassive + ", with the server's passive ports opened in its firewall; or clear the command channel after login (CCC) so that a helper can read the announcements."
		} else {
			f.Remedy = fmt.Sprintf("Under TLS no NAT helper can rewrite 227: make the server announce its public address (vsftpd pasv_address=%s, ProFTPD MasqueradeAddress, pure-ftpd -P) and forward its passive port range on the server-side gateway; or let clients use EPSV, whose 229 carries no address.", c.server())
		}
	}
}

// channel returns the session's channel of that id.
func (c *sessionCtx) channel(id string) *model.Channel {
	for i := range c.s.Channels {
		if c.s.Channels[i].ID == id {
			return &c.s.Channels[i]
		}
	}
	return nil
}

func dedupeStrings(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
