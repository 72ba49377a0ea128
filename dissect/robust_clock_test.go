package dissect

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// One unrelated SYN dated a year ahead neither splits the running session
// nor stops the housekeeping: the session is concluded while the capture
// is still being read.
func TestFutureTimestampIgnored(t *testing.T) {
	pcap, packets := futureTimestampCapture()
	f, err := capture.OpenReader("t", "future.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	var a *Analyzer
	var out []*model.Session
	var emittedAt []uint64
	a = New(DefaultConfig(), []*capture.Info{f.Info()}, SinkFunc(func(s *model.Session) {
		out = append(out, s)
		emittedAt = append(emittedAt, a.stats.Packets)
	}))
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
	}
	a.Finish()
	if len(out) != 1 {
		t.Fatalf("%d sessions, want the one, whole", len(out))
	}
	s := out[0]
	if !s.HandshakeSeen || s.Closed != "fin" || s.Dialog[len(s.Dialog)-1].Code != 221 {
		t.Fatalf("session: handshake %v, closed %q, last %+v", s.HandshakeSeen, s.Closed, s.Dialog[len(s.Dialog)-1])
	}
	if end := s.End.Sub(pcaptest.Start); end < 0 || end > time.Minute {
		t.Errorf("session ends %v after the capture's start", end)
	}
	ch := s.Channels[0]
	if ch.Status != model.StatusOK || ch.Connection == nil || ch.Connection.BytesToFTPClient != int64(len(futureTimestampContent)) || ch.Connection.Closed != "fin" {
		t.Errorf("channel %s, connection %+v", ch.Status, ch.Connection)
	}
	if emittedAt[0] >= uint64(packets) {
		t.Errorf("the session was concluded only at the end: housekeeping stopped")
	}
	if n := a.Stats().TimestampAnomalies; n != 1 {
		t.Errorf("stats.timestamp_anomalies = %d, want 1", n)
	}
}

// A real gap in a long capture (two hours without a packet) moves the
// clock after a few packets; the session that opens right after it keeps
// its own times and is not timed out by the move.
func TestRealGapConfirmed(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	c.Now = c.Now.Add(2 * time.Hour)
	k2 := c.Login("192.168.1.10:40002", 500)
	k2.Line(true, "QUIT")
	k2.Line(false, "221 Goodbye.")
	k2.Close()
	ss, a := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 2 {
		t.Fatalf("%d sessions, want 2", len(ss))
	}
	second := ss[1]
	if !second.HandshakeSeen || second.Closed != "fin" || second.Commands != 3 {
		t.Fatalf("second session: handshake %v, closed %q, %d commands", second.HandshakeSeen, second.Closed, second.Commands)
	}
	if d := second.Start.Sub(pcaptest.Start); d < 2*time.Hour {
		t.Errorf("second session starts %v after the capture, not its own time", d)
	}
	if n := a.Stats().TimestampAnomalies; n != 0 {
		t.Errorf("stats.timestamp_anomalies = %d for a confirmed gap", n)
	}
}

// A capture filtered to port 21 is silent while a transfer runs: the
// transfer's final reply after ten quiet minutes keeps its time, so the
// transfer's latency is right, whether packets follow it or the capture
// ends.
func TestQuietControlConnection(t *testing.T) {
	for _, ends := range []bool{false, true} {
		c := pcaptest.New()
		k := c.Login("192.168.1.10:40000", 100)
		k.Line(true, "PASV")
		k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
		k.Line(true, "RETR big")
		k.Line(false, "150 Opening BINARY mode data connection for big.")
		c.Now = c.Now.Add(10 * time.Minute)
		k.Line(false, "226 Transfer complete.")
		if !ends {
			k.Line(true, "QUIT")
			k.Line(false, "221 Goodbye.")
			k.Close()
		}
		ss, a := run(t, c.Bytes(), DefaultConfig())
		if len(ss) != 1 {
			t.Fatalf("capture ends %v: %d sessions", ends, len(ss))
		}
		x := ss[0].Channels[0].Transfer
		if x == nil || x.LatencyMS < 10*60*1000 || x.LatencyMS > 10*60*1000+100 {
			t.Errorf("capture ends %v: transfer %+v, want a latency of 10 minutes", ends, x)
		}
		// at the end of the capture, the reply and its ACK were never
		// confirmed by later packets
		if want := map[bool]uint64{false: 0, true: 2}[ends]; a.Stats().TimestampAnomalies != want {
			t.Errorf("capture ends %v: %d timestamp anomalies, want %d", ends, a.Stats().TimestampAnomalies, want)
		}
	}
}

// What the clocks hold is bounded: beyond maxHeldBytes a packet off its
// clock is analysed at once, at its clock's time; every packet is
// analysed, once.
func TestHeldPacketsBounded(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("198.51.100.7:4444", "203.0.113.99:80", 1, 2)
	big := make([]byte, 60000)
	k.Packet(true, 1, 2, pcaptest.Flags{ACK: true}, big)
	c.Now = c.Now.Add(365 * 24 * time.Hour)
	for i := 0; i < 3; i++ {
		k.Packet(true, 1+uint32(i+1)*60000, 2, pcaptest.Flags{ACK: true}, big)
	}
	c.Now = pcaptest.Start.Add(time.Second)
	k.Packet(true, 1+4*60000, 2, pcaptest.Flags{ACK: true}, big)
	f, err := capture.OpenReader("t", "t.pcap", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
	if err != nil {
		t.Fatal(err)
	}
	var pkts []capture.Packet
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		p.Data = append([]byte(nil), p.Data...)
		pkts = append(pkts, p)
	}
	const sources = 8
	infos := make([]*capture.Info, sources)
	for i := range infos {
		infos[i] = f.Info()
	}
	a := New(DefaultConfig(), infos, nil)
	maxHeld := 0
	for _, p := range pkts {
		for src := 0; src < sources; src++ {
			p.Source = src
			a.Packet(&p)
			maxHeld = max(maxHeld, a.heldBytes)
		}
	}
	a.Finish()
	if maxHeld > maxHeldBytes || a.heldBytes != 0 {
		t.Fatalf("held %d bytes at most (bound %d), %d at the end", maxHeld, maxHeldBytes, a.heldBytes)
	}
	st := a.Stats()
	if st.Packets != uint64(len(pkts)*sources) || st.TimestampAnomalies != 3*sources {
		t.Fatalf("%d packets analysed (want %d), %d anomalies (want %d)", st.Packets, len(pkts)*sources, st.TimestampAnomalies, 3*sources)
	}
}
