package ui

import (
	"strings"
	"testing"
)

func TestTextHelpers(t *testing.T) {
	if got := clip("EPRT |1|192.168.1.10|49691|", 10); got != "EPRT |1|1…" || strWidth(got) != 10 {
		t.Errorf("clip: %q", got)
	}
	if got := clipMiddle("[2001:db8:1::10]:45842", 21); got != "[2001:db8:…:10]:45842" {
		t.Errorf("clipMiddle: %q", got)
	}
	if got := fit("ab", 4); got != "ab  " {
		t.Errorf("fit: %q", got)
	}
	lines := wrap("the gateway did not rewrite the address inside EPRT", 16)
	for _, l := range lines {
		if strWidth(l) > 16 {
			t.Errorf("wrap: %q is longer than 16", l)
		}
	}
	if strings.Join(lines, " ") != "the gateway did not rewrite the address inside EPRT" {
		t.Errorf("wrap lost words: %q", lines)
	}
	if got := wrap("abcdefghij", 4); strings.Join(got, "|") != "abcd|efgh|ij" {
		t.Errorf("wrap of a long word: %q", got)
	}
	for n, want := range map[int64]string{100: "100 B", 1024: "1.0 KiB", 13 << 20: "13.0 MiB"} {
		if got := bytesShort(n); got != want {
			t.Errorf("bytesShort(%d) = %q", n, got)
		}
	}
}
