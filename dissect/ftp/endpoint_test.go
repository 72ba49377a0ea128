package ftp

import (
	"errors"
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePORT(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"192,168,1,10,156,64", "192.168.1.10:40000"},
		{"203,0,113,1, 117, 48", "203.0.113.1:30000"},
		{"0,0,0,0,0,20", "0.0.0.0:20"},
		{"192,168,1,10,156", ""},
		{"192,168,1,256,1,1", ""},
		{"a,b,c,d,e,f", ""},
		{"", ""},
	} {
		got, err := ParsePORT(tt.in)
		if tt.want == "" {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("ParsePORT(%q) = %v, %v; want a *SyntaxError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParsePORT(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParse227(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Entering Passive Mode (192,168,1,10,117,48).", "192.168.1.10:30000"},
		{"Entering Passive Mode (10,0,0,5,117,49)", "10.0.0.5:30001"},
		{"Entering Passive Mode 10,0,0,5,117,49", "10.0.0.5:30001"},
		{"=127,0,0,1,4,1", "127.0.0.1:1025"},
		{"Entering Passive Mode (v2 ) (10,0,0,5,117,49)", "10.0.0.5:30001"},
		{"Entering Passive Mode", ""},
		{"Entering Passive Mode (1,2,3)", ""},
		{"(999,1,1,1,1,1)", ""},
	} {
		got, err := Parse227(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Parse227(%q) = %v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("Parse227(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseEPRT(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   string
		family int
	}{
		{"|1|132.235.1.2|6275|", "132.235.1.2:6275", 1},
		{"|2|1080::8:800:200C:417A|5282|", "[1080::8:800:200c:417a]:5282", 2},
		{"!2!2001:db8::10!40000!", "[2001:db8::10]:40000", 2},
		{"|2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|", "[2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1]:34325", 2},
		{"|1|192.168.1.10|70000|", "", 1},
		{"|3|192.168.1.10|7000|", "", 0},
		{"|1|192.168.1.10|7000", "", 0},
		{"1|1|1.2.3.4|5|", "", 0},
	} {
		got, fam, err := ParseEPRT(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseEPRT(%q) = %v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got.String() != tt.want || fam != tt.family {
			t.Errorf("ParseEPRT(%q) = %v %d, %v; want %s %d", tt.in, got, fam, err, tt.want, tt.family)
		}
	}
}

func TestParse229(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint16
	}{
		{"Entering Extended Passive Mode (|||6446|)", 6446},
		{"Extended Passive mode OK (|||30001|)", 30001},
		{"Entering Extended Passive Mode (!!!6446!)", 6446},
		{"Entering (sort of) Extended Passive Mode (|||6446|)", 6446},
		{"Entering Extended Passive Mode (|||0|)", 0},
		{"Entering Extended Passive Mode", 0},
		{"Entering Extended Passive Mode (111234|)", 0},
	} {
		got, err := Parse229(tt.in)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("Parse229(%q) = %d, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse229(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLPRT(t *testing.T) {
	got, err := ParseLPRT("4,4,192,168,1,10,2,156,64")
	if err != nil || got != netip.MustParseAddrPort("192.168.1.10:40000") {
		t.Errorf("ParseLPRT v4 = %v, %v", got, err)
	}
	got, err = ParseLPRT("6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,16,2,156,64")
	if err != nil || got != netip.MustParseAddrPort("[2001:db8::10]:40000") {
		t.Errorf("ParseLPRT v6 = %v, %v", got, err)
	}
	got, err = Parse228("Entering Long Passive Mode (4,4,203,0,113,20,2,117,48)")
	if err != nil || got != netip.MustParseAddrPort("203.0.113.20:30000") {
		t.Errorf("Parse228 = %v, %v", got, err)
	}
	for _, bad := range []string{"4,4,1,2,3,4,2,1", "5,4,1,2,3,4,2,1,1", "4,16,1,2,3,4,2,1,1", "x"} {
		if _, err := ParseLPRT(bad); err == nil {
			t.Errorf("ParseLPRT(%q) accepted", bad)
		}
	}
}

func TestParseSizes(t *testing.T) {
	if n, ok := ParseSize150("Opening BINARY mode data connection for 1MB.zip (1048576 bytes)."); !ok || n != 1048576 {
		t.Errorf("ParseSize150 = %d %v", n, ok)
	}
	if _, ok := ParseSize150("Here comes the directory listing."); ok {
		t.Errorf("ParseSize150 found a size in a listing reply")
	}
	if n, ok := ParseSize213("34826629"); !ok || n != 34826629 {
		t.Errorf("ParseSize213 = %d %v", n, ok)
	}
}

func TestSyntaxErrorQuotesInput(t *testing.T) {
	_, err := ParsePORT("1,2,3\x00")
	if err == nil || err.Error() != `ftp: malformed PORT "1,2,3\x00": want 6 comma-separated numbers, have 3 fields` {
		t.Errorf("error = %v", err)
	}
}

func FuzzAnnouncements(f *testing.F) {
	for _, s := range []string{"192,168,1,10,156,64", "(10,0,0,5,117,49)", "|2|::1|21|", "(|||6446|)", "4,4,1,2,3,4,2,1,1", "(1234 bytes)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ap, err := ParsePORT(s); err == nil && !ap.Addr().Is4() {
			t.Fatalf("ParsePORT(%q) gave %v", s, ap)
		}
		if ap, err := Parse227(s); err == nil && !ap.Addr().Is4() {
			t.Fatalf("Parse227(%q) gave %v", s, ap)
		}
		if ap, fam, err := ParseEPRT(s); err == nil && (fam < 1 || fam > 2 || !ap.IsValid()) {
			t.Fatalf("ParseEPRT(%q) gave %v %d", s, ap, fam)
		}
		if p, err := Parse229(s); err == nil && p == 0 {
			t.Fatalf("Parse229(%q) gave port 0", s)
		}
		_, _ = ParseLPRT(s)
		_, _ = Parse228(s)
		_, _ = ParseSize150(s)
	})
}

func FuzzDialog(f *testing.F) {
	f.Add([]byte("220-x\r\n220 y\r\n331 pw\r\n"), []byte("USER a\r\nPASS b\r\n"))
	f.Add([]byte("\xff\xfa\xff\xff\r\n500\r\n"), []byte("\xff\xf4PORT 1,2\r\n"))
	f.Fuzz(func(t *testing.T, server, client []byte) {
		var cs, ss Splitter
		var rr ReplyReader
		p := NewPairer(true)
		id := 0
		cs.Write(client, func(l Line) bool {
			if len(l.Text) > MaxLineLength {
				t.Fatalf("line of %d bytes", len(l.Text))
			}
			_ = ParseCommand(l.Text)
			p.Command(id)
			id++
			return true
		})
		ss.Write(server, func(l Line) bool {
			if r, done := rr.Line(l); done {
				if got, role := p.Reply(&r); role == Final && got < 0 {
					t.Fatalf("final reply without command")
				}
			}
			return true
		})
		if len(p.Pending()) > MaxPendingCommands {
			t.Fatalf("%d pending", len(p.Pending()))
		}
	})
}

// TestPlainCommaNumbersMatchSplit: where the fast PORT parse accepts an
// argument it reads what the splitting one reads.
func TestPlainCommaNumbersMatchSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	alphabet := "0123456789,,, +-x"
	for round := range 100000 {
		b := make([]byte, rng.Intn(28))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		if round%3 == 0 { // mostly well formed
			b = fmt.Appendf(nil, "%d,%d,%d,%d,%d,%d", rng.Intn(300), rng.Intn(300), rng.Intn(256), rng.Intn(256), rng.Intn(1100), rng.Intn(256))
		}
		s := string(b)
		fast, ok := plainCommaNumbers(s, 6)
		slow, err := splitCommaNumbers(s, 6)
		if ok && (err != nil || fast != slow) {
			t.Fatalf("%q: fast %v, split %v %v", s, fast, slow, err)
		}
		if !ok && err == nil && !strings.ContainsAny(s, " +-") && !strings.Contains(s, "0000") {
			t.Errorf("%q: left to the split path, which reads %v", s, slow)
		}
	}
}
