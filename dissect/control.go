package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
)

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

// halfStream is the reassembly bookkeeping of one direction. Its fields
// are ordered to pack: every session has two.
type halfStream struct {
	records []segRecord
	queue   *tcpseq.ReorderQueue // out-of-order segments, once there were any
	hist    *tcpseq.History      // the latest bytes delivered, to compare retransmissions with
	pos     uint32               // sequence number of the next byte to be delivered
	// ack is the last acknowledgement this direction sent for the other.
	ack uint32
	// a FIN or RST beyond delivery ends the direction once delivery gets
	// there
	finAt, rstAt uint32
	// line placement, for the ALG prediction
	lineStart           uint32 // sequence number of the current line's first byte
	lastRecSeq          uint32 // record in which the previous line started
	lineInRec           int    // lines that started before in that record
	started, ackValid   bool
	finPending, rstSeen bool
	lastRecSeen         bool
}

// controlStream orders the segments of an FTP control connection and
// delivers each direction's bytes in sequence to the session.
//
// Segments that arrive in order — almost all of them — are delivered as
// they come. Others wait in a small queue of their direction until the
// bytes before them come; the hole before the queue is skipped as a capture
// gap when the receiver acknowledged beyond it (the capture lost those
// bytes), when the queue reaches its bound, or after reorderWait. All of it
// is per connection: one connection's gap never touches another's queue.
type controlStream struct {
	a    *Analyzer
	c    *conn
	sess *session
	half [2]halfStream
	// firstRecords start the halves' records: lines are mostly consumed
	// within a segment or two, and each half grew its own otherwise.
	firstRecords [2][2]segRecord
	done         bool
	ended        [2]bool // FIN delivered, by direction
	// listed: in Analyzer.reordering, for the reorderWait timeout
	listed bool
}

// segment takes one control segment of direction dir.
func (st *controlStream) segment(dir int, s *decode.Segment, frame uint64, ts time.Time) {
	h := &st.half[dir]
	seq := s.Seq
	if s.SYN {
		seq++ // the SYN takes one sequence number; any payload follows it
	}
	if !h.started {
		// at the SYN, or captured without it (mid-session): delivery starts here
		h.started, h.pos, h.lineStart = true, seq, seq
	}
	if s.HasACK {
		h.ack, h.ackValid = s.Ack, true
	}
	data, cut := s.Payload, max(s.PayloadLen-len(s.Payload), 0)
	end := seq + uint32(len(data)+cut)
	if s.FIN && !h.finPending && !st.ended[dir] {
		h.finAt, h.finPending = end, true
	}
	if s.RST && !h.rstSeen {
		h.rstAt, h.rstSeen = seq, true
	}
	if len(data)+cut > 0 {
		st.arrive(dir, seq, data, cut, frame, ts)
	}
	st.checkEnd(dir)
	// The other direction may have acknowledged the hole before this
	// segment's queue already; this segment's acknowledgement may confirm
	// the other direction's.
	st.confirmBoth()
}

// ackOnly takes the acknowledgement of a segment without payload, SYN, FIN
// or RST: it can only confirm a hole in the other direction.
func (st *controlStream) ackOnly(dir int, ack uint32) {
	h := &st.half[dir]
	h.ack, h.ackValid = ack, true
	st.confirmBoth()
}

