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
// clock after a few packets; a session that opens right after it is not
// timed out by the move.
func TestRealGapConfirmed(t *testing.T) {
	c := pcaptest.New()
	k := ftpLogin(c, "192.168.1.10:40000", 100)
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	c.Now = c.Now.Add(2 * time.Hour)
	k2 := ftpLogin(c, "192.168.1.10:40002", 500)
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
		t.Errorf("second session starts %v after the capture: its SYN was not redated", d)
	}
	if n := a.Stats().TimestampAnomalies; n != 0 {
		t.Errorf("stats.timestamp_anomalies = %d for a confirmed gap", n)
	}
}
