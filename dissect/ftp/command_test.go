package ftp

import "testing"

func TestParseCommand(t *testing.T) {
	for _, tt := range []struct {
		in, verb, arg string
		valid         bool
	}{
		{"USER anonymous", "USER", "anonymous", true},
		{"retr file name with spaces.txt", "RETR", "file name with spaces.txt", true},
		{"PASV", "PASV", "", true},
		{"Pwd", "PWD", "", true},
		{"STOR  leading", "STOR", " leading", true},
		{"PORT 192,168,1,10,156,64", "PORT", "192,168,1,10,156,64", true},
		{"\x16\x03\x01", "\x16\x03\x01", "", false},
		{"AVERYLONGVERB x", "AVERYLONGVERB", "x", false},
		{"", "", "", false},
	} {
		c := ParseCommand([]byte(tt.in))
		if c.Verb != tt.verb || c.Arg != tt.arg || c.Valid != tt.valid {
			t.Errorf("ParseCommand(%q) = %q %q %v, want %q %q %v", tt.in, c.Verb, c.Arg, c.Valid, tt.verb, tt.arg, tt.valid)
		}
	}
}

func TestParseCommandKnownVerbDoesNotAllocate(t *testing.T) {
	line := []byte("NOOP")
	if n := testing.AllocsPerRun(100, func() { _ = ParseCommand(line) }); n != 0 {
		t.Errorf("ParseCommand(%q) allocates %v times", line, n)
	}
}

func BenchmarkParseCommand(b *testing.B) {
	line := []byte("RETR /pub/some/file.bin")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = ParseCommand(line)
	}
}

func TestInternerSharesAndBounds(t *testing.T) {
	var in Interner
	a := ParseCommandInterned([]byte("RETR data-1k.txt"), &in)
	b := ParseCommandInterned([]byte("RETR data-1k.txt"), &in)
	if a.Arg != "data-1k.txt" || a.Arg != b.Arg {
		t.Fatalf("%q %q", a.Arg, b.Arg)
	}
	if n := testing.AllocsPerRun(100, func() { ParseCommandInterned([]byte("RETR data-1k.txt"), &in) }); n != 0 {
		t.Errorf("an interned command allocates %v times", n)
	}
	for i := 0; i < 3*maxInterned; i++ {
		in.String([]byte{byte(i), byte(i >> 8), 'x'})
	}
	if len(in.m) > maxInterned {
		t.Errorf("interner grew to %d", len(in.m))
	}
	var none *Interner
	if none.String([]byte("x")) != "x" {
		t.Error("nil interner")
	}
}
