package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// natLeg is what the NAT pairing says about one leg: the other leg, this
// leg's rewritten lines (by frame) and its channels' partners.
type natLeg struct {
	role     string // "inside" or "outside"
	other    string
	rewrites map[uint64]model.Rewrite
	chans    map[string]model.ChannelPair
}

// natLegOf returns the view of a pair from session id's side, or nil.
func natLegOf(p *model.NATPair, id string) *natLeg {
	if p == nil {
		return nil
	}
	n := &natLeg{role: "inside", other: p.Outside, rewrites: map[uint64]model.Rewrite{}, chans: map[string]model.ChannelPair{}}
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

// frameMarks are the finding marks of a session's frames.
type frameMarks struct {
	worst map[uint64]model.Severity
	tags  map[uint64][]string
}

func marksFor(fs []model.Finding) frameMarks {
	m := frameMarks{worst: map[uint64]model.Severity{}, tags: map[uint64][]string{}}
	for i, f := range fs {
		tag := "F" + strconv.Itoa(i+1)
		for _, fr := range f.Evidence.Frames {
			if f.Severity > m.worst[fr] {
				m.worst[fr] = f.Severity
			}
			if t := m.tags[fr]; len(t) == 0 || t[len(t)-1] != tag {
				m.tags[fr] = append(m.tags[fr], tag)
			}
		}
	}
	return m
}

func shortChannel(id string) string { return id[strings.LastIndexByte(id, '.')+1:] }

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
				mark(commandAt(s, a.Frame, a.Verb), ch.ID)
			} else if i := replyAt(s, a.Frame, a.ReplyCode); i >= 0 {
				mark(i, ch.ID)
				if c, ok := s.Dialog[i].Answers.Index(); ok {
					mark(c, ch.ID)
				}
			}
		}
		if t := ch.Transfer; t != nil && t.Frame != 0 {
			mark(commandAt(s, t.Frame, t.Verb), ch.ID)
		}
	}
	for i := range s.Dialog { // commands come before the replies that answer them
		if c, ok := s.Dialog[i].Answers.Index(); ok && c < i {
			mark(i, out[c])
		}
	}
	return out
}

// commandAt returns the index of the command verb carried by frame, or -1.
func commandAt(s *model.Session, frame uint64, verb string) int {
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

// finalReply returns the index of the last final reply answering the
// command of index cmd, or -1.
func finalReply(s *model.Session, cmd int) int {
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

// entryText is a dialog entry as one line of text, with its arrow; a line
// the snapshot length cut ends in "… (cut)".
func entryText(e *model.DialogEntry) string {
	if e.Cut {
		c := *e
		c.Cut = false
		return entryText(&c) + "… (cut)"
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
func replyLineItems(th *theme, e *model.DialogEntry) []item {
	if len(e.TextLines) < 2 {
		return nil
	}
	indent := func(w int) string {
		if w >= 90 {
			return strings.Repeat(" ", 21) // under the text, after the frame number
		}
		return strings.Repeat(" ", 14)
	}
	var items []item
	for _, l := range e.TextLines[1:] {
		items = append(items, item{static: true, oneLine: true, render: func(w int) []line {
			in := indent(w)
			return []line{{{in + clip(l, max(w-len(in), 1)), th.dim}}}
		}})
	}
	if n := e.TextLinesDropped; n > 0 {
		items = append(items, item{static: true, oneLine: true, render: func(w int) []line {
			return []line{{{indent(w) + fmt.Sprintf("… %d more lines not kept", n), th.dim}}}
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

// dialogItems renders a session's dialog: one item per command or reply.
func dialogItems(th *theme, s *model.Session, fs []model.Finding, nat *natLeg) []item {
	marks := marksFor(fs)
	chans := dialogChannels(s)
	items := make([]item, 0, len(s.Dialog)+1)
	if s.DialogOffset > 0 { // live: the oldest lines made room for the latest
		items = append(items, staticLines(line{{fmt.Sprintf("  … %d earlier lines not kept", s.DialogOffset), th.dim}}))
	}
	for i := range s.Dialog {
		e := &s.Dialog[i]
		ref := dialogRef{index: i, frame: e.Frame, channel: chans[i]}
		copied := strings.TrimSpace(relTime(s, e.TS) + " " + entryText(e))
		if len(e.TextLines) > 1 {
			copied += "\n" + strings.Join(e.TextLines[1:], "\n")
		}
		items = append(items, item{
			ref:     ref,
			oneLine: true,
			copy:    copied,
			render: func(w int) []line {
				return []line{dialogLine(th, s, e, ref, marks, nat, w)}
			},
		})
		items = append(items, replyLineItems(th, e)...)
	}
	if later := s.DialogDropped - s.DialogOffset; later > 0 {
		items = append(items, staticLines(line{{fmt.Sprintf("  … %d further lines not kept", later), th.dim}}))
	}
	return items
}

func dialogLine(th *theme, s *model.Session, e *model.DialogEntry, ref dialogRef, marks frameMarks, nat *natLeg, w int) line {
	var l line
	sev := marks.worst[e.Frame]
	if sev > 0 {
		l = append(l, seg{sev.Glyph(), th.sevStyle(sev)})
	} else {
		l = append(l, seg{" ", th.base})
	}
	l = append(l, seg{" " + padLeft(relTime(s, e.TS), 9) + " ", th.dim})
	if w >= 90 {
		l = append(l, seg{padLeft("#"+strconv.FormatUint(e.Frame, 10), 6) + " ", th.dim})
	}
	// Right part: latency, finding tags, channel.
	var right []seg
	switch {
	case e.Unanswered:
		right = append(right, seg{"no reply", th.sevStyle(model.Warning)})
	case e.Kind == "reply" && e.LatencyMS != nil && !e.Preliminary:
		right = append(right, seg{latency(*e.LatencyMS), th.dim})
	}
	if tags := marks.tags[e.Frame]; len(tags) > 0 {
		right = append(right, seg{" " + sev.Glyph() + strings.Join(tags, ","), th.sevStyle(sev)})
	}
	if nat != nil {
		if _, ok := nat.rewrites[e.Frame]; ok && e.Frame != 0 {
			right = append(right, seg{" ✎NAT", th.nat})
		}
	}
	if ref.channel != "" {
		right = append(right, seg{" ⇢" + shortChannel(ref.channel), th.data})
	}
	rw := line(right).width()
	room := w - l.width() - rw - 1
	if e.Decrypted {
		l = append(l, seg{decryptedMark, th.dim})
		room -= strWidth(decryptedMark)
	}
	text := clip(entryText(e), room)
	st := th.reply
	if e.Kind == "command" {
		st = th.cmd
	}
	if e.Code >= 400 {
		st = th.sevStyle(model.Warning)
		if sev > 0 {
			st = th.sevStyle(sev)
		}
	}
	l = append(l, seg{text, st})
	if pad := w - l.width() - rw; pad > 0 {
		l = append(l, seg{strings.Repeat(" ", pad), th.base})
	}
	return append(l, right...)
}
