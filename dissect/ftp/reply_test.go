package ftp

import (
	"strings"
	"testing"
)

func readReplies(in string) []Reply {
	var s Splitter
	var rr ReplyReader
	var out []Reply
	emit := func(l Line) bool {
		if r, done := rr.Line(l); done {
			out = append(out, r)
		}
		return true
	}
	s.Write([]byte(in), emit)
	s.Flush(emit)
	if r, ok := rr.Flush(); ok {
		out = append(out, r)
	}
	return out
}

func TestReplies(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		codes     []int
		lines     []int
		firstText string
	}{
		{"single", "220 ready\r\n", []int{220}, []int{1}, "ready"},
		{"bare code", "200\r\n", []int{200}, []int{1}, ""},
		// RFC 959 §4.2: inner lines need not carry the code.
		{"rfc959 multi", "123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n",
			[]int{123}, []int{4}, "First line"},
		// Inner lines with the same code and a hyphen do not end the reply
		// (NetBSD ftpd's 230 in the Zeek corpus).
		{"inner hyphen lines", "230-Welcome\r\n230-\r\n230-more\r\n230 Guest login ok\r\n", []int{230}, []int{4}, "Welcome"},
		{"bare first line", "230-\r\n230-  Welcome to NetBSD\r\n230 Guest login ok\r\n", []int{230}, []int{3}, "Welcome to NetBSD"},
		{"inner other code", "211-Features:\r\n 211 not the end\r\n226 not the end either\r\n211 End\r\n", []int{211}, []int{4}, "Features:"},
		{"two in a row", "150 Opening\r\n226 Done\r\n", []int{150, 226}, []int{1, 1}, "Opening"},
		{"malformed", "SSH-2.0-mod_sftp/0.9.7\r\n530 Sorry\r\n", []int{0, 530}, []int{1, 1}, "SSH-2.0-mod_sftp/0.9.7"},
		{"bad first digit", "720 what\r\n", []int{0}, []int{1}, "720 what"},
		{"protected reply (RFC 2228)", "632 base64==\r\n", []int{632}, []int{1}, "base64=="},
		{"no separator", "220Welcome\r\n", []int{0}, []int{1}, "220Welcome"},
		{"unterminated multi", "220-Hello\r\nworld\r\n", []int{220}, []int{2}, "Hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readReplies(tt.in)
			if len(got) != len(tt.codes) {
				t.Fatalf("replies of %q: got %d (%+v), want %d", tt.in, len(got), got, len(tt.codes))
			}
			for i, r := range got {
				if r.Code != tt.codes[i] || r.Lines != tt.lines[i] {
					t.Errorf("reply %d of %q: code %d lines %d, want %d lines %d", i, tt.in, r.Code, r.Lines, tt.codes[i], tt.lines[i])
				}
				if (r.Code == 0) != r.Malformed {
					t.Errorf("reply %d of %q: Malformed = %v with code %d", i, tt.in, r.Malformed, r.Code)
				}
			}
			if got[0].Text != tt.firstText {
				t.Errorf("first text of %q = %q, want %q", tt.in, got[0].Text, tt.firstText)
			}
		})
	}
}

func TestReplyTextLines(t *testing.T) {
	in := "230-\r\n230-  Welcome\r\n inner line\r\n230 Login successful.\r\n150 Opening\r\n"
	got := readReplies(in)
	want := []string{"230-", "230-  Welcome", " inner line", "230 Login successful."}
	if len(got) != 2 || strings.Join(got[0].TextLines, "|") != strings.Join(want, "|") || got[0].LinesDropped() != 0 {
		t.Fatalf("replies %+v: want the first with lines %q", got, want)
	}
	if got[1].TextLines != nil || got[1].LinesDropped() != 0 {
		t.Errorf("single-line reply kept lines %q", got[1].TextLines)
	}
}

func TestReplyLinesBounded(t *testing.T) {
	in := "211-x\r\n" + strings.Repeat("line\r\n", 10000) + "211 end\r\n"
	got := readReplies(in)
	if len(got) != 1 || got[0].Lines != 10002 || len(got[0].TextLines) != MaxReplyLines || got[0].LinesDropped() != 10002-MaxReplyLines {
		t.Fatalf("got %d replies, lines %d, kept %d", len(got), got[0].Lines, len(got[0].TextLines))
	}
	// 1000-byte lines: the byte bound stops first, after the lines that fit.
	long := strings.Repeat("y", 1000)
	got = readReplies("211-x\r\n" + strings.Repeat(long+"\r\n", 20) + "short\r\n211 end\r\n")
	kept := 1 + (MaxReplyBytes-len("211-x"))/len(long)
	if len(got) != 1 || got[0].Lines != 23 || len(got[0].TextLines) != kept || got[0].LinesDropped() != 23-kept {
		t.Fatalf("long lines: %d replies, lines %d, kept %d, want %d", len(got), got[0].Lines, len(got[0].TextLines), kept)
	}
	if got[0].TextLines[kept-1] != long {
		t.Errorf("the last line kept is not the last that fits")
	}
}

func TestParseReplyLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		code int
		sep  byte
		ok   bool
	}{
		{"227 Entering", 227, ' ', true},
		{"230-", 230, '-', true},
		{"421", 421, ' ', true},
		{"22", 0, 0, false},
		{"099 x", 0, 0, false},
		{"700 x", 0, 0, false},
		{"2a0 x", 0, 0, false},
		{"2000 x", 0, 0, false},
	} {
		code, sep, _, ok := ParseReplyLine([]byte(tt.in))
		if code != tt.code || sep != tt.sep || ok != tt.ok {
			t.Errorf("ParseReplyLine(%q) = %d %q %v, want %d %q %v", tt.in, code, sep, ok, tt.code, tt.sep, tt.ok)
		}
	}
}
