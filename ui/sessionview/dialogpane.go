package sessionview

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// NATLeg is what the NAT pairing says about one leg: the other leg, this
// leg's rewritten lines (by frame) and its channels' partners.
type NATLeg struct {
	role     string // "inside" or "outside"
	other    string
	rewrites map[uint64]model.Rewrite
	chans    map[string]model.ChannelPair
}

// NATLegOf returns the view of a pair from session id's side, or nil.
func NATLegOf(p *model.NATPair, id string) *NATLeg {
	if p == nil {
		return nil
	}
	n := &NATLeg{role: "inside", other: p.Outside, rewrites: map[uint64]model.Rewrite{}, chans: map[string]model.ChannelPair{}}
	inside := p.Inside == id
	if !inside {
		n.role, n.other = "outside", p.Inside
	}
	for _, rw := range p.Rewrites {
		if inside {
			n.rewrites[rw.InsideFrame] = rw
		} else {
			n.rewrites[rw.OutsideFrame] = rw
		}
	}
	for _, cp := range p.Channels {
		if inside {
			n.chans[cp.Inside] = cp
		} else {
			n.chans[cp.Outside] = cp
		}
	}
	return n
}

// FrameMarks are the finding marks of a session's frames.
type FrameMarks struct {
	Worst map[uint64]model.Severity
	tags  map[uint64][]string
}

func MarksFor(fs []model.Finding) FrameMarks {
	m := FrameMarks{Worst: map[uint64]model.Severity{}, tags: map[uint64][]string{}}
	for i, f := range fs {
		tag := "F" + strconv.Itoa(i+1)
		for _, fr := range f.Evidence.Frames {
			if f.Severity > m.Worst[fr] {
				m.Worst[fr] = f.Severity
			}
			if t := m.tags[fr]; len(t) == 0 || t[len(t)-1] != tag {
				m.tags[fr] = append(m.tags[fr], tag)
			}
		}
	}
	return m
}

func ShortChannel(id string) string { return id[strings.LastIndexByte(id, '.')+1:] }

// dialogChannels names, for each dialog entry, the data channel it belongs
// to: its announcement (PORT, EPRT, LPRT; PASV, EPSV, LPSV and their
// 227/228/229), its transfer command, and the replies that answer them.
// Entries are found by frame and by what they say, so another command in
// the same segment (TYPE I sent with PASV) is not taken for the channel's.
func dialogChannels(s *model.Session) []string {
	out := make([]string, len(s.Dialog))
	mark := func(i int, id string) {
		if i >= 0 && i < len(out) && out[i] == "" {
			out[i] = id
		}
	}
	for _, ch := range s.Channels {
		if a := ch.Announce; a != nil && a.Frame != 0 {
			if ch.Mode == "active" {
				mark(CommandAt(s, a.Frame, a.Verb), ch.ID)
			} else if i := replyAt(s, a.Frame, a.ReplyCode); i >= 0 {
				mark(i, ch.ID)
				if c, ok := s.Dialog[i].Answers.Index(); ok {
					mark(c, ch.ID)
				}
			}
		}
		if t := ch.Transfer; t != nil && t.Frame != 0 {
			mark(CommandAt(s, t.Frame, t.Verb), ch.ID)
		}
	}
	for i := range s.Dialog { // commands come before the replies that answer them
		if c, ok := s.Dialog[i].Answers.Index(); ok && c < i {
			mark(i, out[c])
		}
	}
	return out
}

// CommandAt returns the index of the command verb carried by frame, or -1.
func CommandAt(s *model.Session, frame uint64, verb string) int {
	for i := range s.Dialog {
		if e := &s.Dialog[i]; e.Frame == frame && e.Kind == "command" && e.Verb == verb {
			return i
		}
	}
	return -1
}

// replyAt returns the index of the reply of that code carried by frame,
// or -1.
func replyAt(s *model.Session, frame uint64, code *int) int {
	for i := range s.Dialog {
		if e := &s.Dialog[i]; e.Frame == frame && e.Kind == "reply" && code != nil && e.Code == *code {
			return i
		}
	}
	return -1
}

// FinalReply returns the index of the last final reply answering the
// command of index cmd, or -1.
func FinalReply(s *model.Session, cmd int) int {
	found := -1
	for i := cmd + 1; cmd >= 0 && i < len(s.Dialog); i++ {
		if e := &s.Dialog[i]; !e.Preliminary {
			if c, ok := e.Answers.Index(); ok && c == cmd {
				found = i
			}
		}
	}
	return found
}

// EntryText is a dialog entry as one line of text, with its arrow; a line
// the snapshot length cut ends in "… (cut)".
func EntryText(e *model.DialogEntry) string {
	if e.Cut {
		c := *e
		c.Cut = false
		return EntryText(&c) + "… (cut)"
	}
	switch {
	case e.Kind == "command":
		if e.Arg != "" {
			return "→ " + e.Verb + " " + e.Arg
		}
		return "→ " + e.Verb
	case e.Malformed:
		return fmt.Sprintf("← %q (not a reply)", e.Text)
	}
	t := "← " + strconv.Itoa(e.Code) + " " + e.Text
	if e.Lines > 1 && len(e.TextLines) == 0 {
		t += fmt.Sprintf(" (+%d lines)", e.Lines-1)
	}
	return t
}

