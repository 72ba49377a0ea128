package ftp

import (
	"bytes"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// splitAll feeds r through a Splitter in whatever chunks r yields and
// returns the lines as strings, "!" prefixed when truncated.
func splitAll(r io.Reader) []string {
	var s Splitter
	var out []string
	emit := func(l Line) bool {
		t := string(l.Text)
		if l.Truncated {
			t = "!" + t[:10]
		}
		out = append(out, t)
		return true
	}
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		s.Write(buf[:n], emit)
		if err != nil {
			break
		}
	}
	s.Flush(emit)
	return out
}

var readMakers = []struct {
	name string
	fn   func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"byte", iotest.OneByteReader},
	{"half", iotest.HalfReader},
	{"data+err", iotest.DataErrReader},
}

func TestSplitterSegmentationIndependent(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"crlf", "USER anonymous\r\nPASS x@y\r\n", []string{"USER anonymous", "PASS x@y"}},
		{"bare lf", "USER a\nPASS b\n", []string{"USER a", "PASS b"}},
		{"pipelined", "PWD\r\nPWD\r\nPWD\r\n", []string{"PWD", "PWD", "PWD"}},
		{"unterminated", "QUIT", []string{"QUIT"}},
		{"empty line", "\r\nNOOP\r\n", []string{"", "NOOP"}},
		{"cr inside", "A\rB\r\n", []string{"A\rB"}},
		{"telnet ip+dm", "\xff\xf4\xff\xf2ABOR\r\n", []string{"ABOR"}},
		{"telnet iac iac", "RETR a\xff\xffb\r\n", []string{"RETR a\xffb"}},
		{"telnet will", "\xff\xfb\x01NOOP\r\n", []string{"NOOP"}},
		{"telnet subneg", "\xff\xfa\x18\x01\xff\xf0NOOP\r\n", []string{"NOOP"}},
	}
	for _, tt := range tests {
		for _, rm := range readMakers {
			t.Run(tt.name+"/"+rm.name, func(t *testing.T) {
				got := splitAll(rm.fn(strings.NewReader(tt.in)))
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("lines of %q = %q, want %q", tt.in, got, tt.want)
				}
			})
		}
	}
}

func TestSplitterBoundsLongLine(t *testing.T) {
	// A 10 MB line must cost MaxLineLength bytes of memory, not 10 MB.
	long := "STOR " + strings.Repeat("x", 10<<20) + "\r\nNOOP\r\n"
	for _, rm := range readMakers[:2] {
		var s Splitter
		var lines []Line
		var lengths []int
		r := rm.fn(strings.NewReader(long))
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Read(buf)
			s.Write(buf[:n], func(l Line) bool {
				lines = append(lines, Line{Text: bytes.Clone(l.Text), Truncated: l.Truncated})
				lengths = append(lengths, l.Length)
				return true
			})
			if err != nil {
				break
			}
			if cap(s.buf) > 2*MaxLineLength {
				t.Fatalf("%s: buffer grew to %d bytes", rm.name, cap(s.buf))
			}
		}
		if len(lines) != 2 || !lines[0].Truncated || len(lines[0].Text) != MaxLineLength || lines[1].Truncated || string(lines[1].Text) != "NOOP" {
			t.Fatalf("%s: got %d lines, first truncated=%v len %d", rm.name, len(lines), lines[0].Truncated, len(lines[0].Text))
		}
		if lengths[0] != 5+10<<20+1 { // the CR is counted in the length
			t.Errorf("%s: Length = %d", rm.name, lengths[0])
		}
	}
}

func TestSplitterEndOffsets(t *testing.T) {
	var s Splitter
	var ends []int
	s.Write([]byte("AB\r\nCD\r\nEF"), func(l Line) bool { ends = append(ends, l.End); return true })
	if len(ends) != 2 || ends[0] != 4 || ends[1] != 8 {
		t.Fatalf("ends = %v, want [4 8]", ends)
	}
	if s.Pending() != 2 {
		t.Fatalf("pending = %d", s.Pending())
	}
}

func BenchmarkSplitter(b *testing.B) {
	chunk := []byte("227 Entering Passive Mode (192,168,1,10,117,48).\r\nRETR /pub/file.bin\r\n")
	var s Splitter
	n := 0
	emit := func(Line) bool { n++; return true }
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Write(chunk, emit)
	}
}

func TestSplitterStopsWhenAsked(t *testing.T) {
	var s Splitter
	var got []string
	n := s.Write([]byte("AUTH TLS\r\n\x16\x03\x01\x00\x05hello"), func(l Line) bool {
		got = append(got, string(l.Text))
		return false
	})
	if n != 10 || len(got) != 1 || got[0] != "AUTH TLS" {
		t.Fatalf("consumed %d, lines %q", n, got)
	}
}

// A Splitter started in a caller's buffer splits as one that is not, needs
// no allocation for lines that fit the buffer, and grows beyond it.
func TestSplitterUseBuffer(t *testing.T) {
	var inline [16]byte
	var s Splitter
	s.UseBuffer(inline[:])
	var got []string
	emit := func(l Line) bool { got = append(got, string(l.Text)); return true }
	short := []byte("USER anonymous\r\n")
	if n := testing.AllocsPerRun(100, func() { s.Write(short, func(Line) bool { return true }) }); n != 0 {
		t.Errorf("%.0f allocations per line within the buffer, want 0", n)
	}
	long := "RETR " + strings.Repeat("x", 40)
	s.Write([]byte("PASV\r\n"+long+"\r\nQUIT\r\n"), emit)
	if want := []string{"PASV", long, "QUIT"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// TestSplitterWholeLinesMatchBytewise: lines found whole in a chunk (the
// fast path, emitted where they lie) are those the byte-by-byte path
// builds in its buffer, Telnet sequences, bare LFs, empty and overlong
// lines included, and each ends where its LF is.
func TestSplitterWholeLinesMatchBytewise(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	alphabet := []byte("AB \r\n\n\xff\xf4\xfa\xf0\xfb\x01")
	type got struct {
		text            string
		truncated, bare bool
		length          int
	}
	split := func(in []byte, chunk int) (lines []got, ends []int) {
		var s Splitter
		emit := func(l Line) bool {
			lines = append(lines, got{string(l.Text), l.Truncated, l.BareLF, l.Length})
			ends = append(ends, l.End)
			return true
		}
		for i := 0; i < len(in); i += chunk {
			s.Write(in[i:min(i+chunk, len(in))], emit)
		}
		s.Flush(emit)
		return lines, ends
	}
	for round := range 2000 {
		var in []byte
		for range rng.Intn(80) {
			if rng.Intn(40) == 0 {
				in = append(in, bytes.Repeat([]byte{'x'}, MaxLineLength-2+rng.Intn(4))...)
			}
			in = append(in, alphabet[rng.Intn(len(alphabet))])
		}
		whole, ends := split(in, len(in)+1)
		bytewise, _ := split(in, 1)
		if !reflect.DeepEqual(whole, bytewise) {
			t.Fatalf("round %d, %q:\nwhole    %+v\nbytewise %+v", round, in, whole, bytewise)
		}
		last := 0
		for _, e := range ends {
			if e == -1 {
				continue // flushed
			}
			if e <= last || in[e-1] != '\n' {
				t.Fatalf("round %d, %q: a line ends at %d (ends %v)", round, in, e, ends)
			}
			last = e
		}
	}
}
