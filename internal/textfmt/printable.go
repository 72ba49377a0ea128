package textfmt

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Text from the wire (user names, file names, reply text) reaches terminals.
// A terminal obeys the control characters in it: ESC starts sequences that
// retitle the window, clear the screen or recolour what follows, C1 controls
// do the same on terminals that read 8-bit controls, and the bidi overrides
// reorder what a line seems to say. Every output boundary therefore passes
// such text through Printable, which writes these characters as visible
// escapes (`\x1b`, `\u009b`, `\u202e`) and leaves everything else alone.

// mustEscape reports whether r must not reach a terminal as itself.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f: // C0, DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // arabic letter mark, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}

// needsEscape reports whether s holds anything Printable would change, so
// the common case costs one pass and no allocation.
func needsEscape(s string, ascii bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		if ascii {
			return true
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || mustEscape(r) {
			return true
		}
		i += n
	}
	return false
}

// Printable returns s with C0 and C1 controls, DEL and the bidi controls
// written as visible escapes. It returns s itself when nothing needs it.
func Printable(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	return string(AppendPrintable(make([]byte, 0, len(s)+8), s, false))
}

// AppendPrintable appends s to dst as Printable would; with ascii, every
// character outside ASCII is escaped too (`\u00e9`), for terminals whose
// locale is not UTF-8.
func AppendPrintable(dst []byte, s string, ascii bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = appendHexByte(append(dst, '\\', 'x'), c)
		case r < 0x80:
			dst = appendC0(dst, byte(r))
		case mustEscape(r) || (ascii && r >= 0x80):
			dst = appendU(dst, r)
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// appendC0 writes a C0 control or DEL the way Go's %q would.
func appendC0(dst []byte, c byte) []byte {
	switch c {
	case '\a':
		return append(dst, '\\', 'a')
	case '\b':
		return append(dst, '\\', 'b')
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\v':
		return append(dst, '\\', 'v')
	case '\f':
		return append(dst, '\\', 'f')
	case '\r':
		return append(dst, '\\', 'r')
	}
	return appendHexByte(append(dst, '\\', 'x'), c)
}

const hexDigits = "0123456789abcdef"

func appendHexByte(dst []byte, c byte) []byte {
	return append(dst, hexDigits[c>>4], hexDigits[c&15])
}

func appendU(dst []byte, r rune) []byte {
	if r > 0xffff {
		dst = append(dst, '\\', 'U')
		for shift := 28; shift >= 0; shift -= 4 {
			dst = append(dst, hexDigits[(r>>uint(shift))&15])
		}
		return dst
	}
	dst = append(dst, '\\', 'u')
	for shift := 12; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(r>>uint(shift))&15])
	}
	return dst
}

// UTF8Locale reports whether the locale's character set is UTF-8, as the
// C library decides it: the first of LC_ALL, LC_CTYPE and LANG that is set.
// An unset locale is "C", which is ASCII.
func UTF8Locale() bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := os.Getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// asciiMarks are the ASCII stand-ins of the marks ftpscope's texts use.
var asciiMarks = map[rune]string{
	'→': "->", '←': "<-", '↔': "<->", '⇄': "<=>", '…': "...", '·': ".",
	'▲': "^", '✖': "x", '✔': "v", '×': "x", '–': "-", '—': "-", 'µ': "u",
	'✎': "*", '■': "#", '▶': ">", '◀': "<", '⇢': "->", '⇣': "v", '↓': "v", '↑': "^",
	'│': "|", '─': "-", '┬': "+", '┼': "+", '═': "=", '┄': "-", '╌': "-", '‖': "||",
	'◐': "o", '●': "*", '⏎': "$",
	'🔓': "D:", // decrypted with the TLS key log; two columns, as the glyph
}

// EachASCIIMark calls fn with every mark and its ASCII stand-in.
func EachASCIIMark(fn func(r rune, ascii string)) {
	for r, s := range asciiMarks {
		fn(r, s)
	}
}

// TerminalWriter makes whatever is written to it safe to show: newlines
// pass, every other control is escaped (Printable), and with ASCII the
// marks become ASCII stand-ins and other non-ASCII characters escapes. Each
// Write must hold whole characters, as fmt.Fprintf's do.
type TerminalWriter struct {
	w     io.Writer
	ascii bool
	buf   []byte
}

// NewTerminalWriter returns a TerminalWriter on w.
func NewTerminalWriter(w io.Writer, ascii bool) *TerminalWriter {
	return &TerminalWriter{w: w, ascii: ascii}
}

// Write escapes p and writes it; it reports len(p) when the escaped form
// was written whole.
func (t *TerminalWriter) Write(p []byte) (int, error) {
	n := len(p)
	t.buf = t.buf[:0]
	for len(p) > 0 {
		j := 0
		for j < len(p) && p[j] != '\n' {
			j++
		}
		t.buf = t.appendLine(t.buf, p[:j])
		if j < len(p) {
			t.buf = append(t.buf, '\n')
			j++
		}
		p = p[j:]
	}
	_, err := t.w.Write(t.buf)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (t *TerminalWriter) appendLine(dst, line []byte) []byte {
	s := string(line)
	if !needsEscape(s, t.ascii) {
		return append(dst, line...)
	}
	if !t.ascii {
		return AppendPrintable(dst, s, false)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if m, ok := asciiMarks[r]; ok {
			dst = append(dst, m...)
		} else {
			dst = AppendPrintable(dst, s[i:i+n], true)
		}
		i += n
	}
	return dst
}
