package ftps

import (
	"bytes"
	"crypto/tls"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// The passive data connection of pcaptest's sessions: from the client's
// port 40001 to the server's 30000; direction 0 is the FTP client's.
const dataPort = 30000

// dataFeed feeds segments to a Data the way dissect does, with each
// direction's span anchored at its SYN.
type dataFeed struct {
	d    *Data
	span [2]tcpseq.Span
}

func newDataFeed(d *Data, conn *tcpConn) *dataFeed {
	f := &dataFeed{d: d}
	for dir := range f.span {
		f.span[dir].SetSYN(conn.syn[dir])
	}
	return f
}

func (f *dataFeed) segment(s segment) bool {
	return f.d.Segment(s.dir, &decode.Segment{Seq: s.seq, Payload: s.payload, PayloadLen: len(s.payload)}, &f.span[s.dir])
}

// serverPairs returns the indexes i of segs where segs[i] and segs[i+1] are
// both the server's, non-overlapping pairs.
func serverPairs(segs []segment) []int {
	var pairs []int
	for i := 0; i+1 < len(segs); i++ {
		if segs[i].dir == 1 && segs[i+1].dir == 1 {
			pairs = append(pairs, i)
			i++
		}
	}
	return pairs
}

// TestDataInOrder: a PROT P data connection fed in order, after its
// control connection through the same Keys (as in a run: a TLS 1.2 data
// connection resumes its session, whose key Go logs only once), gives the
// file at contiguous offsets of the server's direction.
func TestDataInOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     uint16
		version string
	}{
		{"tls13", 0, "TLS 1.3"},
		{"tls12", tls.VersionTLS12, "TLS 1.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true, MaxVersion: tc.max})
			conns := connections(t, f.Pcap)
			conn := only(t, conns, dataPort)
			keys := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false)
			feedControl(keys.NewControl(&fakeControl{now: time.Unix(1000, 0)}), only(t, conns, 990), false)
			h := &fakeData{}
			d := keys.NewData(h)
			feed := newDataFeed(d, conn)
			for _, s := range conn.segs {
				if !feed.segment(s) {
					t.Fatalf("frame %d: PROT P taken for cleartext", s.frame)
				}
			}
			if !bytes.Equal(h.got[1], pcaptest.FTPSFile) || len(h.got[0]) != 0 {
				t.Fatalf("plaintext %d bytes from the server, %d from the client; want the %d of the file", len(h.got[1]), len(h.got[0]), len(pcaptest.FTPSFile))
			}
			if len(h.bad) != 0 || h.lost != 0 {
				t.Errorf("offsets %q, lost %d", h.bad, h.lost)
			}
			if len(h.offs[1]) < 2 {
				t.Errorf("the file came in %d pieces: want several records", len(h.offs[1]))
			}
			if why := d.End(); why != "" {
				t.Errorf("End %q", why)
			}
			if st := d.Status(); !st.Decrypted || st.Reason != "" || st.Version != tc.version {
				t.Errorf("status %+v", st)
			}
			if n := d.FileBytes(); n != int64(len(pcaptest.FTPSFile)) {
				t.Errorf("FileBytes %d, want %d", n, len(pcaptest.FTPSFile))
			}
		})
	}
}

