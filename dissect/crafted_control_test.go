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

	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

var craftedControlDir = flag.String("crafted-control-dir", "", "write the crafted control captures into this directory")

// controlCase is one crafted capture and what its analysis must show.
type controlCase struct {
	name  string
	cfg   func(*testing.T, *Config)
	build func(*pcaptest.Capture)
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
			capture := pcaptest.New()
			finish := startBystander(capture)
			c.build(capture)
			finish()
			pcap := capture.Bytes()
			if dir := *craftedControlDir; dir != "" {
				if err := os.WriteFile(filepath.Join(dir, c.name+".pcap"), pcap, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(t, &cfg)
			}
			ss, a := run(t, pcap, cfg)
			r := craftedResult{sessions: map[string]*model.Session{}, findings: map[string][]model.Finding{}, stats: a.Stats()}
			d := diagnose.New(diagnose.Config{})
			for _, s := range ss {
				r.sessions[s.Client] = s
				r.findings[s.ID] = d.Session(s)
			}
			c.check(t, r)
			checkBystander(t, r)
		})
	}
}

// The bystander is a session that runs beside every crafted one, a line in
// progress across it: whatever the crafted connection suffers must not
// reach it.
const bystander = "192.168.1.99:40000"

// startBystander logs the bystander in and sends the start of a command;
// the function it returns sends the rest, and the reply.
func startBystander(c *pcaptest.Capture) (finish func()) {
	k := c.Login(bystander, 9000)
	k.Send(true, []byte("CWD /pub/"), 1460)
	return func() {
		snaplen := c.Snaplen
		c.Snaplen = 0
		k.Send(true, []byte("very/deep\r\n"), 1460)
		k.Line(false, "250 Directory successfully changed.")
		c.Snaplen = snaplen
	}
}

func checkBystander(t *testing.T, r craftedResult) {
	t.Helper()
	s := r.session(t, bystander)
	if s.GapBytes != 0 || s.SnaplenCut != nil || len(s.RetransmissionConflicts) != 0 || len(r.findings[s.ID]) != 0 {
		t.Errorf("bystander: %d gap bytes, cut %+v, conflicts %+v, findings %v", s.GapBytes, s.SnaplenCut, s.RetransmissionConflicts, r.rules(s))
	}
	if want := "C CWD /pub/very/deep\nR 250 Directory successfully changed.\n"; !strings.HasSuffix(dialogText(s), want) {
		t.Errorf("bystander's dialog ends\n%s\nwant\n%s", dialogText(s), want)
	}
}

