package dissect

// Crafted captures of damaged or forged control connections (issue 13):
// reordering next to a capture gap on another connection, reorder queues
// at their bound, holes that never fill. Each case builds its capture with
// internal/pcaptest and states what the analysis must make of it.
//
//	go test ./dissect/ -run TestCraftedControl -crafted-control-dir DIR
//
// also writes the captures to DIR, to read them with ftpscope or Wireshark.

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/dissect/diagnose"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

var craftedControlDir = flag.String("crafted-control-dir", "", "write the crafted control captures into this directory")

// controlCase is one crafted capture and what its analysis must show.
type controlCase struct {
	name  string
	cfg   func(*Config)
	build func() *pcaptest.Capture
	check func(t *testing.T, r craftedResult)
}

// craftedResult is what a crafted capture gave: the sessions by client
// address, their findings, and the analyzer's counters.
type craftedResult struct {
	sessions map[string]*model.Session
	findings map[string][]model.Finding
	stats    model.Stats
}

func (r craftedResult) session(t *testing.T, client string) *model.Session {
	t.Helper()
	s := r.sessions[client]
	if s == nil {
		t.Fatalf("no session from %s", client)
	}
	return s
}

// rules returns the rules a session's findings raised.
func (r craftedResult) rules(s *model.Session) map[string]int {
	out := map[string]int{}
	for _, f := range r.findings[s.ID] {
		out[f.Rule]++
	}
	return out
}

