package diagnose

import (
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"

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
	c := &sessionCtx{d: d, s: s, clientAddr: addrOf(s.Client, s.ClientAddrPort), serverAddr: addrOf(s.Server, s.ServerAddrPort)}
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
	// the session's two addresses, parsed once: rules ask for them per
	// channel and announcement
	clientAddr, serverAddr netip.Addr
	// placedLines says whether some dialog entry has a Segment place
	// (hasPlacedLines): 0 not known yet, 1 none, 2 some
	placedLines int8
}

// hasPlacedLines reports whether an entry of the dialog has a Segment
// place, which the dissector gives only the lines not alone at the start
// of their segment: most sessions have none.
func (c *sessionCtx) hasPlacedLines() bool {
	if c.placedLines == 0 {
		c.placedLines = 1
		for i := range c.s.Dialog {
			if c.s.Dialog[i].Segment != nil {
				c.placedLines = 2
				break
			}
		}
	}
	return c.placedLines == 2
}

// entriesAt yields the dialog entries carried by a frame, in order (an
// iterator: a rule asks for every announcement, and a slice was an
// allocation each time).
func (c *sessionCtx) entriesAt(frame uint64) iter.Seq[*model.DialogEntry] {
	return func(yield func(*model.DialogEntry) bool) {
		for i := range c.s.Dialog {
			if c.s.Dialog[i].Frame == frame && !yield(&c.s.Dialog[i]) {
				return
			}
		}
	}
}

func (c *sessionCtx) client() netip.Addr { return c.clientAddr }
func (c *sessionCtx) server() netip.Addr { return c.serverAddr }

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
	slices.Sort(f.Evidence.Frames)
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
