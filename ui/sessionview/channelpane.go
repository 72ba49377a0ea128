package sessionview

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// ChannelItems renders a session's data channels, announced → observed.
func ChannelItems(th *styled.Theme, s *model.Session, nat *NATLeg) []styled.Item {
	items := make([]styled.Item, 0, len(s.Channels))
	for i := range s.Channels {
		ch := &s.Channels[i]
		ref := ChannelRef{ID: ch.ID}
		if a := ch.Announce; a != nil {
			ref.Frames = append(ref.Frames, a.Frame, a.ReplyFrame)
		}
		if t := ch.Transfer; t != nil {
			ref.Frames = append(ref.Frames, t.Frame, t.FinalFrame)
		}
		if c := ch.Connection; c != nil {
			ref.Frames = append(ref.Frames, c.FirstFrame)
		}
		items = append(items, styled.Item{
			Ref:    ref,
			Render: func(w int) []styled.Line { return channelLines(th, ch, nat, w) },
			Copy:   styled.PlainLines(channelLines(th, ch, nat, 200)),
		})
	}
	return items
}

func announceText(a *model.Announce) string {
	if a == nil {
		return "no announcement"
	}
	t := a.Verb + " " + a.Endpoint
	if a.ReplyCode != nil {
		t += " → " + strconv.Itoa(*a.ReplyCode)
		if a.ReplyText != "" {
			t += " " + a.ReplyText
		}
	} else {
		t += " → no reply"
	}
	return t
}

// connectionText describes what was observed of a data connection.
func connectionText(c *model.Connection) string {
	if c == nil {
		return "no connection seen"
	}
	parts := []string{c.Initiator + " → " + c.Responder}
	if c.Match != "" {
		parts = append(parts, c.Match)
	}
	switch {
	case c.Refused:
		parts = append(parts, "refused (RST to SYN)")
	case !c.Established && c.SYNRetries > 0:
		parts = append(parts, fmt.Sprintf("SYN ×%d, never answered", c.SYNRetries+1))
	case !c.Established && c.HandshakeSeen:
		parts = append(parts, "never established")
	}
	if c.ICMP != "" {
		parts = append(parts, "ICMP "+c.ICMP)
	}
	if c.BytesToFTPClient > 0 {
		parts = append(parts, textfmt.Thousands(c.BytesToFTPClient)+" B ↓")
	}
	if c.BytesToFTPServer > 0 {
		parts = append(parts, textfmt.Thousands(c.BytesToFTPServer)+" B ↑")
	}
	if c.Reset && !c.Refused {
		parts = append(parts, "reset")
	} else if c.Closed != "" {
		parts = append(parts, c.Closed)
	}
	if d := c.TLSDecryption; d != nil {
		parts = append(parts, DataTLSText(d))
	}
	return strings.Join(parts, " · ")
}

// expectationText is the host's conntrack expectation for a channel:
// "expectation 203.0.113.20 → 203.0.113.1:39185 → 192.168.1.10:39185 (ftp): used".
func expectationText(x *model.Expectation) string {
	t := "expectation " + x.Tuple
	if x.NATTo != "" {
		t += " → " + x.NATTo
	}
	return t + " (" + x.Helper + "): " + x.Outcome
}

func transferText(t *model.Transfer) string {
	if t == nil {
		return ""
	}
	s := t.Verb
	if t.Arg != "" {
		s += " " + t.Arg
	}
	codes := make([]string, len(t.ReplyCodes))
	for i, c := range t.ReplyCodes {
		codes[i] = strconv.Itoa(c)
	}
	if len(codes) > 0 {
		s += " → " + strings.Join(codes, ", ")
	} else {
		s += " → no reply"
	}
	if t.AnnouncedSize != nil {
		s += " · " + textfmt.Thousands(*t.AnnouncedSize) + " B announced"
	}
	if t.FileBytes != nil {
		s += " · " + styled.DecryptedMark + "file " + textfmt.Thousands(*t.FileBytes) + " B"
	}
	return s
}

func channelLines(th *styled.Theme, ch *model.Channel, nat *NATLeg, w int) []styled.Line {
	st := th.StatusStyle(ch.Status)
	head := styled.Line{
		{Text: styled.StatusGlyph(ch.Status) + " ", Style: st},
		{Text: styled.PadRight(ShortChannel(ch.ID), 3) + " ", Style: th.Bold},
		{Text: styled.PadRight(styled.StatusWord(ch.Status), 14), Style: st},
		{Text: styled.PadRight(ch.Mode, 8), Style: th.Dim},
	}
	indent := 6
	lines := []styled.Line{}
	body := announceText(ch.Announce)
	if room := w - head.Width(); room >= 20 {
		first := styled.Wrap(body, room)
		lines = append(lines, append(head, styled.Seg{Text: first[0], Style: th.Base}))
		for _, rest := range first[1:] {
			lines = append(lines, styled.Line{{Text: strings.Repeat(" ", head.Width()) + rest, Style: th.Base}})
		}
	} else {
		lines = append(lines, head)
		for _, x := range styled.Wrap(body, w-indent) {
			lines = append(lines, styled.Line{{Text: strings.Repeat(" ", indent) + x, Style: th.Base}})
		}
	}
	add := func(label, text string, style tcell.Style) {
		if text == "" {
			return
		}
		for i, x := range styled.Wrap(text, max(10, w-indent-6)) {
			lab := "      "
			if i == 0 {
				lab = styled.PadRight(label, 6)
			}
			lines = append(lines, styled.Line{{Text: strings.Repeat(" ", indent), Style: th.Base}, {Text: lab, Style: th.Dim}, {Text: x, Style: style}})
		}
	}
	cst := th.Base
	if ch.Connection == nil || !ch.Connection.Established {
		cst = st
	}
	add("data", connectionText(ch.Connection), cst)
	if x := ch.Expectation; x != nil {
		add("ct", expectationText(x), th.ExpectationStyle(x))
	}
	add("xfer", transferText(ch.Transfer), th.Base)
	if nat != nil {
		if cp, ok := nat.chans[ch.ID]; ok {
			other, ep := cp.Outside, cp.OutsideEndpoint
			if nat.role == "outside" {
				other, ep = cp.Inside, cp.InsideEndpoint
			}
			text := "⇄ " + other
			if ep != "" {
				text += " " + ep + " on the " + map[string]string{"inside": "outside", "outside": "inside"}[nat.role]
			}
			if cp.PortRemapped {
				text += " (port remapped)"
			}
			add("nat", text, th.NAT)
		}
	}
	return lines
}

// DataTLSText says what became of a data connection's TLS.
func DataTLSText(d *model.TLSDecryption) string {
	if d.Decrypted {
		return styled.DecryptedMark + d.Version + " decrypted"
	}
	return "TLS not decrypted: " + d.Reason
}