func TestCraftedControl(t *testing.T) {
	for _, c := range controlCases {
		t.Run(c.name, func(t *testing.T) {
			pcap := c.build().Bytes()
			if dir := *craftedControlDir; dir != "" {
				if err := os.WriteFile(filepath.Join(dir, c.name+".pcap"), pcap, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			ss, a := run(t, pcap, cfg)
			r := craftedResult{sessions: map[string]*model.Session{}, findings: map[string][]model.Finding{}, stats: a.Stats()}
			d := diagnose.New(diagnose.Config{})
			for _, s := range ss {
				r.sessions[s.Client] = s
				r.findings[s.ID] = d.Session(s)
			}
			c.check(t, r)
		})
	}
}

var controlCases = []controlCase{
	{name: "gap-beside-reordering", build: craftGapBesideReordering, check: checkGapBesideReordering},
	{name: "reorder-queue-bound", build: craftReorderQueueBound, check: checkReorderQueueBound},
	{name: "reorder-timeout-per-connection", build: craftReorderTimeout, check: checkReorderTimeout},
}

const (
	clientA = "192.168.1.10:40000"
	clientB = "192.168.1.11:40000"
)

// dialogText renders a dialog as "C PWD", "R 257 …" lines.
func dialogText(s *model.Session) string {
	var b strings.Builder
	for _, e := range s.Dialog {
		if e.Kind == "command" {
			b.WriteString("C " + e.Verb)
			if e.Arg != "" {
				b.WriteString(" " + e.Arg)
			}
		} else {
			b.WriteString("R " + itoa(e.Code) + " " + e.Text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// craftGapBesideReordering: connection A has a reply waiting for its
// first half (reordered) when connection B loses a reply that its client
// acknowledges (a real capture gap). A's wait must go on untouched.
func craftGapBesideReordering() *pcaptest.Capture {
	c := pcaptest.New()
	a := ftpLogin(c, clientA, 100)
	b := ftpLogin(c, clientB, 5000)
	a.Line(true, "PWD")
	sa, ra := a.Seq()
	part1, part2 := []byte(`257 "/pub" is the `), []byte("current directory\r\n")
	a.Packet(false, ra+uint32(len(part1)), sa, pcaptest.Flags{ACK: true, PSH: true}, part2)
	// B: the reply to SYST is lost, its client acknowledges it and goes on
	b.Line(true, "SYST")
	b.Lost(false, []byte("215 UNIX Type: L8\r\n"))
	b.Line(true, "NOOP")
	b.Line(false, "200 NOOP ok.")
	// A's first half comes at last
	a.Packet(false, ra, sa, pcaptest.Flags{ACK: true, PSH: true}, part1)
	a.Packet(true, sa, ra+uint32(len(part1)+len(part2)), pcaptest.Flags{ACK: true}, nil)
	return c
}

func checkGapBesideReordering(t *testing.T, r craftedResult) {
	a, b := r.session(t, clientA), r.session(t, clientB)
	if a.GapBytes != 0 || r.rules(a)[diagnose.RuleCaptureGap] != 0 {
		t.Errorf("A: %d gap bytes, findings %v: another connection's gap reached it", a.GapBytes, r.rules(a))
	}
	if want := "C PWD\nR 257 \"/pub\" is the current directory\n"; !strings.HasSuffix(dialogText(a), want) {
		t.Errorf("A's dialog ends\n%s\nwant\n%s", dialogText(a), want)
	}
	if b.GapBytes != int64(len("215 UNIX Type: L8\r\n")) || r.rules(b)[diagnose.RuleCaptureGap] != 1 {
		t.Errorf("B: %d gap bytes, findings %v: want its lost reply as a capture gap", b.GapBytes, r.rules(b))
	}
	if want := "C SYST\nC NOOP\nR 200 NOOP ok.\n"; !strings.HasSuffix(dialogText(b), want) {
		t.Errorf("B's dialog ends\n%s\nwant\n%s", dialogText(b), want)
	}
}

// craftReorderQueueBound: connection A's server sends far more segments
// beyond a hole than a reorder queue holds (the hole is never filled nor
// acknowledged), while connection B waits for a reordered half-line.
func craftReorderQueueBound() *pcaptest.Capture {
	c := pcaptest.New()
	a := ftpLogin(c, clientA, 100)
	b := ftpLogin(c, clientB, 5000)
	a.Line(true, "HELP")
	b.Line(true, "PWD")
	sb, rb := b.Seq()
	part1, part2 := []byte(`257 "/" is the `), []byte("current directory\r\n")
	b.Packet(false, rb+uint32(len(part1)), sb, pcaptest.Flags{ACK: true, PSH: true}, part2)
	sa, ra := a.Seq()
	lost := []byte("214-The following commands are recognized.\r\n")
	seq := ra + uint32(len(lost))
	for i := range 2 * maxQueuedSegments {
		line := []byte("214-" + strings.Repeat(string(rune('A'+i%26)), 40) + "\r\n")
		a.Packet(false, seq, sa, pcaptest.Flags{ACK: true}, line)
		seq += uint32(len(line))
	}
	a.Packet(false, seq, sa, pcaptest.Flags{ACK: true, PSH: true}, []byte("214 Help OK.\r\n"))
	b.Packet(false, rb, sb, pcaptest.Flags{ACK: true, PSH: true}, part1)
	return c
}

func checkReorderQueueBound(t *testing.T, r craftedResult) {
	a, b := r.session(t, clientA), r.session(t, clientB)
	if a.GapBytes != int64(len("214-The following commands are recognized.\r\n")) {
		t.Errorf("A: %d gap bytes, want the one hole skipped when its queue was full", a.GapBytes)
	}
	if d := a.Dialog[len(a.Dialog)-1]; d.Code != 214 || d.Text != "Help OK." && d.Lines == 0 {
		t.Errorf("A's last entry %+v: the segments after the hole were not read", d)
	}
	if b.GapBytes != 0 || !strings.HasSuffix(dialogText(b), "R 257 \"/\" is the current directory\n") {
		t.Errorf("B: %d gap bytes, dialog\n%s", b.GapBytes, dialogText(b))
	}
}

// craftReorderTimeout: A's hole never fills and nobody acknowledges it, so
// it is given up after the reorder wait; B's reordering began later and is
// still within its wait when A's expires.
func craftReorderTimeout() *pcaptest.Capture {
	c := pcaptest.New()
	a := ftpLogin(c, clientA, 100)
	b := ftpLogin(c, clientB, 5000)
	a.Line(true, "PWD")
	sa, ra := a.Seq()
	a.Packet(false, ra+10, sa, pcaptest.Flags{ACK: true, PSH: true}, []byte("is the current directory\r\n"))
	c.Now = c.Now.Add(reorderWait - time.Second)
	b.Line(true, "PWD")
	sb, rb := b.Seq()
	part1, part2 := []byte(`257 "/" is the `), []byte("current directory\r\n")
	b.Packet(false, rb+uint32(len(part1)), sb, pcaptest.Flags{ACK: true, PSH: true}, part2)
	c.Now = c.Now.Add(2 * time.Second) // A has waited longer than reorderWait, B not
	a.Line(true, "NOOP")
	b.Packet(false, rb, sb, pcaptest.Flags{ACK: true, PSH: true}, part1)
	return c
}

func checkReorderTimeout(t *testing.T, r craftedResult) {
	a, b := r.session(t, clientA), r.session(t, clientB)
	if a.GapBytes != 10 {
		t.Errorf("A: %d gap bytes, want its 10-byte hole given up", a.GapBytes)
	}
	if b.GapBytes != 0 || !strings.HasSuffix(dialogText(b), "R 257 \"/\" is the current directory\n") {
		t.Errorf("B: %d gap bytes, dialog\n%s", b.GapBytes, dialogText(b))
	}
}