// arrive places payload [seq, seq+len(data)) and cut bytes after it:
// delivered at once when it continues delivery and nothing waits, else
// merged into the queue, bytes seen first winning where copies overlap.
func (st *controlStream) arrive(dir int, seq uint32, data []byte, cut int, frame uint64, ts time.Time) {
	h := &st.half[dir]
	if behind := int(int32(h.pos - seq)); behind > 0 {
		// a retransmission, wholly or partly delivered already; a keepalive
		// probe repeats (or invents) the byte before the delivery point
		if again := data[:min(behind, len(data))]; len(again) > 0 && !(behind == 1 && len(data) == 1) {
			st.compareDelivered(dir, seq, again, frame, ts)
		}
		if behind >= len(data)+cut {
			return
		}
		if behind >= len(data) {
			cut -= behind - len(data)
			data = nil
		} else {
			data = data[behind:]
		}
		seq = h.pos
	}
	if seq == h.pos && h.queue.Empty() {
		st.deliverPiece(dir, data, cut, frame, ts)
		return
	}
	// Cut the arrival around the queued segments: the holes between them
	// take its bytes, the queued bytes (seen first) stay.
	var pieces [tcpseq.MaxQueuedSegments + 1]piece
	n := 0
	span := len(data) + cut
	lo := 0
	compared := false
	var queued []tcpseq.QueuedSegment
	if h.queue != nil {
		queued = h.queue.Segments()
	}
	for i := range queued {
		q := &queued[i]
		qlo, qhi := int(int32(q.Seq-seq)), int(int32(q.End()-seq))
		if qhi <= lo {
			continue
		}
		if qlo >= span {
			break
		}
		// the captured bytes both copies have
		if olo, ohi := max(lo, qlo), min(len(data), qlo+q.N); olo < ohi && !compared {
			qb := h.queue.Bytes(i)
			compared = st.compareQueued(dir, q, qb[olo-qlo:ohi-qlo], data[olo:ohi], frame, ts)
		}
		if qlo > lo {
			pieces[n] = piece{lo, qlo}
			n++
		}
		lo = max(lo, qhi)
		if lo >= span {
			break
		}
	}
	if lo < span {
		pieces[n] = piece{lo, span}
		n++
	}
	for _, p := range pieces[:n] {
		pd := data[min(p.lo, len(data)):min(p.hi, len(data))]
		st.place(dir, seq+uint32(p.lo), pd, p.hi-p.lo-len(pd), frame, ts)
		if st.done {
			return
		}
	}
}

// piece is a byte range [lo, hi) of an arriving segment that no queued
// segment covers.
type piece struct{ lo, hi int }

// place delivers or queues a piece that overlaps no queued segment.
func (st *controlStream) place(dir int, seq uint32, data []byte, cut int, frame uint64, ts time.Time) {
	h := &st.half[dir]
	if int32(seq-h.pos) < 0 {
		return // delivery went past it meanwhile (a skipped hole)
	}
	for seq != h.pos {
		if h.queue == nil {
			h.queue = new(tcpseq.ReorderQueue)
		}
		q := h.queue
		if !q.Full(len(data)) {
			q.Insert(tcpseq.QueuedSegment{Seq: seq, N: len(data), Cut: cut, Frame: frame, TS: ts}, data)
			st.listReordering()
			return
		}
		// No room: give up on the hole before the queue, or before this
		// piece when it comes first.
		if q.Empty() || int32(seq-q.Segments()[0].Seq) < 0 {
			st.skip(dir, seq)
			break
		}
		st.skip(dir, q.Segments()[0].Seq)
		st.drain(dir)
		if st.done || int32(seq-h.pos) < 0 {
			return
		}
	}
	st.deliverPiece(dir, data, cut, frame, ts)
	st.drain(dir)
}

// deliverPiece delivers bytes at the delivery point, then skips the bytes
// the capture cut off after them.
func (st *controlStream) deliverPiece(dir int, data []byte, cut int, frame uint64, ts time.Time) {
	h := &st.half[dir]
	if len(data) > 0 {
		h.record(segRecord{seq: h.pos, n: len(data), frame: frame, ts: ts})
		h.keep(h.pos, data, frame)
		st.deliver(dir, data, 0)
	}
	if cut > 0 {
		st.cutOff(dir, cut, frame, ts)
	}
}

// cutOff skips n bytes at the delivery point that the snapshot length cut
// off the packet captured at frame.
func (st *controlStream) cutOff(dir, n int, frame uint64, ts time.Time) {
	h := &st.half[dir]
	h.forget()
	st.sess.cut(dir, n, frame, ts)
	h.pos += uint32(n)
	h.lineStart = h.pos
	h.prune()
}

// drain delivers the queued segments that delivery has reached.
func (st *controlStream) drain(dir int) {
	h := &st.half[dir]
	for !h.queue.Empty() && h.queue.Segments()[0].Seq == h.pos && !st.done {
		q := h.queue.Segments()[0]
		st.deliverPiece(dir, h.queue.Bytes(0), q.Cut, q.Frame, q.TS)
		h.queue.PopFront()
	}
	st.checkEnd(dir)
}

