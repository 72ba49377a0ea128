package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// helpItems are the lines of the help page, generated from the key table.
func (u *UI) helpItems() []styled.Item {
	th := u.th
	var items []styled.Item
	title := func(s string) {
		items = append(items, styled.Item{Copy: s, Render: func(int) []styled.Line { return []styled.Line{{{Text: s, Style: th.Title}}} }})
	}
	entry := func(keys, text string, st tcell.Style) {
		items = append(items, styled.Item{Copy: keys + " " + text, Render: func(w int) []styled.Line {
			var out []styled.Line
			for i, x := range styled.Wrap(text, max(10, w-14)) {
				k := ""
				if i == 0 {
					k = keys
				}
				out = append(out, styled.Line{{Text: styled.PadRight(k, 13) + " ", Style: st}, {Text: x, Style: th.Base}})
			}
			return out
		}})
	}
	blank := func() {
		items = append(items, styled.Item{Render: func(int) []styled.Line { return []styled.Line{{}} }})
	}
	for _, sec := range helpSections {
		first := true
		for _, b := range u.keys {
			if !sec.Takes(b.Ctx) || helpSectionOf(b) != sec.Title {
				continue
			}
			if first {
				title(sec.Title)
				first = false
			}
			entry(b.Names(), b.Help, th.Bold)
		}
		if !first {
			blank()
		}
	}
	title("Filter words (all must match; !word negates)")
	entry("text", "anywhere: addresses, user, commands, replies, transfers, findings", th.Bold)
	for _, f := range viewmodel.FilterFields {
		entry(f.Name+":", f.Help, th.Bold)
	}
	blank()
	title("Marks (never colour alone)")
	for _, s := range []model.Severity{model.Error, model.Warning, model.Info} {
		entry(styled.SevLabel(s), "a finding of this severity; F1, F2… tag its evidence lines", th.SevStyle(s))
	}
	entry("✔ – ▲ ✖", "data channel: worked, unused, partial, failed", th.Bold)
	entry("→ ← ⇢c1", "command to the server, reply to the client, the data channel a line announces or uses", th.Bold)
	entry("═ ╌✖ ┄ ✎", "ladder: data connection, failed one, none at all, rewritten by the NAT", th.Bold)
	return items
}

// Flash shows msg in the status line for a while; safe from any goroutine
// (the analysis', while Run runs).
func (u *UI) Flash(sev model.Severity, msg string) { u.flashFromOutside(sev, msg) }

// flashFromOutside flashes msg from a goroutine other than the UI's.
func (u *UI) flashFromOutside(sev model.Severity, msg string) {
	select {
	case <-u.stop:
		return // no UI to show it any more
	default:
	}
	// QueueUpdateDraw waits for the event loop (forever once it stopped):
	// never from the caller's goroutine.
	go u.app.QueueUpdateDraw(func() { u.setFlash(sev, "%s", msg) })
}

func (u *UI) setFlash(sev model.Severity, format string, args ...any) {
	u.flash = fmt.Sprintf(format, args...)
	u.flashSev = sev
	u.flashDeadline.Store(time.Now().Add(flashFor).UnixNano())
}

// headerLine: tool, sources, counts, filter, mode.
func (u *UI) headerLine(w int) styled.Line {
	th := u.th
	s := u.snap
	var l styled.Line
	l = append(l, styled.Seg{Text: " " + u.opt.Tool.Name + " ", Style: th.Title})
	narrow := w < wideListW
	src := strings.Join(s.Sources, ", ")
	pk := u.model.Packets()
	switch {
	case s.State == viewmodel.Done && s.Stats.Packets > 0:
		pk = s.Stats.Packets
	case s.State == viewmodel.Live:
		pk = s.Live.Packets
	}
	n := len(s.Rows)
	evicted := ""
	if s.Evicted > 0 {
		evicted = fmt.Sprintf("(+%s evicted) ", textfmt.Thousands(int64(s.Evicted)))
	}
	if narrow {
		l = append(l, styled.Seg{Text: fmt.Sprintf("· %d sess %s", n, evicted), Style: th.Base})
	} else {
		l = append(l, styled.Seg{Text: "│ " + styled.Clip(src, 40) + " · " + textfmt.Thousands(int64(pk)) + " packets · " + fmt.Sprintf("%d sessions %s", n, evicted), Style: th.Base})
	}
	l = append(l, styled.Seg{Text: "│ ", Style: th.Dim})
	for _, sev := range []model.Severity{model.Error, model.Warning, model.Info} {
		if c := s.Counts[sev]; c > 0 || sev == model.Error {
			l = append(l, styled.Seg{Text: fmt.Sprintf("%s %d %s ", sev.Glyph(), c, sev), Style: th.SevStyle(sev)})
		}
	}
	if !u.filter.Empty() {
		l = append(l, styled.Seg{Text: "│ /" + styled.Clip(u.filter.Text(), 24) + " ", Style: th.Bold})
	}
	// Mode, on the right.
	var mode string
	switch s.State {
	case viewmodel.Loading:
		mode = "◐ loading · " + textfmt.Thousands(int64(pk)) + " packets"
	case viewmodel.Live:
		mode = liveMode(&s.Live)
	default:
		mode = "■ file · done"
		if s.Err != nil {
			mode = "■ stopped: " + s.Err.Error()
		}
	}
	if u.paused {
		mode = fmt.Sprintf("‖ PAUSED +%d new · ", u.pending) + mode
	}
	if u.follow {
		mode = "⇣ follow · " + mode
	}
	if u.mouse {
		mode = "mouse · " + mode
	}
	if room := w - l.Width() - 1; room > 8 {
		mode = styled.Clip(mode, room)
		l = append(l, styled.Seg{Text: styled.PadLeft(mode+" ", room+1), Style: th.Bold})
	}
	return l
}

