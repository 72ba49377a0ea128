package ui

import (
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/model"
)

// Item references: what a selected item points at, for Enter and for the
// jumps that land on it.
type (
	dialogRef struct {
		index   int
		frame   uint64
		channel string // the channel this line announces or uses
	}
	channelRef struct {
		id     string
		frames []uint64 // announce, transfer and data frames
	}
	findingRef struct {
		session string
		index   int // within the session's findings; -1 in the overview
		frames  []uint64
		channel string
		rule    string
		summary string
	}
	ladderRef struct {
		dialog int // index in the viewed session's dialog, or -1
	}
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

func plainLines(ls []line) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = strings.TrimRight(l.plain(), " ")
	}
	return strings.Join(out, "\n")
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

// findingLines renders a finding with its explanation, remedy and evidence.
// others lists the sessions or channels where the same finding was made.
func findingLines(th *theme, f *model.Finding, others []string, w int) []line {
	st := th.sevStyle(f.Severity)
	label := padRight(sevLabel(f.Severity), 10)
	indent := strings.Repeat(" ", 10)
	var out []line
	for i, x := range wrap(f.Summary, max(10, w-10)) {
		if i == 0 {
			out = append(out, line{{label, st}, {x, th.bold}})
		} else {
			out = append(out, line{{indent, th.base}, {x, th.bold}})
		}
	}
	where := f.Where()
	meta := f.Rule + " · " + where
	if len(others) > 0 {
		meta += fmt.Sprintf(" · +%d more like it: %s", len(others), model.LikeIt(others, 8))
	}
	for _, x := range wrap(meta, max(10, w-10)) {
		out = append(out, line{{indent, th.base}, {x, th.dim}})
	}
	add := func(label, text string) {
		if text == "" {
			return
		}
		for i, x := range wrap(text, max(10, w-10)) {
			lab := indent
			if i == 0 {
				lab = padRight("  "+label, 10)
			}
			out = append(out, line{{lab, th.dim}, {x, th.base}})
		}
	}
	add("why", f.Explanation)
	add("fix", f.Remedy)
	add("see", f.Evidence.Describe(" · "))
	return append(out, line{})
}

func findingText(f *model.Finding, others []string) string {
	return plainLines(findingLines(newTheme(true), f, others, 100))
}

// sessionFindingItems renders one session's findings.
func sessionFindingItems(th *theme, id string, fs []model.Finding) []item {
	items := make([]item, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		items = append(items, item{
			ref:    findingRef{session: id, index: i, frames: f.Evidence.Frames, channel: f.Channel, rule: f.Rule, summary: f.Summary},
			render: func(w int) []line { return findingLines(th, f, nil, w) },
			copy:   findingText(f, nil),
		})
	}
	return items
}

// groupItems renders the capture's findings, grouped.
func groupItems(th *theme, groups []FindingGroup) []item {
	items := make([]item, 0, len(groups))
	for i := range groups {
		g := &groups[i]
		f := &g.First
		items = append(items, item{
			ref:    findingRef{session: f.Session, index: -1, frames: f.Evidence.Frames, channel: f.Channel, rule: f.Rule, summary: f.Summary},
			render: func(w int) []line { return findingLines(th, f, g.Where, w) },
			copy:   findingText(f, g.Where),
		})
	}
	return items
}

// Sessions table.

// column is one column of the sessions table.
type column struct {
	title string
	width int // 0: takes what is left
	min   int
	right bool
	cell  func(th *theme, r *Row) (string, tcell.Style)
}

