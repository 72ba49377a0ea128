package dissect

import (
	"testing"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// seqJumpCapture is a passive download of 12 announced bytes whose four
// 3-byte data segments jump by 2 GiB less 1.4 MiB each: read naively, the
// connection carries 6 GB.
func seqJumpCapture() []byte {
	c := pcaptest.New()
	k := ftpLogin(c, "192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR f")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 1000)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (12 bytes).")
	const jump = 0x7fea0000
	for i := uint32(0); i < 4; i++ {
		d.Packet(false, 1001+i*jump, 6, pcaptest.Flags{ACK: true, PSH: true}, []byte("abc"))
	}
	d.Packet(false, 1004, 6, pcaptest.Flags{FIN: true, ACK: true}, nil)
	d.Packet(true, 6, 1005, pcaptest.Flags{FIN: true, ACK: true}, nil)
	k.Line(false, "226 Transfer complete.")
	k.Close()
	return c.Bytes()
}

// lossyDownloadCapture is a passive download of 6 MiB of which the capture
// lost the middle 5 MiB (a burst the capturing kernel dropped), and the
// payload bytes it kept.
func lossyDownloadCapture() (pcap []byte, kept int64) {
	const size = 6 << 20
	c := pcaptest.New()
	k := ftpLogin(c, "192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR big")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 1000)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for big (6291456 bytes).")
	seg := make([]byte, 1448)
	for off := 0; off < size; off += len(seg) {
		n := min(len(seg), size-off)
		if off < 512<<10 || off >= 512<<10+5<<20 {
			d.Packet(false, 1001+uint32(off), 6, pcaptest.Flags{ACK: true}, seg[:n])
			kept += int64(n)
		}
	}
	d.Packet(false, 1001+size, 6, pcaptest.Flags{FIN: true, ACK: true}, nil)
	d.Packet(true, 6, 1002+size, pcaptest.Flags{FIN: true, ACK: true}, nil)
	k.Line(false, "226 Transfer complete.")
	k.Close()
	return c.Bytes(), kept
}

func TestSeqJumpsNotCounted(t *testing.T) {
	ss, a := run(t, seqJumpCapture(), DefaultConfig())
	ch := ss[0].Channels[0]
	cn := ch.Connection
	if cn == nil || cn.BytesToFTPClient != 3 || cn.CapturedBytes != 3 || cn.OutOfWindow != 3 {
		t.Fatalf("connection %+v: want 3 bytes, 3 segments out of the window", cn)
	}
	if ch.Status != model.StatusTruncated {
		t.Errorf("status %s: 3 of 12 announced bytes came", ch.Status)
	}
	if n := a.Stats().OutOfWindowSegments; n != 3 {
		t.Errorf("stats.out_of_window_segments = %d, want 3", n)
	}
}

func TestCaptureLossStillCounted(t *testing.T) {
	pcap, kept := lossyDownloadCapture()
	ss, a := run(t, pcap, DefaultConfig())
	ch := ss[0].Channels[0]
	cn := ch.Connection
	if cn == nil || cn.BytesToFTPClient != 6<<20 || cn.OutOfWindow != 0 || ch.Status != model.StatusOK {
		t.Fatalf("status %s, connection %+v: want the whole 6 MiB in sequence space", ch.Status, cn)
	}
	if cn.CapturedBytes != kept {
		t.Errorf("captured %d bytes, want %d", cn.CapturedBytes, kept)
	}
	if n := a.Stats().OutOfWindowSegments; n != 0 {
		t.Errorf("stats.out_of_window_segments = %d after the run confirmed the new position", n)
	}
}