// liveMode is the header's word on a live capture: rate and kernel drops
// (the packets are left of it), and with several sources the packets, rate
// and drops of each.
func liveMode(l *viewmodel.LiveStatus) string {
	if len(l.Sources) < 2 {
		return fmt.Sprintf("● LIVE %s · %.0f pkt/s · %s dropped", l.Interface, l.Rate, textfmt.Thousands(int64(l.Dropped)))
	}
	parts := make([]string, len(l.Sources))
	for i, src := range l.Sources {
		parts[i] = fmt.Sprintf("%s %s pkts %.0f/s %s drop", src.Name, textfmt.Thousands(int64(src.Packets)), src.Rate, textfmt.Thousands(int64(src.Dropped)))
	}
	return "● LIVE " + strings.Join(parts, " · ")
}

// footerLine: breadcrumbs, then the context's hints from the key table,
// or the flash message.
func (u *UI) footerLine(w int) styled.Line {
	th := u.th
	crumbs := " <sessions>"
	switch {
	case u.view == viewSession && u.openRow != nil:
		crumbs += " <" + u.openRow.S.ID + "> <" + strings.ToLower(paneNames[u.paneFocus]) + ">"
	case u.view == viewFlow:
		crumbs += " <ladder>"
	case u.view == viewStats:
		crumbs += " <statistics>"
	case u.view == viewFrame && u.frames != nil:
		crumbs += fmt.Sprintf(" <frame %d>", u.frames.frames[u.frames.at])
	}
	if u.menu != nil {
		crumbs += " <save>"
	}
	if u.helpOpen {
		crumbs += " <help>"
	}
	l := styled.Line{{Text: crumbs + "  ", Style: th.Bar}}
	if u.flash != "" {
		return append(l, styled.Seg{Text: u.flash, Style: th.Bar.Bold(true)})
	}
	for _, h := range u.keys.Hints(u.context()) {
		if l.Width()+styled.Width(h)+2 > w {
			break
		}
		l = append(l, styled.Seg{Text: h + "  ", Style: th.Bar})
	}
	return l
}

// sessionTitle is the line over the session panes.
func (u *UI) sessionTitle(w int) styled.Line {
	th := u.th
	r := u.openRow
	if r == nil {
		return nil
	}
	s := r.S
	l := styled.Line{{Text: " " + s.ID + " ", Style: th.Title.Reverse(true)}, {Text: " " + s.Client + " → " + s.Server + " ", Style: th.Bold}}
	info := []string{r.Where}
	if s.User != nil {
		info = append(info, "user "+*s.User)
	}
	info = append(info, fmt.Sprintf("%d commands", s.Commands))
	if d := s.End.Sub(s.Start.Time); !s.End.IsZero() && d >= 0 {
		info = append(info, d.Round(time.Millisecond).String())
	}
	if s.TLS {
		info = append(info, tlsInfo(s))
	}
	if ct := s.Conntrack; ct != nil {
		if ct.Helper == nil {
			info = append(info, "conntrack: no helper")
		} else {
			info = append(info, "conntrack: helper "+*ct.Helper)
		}
	}
	if p, ok := u.model.Pair(s.ID); ok {
		other := p.Outside
		role := "inside"
		if other == s.ID {
			other, role = p.Inside, "outside"
		}
		info = append(info, fmt.Sprintf("NAT %s leg, other leg %s", role, other))
	}
	l = append(l, styled.Seg{Text: "· " + strings.Join(info, " · ") + " ", Style: th.Dim})
	if len(r.Findings) > 0 {
		f := r.Findings[0]
		l = append(l, styled.Seg{Text: "│ " + styled.SevLabel(f.Severity), Style: th.SevStyle(f.Severity)})
	}
	return l
}
