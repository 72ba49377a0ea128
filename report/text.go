package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/ftpscope/ftpscope/model"
)

// TextOptions tunes the text report.
type TextOptions struct {
	// Width wraps explanations; 80 when zero.
	Width int
	// FullDialog prints every dialog line; otherwise long dialogs are
	// shortened around the lines that matter.
	FullDialog bool
	// ASCII writes ASCII stand-ins for the marks (→, …, ✖) and escapes
	// other non-ASCII text, for terminals whose locale is not UTF-8.
	ASCII bool
}

// maxDialogLines is how much of a long dialog the compact form shows.
const maxDialogLines = 40

// WriteText writes the report for people: a header, the findings worst
// first, then each session with its dialog and data channels.
func WriteText(w io.Writer, r *model.Report, opt TextOptions) error {
	if opt.Width <= 0 {
		opt.Width = 80
	}
	bw := bufio.NewWriter(w)
	// Every byte leaves through the terminal writer: text from the wire
	// never reaches the reader's terminal as control sequences.
	t := &textWriter{w: textfmt.NewTerminalWriter(bw, opt.ASCII), opt: opt}
	t.header(r)
	t.findings(r)
	byID := map[string][]model.Finding{}
	for _, f := range r.Findings {
		byID[f.Session] = append(byID[f.Session], f)
	}
	pairOf := map[string]*model.NATPair{}
	for i := range r.NATPairs {
		p := &r.NATPairs[i]
		pairOf[p.Inside], pairOf[p.Outside] = p, p
	}
	for i := range r.Sessions {
		t.session(&r.Sessions[i], byID[r.Sessions[i].ID], pairOf[r.Sessions[i].ID])
	}
	t.natPairs(r)
	return bw.Flush()
}

type textWriter struct {
	w   io.Writer
	opt TextOptions
}

func (t *textWriter) printf(format string, args ...any) { fmt.Fprintf(t.w, format, args...) }

func (t *textWriter) header(r *model.Report) {
	channels := 0
	for _, s := range r.Sessions {
		channels += len(s.Channels)
	}
	t.printf("%s %s: %s packets, %s, %s\n", r.Tool.Name, r.Tool.Version, textfmt.Thousands(int64(r.Stats.Packets)),
		plural(len(r.Sessions), "FTP session"), plural(channels, "data channel"))
	for _, s := range r.Sources {
		span := ""
		if s.First != nil && s.Last != nil {
			span = fmt.Sprintf(", %s to %s", s.First.UTC().Format("2006-01-02 15:04:05"), s.Last.UTC().Format("15:04:05"))
		}
		t.wrapped("  "+s.Label+": ", fmt.Sprintf("%s (%s, %s packets%s)", s.Name, s.LinkType, textfmt.Thousands(int64(s.Packets)), span))
		if s.Dropped > 0 {
			t.printf("    ▲ the kernel dropped %s packets: conclusions may be incomplete\n", textfmt.Thousands(int64(s.Dropped)))
		}
		for _, w := range s.Warnings {
			t.printf("    ▲ %s\n", w)
		}
	}
	if r.Stats.Interrupted {
		t.printf("  ▲ interrupted: this report covers the packets read until then\n")
	}
	t.printf("\n")
}