var controlCases = []controlCase{
	{name: "gap-beside-reordering", build: craftGapBesideReordering, check: checkGapBesideReordering},
	{name: "reorder-queue-bound", build: craftReorderQueueBound, check: checkReorderQueueBound},
	{name: "reorder-timeout-per-connection", build: craftReorderTimeout, check: checkReorderTimeout},
	{name: "conflicting-port-retransmission", build: craftConflictingPort, check: checkConflictingPort},
	{name: "conflicting-copies-queued", build: craftConflictingQueued, check: checkConflictingQueued},
	{name: "consistent-retransmissions", build: craftConsistentRetransmissions, check: checkConsistentRetransmissions},
	{name: "snaplen-80", build: craftSnaplen80, check: checkSnaplen80},
	{name: "snaplen-long-line", build: craftSnaplenLongLine, check: checkSnaplenLongLine},
	{name: "snaplen-export", build: craftSnaplenExport, check: checkSnaplenExport,
		cfg: func(t *testing.T, c *Config) { exportTo(t, c, t.TempDir(), "") }},
	{name: "tls-gap-then-ccc", build: craftTLSGapThenCCC, check: checkTLSGapThenCCC},
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
func craftGapBesideReordering(c *pcaptest.Capture) {
	a := c.Login(clientA, 100)
	b := c.Login(clientB, 5000)
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
func craftReorderQueueBound(c *pcaptest.Capture) {
	a := c.Login(clientA, 100)
	b := c.Login(clientB, 5000)
	a.Line(true, "HELP")
	b.Line(true, "PWD")
	sb, rb := b.Seq()
	part1, part2 := []byte(`257 "/" is the `), []byte("current directory\r\n")
	b.Packet(false, rb+uint32(len(part1)), sb, pcaptest.Flags{ACK: true, PSH: true}, part2)
	sa, ra := a.Seq()
	lost := []byte("214-The following commands are recognized.\r\n")
	seq := ra + uint32(len(lost))
	for i := range 2 * tcpseq.MaxQueuedSegments {
		line := []byte("214-" + strings.Repeat(string(rune('A'+i%26)), 40) + "\r\n")
		a.Packet(false, seq, sa, pcaptest.Flags{ACK: true}, line)
		seq += uint32(len(line))
	}
	a.Packet(false, seq, sa, pcaptest.Flags{ACK: true, PSH: true}, []byte("214 Help OK.\r\n"))
	b.Packet(false, rb, sb, pcaptest.Flags{ACK: true, PSH: true}, part1)
}

func checkReorderQueueBound(t *testing.T, r craftedResult) {
	a, b := r.session(t, clientA), r.session(t, clientB)
	if a.GapBytes != int64(len("214-The following commands are recognized.\r\n")) {
		t.Errorf("A: %d gap bytes, want the one hole skipped when its queue was full", a.GapBytes)
	}
	if d := a.Dialog[len(a.Dialog)-1]; d.Code != 214 || d.Lines != 2*tcpseq.MaxQueuedSegments+1 {
		t.Errorf("A's last entry %+v: the segments after the hole were not read", d)
	}
	if b.GapBytes != 0 || !strings.HasSuffix(dialogText(b), "R 257 \"/\" is the current directory\n") {
		t.Errorf("B: %d gap bytes, dialog\n%s", b.GapBytes, dialogText(b))
	}
}

// craftReorderTimeout: A's hole never fills and nobody acknowledges it, so
// it is given up after the reorder wait; B's reordering began later and is
// still within its wait when A's expires.
func craftReorderTimeout(c *pcaptest.Capture) {
	a := c.Login(clientA, 100)
	b := c.Login(clientB, 5000)
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

const (
	portSeen  = "PORT 198,51,100,10,4,1"
	portOther = "PORT 192,168,111,1,4,1"
)

// craftConflictingPort: the classic evasion, a PORT command and a second
// copy of it with another address at the same sequence numbers; the server
// then connects to the first one's endpoint.
func craftConflictingPort(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	seq, ack := k.Seq()
	k.Line(true, portSeen)
	k.Packet(true, seq, ack, pcaptest.Flags{ACK: true, PSH: true}, []byte(portOther+"\r\n"))
	k.Line(false, "200 PORT command successful. Consider using PASV.")
	k.Line(true, "RETR f")
	d := c.Conn("203.0.113.20:20", "198.51.100.10:1025", 1, 2)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (3 bytes).")
	d.Send(true, []byte("abc"), 1448)
	d.Close()
	k.Line(false, "226 Transfer complete.")
	k.Close()
}

// conflictFinding returns the session's one retransmission-inconsistent
// finding.
func (r craftedResult) conflictFinding(t *testing.T, s *model.Session) model.Finding {
	t.Helper()
	var out []model.Finding
	for _, f := range r.findings[s.ID] {
		if f.Rule == diagnose.RuleRetransmissionInconsistent {
			out = append(out, f)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d retransmission-inconsistent findings, want 1; conflicts %+v", len(out), s.RetransmissionConflicts)
	}
	return out[0]
}

func checkConflictingPort(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	f := r.conflictFinding(t, s)
	wire := []string{portSeen + "\r\n", portOther + "\r\n"}
	if len(f.Evidence.Wire) != 2 || f.Evidence.Wire[0] != wire[0] || f.Evidence.Wire[1] != wire[1] {
		t.Errorf("evidence wire %q, want %q", f.Evidence.Wire, wire)
	}
	c := s.RetransmissionConflicts[0]
	if !c.FromClient || c.UsedFrame == 0 || c.OtherFrame <= c.UsedFrame {
		t.Errorf("conflict %+v: want the client's copies, the used one first", c)
	}
	if len(f.Evidence.Frames) != 2 || f.Evidence.Frames[0] != c.UsedFrame || f.Evidence.Frames[1] != c.OtherFrame {
		t.Errorf("evidence frames %v, conflict %+v", f.Evidence.Frames, c)
	}
	for _, want := range []string{`"PORT 198,51,100,10,4,1\r\n"`, `"PORT 192,168,111,1,4,1\r\n"`} {
		if !strings.Contains(f.Summary, want) && !strings.Contains(f.Explanation, want) {
			t.Errorf("finding does not quote %s: %s / %s", want, f.Summary, f.Explanation)
		}
	}
	if !strings.Contains(f.Explanation, "first copy (frame "+itoa(int(c.UsedFrame))+")") {
		t.Errorf("explanation does not say which copy was used: %s", f.Explanation)
	}
	if len(s.Channels) != 1 || s.Channels[0].Announce == nil || s.Channels[0].Announce.Endpoint != "198.51.100.10:1025" ||
		s.Channels[0].Status != model.StatusOK {
		t.Errorf("channels %+v: want the first copy's one announcement, its transfer ok", s.Channels)
	}
	if n := strings.Count(dialogText(s), "C PORT"); n != 1 {
		t.Errorf("%d PORT commands in the dialog, want 1", n)
	}
}

// craftConflictingQueued: the two copies wait in the reorder queue (the
// segment before them comes last), the second one longer and overlapping
// both the hole and the first copy.
func craftConflictingQueued(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	seq, ack := k.Seq()
	noop := []byte("NOOP\r\n")
	at := seq + uint32(len(noop))
	k.Packet(true, at, ack, pcaptest.Flags{ACK: true, PSH: true}, []byte(portSeen+"\r\n"))
	k.Packet(true, at, ack, pcaptest.Flags{ACK: true, PSH: true}, []byte(portOther+"\r\n"))
	k.Packet(true, seq, ack, pcaptest.Flags{ACK: true, PSH: true}, append(noop, portOther+"\r\n"...))
	end := at + uint32(len(portSeen)+2)
	k.Packet(false, ack, end, pcaptest.Flags{ACK: true, PSH: true}, []byte("200 NOOP ok.\r\n"))
	k.Packet(false, ack+14, end, pcaptest.Flags{ACK: true, PSH: true}, []byte("200 PORT command successful.\r\n"))
}

func checkConflictingQueued(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	if len(s.RetransmissionConflicts) != 2 {
		t.Fatalf("%d conflicts, want 2 (one per later copy): %+v", len(s.RetransmissionConflicts), s.RetransmissionConflicts)
	}
	for _, c := range s.RetransmissionConflicts {
		if c.Used != portSeen+"\r\n" || c.Other != portOther+"\r\n" {
			t.Errorf("conflict %+v: want the queued first copy used", c)
		}
	}
	if want := "C NOOP\nC " + portSeen + "\nR 200 NOOP ok.\nR 200 PORT command successful.\n"; !strings.HasSuffix(dialogText(s), want) {
		t.Errorf("dialog\n%s\nwant it to end\n%s", dialogText(s), want)
	}
	if len(s.Channels) != 1 || s.Channels[0].Announce.Endpoint != "198.51.100.10:1025" {
		t.Errorf("channels %+v", s.Channels)
	}
	if s.GapBytes != 0 {
		t.Errorf("%d gap bytes", s.GapBytes)
	}
}

// craftConsistentRetransmissions: identical retransmissions, partial and
// whole, and a keepalive probe with a garbage byte — none is a conflict.
func craftConsistentRetransmissions(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	seq, ack := k.Seq()
	k.Line(true, "CWD /pub")
	k.Packet(true, seq, ack, pcaptest.Flags{ACK: true, PSH: true}, []byte("CWD /pub\r\n"))
	k.Packet(true, seq+4, ack, pcaptest.Flags{ACK: true, PSH: true}, []byte("/pub\r\n"))
	k.Line(false, "250 Directory successfully changed.")
	seq, ack = k.Seq()
	k.Packet(true, seq-1, ack, pcaptest.Flags{ACK: true}, []byte{0})
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
}

func checkConsistentRetransmissions(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	if len(s.RetransmissionConflicts) != 0 || r.rules(s)[diagnose.RuleRetransmissionInconsistent] != 0 {
		t.Errorf("conflicts %+v in identical copies", s.RetransmissionConflicts)
	}
	if !strings.HasSuffix(dialogText(s), "C CWD /pub\nR 250 Directory successfully changed.\nC QUIT\nR 221 Goodbye.\n") {
		t.Errorf("dialog\n%s", dialogText(s))
	}
}

// longName is a file name that a capture with -s 80 cuts (26 bytes of TCP
// payload fit behind the Ethernet, IPv4 and TCP headers).
const longName = "a-file-with-a-rather-long-name.tar.gz"

// craftSnaplen80: a session captured with tcpdump -s 80, as in issue 13:
// the 331, the 227, the RETR and the 150 are cut, the rest fits.
func craftSnaplen80(c *pcaptest.Capture) {
	c.Snaplen = 80
	k := c.Login(clientA, 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 9)
	d.Open()
	k.Line(true, "RETR "+longName)
	k.Line(false, "150 Opening BINARY mode data connection for "+longName+" (3000 bytes).")
	d.Send(false, make([]byte, 3000), 1448)
	d.Close()
	k.Line(false, "226 Transfer complete.")
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
}

func checkSnaplen80(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	want := "R 220 (vsFTPd 3.0.3)\nC USER anonymous\nR 331 Please specify the pas\nC PASS ****\nR 230 Login successful.\n" +
		"C PASV\nR 227 Entering Passive Mode \nC RETR a-file-with-a-rather-\nR 150 Opening BINARY mode da\nR 226 Transfer complete.\n" +
		"C QUIT\nR 221 Goodbye.\n"
	if got := dialogText(s); got != want {
		t.Errorf("dialog\n%s\nwant\n%s", got, want)
	}
	var cut []string
	for _, e := range s.Dialog {
		if e.Cut {
			cut = append(cut, entryText(e))
		}
		if e.Verb == "RETR" && (e.LatencyMS == nil || e.Unanswered) {
			t.Errorf("the cut RETR got no reply: %+v", e)
		}
	}
	if w := []string{"331", "227", "RETR", "150"}; strings.Join(cut, ",") != strings.Join(w, ",") {
		t.Errorf("cut entries %v, want %v", cut, w)
	}
	if len(s.Channels) != 0 {
		t.Errorf("channels %+v: none may come from cut lines", s.Channels)
	}
	if s.SnaplenCut == nil || s.SnaplenCut.Packets != 4 || s.SnaplenCut.FirstFrame != s.Dialog[2].Frame {
		t.Errorf("snaplen cut %+v, want 4 packets from the 331's frame %d", s.SnaplenCut, s.Dialog[2].Frame)
	}
	rules := r.rules(s)
	if rules[diagnose.RuleSnaplenCut] != 1 || rules[diagnose.RuleCaptureGap] != 0 || s.GapBytes != 0 {
		t.Errorf("findings %v, gap bytes %d: want one snaplen-cut and no capture gap", rules, s.GapBytes)
	}
	for rule := range rules {
		if rule != diagnose.RuleSnaplenCut {
			t.Errorf("finding %s drawn from a cut dialog", rule)
		}
	}
}

// entryText names a dialog entry by its verb or code.
func entryText(e model.DialogEntry) string {
	if e.Kind == "command" {
		return e.Verb
	}
	return itoa(e.Code)
}

// craftSnaplenLongLine: a command longer than a segment, every segment cut;
// the captured starts of the later segments are the middle of the line.
func craftSnaplenLongLine(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	c.Snaplen = 80
	k.Send(true, []byte("STOR "+strings.Repeat("x/", 100)+"\r\n"), 60)
	k.Line(false, "553 Could not create file.")
	k.Line(true, "NOOP")
	k.Line(false, "200 NOOP ok.")
	k.Close()
}

func checkSnaplenLongLine(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	want := "C STOR x/x/x/x/x/x/x/x/x/x/x\nR 553 Could not create file.\nC NOOP\nR 200 NOOP ok.\n"
	if got := dialogText(s); !strings.HasSuffix(got, want) || strings.Count(got, "\n") != 9 {
		t.Errorf("dialog\n%s\nwant it to end\n%s", got, want)
	}
}

// craftSnaplenExport: a data connection cut by the snapshot length, under
// --export: its file is partial, and its cut bytes are counted.
func craftSnaplenExport(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR f")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 9)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (5000 bytes).")
	d.Send(false, make([]byte, 2000), 1000)
	c.Snaplen = 54 + 100 // 100 payload bytes of each packet from here on
	d.Send(false, make([]byte, 3000), 1000)
	d.Close()
	c.Snaplen = 0
	k.Line(false, "226 Transfer complete.")
	k.Close()
}

func checkSnaplenExport(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	if len(s.Channels) != 1 || s.Channels[0].Connection == nil || s.Channels[0].Transfer == nil {
		t.Fatalf("channels %+v", s.Channels)
	}
	ch := s.Channels[0]
	cn, x := ch.Connection, ch.Transfer
	if cn.BytesToFTPClient != 5000 || cn.CapturedBytes != 2300 || cn.CutBytes != 2700 {
		t.Errorf("bytes %d, captured %d, cut %d: want 5000, 2300, 2700", cn.BytesToFTPClient, cn.CapturedBytes, cn.CutBytes)
	}
	if !strings.HasSuffix(x.ExportPath, ".partial") || !x.ExportPartial {
		t.Errorf("exported as %q (sha %q): want a partial file", x.ExportPath, x.SHA256)
	}
	var found bool
	for _, f := range r.findings[s.ID] {
		if f.Rule == diagnose.RuleSnaplenCut && f.Channel == ch.ID {
			found = true
		}
	}
	if !found || s.SnaplenCut != nil {
		t.Errorf("findings %v, control cut %+v: want snaplen-cut on %s only", r.rules(s), s.SnaplenCut, ch.ID)
	}
}

// craftTLSGapThenCCC: after AUTH TLS a record loses its start to a gap, and
// the rest of it, as an attacker may craft ciphertext, reads as a PORT
// command; another record, in step, holds a 227. Then CCC: close_notify
// alerts and cleartext, with a passive transfer.
func craftTLSGapThenCCC(c *pcaptest.Capture) {
	k := c.Login(clientA, 100)
	k.Line(true, "AUTH TLS")
	k.Line(false, "234 Proceed with negotiation.")
	k.Send(true, record(22, 200, "\x01\x02\x03\x04"), 1448)
	k.Send(false, record(22, 1200, "\x05\x06\x07"), 1448)
	forged := record(23, 100, "PORT 10,0,0,99,4,1\r\n")
	copy(forged[5:], "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9")
	k.Lost(true, forged[:15])
	k.Send(true, forged[15:], 1448)
	k.Send(false, record(23, 120, "227 Entering Passive Mode (10,0,0,99,4,1).\r\n"), 1448)
	alert := record(21, 2, "\x01\x00")
	k.Send(true, append(record(23, 40, "\x09"), alert...), 1448)
	k.Send(false, alert, 1448)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR f")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 9)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (4 bytes).")
	d.Send(false, []byte("data"), 1448)
	d.Close()
	k.Line(false, "226 Transfer complete.")
	k.Close()
}

func checkTLSGapThenCCC(t *testing.T, r craftedResult) {
	s := r.session(t, clientA)
	if len(s.Channels) != 1 || s.Channels[0].Announce == nil || s.Channels[0].Announce.Endpoint != "203.0.113.20:30000" || s.Channels[0].Status != model.StatusOK {
		t.Errorf("channels %+v: want only the cleartext PASV's, ok", s.Channels)
	}
	if want := "C AUTH TLS\nR 234 Proceed with negotiation.\nC PASV\nR 227 Entering Passive Mode (203,0,113,20,117,48).\nC RETR f\n"; !strings.Contains(dialogText(s), want) {
		t.Errorf("dialog\n%s\nwant\n%s", dialogText(s), want)
	}
	resumed := 0
	for _, a := range s.Anomalies {
		if strings.HasPrefix(a, "cleartext resumed after TLS") {
			resumed++
		}
	}
	if !s.TLS || resumed != 2 || s.GapBytes != 15 {
		t.Errorf("tls %v, anomalies %q, gap bytes %d: want both directions back in cleartext after the 15-byte gap", s.TLS, s.Anomalies, s.GapBytes)
	}
	if want := int64(205 + 1205 + 90 + 125 + 45 + 7 + 7); s.TLSOpaqueBytes != want {
		t.Errorf("%d TLS bytes, want %d", s.TLSOpaqueBytes, want)
	}
}

// record returns a TLS record of the given type with n payload bytes
// taken from fill, repeated (as dissect/tlsrecord's tests build them).
func record(typ byte, n int, fill string) []byte {
	r := []byte{typ, 3, 3, byte(n >> 8), byte(n)}
	for len(r) < 5+n {
		r = append(r, fill...)
	}
	return r[:5+n]
}
