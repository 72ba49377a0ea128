package dissect

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

// segCtx is the reassembly.AssemblerContext passed with each control
// segment. The assembler keeps it with out-of-order pages but only reads
// their capture time, which it also stores itself, so one context is reused
// for every packet and the frame of each byte is found through segRecords.
type segCtx struct {
	ci    gopacket.CaptureInfo
	frame uint64
	c     *conn
	dir   int
}

func (x *segCtx) GetCaptureInfo() gopacket.CaptureInfo { return x.ci }

// segRecord remembers where one control segment's payload lies in sequence
// space, so a line can be traced back to the frame that carried it.
type segRecord struct {
	seq   uint32
	n     int
	frame uint64
	ts    time.Time
}

// maxSegRecords bounds the records kept per direction; only segments not
// yet consumed by the line splitter need one.
const maxSegRecords = 128

// halfStream is the reassembly bookkeeping of one direction.
type halfStream struct {
	pos     uint32 // sequence number of the next byte to be delivered
	maxEnd  uint32 // end of the highest segment accepted
	started bool
	// ack is the last acknowledgement this direction sent for the other.
	ack      uint32
	ackValid bool
	records  []segRecord
	// line placement, for the ALG prediction
	lineStart   uint32 // sequence number of the current line's first byte
	lastRecSeq  uint32 // record in which the previous line started
	lineInRec   int    // lines that started before in that record
	lastRecSeen bool
}

// controlStream is the reassembly.Stream of an FTP control connection.
//
// Segments that arrive in order — almost all of them — are delivered as
// they come; the first one out of order (a gap, reordering) hands the
// connection to gopacket's reassembler for good, primed where delivery
// stood.
type controlStream struct {
	a         *Analyzer
	c         *conn
	sess      *session
	dirOfAsm  [2]int // our direction for reassembly's client-to-server and server-to-client
	half      [2]halfStream
	done      bool
	assembled bool    // the reassembler orders the segments
	ended     [2]bool // FIN seen in order, by direction
}

// inOrder delivers a segment that continues its direction where delivery
// stands (or repeats bytes already delivered), and reports whether it
// could; a segment beyond it, or one the capture cut short (snapshot
// length), needs the reassembler.
func (st *controlStream) inOrder(dir int, s *segment) bool {
	h := &st.half[dir]
	if s.syn {
		if !h.started {
			h.started, h.pos = true, s.seq+1
			h.lineStart = h.pos
		}
		return len(s.payload) == 0
	}
	if !h.started {
		h.started, h.pos = true, s.seq
		h.lineStart = h.pos
	}
	if s.hasAck {
		h.ack, h.ackValid = s.ack, true
	}
	data := s.payload
	if ahead := int32(s.seq - h.pos); ahead > 0 || s.payloadLen > len(s.payload) {
		return false
	} else if ahead < 0 {
		// a retransmission, wholly or partly delivered already
		if int(-ahead) >= len(data) {
			data = nil
		} else {
			data = data[-ahead:]
		}
	}
	if len(data) > 0 {
		x := &st.a.ctx
		h.record(segRecord{seq: h.pos, n: len(data), frame: x.frame, ts: x.ci.Timestamp})
		st.deliver(dir, data, 0)
	}
	if s.fin || s.rst {
		st.ended[dir] = true
		if s.rst || st.ended[1-dir] {
			st.sess.streamEnded()
		}
	}
	return true
}

// controlFactory creates a controlStream for the connection named by the
// context of the packet that opens it.
type controlFactory struct{ a *Analyzer }

func (f controlFactory) New(_, _ gopacket.Flow, _ *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	x := ac.(*segCtx)
	st := x.c.ctl
	// reassembly calls the half of the first packet it sees client-to-server.
	st.dirOfAsm = [2]int{x.dir, 1 - x.dir}
	return st
}

