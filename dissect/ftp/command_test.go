package ftp

import (
	"fmt"
	"strings"
	"testing"
)

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
		{"PASS secret", "PASS", Masked, true},
		{"PASS\tsecret", "PASS", Masked, true},
		{"pass \t secret with spaces", "PASS", Masked, true},
		{"Acct\vbilling-42", "ACCT", Masked, true},
		{"PASS", "PASS", "", true},
		{"CWD\tdir", "CWD", "dir", true},
	} {
		c := ParseCommand([]byte(tt.in))
		if c.Verb != tt.verb || c.Arg != tt.arg || c.Valid != tt.valid {
			t.Errorf("ParseCommand(%q) = %q %q %v, want %q %q %v", tt.in, c.Verb, c.Arg, c.Valid, tt.verb, tt.arg, tt.valid)
		}
	}
}

func TestParseCommandSecretsShownOnlyWhenAsked(t *testing.T) {
	var in Interner
	for _, line := range []string{"PASS\thunter2", "acct hunter2", "PASS  hunter2"} {
		c := ParseCommandInterned([]byte(line), &in, false)
		if !c.Secret || c.Arg != Masked {
			t.Errorf("masked %q: %+v", line, c)
		}
		c = ParseCommandInterned([]byte(line), &in, true)
		if !c.Secret || c.Arg == Masked || !strings.HasSuffix(line, c.Arg) {
			t.Errorf("shown %q: %+v", line, c)
		}
	}
	for _, k := range interned(&in) {
		if strings.Contains(k, "hunter2") {
			t.Errorf("the secret was interned: %q", k)
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

// interned is what in holds.
func interned(in *Interner) []string {
	if in.slots == nil {
		return nil
	}
	return in.slots[:]
}

func TestInternerSharesAndBounds(t *testing.T) {
	var in Interner
	a := ParseCommandInterned([]byte("RETR data-1k.txt"), &in, false)
	b := ParseCommandInterned([]byte("RETR data-1k.txt"), &in, false)
	if a.Arg != "data-1k.txt" || a.Arg != b.Arg {
		t.Fatalf("%q %q", a.Arg, b.Arg)
	}
	if n := testing.AllocsPerRun(100, func() { ParseCommandInterned([]byte("RETR data-1k.txt"), &in, false) }); n != 0 {
		t.Errorf("an interned command allocates %v times", n)
	}
	long := strings.Repeat("x", maxInternLen+1)
	in.String([]byte(long))
	for _, k := range interned(&in) {
		if k == long {
			t.Errorf("a string longer than %d bytes was kept", maxInternLen)
		}
	}
	var none *Interner
	if none.String([]byte("x")) != "x" {
		t.Error("nil interner")
	}
}

// BenchmarkInternerChurn interns what a capture of many sessions brings: most
// strings recur (reply texts, verbs' arguments of a few names), one in five
// is new (a file name of its own), so the interner keeps filling up.
func BenchmarkInternerChurn(b *testing.B) {
	var recurring, fresh [][]byte
	for i := range 64 {
		recurring = append(recurring, []byte(fmt.Sprintf("Opening BINARY mode data connection for file-%d.bin", i)))
	}
	for i := range 1 << 16 {
		fresh = append(fresh, []byte(fmt.Sprintf("upload-%d-%x.dat", i, i*2654435761)))
	}
	var in Interner
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%5 == 4 {
			in.String(fresh[i%len(fresh)])
		} else {
			in.String(recurring[i%len(recurring)])
		}
		i++
	}
}

// TestKnownVerbMatchesList: the perfect hash finds every known verb, in
// a slot of its own, and nothing else: no other spelling of up to four
// letters, none shorter, none longer.
func TestKnownVerbMatchesList(t *testing.T) {
	known := map[string]bool{}
	slots := map[int]string{}
	for _, v := range knownVerbs {
		known[v] = true
		if got, ok := knownVerb([]byte(v)); !ok || got != v {
			t.Errorf("knownVerb(%q) = %q, %v", v, got, ok)
		}
		sl := verbSlot(verbKey([]byte(v)))
		if other, dup := slots[sl]; dup {
			t.Errorf("%q and %q share slot %d", v, other, sl)
		}
		slots[sl] = v
	}
	var b []byte
	var walk func(n int)
	walk = func(n int) {
		if v, ok := knownVerb(b); ok != known[string(b)] || ok && v != string(b) {
			t.Fatalf("knownVerb(%q) = %q, %v", b, v, ok)
		}
		if n == 0 {
			return
		}
		for c := byte('A'); c <= 'Z'; c++ {
			b = append(b, c)
			walk(n - 1)
			b = b[:len(b)-1]
		}
	}
	walk(4)
	for _, s := range []string{"", "\x00", "CWD\x00", "ABORT", "RETRX", "retr"} {
		if v, ok := knownVerb([]byte(s)); ok {
			t.Errorf("knownVerb(%q) = %q", s, v)
		}
	}
}
