package ftp

// Benchmarks of FTP control-line handling (issue 7) over the control
// dialog of one short session of the workload generator (bench/gen) as
// vsftpd 3.0.3 answers it. MB/s is control bytes per second.
//
//	go test -run XXX -bench . -benchmem ./dissect/ftp/

import (
	"runtime"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// benchDialog is one session's control dialog, client lines (">") and
// server lines ("<") in wire order; each element is one TCP segment.
var benchDialog = pcaptest.MixDialog(0)

// benchSegments returns the dialog's segments of one direction and their
// total size.
func benchSegments(client bool) ([][]byte, int) {
	var out [][]byte
	n := 0
	for _, s := range benchDialog {
		if (s[0] == '>') == client {
			out = append(out, []byte(s[1:]))
			n += len(s) - 1
		}
	}
	return out, n
}

func benchDialogBytes() int {
	n := 0
	for _, s := range benchDialog {
		n += len(s) - 1
	}
	return n
}

// BenchmarkLineSplit cuts both directions of the dialog into lines, one
// segment at a time. ns/op is per session.
func BenchmarkLineSplit(b *testing.B) {
	cli, _ := benchSegments(true)
	srv, _ := benchSegments(false)
	var sc, ss Splitter
	lines := 0
	emit := func(Line) bool { lines++; return true }
	b.SetBytes(int64(benchDialogBytes()))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range cli {
			sc.Write(p, emit)
		}
		for _, p := range srv {
			ss.Write(p, emit)
		}
	}
}

// BenchmarkParseCommands parses the session's commands (18 lines).
func BenchmarkParseCommands(b *testing.B) {
	segs, size := benchSegments(true)
	var lines [][]byte
	for _, s := range segs {
		lines = append(lines, s[:len(s)-2])
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if c := ParseCommand(l); !c.Valid {
				b.Fatalf("%q: not a valid command", l)
			}
		}
	}
}

// BenchmarkReplyReader groups the session's server lines into replies,
// the multi-line FEAT included.
func BenchmarkReplyReader(b *testing.B) {
	segs, size := benchSegments(false)
	var lines []Line
	for _, s := range segs {
		for _, l := range strings.SplitAfter(string(s), "\r\n") {
			if l != "" {
				lines = append(lines, Line{Text: []byte(strings.TrimSuffix(l, "\r\n")), Length: len(l) - 2})
			}
		}
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var r ReplyReader
	for b.Loop() {
		n := 0
		for _, l := range lines {
			if _, done := r.Line(l); done {
				n++
			}
		}
		if n != 21 {
			b.Fatalf("%d replies, want 21", n)
		}
	}
}

// BenchmarkParseAnnouncement reads the endpoint of each kind of
// announcement.
func BenchmarkParseAnnouncement(b *testing.B) {
	cases := []struct {
		name string
		text string
		fn   func(string) error
	}{
		{"227", "Entering Passive Mode (198,18,99,1,117,48).", func(s string) error { _, err := Parse227(s); return err }},
		{"229", "Entering Extended Passive Mode (|||31234|)", func(s string) error { _, err := Parse229(s); return err }},
		{"PORT", "198,18,99,2,156,66", func(s string) error { _, err := ParsePORT(s); return err }},
		{"EPRT4", "|1|198.18.99.2|40003|", func(s string) error { _, _, err := ParseEPRT(s); return err }},
		{"EPRT6", "|2|2001:db8:99::2|40003|", func(s string) error { _, _, err := ParseEPRT(s); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.fn(c.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkControlDialog runs the whole line path of one session: split
// both directions, parse each command, group replies and pair them with
// their commands. ns/op and allocs/op are per session.
func BenchmarkControlDialog(b *testing.B) {
	b.SetBytes(int64(benchDialogBytes()))
	b.ReportAllocs()
	segs := benchDialogSegments()
	for b.Loop() {
		runBenchDialog(b, segs, nil)
	}
}

// BenchmarkControlLine is BenchmarkControlDialog as the dissector runs it:
// strings shared through one Interner across sessions (the analyzer keeps
// one), reply texts too. It reports the cost per control line (ns/line,
// allocs/line) of splitting, command and reply recognition and pairing.
func BenchmarkControlLine(b *testing.B) {
	segs := benchDialogSegments()
	lines := 0
	for _, s := range benchDialog {
		lines += strings.Count(s, "\n")
	}
	var in Interner
	var before, after runtime.MemStats
	b.SetBytes(int64(benchDialogBytes()))
	b.ReportAllocs()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		runBenchDialog(b, segs, &in)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*lines), "allocs/line")
}

// benchDialogSegments returns benchDialog's segments without their
// direction marks.
func benchDialogSegments() [][]byte {
	segs := make([][]byte, len(benchDialog))
	for i, s := range benchDialog {
		segs[i] = []byte(s[1:])
	}
	return segs
}

// runBenchDialog takes one session's segments through the line path,
// sharing strings through in when it is not nil.
func runBenchDialog(b *testing.B, segs [][]byte, in *Interner) {
	var sc, ss Splitter
	rr := ReplyReader{Intern: in}
	p := NewPairer(true)
	id := 0
	cmd := func(l Line) bool {
		_ = ParseCommandInterned(l.Text, in, false)
		id++
		p.Command(id)
		return true
	}
	rep := func(l Line) bool {
		if r, done := rr.Line(l); done {
			p.Reply(&r)
		}
		return true
	}
	for i, s := range segs {
		if benchDialog[i][0] == '>' {
			sc.Write(s, cmd)
		} else {
			ss.Write(s, rep)
		}
	}
	if len(p.Pending()) != 0 {
		b.Fatalf("%d commands unanswered", len(p.Pending()))
	}
}