// TestDataReordered: server segments swapped in pairs, with
// retransmissions (whole, and overlapping the bytes delivered), still give
// the file in order, at contiguous offsets, with nothing lost.
func TestDataReordered(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	conn := only(t, connections(t, f.Pcap), dataPort)
	segs := append([]segment(nil), conn.segs...)
	pairs := serverPairs(segs)
	if len(pairs) < 10 {
		t.Fatalf("%d pairs of server segments", len(pairs))
	}
	for _, i := range pairs {
		segs[i], segs[i+1] = segs[i+1], segs[i]
	}
	// a late retransmission of a delivered segment, and one that overlaps
	// delivered bytes and brings new ones
	var retrans []segment
	for i, s := range segs {
		retrans = append(retrans, s)
		if i == pairs[3]+1 {
			retrans = append(retrans, segs[pairs[2]])
		}
	}
	segs = retrans
	h := &fakeData{}
	d := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewData(h)
	feed := newDataFeed(d, conn)
	overlapped := false
	for i, s := range segs {
		if !overlapped && s.dir == 1 && i > pairs[5]+1 {
			// the tail of the bytes just delivered and the next segment's
			next := segs[i]
			prev := conn.segs[indexOf(conn.segs, next.frame)-1]
			if prev.dir == 1 && prev.seq+uint32(len(prev.payload)) == next.seq {
				tail := prev.payload[len(prev.payload)-7:]
				s = segment{frame: next.frame, dir: 1, seq: next.seq - 7, payload: append(append([]byte(nil), tail...), next.payload...)}
				overlapped = true
			}
		}
		feed.segment(s)
	}
	if !overlapped {
		t.Fatal("no overlapping retransmission made")
	}
	if !bytes.Equal(h.got[1], pcaptest.FTPSFile) {
		t.Fatalf("plaintext %d bytes, want the %d of the file", len(h.got[1]), len(pcaptest.FTPSFile))
	}
	if len(h.bad) != 0 || h.lost != 0 {
		t.Errorf("offsets %q, lost %d", h.bad, h.lost)
	}
	if why := d.End(); why != "" || d.FileBytes() != int64(len(pcaptest.FTPSFile)) {
		t.Errorf("End %q, FileBytes %d", why, d.FileBytes())
	}
}

func indexOf(segs []segment, frame uint64) int {
	for i, s := range segs {
		if s.frame == frame {
			return i
		}
	}
	return -1
}

// TestDataGap: a server segment missing from the capture: what precedes
// it is delivered, what follows waits in the queue; at the end the host
// hears once that decryption stopped, and the file's size is unknown.
// End gives no reason: the connection was decrypted, in part (the status
// says why not whole).
func TestDataGap(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	conn := only(t, connections(t, f.Pcap), dataPort)
	pairs := serverPairs(conn.segs)
	drop := pairs[len(pairs)/2]
	h := &fakeData{}
	d := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewData(h)
	feed := newDataFeed(d, conn)
	for i, s := range conn.segs {
		if i != drop {
			feed.segment(s)
		}
	}
	if h.lost != 0 {
		t.Errorf("Lost %d times before the end: the hole could still fill", h.lost)
	}
	if len(h.got[1]) == 0 || len(h.got[1]) >= len(pcaptest.FTPSFile) || !bytes.HasPrefix(pcaptest.FTPSFile, h.got[1]) {
		t.Errorf("plaintext %d bytes: want a strict prefix of the %d of the file", len(h.got[1]), len(pcaptest.FTPSFile))
	}
	if len(h.bad) != 0 {
		t.Errorf("offsets %q", h.bad)
	}
	if why := d.End(); why != "" {
		t.Errorf("End %q for a connection decrypted in part", why)
	}
	if h.lost != 1 {
		t.Errorf("Lost %d times, want once", h.lost)
	}
	d.End()
	if h.lost != 1 {
		t.Errorf("Lost %d times after a second End, want once", h.lost)
	}
	if n := d.FileBytes(); n != -1 {
		t.Errorf("FileBytes %d after a gap, want -1", n)
	}
	if st := d.Status(); st.Reason != "a capture gap in the data connection" {
		t.Errorf("status %+v", st)
	}
}

// TestDataResumesControlSession: a TLS 1.2 data connection resuming the
// control connection's session decrypts with the control connection's key
// log line alone, once that control connection was decrypted through the
// same Keys (the session cache), and not otherwise.
func TestDataResumesControlSession(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{MaxVersion: tls.VersionTLS12, Implicit: true})
	conns := connections(t, f.Pcap)
	ctl, data := only(t, conns, 990), only(t, conns, dataPort)
	for _, withControl := range []bool{true, false} {
		keys := NewKeys(pcaptest.KeyLog(t, f.ControlKeyLog), false)
		if withControl {
			c := keys.NewControl(&fakeControl{now: time.Unix(1000, 0), segs: ctl.segs})
			feedControl(c, ctl, false)
			if !c.Status().Decrypted {
				t.Fatalf("control %+v", c.Status())
			}
		}
		h := &fakeData{}
		d := keys.NewData(h)
		feed := newDataFeed(d, data)
		for _, s := range data.segs {
			feed.segment(s)
		}
		why := d.End()
		if withControl && (why != "" || !bytes.Equal(h.got[1], pcaptest.FTPSFile)) {
			t.Errorf("after the control connection: End %q, %d bytes", why, len(h.got[1]))
		}
		if !withControl && (why == "" || len(h.got[1]) != 0 || d.FileBytes() != -1) {
			t.Errorf("without the control connection's session: End %q, %d bytes", why, len(h.got[1]))
		}
	}
}

