package dissect

import (
	"bytes"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// run analyses a synthetic capture and returns the sessions.
func run(t testing.TB, pcap []byte, cfg Config) ([]*model.Session, *Analyzer) {
	t.Helper()
	f, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Session
	a := New(cfg, []*capture.Info{f.Info()}, SinkFunc(func(s *model.Session) { out = append(out, s) }))
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
	}
	a.Finish()
	return out, a
}

func TestTenMegabyteLine(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Send(true, []byte("STOR "+strings.Repeat("x", 10<<20)+"\r\n"), 1460)
	k.Line(false, "500 Line too long.")
	k.Line(true, "NOOP")
	k.Line(false, "200 NOOP ok.")
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	var stor, noop *model.DialogEntry
	for i := range ss[0].Dialog {
		e := &ss[0].Dialog[i]
		switch e.Verb {
		case "STOR":
			stor = e
		case "NOOP":
			noop = e
		}
	}
	if stor == nil || !stor.Truncated || len(stor.Arg) > 8192 {
		t.Fatalf("STOR entry %v: want truncated at 8 KiB", stor != nil)
	}
	if noop == nil || noop.LatencyMS == nil {
		t.Fatalf("the dialog did not go on after the long line")
	}
}

func TestGarbageOnPort21(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	c := pcaptest.New()
	k := c.Conn("198.51.100.7:5555", "203.0.113.20:21", 1, 2)
	k.Open()
	for i := 0; i < 200; i++ {
		b := make([]byte, 1+rng.Intn(1400))
		rng.Read(b)
		k.Send(i%2 == 0, b, 1460)
	}
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	if len(ss[0].Dialog) == 0 {
		t.Fatal("garbage produced no dialog at all")
	}
}

func TestManyFlowsBounded(t *testing.T) {
	const flows = 100000
	c := pcaptest.New()
	for i := 0; i < flows; i++ {
		// a SYN each, from its own port
		k := c.Conn("198.51.100.1:"+itoa(1024+i%60000), "198.18."+itoa(i/60000)+".1:80", uint32(i), 0)
		k.Packet(true, uint32(i), 0, pcaptest.Flags{SYN: true}, nil)
	}
	cfg := DefaultConfig()
	cfg.MaxConnections = 1000
	_, a := run(t, c.Bytes(), cfg)
	st := a.Stats()
	if st.TCPConnections != flows {
		t.Errorf("%d connections counted, want %d", st.TCPConnections, flows)
	}
	if st.EvictedConnections < flows-1000 {
		t.Errorf("%d evicted: the table grew past its bound", st.EvictedConnections)
	}
}

func TestSnaplenCutDataConnection(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR big")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 9)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for big (100000 bytes).")
	c.Snaplen = 96 // headers only from here on
	d.Send(false, make([]byte, 100000), 1448)
	d.Close()
	c.Snaplen = 0
	k.Line(false, "226 Transfer complete.")
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	ch := ss[0].Channels[0]
	if ch.Connection == nil || ch.Connection.BytesToFTPClient != 100000 || ch.Status != model.StatusOK {
		t.Fatalf("channel %+v, connection %+v", ch, ch.Connection)
	}
	if ch.Connection.CapturedBytes >= 100000 {
		t.Errorf("captured bytes %d: the payload was cut", ch.Connection.CapturedBytes)
	}
}

func TestPortReuseIsTwoConnections(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	for i := 0; i < 2; i++ {
		k.Line(true, "PORT 192,168,1,10,156,64")
		k.Line(false, "200 PORT command successful.")
		k.Line(true, "RETR f")
		d := c.Conn("203.0.113.20:20", "192.168.1.10:40000", uint32(1000*i+1), 77)
		d.Open()
		k.Line(false, "150 Opening BINARY mode data connection for f (10 bytes).")
		d.Send(true, []byte("0123456789"), 1448)
		d.Close()
		k.Line(false, "226 Transfer complete.")
	}
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if n := len(ss[0].Channels); n != 2 {
		t.Fatalf("%d channels", n)
	}
	for _, ch := range ss[0].Channels {
		if ch.Connection == nil || ch.Connection.Match != model.MatchExact || ch.Connection.BytesToFTPClient != 10 || ch.Status != model.StatusOK {
			t.Errorf("%s: %+v %s", ch.ID, ch.Connection, ch.Status)
		}
	}
}

func TestMidSessionCapture(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 100, 200)
	// no handshake: the capture starts while the session runs
	k.Line(true, "TYPE I")
	k.Line(false, "200 Switching to Binary mode.")
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 || ss[0].HandshakeSeen || ss[0].Commands != 2 || ss[0].Replies != 2 {
		t.Fatalf("sessions %d, %+v", len(ss), ss)
	}
}

