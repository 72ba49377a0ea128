package styled

import (
	"strings"
	"testing"
)

func TestTextHelpers(t *testing.T) {
	if got := Clip("EPRT |1|192.168.1.10|49691|", 10); got != "EPRT |1|1…" || Width(got) != 10 {
		t.Errorf("clip: %q", got)
	}
	if got := ClipMiddle("[2001:db8:1::10]:45842", 21); got != "[2001:db8:…:10]:45842" {
		t.Errorf("clipMiddle: %q", got)
	}
	if got := Fit("ab", 4); got != "ab  " {
		t.Errorf("fit: %q", got)
	}
	lines := Wrap("the gateway did not rewrite the address inside EPRT", 16)
	for _, l := range lines {
		if Width(l) > 16 {
			t.Errorf("wrap: %q is longer than 16", l)
		}
	}
	if strings.Join(lines, " ") != "the gateway did not rewrite the address inside EPRT" {
		t.Errorf("wrap lost words: %q", lines)
	}
	if got := Wrap("abcdefghij", 4); strings.Join(got, "|") != "abcd|efgh|ij" {
		t.Errorf("wrap of a long word: %q", got)
	}
	for n, want := range map[int64]string{100: "100 B", 1024: "1.0 KiB", 13 << 20: "13.0 MiB"} {
		if got := BytesShort(n); got != want {
			t.Errorf("BytesShort(%d) = %q", n, got)
		}
	}
}
