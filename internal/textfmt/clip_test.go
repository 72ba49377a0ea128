package textfmt

import (
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"RETR file.txt", 20, "RETR file.txt"},
		{"RETR file.txt", 13, "RETR file.txt"},
		{"RETR file.txt", 8, "RETR fi…"},
		{"überlänge", 4, "übe…"},
		{"abc", 0, "…"},
		{"", 3, ""},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestClipBytes(t *testing.T) {
	if got := ClipBytes("short", 10); got != "short" {
		t.Errorf("ClipBytes kept nothing: %q", got)
	}
	// "é" is two bytes: the cut never splits it
	for max := 3; max < 12; max++ {
		got := ClipBytes("éééééééééé", max)
		if len(got) > max || !utf8.ValidString(got) {
			t.Errorf("ClipBytes(…, %d) = %q (%d bytes, valid %v)", max, got, len(got), utf8.ValidString(got))
		}
	}
}
