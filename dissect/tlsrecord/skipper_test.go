package tlsrecord

import (
	"bytes"
	"testing"
)

// record returns a TLS record of the given type with n payload bytes
// taken from fill, repeated.
func record(typ byte, n int, fill string) []byte {
	r := []byte{typ, 3, 3, byte(n >> 8), byte(n)}
	for len(r) < 5+n {
		r = append(r, fill...)
	}
	return r[:5+n]
}

// walk feeds chunks to a skipper and returns the cleartext it let
// through (carry and rest) and the chunk index where it did.
func walk(t *Skipper, chunks ...[]byte) (clear []byte, at int) {
	for i, c := range chunks {
		n, carry, ok := t.Skip(c)
		if ok {
			return append(append([]byte(nil), carry...), c[n:]...), i
		}
		if n != len(c) {
			panic("skip stopped early without cleartext")
		}
	}
	return nil, -1
}

func TestTLSSkipperRecordsThenCleartext(t *testing.T) {
	var s Skipper
	alert := record(21, 2, "\x01\x00")
	a, b := record(23, 100, "\x80\x17PORT 10,0,0,99,4,1\r\n"), record(22, 3000, "\x16\x03\x03")
	// the records, then a cleartext reply split across segments
	stream := append(append(append(a, b...), alert...), "200 CCC command successful.\r\n227 x\r\n"...)
	clear, _ := walk(&s, stream[:90], stream[90:3100], stream[3100:len(stream)-30], stream[len(stream)-30:])
	if string(clear) != "200 CCC command successful.\r\n227 x\r\n" {
		t.Fatalf("cleartext %q", clear)
	}
	if want := int64(len(a) + len(b) + len(alert)); s.bytes != want {
		t.Errorf("%d TLS bytes counted, want %d", s.bytes, want)
	}
}

func TestTLSSkipperNoCleartextWithoutLine(t *testing.T) {
	for _, tail := range []string{
		"\x80\x81\x82 binary",     // not printable
		"PORT 10,0,0,99,4,1",      // no line end
		"ab\r\n",                  // too short to be a line
		"PORT 10,0,0,99\rx,4,1\n", // CR without LF
	} {
		var s Skipper
		stream := append(record(23, 40, "x"), tail...)
		if clear, _ := walk(&s, stream); clear != nil {
			t.Errorf("%q after a record taken as cleartext %q", tail, clear)
		}
	}
}

func TestTLSSkipperResyncAfterGap(t *testing.T) {
	var s Skipper
	first := record(23, 60, "\x01\x02\x03")
	second := record(23, 80, "227 Entering Passive Mode (10,0,0,99,4,1).\r\n")
	third := record(23, 20, "\x05")
	if clear, _ := walk(&s, first[:30]); clear != nil {
		t.Fatal("cleartext in a record")
	}
	// lost: the rest of the first record and the second's header
	s.Lose(len(first) - 30 + 5)
	if !s.lost {
		t.Fatal("a gap past the record's end left the walk in step")
	}
	// the second record's payload looks like FTP: it must stay opaque, and
	// the third record's header brings the walk back in step
	clear, _ := walk(&s, second[5:], third[:3], append(third[3:], "221 Goodbye.\r\n"...))
	if string(clear) != "221 Goodbye.\r\n" || s.lost {
		t.Fatalf("cleartext %q, lost %v", clear, s.lost)
	}
}

func TestTLSSkipperGapInsideRecord(t *testing.T) {
	var s Skipper
	r := record(23, 100, "\xaa")
	walk(&s, r[:20])
	s.Lose(50)
	if s.lost {
		t.Fatal("a gap inside a record lost the walk")
	}
	clear, _ := walk(&s, append(bytes.Clone(r[70:]), "200 ok\r\n"...))
	if string(clear) != "200 ok\r\n" {
		t.Fatalf("cleartext %q", clear)
	}
}

func TestPlausibleHeader(t *testing.T) {
	for _, c := range []struct {
		h      []byte
		strict bool
		want   bool
	}{
		{[]byte{23, 3, 3, 0x01, 0x00}, true, true},
		{[]byte{20, 3, 1, 0, 1}, true, true},
		{[]byte{24, 3, 3, 0, 10}, true, false}, // heartbeat: not to resync on
		{[]byte{24, 3, 3, 0, 10}, false, true},
		{[]byte{22, 3, 0, 0, 10}, true, false}, // SSL 3.0
		{[]byte{22, 3, 5, 0, 10}, false, false},
		{[]byte{23, 2, 3, 0, 10}, false, false},
		{[]byte{23, 3, 3, 0x48, 0x00}, true, true},
		{[]byte{23, 3, 3, 0x48, 0x01}, true, false}, // longer than a record may be
		{[]byte{23, 3, 3, 0, 0}, true, false},
		{[]byte{25}, false, false},
	} {
		if got := plausibleHeader(c.h, c.strict); got != c.want {
			t.Errorf("% x strict %v: %v, want %v", c.h, c.strict, got, c.want)
		}
	}
}