// TestDataProtC: a data connection whose first bytes are no TLS record is
// given back as cleartext, and nothing is decrypted.
func TestDataProtC(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{ProtC: true})
	conn := only(t, connections(t, f.Pcap), dataPort)
	h := &fakeData{}
	d := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewData(h)
	feed := newDataFeed(d, conn)
	if feed.segment(conn.segs[0]) {
		t.Fatalf("cleartext %q taken for TLS", conn.segs[0].payload[:min(16, len(conn.segs[0].payload))])
	}
	if len(h.got[0])+len(h.got[1]) != 0 || h.lost != 0 {
		t.Errorf("plaintext %d bytes, lost %d", len(h.got[0])+len(h.got[1]), h.lost)
	}
}

// TestDataCutSegment: a segment cut by the snapshot length ends the
// decryption at once.
func TestDataCutSegment(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	conn := only(t, connections(t, f.Pcap), dataPort)
	h := &fakeData{}
	d := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewData(h)
	feed := newDataFeed(d, conn)
	cut := serverPairs(conn.segs)[2]
	for i, s := range conn.segs[:cut+1] {
		if i == cut {
			d.Segment(s.dir, &decode.Segment{Seq: s.seq, Payload: s.payload[:100], PayloadLen: len(s.payload)}, &feed.span[s.dir])
			continue
		}
		feed.segment(s)
	}
	if h.lost != 1 {
		t.Errorf("Lost %d times, want once", h.lost)
	}
	before := len(h.got[1])
	for _, s := range conn.segs[cut+1:] {
		feed.segment(s)
	}
	if len(h.got[1]) != before {
		t.Errorf("%d more bytes decrypted after the cut segment", len(h.got[1])-before)
	}
	d.End()
	if st := d.Status(); st.Reason != "a segment cut by the snapshot length" || d.FileBytes() != -1 {
		t.Errorf("status %+v, FileBytes %d", st, d.FileBytes())
	}
	if h.lost != 1 {
		t.Errorf("Lost %d times in all, want once", h.lost)
	}
}

// TestDataQueueBound: early segments beyond the queue's bound of segments
// end the decryption as a gap would, without waiting for the end.
func TestDataQueueBound(t *testing.T) {
	h := &fakeData{}
	d := NewKeys(pcaptest.KeyLog(t, nil), false).NewData(h)
	var span [2]tcpseq.Span
	span[0].SetSYN(0)
	span[1].SetSYN(0)
	// a handshake record opening with a ClientHello (type 1) from direction 0
	hello := []byte{22, 3, 1, 0, 4, 1, 0, 0, 0}
	if !d.Segment(0, &decode.Segment{Seq: 1, Payload: hello, PayloadLen: len(hello)}, &span[0]) {
		t.Fatal("a ClientHello record taken for cleartext")
	}
	// tiny server segments, each ahead of the bytes delivered (the first,
	// at sequence number 1, never comes)
	for i := 0; i < maxDataSegments; i++ {
		d.Segment(1, &decode.Segment{Seq: uint32(10 + 2*i), Payload: []byte{0}, PayloadLen: 1}, &span[1])
	}
	if h.lost != 0 {
		t.Fatalf("Lost with %d segments queued, the bound", maxDataSegments)
	}
	d.Segment(1, &decode.Segment{Seq: uint32(10 + 2*maxDataSegments), Payload: []byte{0}, PayloadLen: 1}, &span[1])
	if h.lost != 1 {
		t.Fatalf("Lost %d times past the bound, want once", h.lost)
	}
	if st := d.Status(); st.Reason != "a capture gap in the data connection" {
		t.Errorf("status %+v", st)
	}
	if d.queued != 0 || len(d.queue[1]) != 0 {
		t.Errorf("%d bytes, %d segments still queued after the loss", d.queued, len(d.queue[1]))
	}
}
