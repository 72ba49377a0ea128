package ui

import (
	"os"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/ftpscope/ftpscope/model"
)

// seg is a run of text in one style; a line is a list of them.
type seg struct {
	text  string
	style tcell.Style
}

type line []seg

// plain returns the line's text without styles.
func (l line) plain() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.text)
	}
	return b.String()
}

func (l line) width() int {
	w := 0
	for _, s := range l {
		w += uniseg.StringWidth(s.text)
	}
	return w
}

// theme holds the styles. Meaning never rests on colour alone: severities
// and statuses always carry a glyph and a word, and the selection is drawn
// in reverse video.
type theme struct {
	noColor bool
	base    tcell.Style
	dim     tcell.Style
	bold    tcell.Style
	title   tcell.Style
	sev     [model.Error + 1]tcell.Style
	ok      tcell.Style
	cmd     tcell.Style
	reply   tcell.Style
	data    tcell.Style
	nat     tcell.Style
	sel     tcell.Style
	bar     tcell.Style
	barKey  tcell.Style
}

// noColorEnv says whether NO_COLOR asks for no colour (https://no-color.org).
func noColorEnv() bool { return os.Getenv("NO_COLOR") != "" }

func newTheme(noColor bool) *theme {
	d := tcell.StyleDefault
	t := &theme{noColor: noColor, base: d, bold: d.Bold(true), title: d.Bold(true), sel: d.Reverse(true)}
	if noColor {
		t.dim = d
		t.sev = [...]tcell.Style{d, d, d.Bold(true), d.Bold(true)}
		t.ok, t.cmd, t.reply, t.data, t.nat = d, d, d, d, d.Bold(true)
		t.bar, t.barKey = d.Reverse(true), d.Reverse(true).Bold(true)
		return t
	}
	// The 16 ANSI colours and the terminal's own background: terminal
	// themes (light or dark) apply.
	t.dim = d.Foreground(tcell.ColorGray)
	t.sev = [...]tcell.Style{d, d.Foreground(tcell.ColorTeal), d.Foreground(tcell.ColorOlive).Bold(true), d.Foreground(tcell.ColorRed).Bold(true)}
	t.ok = d.Foreground(tcell.ColorGreen)
	t.cmd = d.Foreground(tcell.ColorNavy).Bold(true)
	t.reply = d
	t.data = d.Foreground(tcell.ColorPurple)
	t.nat = d.Foreground(tcell.ColorTeal).Bold(true)
	t.bar = d.Reverse(true)
	t.barKey = d.Reverse(true).Bold(true)
	t.title = d.Bold(true)
	return t
}

func (t *theme) sevStyle(s model.Severity) tcell.Style { return t.sev[clampSev(s)] }

// clampSev draws a severity this build does not know as none.
func clampSev(s model.Severity) model.Severity {
	if s < 0 || s > model.Error {
		return 0
	}
	return s
}

// sevLabel is the glyph and word of a severity ("✖ error").
func sevLabel(s model.Severity) string {
	if s == 0 {
		return ""
	}
	return s.Glyph() + " " + s.String()
}

// strWidth is the width of s on screen.
func strWidth(s string) int { return uniseg.StringWidth(s) }

// clip cuts s to at most w cells, ending with "…" when cut.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	// measured as drawn: wire controls take the width of their escapes
	s = textfmt.Printable(s)
	if strWidth(s) <= w {
		return s
	}
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := g.Width()
		if used+cw > w-1 {
			break
		}
		b.WriteString(g.Str())
		used += cw
	}
	return b.String() + "…"
}

// clipMiddle cuts s to w cells keeping both ends ("[2001:db8…]:2121").
func clipMiddle(s string, w int) string {
	if strWidth(s) <= w || w < 5 {
		return clip(s, w)
	}
	rs := []rune(s)
	keep := w - 1
	tail := keep / 2
	head := keep - tail
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// padRight pads s with spaces to w cells (never cuts).
func padRight(s string, w int) string {
	if n := w - strWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// fit clips and pads s to exactly w cells.
func fit(s string, w int) string { return padRight(clip(s, w), w) }

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	if n := w - strWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// wrap breaks text into lines of at most w cells at spaces; words longer
// than a line are cut.
func wrap(text string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	cur := ""
	for _, word := range strings.Fields(text) {
		for strWidth(word) > w {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			head := clipExact(word, w)
			out = append(out, head)
			word = word[len(head):]
		}
		switch {
		case cur == "":
			cur = word
		case strWidth(cur)+1+strWidth(word) <= w:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = word
		}
	}
	if cur != "" || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// clipExact returns the longest prefix of s at most w cells wide (no "…").
func clipExact(s string, w int) string {
	used, end := 0, 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		if used+g.Width() > w {
			break
		}
		used += g.Width()
		_, end = g.Positions()
	}
	if end == 0 && len(s) > 0 { // a grapheme wider than w: take it anyway
		g = uniseg.NewGraphemes(s)
		g.Next()
		_, end = g.Positions()
	}
	return s[:end]
}

// bytesShort writes a byte count compactly: 980 B, 1.2 KiB, 3.4 MiB.
func bytesShort(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	case n < 1024*1024*1024:
		return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024*1024), 'f', 1, 64) + " GiB"
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

// drawLine draws l at (x, y), at most w cells, filling the rest with the
// fill style; base is combined under each segment's style when selected.
func drawLine(screen tcell.Screen, x, y, w int, l line, fill tcell.Style, reverse bool) {
	col := 0
	for _, s := range l {
		st := s.style
		if reverse {
			st = st.Reverse(true)
		}
		// The one boundary between the model's text and the terminal:
		// controls from the wire are drawn as visible escapes.
		g := uniseg.NewGraphemes(textfmt.Printable(s.text))
		for g.Next() {
			rs := g.Runes()
			cw := g.Width()
			if cw == 0 {
				continue
			}
			if col+cw > w {
				return
			}
			screen.SetContent(x+col, y, rs[0], rs[1:], st)
			for i := 1; i < cw; i++ {
				screen.SetContent(x+col+i, y, ' ', nil, st)
			}
			col += cw
		}
	}
	if reverse {
		fill = fill.Reverse(true)
	}
	for ; col < w; col++ {
		screen.SetContent(x+col, y, ' ', nil, fill)
	}
}

func plainLines(ls []line) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = strings.TrimRight(l.plain(), " ")
	}
	return strings.Join(out, "\n")
}