func (t *textWriter) findings(r *model.Report) {
	if len(r.Findings) == 0 {
		t.printf("No findings: nothing looks wrong with these FTP sessions.\n\n")
		return
	}
	fs := append([]model.Finding(nil), r.Findings...)
	model.SortFindings(fs)
	counts := map[model.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []model.Severity{model.Error, model.Warning, model.Info} {
		if counts[s] > 0 {
			parts = append(parts, plural(counts[s], s.String()))
		}
	}
	t.printf("FINDINGS (%s)\n", strings.Join(parts, ", "))
	// Findings that say the same thing about several channels are printed
	// once, with the list of the others.
	type group struct {
		first  model.Finding
		others []string
	}
	var groups []*group
	byKey := map[model.FindingGroupKey]*group{}
	for _, f := range fs {
		key := f.GroupKey()
		if g, ok := byKey[key]; ok {
			g.others = append(g.others, f.Where())
			continue
		}
		g := &group{first: f}
		byKey[key] = g
		groups = append(groups, g)
	}
	for _, g := range groups {
		f := &g.first
		t.wrapped(fmt.Sprintf("%s %-7s ", f.Severity.Glyph(), f.Severity), f.Summary+"  ["+f.Where()+"]")
		if n := len(g.others); n > 0 {
			t.wrapped("          ", fmt.Sprintf("+ %s like it: %s", plural(n, "more"), model.LikeIt(g.others, 8)))
		}
		t.wrapped("  why: ", f.Explanation)
		if f.Remedy != "" {
			t.wrapped("  fix: ", f.Remedy)
		}
		if ev := f.Evidence.Describe("; "); ev != "" {
			t.wrapped("  see: ", ev)
		}
	}
	t.printf("\n")
}

// wrapped prints text after prefix, wrapped at the report width.
func (t *textWriter) wrapped(prefix, text string) {
	indent := strings.Repeat(" ", columns(prefix))
	line := prefix
	for _, word := range strings.Fields(text) {
		if columns(line)+1+columns(word) > t.opt.Width && strings.TrimSpace(line) != strings.TrimSpace(prefix) {
			t.printf("%s\n", line)
			line = indent + word
			continue
		}
		if line == prefix {
			line += word
		} else {
			line += " " + word
		}
	}
	t.printf("%s\n", line)
}

func (t *textWriter) session(s *model.Session, fs []model.Finding, pair *model.NATPair) {
	where := s.Source
	if s.Vantage != "" {
		where += "/" + s.Vantage
	}
	t.printf("SESSION %s  %s → %s  (seen at %s)\n", s.ID, s.Client, s.Server, where)
	user := "no login seen"
	if s.User != nil {
		user = "user " + *s.User
	}
	dur := s.End.Sub(s.Start.Time)
	t.printf("  %s · %s · %s · %s, %s\n", user, plural(s.Commands, "command"), plural(s.Replies, "reply"),
		s.Start.UTC().Format("2006-01-02 15:04:05.000"), fmtDuration(dur))
	t.wiresharkFilter(s, pair)
	if s.TLS {
		t.wrapped("  ", tlsLine(s))
	}
	if !s.HandshakeSeen {
		t.printf("  capture started mid-session\n")
	}
	if s.GapBytes > 0 {
		t.printf("  ▲ %s bytes of the control connection are missing from the capture\n", textfmt.Thousands(s.GapBytes))
	}
	if ct := s.Conntrack; ct != nil {
		t.printf("  conntrack: %s · %s · reply %s%s\n", conntrackHelper(ct), ct.Tuple, ct.ReplyTuple, zoneMark(ct))
	}
	marks := map[uint64]model.Severity{}
	for _, f := range fs {
		for _, fr := range f.Evidence.Frames {
			if f.Severity > marks[fr] {
				marks[fr] = f.Severity
			}
		}
	}
	t.dialog(s, marks)
	t.channels(s)
	t.printf("\n")
}

// wiresharkFilter writes the display filter of the session, of both legs
// when it is one leg of a NAT pair (what -w --session writes), on one
// line: it is meant to be pasted whole.
func (t *textWriter) wiresharkFilter(s *model.Session, pair *model.NATPair) {
	switch {
	case pair != nil && pair.WiresharkFilter != "":
		t.printf("  wireshark, both NAT legs (%s ⇄ %s): %s\n", pair.Inside, pair.Outside, pair.WiresharkFilter)
	case s.WiresharkFilter != "":
		t.printf("  wireshark: %s\n", s.WiresharkFilter)
	}
}

func (t *textWriter) dialog(s *model.Session, marks map[uint64]model.Severity) {
	entries := s.Dialog
	if len(entries) == 0 {
		return
	}
	show := make([]bool, len(entries))
	if t.opt.FullDialog || len(entries) <= maxDialogLines {
		for i := range show {
			show[i] = true
		}
	} else {
		// Keep the start, the end, and every line near one that matters.
		for i := range entries {
			e := &entries[i]
			important := i < 8 || i >= len(entries)-6 || marks[e.Frame] > 0 || e.Code >= 400 || e.Malformed || e.Unanswered
			switch e.Verb {
			case "PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV", "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD", "AUTH":
				important = true
			}
			if important {
				for j := max(0, i-1); j <= min(len(entries)-1, i+1); j++ {
					show[j] = true
				}
			}
		}
	}
	t.printf("  dialog:\n")
	if s.DialogOffset > 0 { // live: the oldest lines made room for the latest
		t.printf("      (%d earlier lines not kept)\n", s.DialogOffset)
	}
	skipped := 0
	for i := range entries {
		if !show[i] {
			skipped++
			continue
		}
		if skipped > 0 {
			t.printf("      … %d lines …\n", skipped)
			skipped = 0
		}
		e := &entries[i]
		mark := " "
		if sev := marks[e.Frame]; sev > 0 {
			mark = sev.Glyph()
		}
		ts := e.TS.UTC().Format("15:04:05.000")
		var text string
		if e.Kind == "command" {
			text = "→ " + e.Verb
			if e.Arg != "" {
				text += " " + e.Arg
			}
		} else if e.Malformed {
			text = fmt.Sprintf("← %q (not a reply)", e.Text)
		} else {
			text = fmt.Sprintf("← %d %s", e.Code, e.Text)
			if e.Lines > 1 && len(e.TextLines) == 0 {
				text += fmt.Sprintf(" (+%d lines)", e.Lines-1)
			}
		}
		if e.Cut {
			text += "… (cut by the snapshot length)"
		}
		lat := ""
		if e.Kind == "reply" && e.LatencyMS != nil && !e.Preliminary {
			lat = fmtLatency(*e.LatencyMS)
		}
		if e.Unanswered {
			lat = "no reply"
		}
		room := t.opt.Width - 4 - 12 - 2 - len(lat) - 2
		if e.Decrypted {
			room -= decryptedMarkWidth
		}
		text = clipText(text, room)
		pad := room - len([]rune(text))
		if pad < 0 {
			pad = 0
		}
		if e.Decrypted {
			text = decryptedMark + text
		}
		t.printf("%s\n", strings.TrimRight(fmt.Sprintf("  %s %s  %s%s  %s", mark, ts, text, strings.Repeat(" ", pad), lat), " "))
		t.replyLines(e)
	}
	if skipped > 0 {
		t.printf("      … %d lines …\n", skipped)
	}
	if later := s.DialogDropped - s.DialogOffset; later > 0 {
		t.printf("      (%d further lines not kept)\n", later)
	}
}

// replyShownLines is how many lines of a multi-line reply after its first
// the compact form shows.
const replyShownLines = 6

// replyLines prints the lines of a multi-line reply after its first, under
// its text, as sent.
func (t *textWriter) replyLines(e *model.DialogEntry) {
	if len(e.TextLines) < 2 {
		return
	}
	const indent = "                    " // under the text after "← "
	more := e.TextLines[1:]
	hidden := e.TextLinesDropped
	if !t.opt.FullDialog && len(more) > replyShownLines {
		hidden += len(more) - replyShownLines
		more = more[:replyShownLines]
	}
	for _, l := range more {
		t.printf("%s\n", strings.TrimRight(indent+clipText(l, t.opt.Width-len(indent)), " "))
	}
	if hidden > 0 {
		t.printf("%s… +%d lines\n", indent, hidden)
	}
}

func (t *textWriter) channels(s *model.Session) {
	if len(s.Channels) == 0 {
		return
	}
	t.printf("  data channels:\n")
	for _, ch := range s.Channels {
		short := ch.ID[strings.LastIndexByte(ch.ID, '.')+1:]
		ann := "no announcement"
		if a := ch.Announce; a != nil {
			code := "no reply"
			if a.ReplyCode != nil {
				code = fmt.Sprint(*a.ReplyCode)
			}
			ann = fmt.Sprintf("%s %s (%s)", a.Verb, a.Endpoint, code)
		}
		t.printf("    %-3s %-7s %s\n", short, ch.Mode, ann)
		if c := ch.Connection; c != nil {
			t.printf("        data %s → %s [%s] %s\n", c.Initiator, c.Responder, c.Match, connBytes(c))
			if d := c.TLSDecryption; d != nil && !d.Decrypted {
				t.wrapped("        ▲ ", "TLS not decrypted: "+d.Reason)
			}
		} else {
			t.printf("        data: no connection seen\n")
		}
		if x := ch.Expectation; x != nil {
			to := ""
			if x.NATTo != "" {
				to = " → " + x.NATTo
			}
			t.printf("        expectation (%s) %s%s: %s\n", x.Helper, x.Tuple, to, x.Outcome)
		}
		line := "        "
		if x := ch.Transfer; x != nil {
			codes := make([]string, len(x.ReplyCodes))
			for i, c := range x.ReplyCodes {
				codes[i] = fmt.Sprint(c)
			}
			arg := ""
			if x.Arg != "" {
				arg = " " + clipText(x.Arg, 30)
			}
			line += fmt.Sprintf("%s%s → %s", x.Verb, arg, strings.Join(codes, ", "))
			if x.AnnouncedSize != nil {
				line += fmt.Sprintf(", %s bytes announced", textfmt.Thousands(*x.AnnouncedSize))
			}
			if x.FileBytes != nil {
				line += fmt.Sprintf(", %s bytes decrypted", textfmt.Thousands(*x.FileBytes))
			}
			line += " · "
		}
		st := "status " + statusWord(ch.Status)
		if columns(line+st) > t.opt.Width && strings.TrimSpace(line) != "" {
			t.printf("%s\n", strings.TrimSuffix(line, " · "))
			line = "        "
		}
		t.printf("%s%s\n", line, st)
	}
}

// conntrackHelper says which helper the host attached to a control
// connection.
func conntrackHelper(ct *model.Conntrack) string {
	if ct.Helper == nil {
		return "no helper attached"
	}
	return "helper " + *ct.Helper
}

func zoneMark(ct *model.Conntrack) string {
	if ct.Zone == 0 && ct.Mark == 0 {
		return ""
	}
	return fmt.Sprintf(" · zone %d, mark %#x", ct.Zone, ct.Mark)
}

func connBytes(c *model.Connection) string {
	switch {
	case c.BytesToFTPClient > 0 && c.BytesToFTPServer > 0:
		return fmt.Sprintf("%s B down, %s B up", textfmt.Thousands(c.BytesToFTPClient), textfmt.Thousands(c.BytesToFTPServer))
	case c.BytesToFTPServer > 0:
		return fmt.Sprintf("%s B up", textfmt.Thousands(c.BytesToFTPServer))
	}
	return fmt.Sprintf("%s B down", textfmt.Thousands(c.BytesToFTPClient))
}

func statusWord(s string) string {
	switch s {
	case model.StatusOK:
		return "ok"
	case model.StatusUnused, model.StatusUnknown:
		return s
	}
	return strings.ToUpper(s)
}

func (t *textWriter) natPairs(r *model.Report) {
	if len(r.NATPairs) == 0 {
		return
	}
	t.printf("NAT LEGS\n")
	for _, p := range r.NATPairs {
		seq := "not checked"
		if p.SeqAdjusted != nil {
			seq = map[bool]string{true: "consistent", false: "NOT adjusted"}[*p.SeqAdjusted]
		}
		t.printf("  %s (inside) ↔ %s (outside): %s, sequence numbers %s\n", p.Inside, p.Outside, plural(len(p.Rewrites), "rewrite"), seq)
		for _, rw := range p.Rewrites {
			t.printf("    %q → %q (%+d bytes)\n", rw.Inside, rw.Outside, rw.LengthDelta)
		}
		for _, c := range p.Channels {
			t.printf("    data %s ↔ %s  %s ↔ %s\n", c.Inside, c.Outside, c.InsideEndpoint, c.OutsideEndpoint)
		}
	}
	t.printf("\n")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if word == "more" {
		return fmt.Sprintf("%s more", textfmt.Thousands(int64(n)))
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%s %sies", textfmt.Thousands(int64(n)), word[:len(word)-1])
	}
	return fmt.Sprintf("%s %ss", textfmt.Thousands(int64(n)), word)
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

func fmtLatency(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// clipText makes s printable and shortens it to n runes.
func clipText(s string, n int) string { return textfmt.Clip(textfmt.Printable(s), n) }