// replyLineItems shows the lines of a multi-line reply after its first,
// under its text, as sent: lines of the dialog pane, not selectable.
func replyLineItems(th *styled.Theme, e *model.DialogEntry) []styled.Item {
	if len(e.TextLines) < 2 {
		return nil
	}
	indent := func(w int) string {
		if w >= 90 {
			return strings.Repeat(" ", 21) // under the text, after the frame number
		}
		return strings.Repeat(" ", 14)
	}
	var items []styled.Item
	for _, l := range e.TextLines[1:] {
		items = append(items, styled.Item{Static: true, OneLine: true, Render: func(w int) []styled.Line {
			in := indent(w)
			return []styled.Line{{{Text: in + styled.Clip(l, max(w-len(in), 1)), Style: th.Dim}}}
		}})
	}
	if n := e.TextLinesDropped; n > 0 {
		items = append(items, styled.Item{Static: true, OneLine: true, Render: func(w int) []styled.Line {
			return []styled.Line{{{Text: indent(w) + fmt.Sprintf("… %d more lines not kept", n), Style: th.Dim}}}
		}})
	}
	return items
}

// relTime is a time relative to the session start, in seconds.
func relTime(s *model.Session, t model.Time) string {
	if s.Start.IsZero() || t.IsZero() {
		return ""
	}
	return fmt.Sprintf("+%.4f", t.Sub(s.Start.Time).Seconds())
}

// DialogItems renders a session's dialog: one item per command or reply.
func DialogItems(th *styled.Theme, s *model.Session, fs []model.Finding, nat *NATLeg) []styled.Item {
	marks := MarksFor(fs)
	chans := dialogChannels(s)
	items := make([]styled.Item, 0, len(s.Dialog)+1)
	if s.DialogOffset > 0 { // live: the oldest lines made room for the latest
		items = append(items, styled.StaticLines(styled.Line{{Text: fmt.Sprintf("  … %d earlier lines not kept", s.DialogOffset), Style: th.Dim}}))
	}
	for i := range s.Dialog {
		e := &s.Dialog[i]
		ref := DialogRef{Index: i, Frame: e.Frame, Channel: chans[i]}
		copied := strings.TrimSpace(relTime(s, e.TS) + " " + EntryText(e))
		if len(e.TextLines) > 1 {
			copied += "\n" + strings.Join(e.TextLines[1:], "\n")
		}
		items = append(items, styled.Item{
			Ref:     ref,
			OneLine: true,
			Copy:    copied,
			Render: func(w int) []styled.Line {
				return []styled.Line{dialogLine(th, s, e, ref, marks, nat, w)}
			},
		})
		items = append(items, replyLineItems(th, e)...)
	}
	if later := s.DialogDropped - s.DialogOffset; later > 0 {
		items = append(items, styled.StaticLines(styled.Line{{Text: fmt.Sprintf("  … %d further lines not kept", later), Style: th.Dim}}))
	}
	return items
}

func dialogLine(th *styled.Theme, s *model.Session, e *model.DialogEntry, ref DialogRef, marks FrameMarks, nat *NATLeg, w int) styled.Line {
	var l styled.Line
	sev := marks.Worst[e.Frame]
	if sev > 0 {
		l = append(l, styled.Seg{Text: sev.Glyph(), Style: th.SevStyle(sev)})
	} else {
		l = append(l, styled.Seg{Text: " ", Style: th.Base})
	}
	l = append(l, styled.Seg{Text: " " + styled.PadLeft(relTime(s, e.TS), 9) + " ", Style: th.Dim})
	if w >= 90 {
		l = append(l, styled.Seg{Text: styled.PadLeft("#"+strconv.FormatUint(e.Frame, 10), 6) + " ", Style: th.Dim})
	}
	// Right part: latency, finding tags, channel.
	var right []styled.Seg
	switch {
	case e.Unanswered:
		right = append(right, styled.Seg{Text: "no reply", Style: th.SevStyle(model.Warning)})
	case e.Kind == "reply" && e.LatencyMS != nil && !e.Preliminary:
		right = append(right, styled.Seg{Text: latency(*e.LatencyMS), Style: th.Dim})
	}
	if tags := marks.tags[e.Frame]; len(tags) > 0 {
		right = append(right, styled.Seg{Text: " " + sev.Glyph() + strings.Join(tags, ","), Style: th.SevStyle(sev)})
	}
	if nat != nil {
		if _, ok := nat.rewrites[e.Frame]; ok && e.Frame != 0 {
			right = append(right, styled.Seg{Text: " ✎NAT", Style: th.NAT})
		}
	}
	if ref.Channel != "" {
		right = append(right, styled.Seg{Text: " ⇢" + ShortChannel(ref.Channel), Style: th.Data})
	}
	rw := styled.Line(right).Width()
	room := w - l.Width() - rw - 1
	if e.Decrypted {
		l = append(l, styled.Seg{Text: styled.DecryptedMark, Style: th.Dim})
		room -= styled.Width(styled.DecryptedMark)
	}
	text := styled.Clip(EntryText(e), room)
	st := th.Reply
	if e.Kind == "command" {
		st = th.Cmd
	}
	if e.Code >= 400 {
		st = th.SevStyle(model.Warning)
		if sev > 0 {
			st = th.SevStyle(sev)
		}
	}
	l = append(l, styled.Seg{Text: text, Style: st})
	if pad := w - l.Width() - rw; pad > 0 {
		l = append(l, styled.Seg{Text: strings.Repeat(" ", pad), Style: th.Base})
	}
	return append(l, right...)
}

// latency writes a command→reply time in milliseconds.
func latency(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	case ms < 10000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
}
