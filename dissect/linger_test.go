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

// A session whose data connection closed cleanly (both FINs acknowledged)
// concludes at the next housekeeping, not a data linger (2 s) later: on a
// live gateway its NAT pair is then known within about a second of QUIT.
// A data connection reset, or closed without the last ACK, still lingers.
func TestCleanDataCloseConcludesAtOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		close func(d *pcaptest.Conn)
		early bool // concluded before the linger ends
	}{
		{"both FINs acknowledged", func(d *pcaptest.Conn) { d.Close() }, true},
		{"last ACK not captured", func(d *pcaptest.Conn) {
			a, b := d.Seq()
			d.Packet(false, b, a, pcaptest.Flags{FIN: true, ACK: true}, nil)
			d.Packet(true, a, b+1, pcaptest.Flags{FIN: true, ACK: true}, nil)
		}, false},
		{"reset", func(d *pcaptest.Conn) { d.Reset(false) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := pcaptest.New()
			k := c.Login("192.168.1.10:40000", 100)
			k.Line(true, "PASV")
			k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
			d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 9)
			d.Open()
			k.Line(true, "RETR f")
			k.Line(false, "150 Opening BINARY mode data connection for f (3000 bytes).")
			d.Send(false, make([]byte, 3000), 1448)
			tt.close(d)
			k.Line(false, "226 Transfer complete.")
			k.Line(true, "QUIT")
			k.Line(false, "221 Goodbye.")
			k.Close()
			end := c.Now
			// another connection's packets, 1.5 s later and on, run the
			// housekeeping
			other := c.Conn("192.168.1.99:50000", "198.51.100.7:443", 1, 1)
			c.Now = end.Add(1500 * time.Millisecond)
			other.Open()

			f, err := capture.OpenReader("t", "t.pcap", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
			if err != nil {
				t.Fatal(err)
			}
			var got *model.Session
			a := New(DefaultConfig(), []*capture.Info{f.Info()}, SinkFunc(func(s *model.Session) { got = s }))
			for {
				p, err := f.Next()
				if err != nil {
					break
				}
				a.Packet(&p)
			}
			early := got != nil
			a.Finish()
			if got == nil {
				t.Fatal("no session")
			}
			if early != tt.early {
				t.Errorf("concluded before the capture's end: %v, want %v", early, tt.early)
			}
			if ch := got.Channels; len(ch) != 1 || ch[0].Transfer == nil || ch[0].Connection == nil || ch[0].Connection.BytesToFTPClient != 3000 {
				t.Errorf("channels %+v, want one transfer of 3000 bytes", ch)
			}
		})
	}
}