func asmIndex(d reassembly.TCPFlowDirection) int {
	if d == reassembly.TCPDirClientToServer {
		return 0
	}
	return 1
}

// Accept implements reassembly.Stream. It starts a half that was captured
// without its SYN (mid-session captures) and records where the segment's
// payload lies.
func (st *controlStream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	x := ac.(*segCtx)
	h := &st.half[x.dir]
	if nextSeq < 0 {
		// The reassembler meets this direction for the first time: at its
		// SYN, at the priming segment that says where delivery stands, or
		// mid-stream.
		if !tcp.SYN {
			*start = true
		}
		if !h.started {
			h.started = true
			h.pos = tcp.Seq
			if tcp.SYN {
				h.pos++
			}
			h.lineStart = h.pos
		}
	}
	if tcp.ACK {
		h.ack, h.ackValid = tcp.Ack, true
	}
	if n := len(tcp.Payload); n > 0 {
		if end := tcp.Seq + uint32(n); int32(end-h.maxEnd) > 0 || h.maxEnd == 0 {
			h.maxEnd = end
		}
		h.record(segRecord{seq: tcp.Seq, n: n, frame: x.frame, ts: ci.Timestamp})
	}
	return true
}

// record remembers a segment, dropping the oldest beyond maxSegRecords.
func (h *halfStream) record(r segRecord) {
	if len(h.records) == maxSegRecords {
		copy(h.records, h.records[1:])
		h.records = h.records[:maxSegRecords-1]
	}
	h.records = append(h.records, r)
}

// ReassembledSG implements reassembly.Stream: in-order control bytes.
func (st *controlStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	if st.done {
		return
	}
	adir, _, _, skip := sg.Info()
	n, _ := sg.Lengths()
	var data []byte
	if n > 0 {
		data = sg.Fetch(n)
	}
	st.deliver(st.dirOfAsm[asmIndex(adir)], data, skip)
}

// deliver hands in-order bytes of one direction to the session, after skip
// bytes the capture lost.
func (st *controlStream) deliver(dir int, data []byte, skip int) {
	h := &st.half[dir]
	if skip > 0 {
		h.pos += uint32(skip)
		h.lineStart = h.pos
		st.sess.gap(dir, int64(skip), st.locate(dir, h.pos))
	}
	if len(data) == 0 {
		return
	}
	base := h.pos
	st.sess.feed(dir, data, base)
	h.pos = base + uint32(len(data))
	h.prune()
}

// ReassemblyComplete implements reassembly.Stream.
func (st *controlStream) ReassemblyComplete(reassembly.AssemblerContext) bool {
	if !st.done {
		st.sess.streamEnded()
	}
	return true
}

// confirmedGap reports whether a direction holds data behind a hole that
// the receiver has acknowledged: the capture lost those bytes, they will
// never come, and waiting for them would only let the other direction run
// ahead (and the reply pairing with it).
func (st *controlStream) confirmedGap() bool {
	for d := range st.half {
		h, peer := &st.half[d], &st.half[1-d]
		if h.started && int32(h.maxEnd-h.pos) > 0 && peer.ackValid && int32(peer.ack-h.pos) > 0 {
			return true
		}
	}
	return false
}

// locate returns the record that carried the byte at seq, if still known.
func (st *controlStream) locate(dir int, seq uint32) *segRecord {
	rs := st.half[dir].records
	for i := range rs {
		if int32(seq-rs[i].seq) >= 0 && int32(seq-rs[i].seq) < int32(rs[i].n) {
			return &rs[i]
		}
	}
	return nil
}

// prune drops records wholly before the line being read: those of its
// first bytes are still needed to place it.
func (h *halfStream) prune() {
	i := 0
	for i < len(h.records) && int32(h.records[i].seq+uint32(h.records[i].n)-h.lineStart) <= 0 {
		i++
	}
	if i > 0 {
		n := copy(h.records, h.records[i:])
		h.records = h.records[:n]
	}
}
