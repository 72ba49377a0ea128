package dissect

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// The hosts of control connections are remembered while their connections
// are tracked, not for the whole capture: at most two per control
// connection, none at the end.
func TestFTPHostsPrunedWithTheirConnections(t *testing.T) {
	c := pcaptest.New()
	const n = 2000
	for i := 0; i < n; i++ {
		k := c.Login(fmt.Sprintf("10.1.%d.%d:40000", i/250, i%250+1), uint32(i*1000))
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	f, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
	if err != nil {
		t.Fatal(err)
	}
	var a *Analyzer
	sessions, most := 0, 0
	check := func() {
		control := 0
		a.conns.each(func(c *conn) {
			if c.role == roleControl {
				control++
			}
		})
		if len(a.ftpHosts) > 2*control {
			t.Fatalf("%d FTP hosts remembered for %d control connections", len(a.ftpHosts), control)
		}
		most = max(most, len(a.ftpHosts))
	}
	a = New(DefaultConfig(), []*capture.Info{f.Info()}, SinkFunc(func(*model.Session) { sessions++ }))
	for i := 0; ; i++ {
		p, err := f.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
		if i%100 == 0 {
			check()
		}
	}
	a.Finish()
	if sessions != n {
		t.Fatalf("%d sessions, want %d", sessions, n)
	}
	if most >= n {
		t.Errorf("up to %d FTP hosts remembered at once for %d sessions one after another", most, n)
	}
	if len(a.ftpHosts) != 0 {
		t.Errorf("%d FTP hosts remembered after the end", len(a.ftpHosts))
	}
}

// A connection between the hosts of an open session that no announcement
// claims is still counted as an unmatched data connection.
func TestUnmatchedDataConnectionCounted(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.0.2.10:40000", 100)
	d := c.Conn("192.0.2.10:41000", "203.0.113.20:30000", 5, 9)
	d.Open()
	d.Send(true, []byte("unannounced"), 1448)
	d.Close()
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	_, a := run(t, c.Bytes(), DefaultConfig())
	if got := a.Stats().UnmatchedDataConnections; got != 1 {
		t.Errorf("%d unmatched data connections, want 1", got)
	}
}