// skip gives up on the bytes from the delivery point to seq: the capture
// does not have them.
func (st *controlStream) skip(dir int, seq uint32) {
	if n := int(int32(seq - st.half[dir].pos)); n > 0 {
		st.deliver(dir, nil, n)
	}
}

// confirmBoth skips the acknowledged holes of both directions, the
// direction whose queued bytes were captured first first, so that the
// dialog keeps the capture's order around the holes.
func (st *controlStream) confirmBoth() {
	q0, q1 := st.half[0].queue, st.half[1].queue
	switch {
	case q0.Empty() && q1.Empty():
	case q0.Empty():
		st.confirm(1)
	case q1.Empty():
		st.confirm(0)
	case q1.Segments()[0].Frame < q0.Segments()[0].Frame:
		st.confirm(1)
		st.confirm(0)
	default:
		st.confirm(0)
		st.confirm(1)
	}
}

// confirm skips the hole before dir's queue as far as the other direction
// acknowledged it: the receiver has those bytes, the capture never will.
func (st *controlStream) confirm(dir int) {
	h, peer := &st.half[dir], &st.half[1-dir]
	for !h.queue.Empty() && peer.ackValid && int32(peer.ack-h.pos) > 0 && !st.done {
		to := h.queue.Segments()[0].Seq
		if int32(peer.ack-to) < 0 {
			to = peer.ack
		}
		st.skip(dir, to)
		st.drain(dir)
	}
}

// flush delivers everything dir has queued, skipping the holes between.
func (st *controlStream) flush(dir int) {
	h := &st.half[dir]
	for !h.queue.Empty() && !st.done {
		st.skip(dir, h.queue.Segments()[0].Seq)
		st.drain(dir)
	}
}

// expire flushes the queues that waited reorderWait for a hole to fill,
// and reports whether anything is still queued.
func (st *controlStream) expire(before time.Time) bool {
	for d := range st.half {
		if q := st.half[d].queue; !q.Empty() && !q.Oldest().After(before) {
			st.flush(d)
		}
	}
	return !st.done && !(st.half[0].queue.Empty() && st.half[1].queue.Empty())
}

// checkEnd ends a direction whose FIN delivery reached, and the stream at
// a RST or when both directions ended.
func (st *controlStream) checkEnd(dir int) {
	h := &st.half[dir]
	if st.done {
		return
	}
	if h.rstSeen && int32(h.pos-h.rstAt) >= 0 {
		st.end()
		return
	}
	if h.finPending && int32(h.pos-h.finAt) >= 0 {
		h.finPending = false
		if h.pos == h.finAt {
			h.pos++ // the FIN takes a sequence number: a RST after it is in order
		}
		st.ended[dir] = true
		if st.ended[1-dir] {
			st.end()
		}
	}
}

// end delivers what is still queued, as after a gap, and concludes the
// stream: the connection ended.
func (st *controlStream) end() {
	if st.done {
		return
	}
	st.done = true
	for d := range st.half {
		h := &st.half[d]
		for !h.queue.Empty() {
			q := h.queue.Segments()[0]
			st.skip(d, q.Seq)
			st.deliverPiece(d, h.queue.Bytes(0), q.Cut, q.Frame, q.TS)
			h.queue.PopFront()
		}
		h.queue = nil
		h.releaseHistory()
	}
	st.sess.streamEnded()
}

// listReordering puts the stream on the analyzer's list of those with
// queued segments, for the reorderWait timeout.
func (st *controlStream) listReordering() {
	if !st.listed {
		st.listed = true
		st.a.reordering = append(st.a.reordering, st)
	}
}

// record remembers a segment, dropping the oldest beyond maxSegRecords.
func (h *halfStream) record(r segRecord) {
	if len(h.records) == maxSegRecords {
		copy(h.records, h.records[1:])
		h.records = h.records[:maxSegRecords-1]
	}
	h.records = append(h.records, r)
}

// deliver hands in-order bytes of one direction to the session, after skip
// bytes the capture lost.
func (st *controlStream) deliver(dir int, data []byte, skip int) {
	h := &st.half[dir]
	if skip > 0 {
		h.forget()
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