func TestUpdatesShowRunningSessions(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "NOOP")
	f, _ := capture.OpenReader("t", "t", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
	a := New(DefaultConfig(), []*capture.Info{f.Info()}, SinkFunc(func(*model.Session) {}))
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
	}
	var got []*model.Session
	a.Updates(false, func(s *model.Session, _ int) { got = append(got, s) })
	if len(got) != 1 || got[0].Commands != 3 {
		t.Fatalf("updates %+v", got)
	}
	snap := got[0]
	before := len(snap.Dialog)
	got = nil
	a.Updates(false, func(s *model.Session, _ int) { got = append(got, s) })
	if len(got) != 0 {
		t.Fatalf("an unchanged session was sent again")
	}
	a.Finish()
	if len(snap.Dialog) != before {
		t.Fatal("the snapshot changed after the analysis went on")
	}
}

func TestStrayPacketsMakeNoSession(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	c.Now = c.Now.Add(5e9) // after the connection was concluded
	a, b := k.Seq()
	k.Packet(true, a, b, pcaptest.Flags{ACK: true}, nil) // a late duplicate ACK
	k.Packet(false, b, a, pcaptest.Flags{RST: true}, nil)
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 {
		t.Fatalf("%d sessions, want 1", len(ss))
	}
}

func TestSplitAnnouncementPlaced(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Send(true, []byte("TYPE I\r\nPORT 192,168,"), 1460) // two lines, the second cut
	k.Send(true, []byte("1,10,156,64\r\n"), 1460)
	k.Line(false, "200 Switching to Binary mode.")
	k.Line(false, "200 PORT command successful.")
	k.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	var port *model.DialogEntry
	for i := range ss[0].Dialog {
		if ss[0].Dialog[i].Verb == "PORT" {
			port = &ss[0].Dialog[i]
		}
	}
	if port == nil || port.Segment == nil || !port.Segment.Split || port.Segment.Index != 1 || port.Segment.Offset != 8 {
		t.Fatalf("PORT placed %+v", port)
	}
}

func TestReorderedControlSegments(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PWD")
	a, b := k.Seq()
	// the server's reply arrives in two segments, the second first
	part1, part2 := []byte("257 \"/pub\" is the "), []byte("current directory\r\n")
	k.Packet(false, b+uint32(len(part1)), a, pcaptest.Flags{ACK: true}, part2)
	k.Packet(false, b, a, pcaptest.Flags{ACK: true}, part1)
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	d := ss[0].Dialog
	last := d[len(d)-1]
	if last.Code != 257 || last.Text != `"/pub" is the current directory` || d[len(d)-2].LatencyMS == nil {
		t.Fatalf("last entry %+v", last)
	}
	if ss[0].GapBytes != 0 {
		t.Errorf("reordering counted as a gap: %d", ss[0].GapBytes)
	}
}

// A flood of unrelated connections beyond the table's bound evicts those,
// not an FTP control connection that sits idle at the head of the table
// while a transfer is awaited.
func TestFloodSparesIdleControlConnection(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PWD")
	k.Line(false, `257 "/" is the current directory`)
	for i := 0; i < 5000; i++ {
		f := c.Conn("198.51.100.1:"+itoa(1024+i), "198.18.0.1:80", uint32(i), 0)
		f.Packet(true, uint32(i), 0, pcaptest.Flags{SYN: true}, nil)
	}
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	cfg := DefaultConfig()
	cfg.MaxConnections = 1000
	ss, a := run(t, c.Bytes(), cfg)
	if len(ss) != 1 {
		t.Fatalf("%d sessions, want the one, whole", len(ss))
	}
	if n := len(ss[0].Dialog); n != 9 || ss[0].Dialog[n-1].Code != 221 {
		t.Errorf("dialog of %d entries, last %+v: the control connection was dropped mid-session", n, ss[0].Dialog[n-1])
	}
	if a.Stats().EvictedConnections < 4000 {
		t.Errorf("%d evicted, want the flood's", a.Stats().EvictedConnections)
	}
}

// TestConnectionAttemptsAreNotSessions: a SYN scan of port 21 (SYN, RST
// back, or no answer at all) counts attempts and makes no session.
func TestConnectionAttemptsAreNotSessions(t *testing.T) {
	c := pcaptest.New()
	for i := 0; i < 50; i++ {
		k := c.Conn("198.51.100.7:"+itoa(30000+i), "203.0.113.20:21", uint32(1000+i), 9000)
		k.Packet(true, uint32(1000+i), 0, pcaptest.Flags{SYN: true}, nil)
		if i%2 == 0 {
			k.Packet(false, 0, uint32(1001+i), pcaptest.Flags{RST: true, ACK: true}, nil)
		}
	}
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	ss, a := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 || ss[0].Client != "192.168.1.10:40000" {
		t.Fatalf("%d sessions, want the login alone", len(ss))
	}
	st := a.Stats()
	if st.ConnectionAttempts != 50 || st.ControlSessions != 1 {
		t.Errorf("attempts %d, sessions %d; want 50 and 1", st.ConnectionAttempts, st.ControlSessions)
	}
}
