package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// statusGlyph marks a channel status without colour.
func statusGlyph(status string) string {
	switch status {
	case model.StatusOK:
		return "✔"
	case model.StatusUnused, model.StatusUnknown, "":
		return "–"
	case model.StatusTruncated, model.StatusAborted:
		return "▲"
	}
	return "✖"
}

func statusWord(status string) string {
	switch status {
	case model.StatusOK, model.StatusUnused, model.StatusUnknown:
		return status
	}
	return strings.ToUpper(status)
}

func (t *theme) statusStyle(status string) tcell.Style {
	switch statusGlyph(status) {
	case "✔":
		return t.ok
	case "▲":
		return t.sevStyle(model.Warning)
	case "✖":
		return t.sevStyle(model.Error)
	}
	return t.dim
}

// channelItems renders a session's data channels, announced → observed.
func channelItems(th *theme, s *model.Session, nat *natLeg) []item {
	items := make([]item, 0, len(s.Channels))
	for i := range s.Channels {
		ch := &s.Channels[i]
		ref := channelRef{id: ch.ID}
		if a := ch.Announce; a != nil {
			ref.frames = append(ref.frames, a.Frame, a.ReplyFrame)
		}
		if t := ch.Transfer; t != nil {
			ref.frames = append(ref.frames, t.Frame, t.FinalFrame)
		}
		if c := ch.Connection; c != nil {
			ref.frames = append(ref.frames, c.FirstFrame)
		}
		items = append(items, item{
			ref:    ref,
			render: func(w int) []line { return channelLines(th, ch, nat, w) },
			copy:   plainLines(channelLines(th, ch, nat, 200)),
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
		parts = append(parts, dataTLSText(d))
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

// expectationStyle: used is fine, removed unused is an error.
func (t *theme) expectationStyle(x *model.Expectation) tcell.Style {
	switch x.Outcome {
	case model.ExpectationUsed:
		return t.ok
	case model.ExpectationTimeout, model.ExpectationDeleted:
		return t.sevStyle(model.Error)
	}
	return t.dim
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
		s += " · " + decryptedMark + "file " + textfmt.Thousands(*t.FileBytes) + " B"
	}
	return s
}

func channelLines(th *theme, ch *model.Channel, nat *natLeg, w int) []line {
	st := th.statusStyle(ch.Status)
	head := line{
		{statusGlyph(ch.Status) + " ", st},
		{padRight(shortChannel(ch.ID), 3) + " ", th.bold},
		{padRight(statusWord(ch.Status), 14), st},
		{padRight(ch.Mode, 8), th.dim},
	}
	indent := 6
	lines := []line{}
	body := announceText(ch.Announce)
	if room := w - head.width(); room >= 20 {
		first := wrap(body, room)
		lines = append(lines, append(head, seg{first[0], th.base}))
		for _, rest := range first[1:] {
			lines = append(lines, line{{strings.Repeat(" ", head.width()) + rest, th.base}})
		}
	} else {
		lines = append(lines, head)
		for _, x := range wrap(body, w-indent) {
			lines = append(lines, line{{strings.Repeat(" ", indent) + x, th.base}})
		}
	}
	add := func(label, text string, style tcell.Style) {
		if text == "" {
			return
		}
		for i, x := range wrap(text, max(10, w-indent-6)) {
			lab := "      "
			if i == 0 {
				lab = padRight(label, 6)
			}
			lines = append(lines, line{{strings.Repeat(" ", indent), th.base}, {lab, th.dim}, {x, style}})
		}
	}
	cst := th.base
	if ch.Connection == nil || !ch.Connection.Established {
		cst = st
	}
	add("data", connectionText(ch.Connection), cst)
	if x := ch.Expectation; x != nil {
		add("ct", expectationText(x), th.expectationStyle(x))
	}
	add("xfer", transferText(ch.Transfer), th.base)
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
			add("nat", text, th.nat)
		}
	}
	return lines
}
