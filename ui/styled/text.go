package styled

import (
	"os"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/ftpscope/ftpscope/model"
)

// Seg is a run of text in one style; a line is a list of them.
type Seg struct {
	Text  string
	Style tcell.Style
}

type Line []Seg

// Plain returns the line's text without styles.
func (l Line) Plain() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}

func (l Line) Width() int {
	w := 0
	for _, s := range l {
		w += uniseg.StringWidth(s.Text)
	}
	return w
}

// Theme holds the styles. Meaning never rests on colour alone: severities
// and statuses always carry a glyph and a word, and the selection is drawn
// in reverse video.
type Theme struct {
	noColor bool
	Base    tcell.Style
	Dim     tcell.Style
	Bold    tcell.Style
	Title   tcell.Style
	sev     [model.Error + 1]tcell.Style
	OK      tcell.Style
	Cmd     tcell.Style
	Reply   tcell.Style
	Data    tcell.Style
	NAT     tcell.Style
	Sel     tcell.Style
	Bar     tcell.Style
	BarKey  tcell.Style
}

// NoColorEnv says whether NO_COLOR asks for no colour (https://no-color.org).
func NoColorEnv() bool { return os.Getenv("NO_COLOR") != "" }

func NewTheme(noColor bool) *Theme {
	d := tcell.StyleDefault
	t := &Theme{noColor: noColor, Base: d, Bold: d.Bold(true), Title: d.Bold(true), Sel: d.Reverse(true)}
	if noColor {
		t.Dim = d
		t.sev = [...]tcell.Style{d, d, d.Bold(true), d.Bold(true)}
		t.OK, t.Cmd, t.Reply, t.Data, t.NAT = d, d, d, d, d.Bold(true)
		t.Bar, t.BarKey = d.Reverse(true), d.Reverse(true).Bold(true)
		return t
	}
	// The 16 ANSI colours and the terminal's own background: terminal
	// themes (light or dark) apply.
	t.Dim = d.Foreground(tcell.ColorGray)
	t.sev = [...]tcell.Style{d, d.Foreground(tcell.ColorTeal), d.Foreground(tcell.ColorOlive).Bold(true), d.Foreground(tcell.ColorRed).Bold(true)}
	t.OK = d.Foreground(tcell.ColorGreen)
	t.Cmd = d.Foreground(tcell.ColorNavy).Bold(true)
	t.Reply = d
	t.Data = d.Foreground(tcell.ColorPurple)
	t.NAT = d.Foreground(tcell.ColorTeal).Bold(true)
	t.Bar = d.Reverse(true)
	t.BarKey = d.Reverse(true).Bold(true)
	t.Title = d.Bold(true)
	return t
}

func (t *Theme) SevStyle(s model.Severity) tcell.Style { return t.sev[clampSev(s)] }

// clampSev draws a severity this build does not know as none.
func clampSev(s model.Severity) model.Severity {
	if s < 0 || s > model.Error {
		return 0
	}
	return s
}

// SevLabel is the glyph and word of a severity ("✖ error").
func SevLabel(s model.Severity) string {
	if s == 0 {
		return ""
	}
	return s.Glyph() + " " + s.String()
}

// Width is the width of s on screen.
func Width(s string) int { return uniseg.StringWidth(s) }

// Clip cuts s to at most w cells, ending with "…" when cut.
func Clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	// measured as drawn: wire controls take the width of their escapes
	s = textfmt.Printable(s)
	if Width(s) <= w {
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

// ClipMiddle cuts s to w cells keeping both ends ("[2001:db8…]:2121").
func ClipMiddle(s string, w int) string {
	if Width(s) <= w || w < 5 {
		return Clip(s, w)
	}
	rs := []rune(s)
	keep := w - 1
	tail := keep / 2
	head := keep - tail
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// PadRight pads s with spaces to w cells (never cuts).
func PadRight(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// Fit clips and pads s to exactly w cells.
func Fit(s string, w int) string { return PadRight(Clip(s, w), w) }

// PadLeft right-aligns s in w cells.
func PadLeft(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// Wrap breaks text into lines of at most w cells at spaces; words longer
// than a line are cut.
func Wrap(text string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	cur := ""
	for _, word := range strings.Fields(text) {
		for Width(word) > w {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			head := ClipExact(word, w)
			out = append(out, head)
			word = word[len(head):]
		}
		switch {
		case cur == "":
			cur = word
		case Width(cur)+1+Width(word) <= w:
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

// ClipExact returns the longest prefix of s at most w cells wide (no "…").
func ClipExact(s string, w int) string {
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

// DrawLine draws l at (x, y), at most w cells, filling the rest with the
// fill style; base is combined under each segment's style when selected.
func DrawLine(screen tcell.Screen, x, y, w int, l Line, fill tcell.Style, reverse bool) {
	col := 0
	for _, s := range l {
		st := s.Style
		if reverse {
			st = st.Reverse(true)
		}
		// The one boundary between the model's text and the terminal:
		// controls from the wire are drawn as visible escapes.
		g := uniseg.NewGraphemes(textfmt.Printable(s.Text))
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

func PlainLines(ls []Line) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = strings.TrimRight(l.Plain(), " ")
	}
	return strings.Join(out, "\n")
}

// BytesShort writes a byte count compactly: 980 B, 1.2 KiB, 3.4 MiB.
func BytesShort(n int64) string {
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