var sessionColumns = []column{
	{title: "ID", width: 4, cell: func(th *theme, r *Row) (string, tcell.Style) {
		if r.Other != "" {
			return r.S.ID + " " + pairMark, th.bold // the other leg is on the next or previous row
		}
		return r.S.ID, th.bold
	}},
	{title: "CLIENT", width: 21, cell: func(th *theme, r *Row) (string, tcell.Style) { return r.S.Client, th.base }},
	{title: "SERVER", width: 21, cell: func(th *theme, r *Row) (string, tcell.Style) { return r.S.Server, th.base }},
	{title: "USER", width: 10, cell: func(th *theme, r *Row) (string, tcell.Style) { return r.User, th.base }},
	{title: "CMDS", width: 4, right: true, cell: func(th *theme, r *Row) (string, tcell.Style) { return strconv.Itoa(r.S.Commands), th.base }},
	{title: "DATA", width: 7, right: true, cell: func(th *theme, r *Row) (string, tcell.Style) {
		return fmt.Sprintf("%d/%d", r.Observed, r.Announced), th.base
	}},
	{title: "BYTES", width: 9, right: true, cell: func(th *theme, r *Row) (string, tcell.Style) { return bytesShort(r.Bytes), th.base }},
	{title: "FINDING", min: 24, cell: func(th *theme, r *Row) (string, tcell.Style) {
		if len(r.Findings) == 0 {
			return "✔ none", th.ok
		}
		f := &r.Findings[0]
		t := padRight(sevLabel(f.Severity), 9) + " " + f.Summary
		if n := len(r.Findings); n > 1 {
			t = padRight(sevLabel(f.Severity), 9) + fmt.Sprintf(" (%d) ", n) + f.Summary
		}
		return t, th.sevStyle(f.Severity)
	}},
	{title: "LAST REPLY", width: 22, cell: func(th *theme, r *Row) (string, tcell.Style) { return r.LastReply, th.dim }},
	{title: "SEEN AT", width: 16, cell: func(th *theme, r *Row) (string, tcell.Style) { return r.Where, th.dim }},
}

// columnPriority says which columns to drop first when the table is narrow
// (indexes into sessionColumns, most wanted first after the ones always shown).
var columnPriority = []int{3, 5, 8, 4, 6, 9}

// chooseColumns picks the columns that fit in width; idW is the width of
// the longest session id.
func chooseColumns(width, idW int) []column {
	show := map[int]bool{0: true, 1: true, 2: true, 7: true}
	used := func() int {
		n := max(0, idW-sessionColumns[0].width)
		for i, c := range sessionColumns {
			if show[i] {
				n += max(c.width, c.min) + 1
			}
		}
		return n
	}
	// Optional columns only while the finding keeps room to be read.
	const findingRoom = 16
	for _, i := range columnPriority {
		show[i] = true
		if used()+findingRoom > width {
			delete(show, i)
		}
	}
	var cols []column
	rest := width - used()
	for i, c := range sessionColumns {
		if !show[i] {
			continue
		}
		if i == 0 {
			c.width = max(c.width, idW)
		}
		if c.width == 0 {
			c.width = c.min + max(0, rest)
		}
		cols = append(cols, c)
	}
	return cols
}

// sessionsContent is the virtual content of the sessions table: it makes
// the cells of the visible rows only.
type sessionsContent struct {
	tview.TableContentReadOnly
	th     *theme
	rows   []*Row
	cols   []column
	order  sortOrder
	picked map[string]bool
}

func (c *sessionsContent) GetRowCount() int    { return len(c.rows) + 1 }
func (c *sessionsContent) GetColumnCount() int { return len(c.cols) }

func (c *sessionsContent) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(c.cols) {
		return nil
	}
	k := c.cols[col]
	if row == 0 {
		return &tview.TableCell{Text: c.headerText(col), NotSelectable: true, Style: c.th.dim.Bold(true), MaxWidth: k.width}
	}
	if row-1 >= len(c.rows) {
		return nil
	}
	text, st := c.cellText(row-1, col)
	return &tview.TableCell{Text: tview.Escape(text), Style: st, MaxWidth: k.width, SelectedStyle: st.Reverse(true)}
}

// headerText is a column's title, marked when the list sorts by it.
func (c *sessionsContent) headerText(col int) string {
	k := c.cols[col]
	title := c.order.header(k.title, k.width)
	if k.right {
		return padLeft(title, k.width)
	}
	return fit(title, k.width)
}

// cellText is the text of one cell, printable, fitted to its column.
func (c *sessionsContent) cellText(i, col int) (string, tcell.Style) {
	k := c.cols[col]
	text, st := k.cell(c.th, c.rows[i])
	text = textfmt.Printable(text)
	if col == 0 && len(c.picked) > 0 {
		mark := " "
		if c.picked[c.rows[i].S.ID] {
			mark = pickMark
		}
		text = mark + " " + text
	}
	switch {
	case k.title == "CLIENT" || k.title == "SERVER":
		text = padRight(clipMiddle(text, k.width), k.width)
	case k.right:
		text = padLeft(clip(text, k.width), k.width)
	default:
		text = fit(text, k.width)
	}
	return text, st
}
