package dissect

import (
	"bytes"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// FuzzControlSegments sends arbitrary slices of two fixed control streams
// — out of order, repeated, altered, cut, with arbitrary acknowledgements,
// FIN and RST — and checks that delivery never goes backwards and the
// queues keep their bounds.
func FuzzControlSegments(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 1, 10, 10, 0, 0, 20, 30, 0, 1, 0, 40, 2})
	f.Add([]byte{0, 40, 20, 0, 0, 0, 40, 0, 1, 30, 5, 4, 0, 0, 60, 8, 1, 0, 30, 16})
	f.Fuzz(func(t *testing.T, ops []byte) {
		streams := [2][]byte{
			[]byte("USER anonymous\r\nPASS x@y\r\nPORT 192,168,1,10,4,1\r\nAUTH TLS\r\n\x17\x03\x03\x00\x0aciphertextPASV\r\nQUIT\r\n"),
			[]byte("220 ready\r\n331 pass\r\n230-ok\r\n230 ok\r\n200 PORT ok\r\n234 go\r\n\x16\x03\x03\x00\x04abcd227 (1,2,3,4,5,6)\r\n221 bye\r\n"),
		}
		c := pcaptest.New()
		k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1000, 5000)
		k.Open()
		for len(ops) >= 4 {
			dir := int(ops[0] & 1)
			s := streams[dir]
			off := int(ops[1]) % (len(s) + 8)
			n := min(int(ops[2])%64, max(len(s)-off, 0))
			flags := ops[3]
			ops = ops[4:]
			payload := bytes.Clone(s[min(off, len(s)):][:n])
			if flags&1 != 0 && n > 0 {
				payload[0] ^= 0x20 // an altered copy
			}
			base := [2]uint32{1001, 5001}
			ack := base[1-dir] + uint32(flags>>4)*8
			c.Snaplen = 0
			if flags&2 != 0 {
				c.Snaplen = 54 + n/2
			}
			k.Packet(dir == 0, base[dir]+uint32(off), ack, pcaptest.Flags{ACK: flags&8 == 0, FIN: flags&4 != 0, RST: flags&0x0c == 0x0c}, payload)
		}
		src, err := capture.OpenReader("f", "f", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
		if err != nil {
			t.Fatal(err)
		}
		a := New(DefaultConfig(), []*capture.Info{src.Info()}, SinkFunc(func(*model.Session) {}))
		var last [2]uint32
		seen := false
		for {
			p, err := src.Next()
			if err != nil {
				break
			}
			a.Packet(&p)
			for s := range a.open {
				for d := range s.st.half {
					h := &s.st.half[d]
					if q := h.queue; q != nil && (len(q.Segments()) > tcpseq.MaxQueuedSegments || q.QueuedBytes() > tcpseq.MaxQueuedBytes) {
						t.Fatalf("queue beyond its bounds: %d segments, %d bytes", len(q.Segments()), q.QueuedBytes())
					}
					if seen && h.started && int32(h.pos-last[d]) < 0 && last[d] != 0 {
						t.Fatalf("delivery went back from %d to %d", last[d], h.pos)
					}
					if h.started {
						last[d] = h.pos
					}
				}
				seen = true
			}
		}
		a.Finish()
	})
}
