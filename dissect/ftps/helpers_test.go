package ftps

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The FTPS sessions of these tests are the ones dissect's FTPS tests use:
// pcaptest.FTPSCapture runs Go's crypto/tls client and server over
// loopback and writes the packets with the client's key log.

// segment is one TCP segment of a capture, as the tests feed it.
type segment struct {
	frame   uint64
	ts      time.Time
	dir     int // 0: from the connection's initiator (the FTP client on control)
	seq     uint32
	payload []byte
}

// tcpConn is one TCP connection of a capture: its segments with payload in
// capture order, and each direction's SYN sequence number.
type tcpConn struct {
	syn  [2]uint32
	segs []segment
}

// connections splits a capture into its TCP connections, keyed by the
// initiator's port and the responder's.
func connections(t *testing.T, pcap []byte) map[[2]uint16]*tcpConn {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	conns := map[[2]uint16]*tcpConn{}
	for frame := uint64(1); ; frame++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil {
			continue
		}
		src, dst := uint16(tcp.SrcPort), uint16(tcp.DstPort)
		c, dir := conns[[2]uint16{src, dst}], 0
		if c == nil {
			if c, dir = conns[[2]uint16{dst, src}], 1; c == nil {
				if !tcp.SYN || tcp.ACK {
					t.Fatalf("frame %d: a connection that opens without its SYN", frame)
				}
				c, dir = &tcpConn{}, 0
				conns[[2]uint16{src, dst}] = c
			}
		}
		if tcp.SYN {
			c.syn[dir] = tcp.Seq
		}
		if len(tcp.Payload) > 0 {
			c.segs = append(c.segs, segment{frame: frame, ts: ci.Timestamp, dir: dir, seq: tcp.Seq, payload: append([]byte(nil), tcp.Payload...)})
		}
	}
	return conns
}

// only returns the one connection whose responder listens on port.
func only(t *testing.T, conns map[[2]uint16]*tcpConn, port uint16) *tcpConn {
	t.Helper()
	var found *tcpConn
	for k, c := range conns {
		if k[1] == port {
			if found != nil {
				t.Fatalf("two connections to port %d", port)
			}
			found = c
		}
	}
	if found == nil {
		t.Fatalf("no connection to port %d in %v", port, conns)
	}
	return found
}

// lines is control lines as sent on the wire.
func lines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\r\n") + "\r\n"
}

// fakeControl is a ControlHost that knows where the segments of its
// connection were captured and records what it is handed.
type fakeControl struct {
	now    time.Time
	segs   []segment // those of the connection, to answer Place
	places int       // Place calls
	got    [2][]byte
	calls  []plainCall
}

type plainCall struct {
	dir      int
	n        int
	at       At
	readable bool
}

func (h *fakeControl) Now() time.Time { return h.now }

func (h *fakeControl) Place(dir int, seq uint32) (At, uint32, bool) {
	h.places++
	for _, s := range h.segs {
		if s.dir == dir && int32(seq-s.seq) >= 0 && int32(seq-s.seq) < int32(len(s.payload)) {
			return At{TS: s.ts, Frame: s.frame}, s.seq + uint32(len(s.payload)), true
		}
	}
	return At{TS: h.now}, 0, false
}

func (h *fakeControl) Plaintext(dir int, p []byte, at At, readable bool) {
	h.got[dir] = append(h.got[dir], p...)
	h.calls = append(h.calls, plainCall{dir: dir, n: len(p), at: at, readable: readable})
}

// fakeData is a DataHost that records the plaintext by offset and the
// losses.
type fakeData struct {
	got  [2][]byte
	offs [2][]int64 // the offsets handed, in order
	bad  []string   // offsets that did not follow the bytes before
	lost int
}

func (h *fakeData) Plaintext(dir int, off int64, p []byte) {
	if off != int64(len(h.got[dir])) {
		h.bad = append(h.bad, fmt.Sprintf("direction %d: offset %d after %d bytes", dir, off, len(h.got[dir])))
	}
	h.offs[dir] = append(h.offs[dir], off)
	h.got[dir] = append(h.got[dir], p...)
}

func (h *fakeData) Lost() { h.lost++ }
