package dissect

// The crafted captures of the forged-traffic tests (issue 13): sequence
// numbers that jump, holes, a timestamp a year ahead. Each is built here
// and asserted by a test beside it (robust_seq_test.go,
// robust_export_test.go, robust_clock_test.go). To look at them with
// ftpscope or Wireshark:
//
//	FTPSCOPE_CRAFTED_DIR=/tmp/crafted go test -run TestWriteForgedCaptures ./dissect/

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// forgedCaptures names the generators, for TestWriteForgedCaptures.
var forgedCaptures = map[string]func() []byte{
	"seq-jump":         seqJumpCapture,
	"capture-loss":     func() []byte { b, _ := lossyDownloadCapture(); return b },
	"export-big-hole":  func() []byte { return holeyDownloadCapture(bigHoleContent(), bigHoleFrom, bigHoleFrom+5<<20) },
	"export-one-lost":  func() []byte { return holeyDownloadCapture(smallHoleContent(), 5000, 5001) },
	"future-timestamp": func() []byte { b, _ := futureTimestampCapture(); return b },
}

func TestWriteForgedCaptures(t *testing.T) {
	dir := os.Getenv("FTPSCOPE_CRAFTED_DIR")
	if dir == "" {
		t.Skip("FTPSCOPE_CRAFTED_DIR not set")
	}
	for name, gen := range forgedCaptures {
		if err := os.WriteFile(filepath.Join(dir, name+".pcap"), gen(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// seqJumpCapture is a passive download of 12 announced bytes whose four
// 3-byte data segments jump by 2 GiB less 1.4 MiB each: read naively, the
// connection carries 6 GB.
func seqJumpCapture() []byte {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
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
	k := c.Login("192.168.1.10:40000", 100)
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

// bigHoleFrom is where the capture loses 5 MiB of bigHoleContent.
const bigHoleFrom = 512 << 10

// bigHoleContent is a 6 MiB file whose bytes differ from their neighbours'.
func bigHoleContent() []byte {
	content := make([]byte, 6<<20)
	for i := range content {
		content[i] = byte(i*7 + i>>11)
	}
	return content
}

// smallHoleContent is a 16,000-byte text.
func smallHoleContent() []byte { return []byte(strings.Repeat("0123456789abcdef", 1000)) }

// holeyDownloadCapture is a passive download of size bytes (content) of
// which the capture lost the segments that overlap [holeFrom, holeTo), and
// the bytes kept before the first hole.
func holeyDownloadCapture(content []byte, holeFrom, holeTo int) []byte {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR file.bin")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 1000)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for file.bin ("+itoa(len(content))+" bytes).")
	const mss = 1448
	for off := 0; off < len(content); off += mss {
		end := min(off+mss, len(content))
		if end <= holeFrom || off >= holeTo {
			d.Packet(false, 1001+uint32(off), 6, pcaptest.Flags{ACK: true}, content[off:end])
		}
	}
	d.Packet(false, 1001+uint32(len(content)), 6, pcaptest.Flags{FIN: true, ACK: true}, nil)
	d.Packet(true, 6, 1002+uint32(len(content)), pcaptest.Flags{FIN: true, ACK: true}, nil)
	k.Line(false, "226 Transfer complete.")
	k.Close()
	return c.Bytes()
}

// futureTimestampContent is the file of futureTimestampCapture.
var futureTimestampContent = []byte(strings.Repeat("0123456789", 400))

// futureTimestampCapture is a passive download during which an unrelated
// SYN dated a year ahead crosses the capture, then 20 s of another host's
// traffic; it returns the capture and its packet count.
func futureTimestampCapture() ([]byte, int) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR f")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 1000)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (4000 bytes).")
	d.Send(false, futureTimestampContent[:2000], 1000)
	now := c.Now
	c.Now = now.Add(365 * 24 * time.Hour)
	c.Conn("198.51.100.7:4444", "203.0.113.99:80", 77, 0).Packet(true, 77, 0, pcaptest.Flags{SYN: true}, nil)
	c.Now = now.Add(time.Millisecond)
	d.Send(false, futureTimestampContent[2000:], 1000)
	d.Close()
	k.Line(false, "226 Transfer complete.")
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	other := c.Conn("198.51.100.8:5555", "203.0.113.98:443", 1, 1)
	other.Open()
	for i := 0; i < 40; i++ {
		c.Now = c.Now.Add(500 * time.Millisecond)
		other.Send(true, []byte("x"), 100)
	}
	return c.Bytes(), c.Packets
}
