package textfmt

import (
	"bytes"
	"fmt"
	"testing"
)

func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, 226 Transfer complete.", "plain text, 226 Transfer complete."},
		{"café ✖ → ok", "café ✖ → ok"},
		{"eve\x1b]2;owned\a", `eve\x1b]2;owned\a`},
		{"425 Can't open\x1b[2J\x1b[31m", `425 Can't open\x1b[2J\x1b[31m`},
		{"tab\there\x7f", `tab\there\x7f`},
		{"c1 \u009b31m csi", `c1 \u009b31m csi`},
		{"invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"iso \u2066x\u2069 \u200f", `iso \u2066x\u2069 \u200f`},
		{"latin1 \xe9t\xe9", `latin1 \xe9t\xe9`},
		{"\u061c", `\u061c`},
		{"ä ø Ж 中", "ä ø Ж 中"}, // 0xc2/0xd8/0xe2 lead bytes that are not controls pass
		{"¡¢£ ٠ ‐‑", "¡¢£ ٠ ‐‑"},
	} {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPrintableAllocatesNothingWhenClean(t *testing.T) {
	s := "RETR some/file name.txt → 226"
	if n := testing.AllocsPerRun(100, func() { _ = Printable(s) }); n != 0 {
		t.Errorf("Printable of clean text allocates %v times", n)
	}
}

func TestTerminalWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewTerminalWriter(&b, false)
	fmt.Fprintf(w, "user %s\nreply %s\n", "eve\x1b]2;owned\a", "425\x1b[2J")
	if got, want := b.String(), "user eve\\x1b]2;owned\\a\nreply 425\\x1b[2J\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	b.Reset()
	w = NewTerminalWriter(&b, true)
	n, err := fmt.Fprintf(w, "✖ error → s1 … café\n")
	if err != nil || n != len("✖ error → s1 … café\n") {
		t.Errorf("Fprintf = %d, %v", n, err)
	}
	if got, want := b.String(), "x error -> s1 ... caf\\u00e9\n"; got != want {
		t.Errorf("ascii: got %q, want %q", got, want)
	}
}

func TestUTF8Locale(t *testing.T) {
	for _, c := range []struct {
		all, ctype, lang string
		want             bool
	}{
		{"", "", "", false},
		{"", "", "en_US.UTF-8", true},
		{"", "", "C.utf8", true},
		{"C", "", "en_US.UTF-8", false},
		{"", "POSIX", "en_US.UTF-8", false},
		{"", "de_DE.ISO-8859-1", "", false},
	} {
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_CTYPE", c.ctype)
		t.Setenv("LANG", c.lang)
		if got := UTF8Locale(); got != c.want {
			t.Errorf("LC_ALL=%q LC_CTYPE=%q LANG=%q: %v, want %v", c.all, c.ctype, c.lang, got, c.want)
		}
	}
}
