package dissect

import (
	"sync"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// Retransmitted control bytes are compared with the copy seen first: the
// delivered bytes kept in a history of each direction, or the queued ones.
// The first copy is the one the analysis reads, as most TCP stacks (and
// Zeek) keep the bytes they received first; a later copy that differs is a
// retransmission-inconsistent finding — the classic way to show a monitor
// one command and the server another.

// historySize is how many delivered bytes of each direction are kept to
// compare retransmissions with: a few lines, as retransmissions repeat the
// last unacknowledged segments. A power of two.
const historySize = 1024

// historyMarks is how many delivered segments the history remembers the
// frame of.
const historyMarks = 16

// maxConflicts bounds the conflicting copies recorded per session.
const maxConflicts = 8

// historyPool holds the histories of sessions that ended, for new
// sessions: a capture of many short sessions would otherwise allocate two
// per session.
var historyPool sync.Pool // of *history

// history is the latest bytes delivered in one direction: those with
// sequence numbers [end-n, end), the byte at seq in ring[seq%historySize].
// A direction takes one when its first byte is delivered.
type history struct {
	ring  [historySize]byte
	marks [historyMarks]histMark // the latest segments delivered, a ring
	next  int                    // index of the next mark to write
	end   uint32
	n     int
}

// newHistory returns an empty history, reused when one is free.
func newHistory() *history {
	if h, ok := historyPool.Get().(*history); ok {
		h.marks, h.next, h.n = [historyMarks]histMark{}, 0, 0
		return h
	}
	return new(history)
}

// histMark says which frame carried delivered bytes [seq, seq+n).
type histMark struct {
	seq   uint32
	n     int
	frame uint64
}

// add appends delivered bytes, which start at seq.
func (h *history) add(seq uint32, data []byte, frame uint64) {
	if seq != h.end {
		h.n = 0
	}
	if len(data) > historySize {
		seq += uint32(len(data) - historySize)
		data = data[len(data)-historySize:]
	}
	i := int(seq & (historySize - 1))
	k := copy(h.ring[i:], data)
	copy(h.ring[:], data[k:])
	h.end = seq + uint32(len(data))
	h.n = min(h.n+len(data), historySize)
	h.marks[h.next] = histMark{seq: seq, n: len(data), frame: frame}
	h.next = (h.next + 1) % historyMarks
}

// keep adds delivered bytes to the direction's history.
func (h *halfStream) keep(seq uint32, data []byte, frame uint64) {
	if h.hist == nil {
		h.hist = newHistory()
	}
	h.hist.add(seq, data, frame)
}

// forget empties the history: the bytes after a gap do not continue it.
func (h *halfStream) forget() {
	if h.hist != nil {
		h.hist.n = 0
	}
}

// releaseHistory hands the history back for another session.
func (h *halfStream) releaseHistory() {
	if h.hist != nil {
		historyPool.Put(h.hist)
		h.hist = nil
	}
}

// kept returns the part [from, to) of [seq, seq+n) that the history holds.
func (h *history) kept(seq uint32, n int) (from, to uint32, ok bool) {
	from, to = seq, seq+uint32(n)
	if start := h.end - uint32(h.n); int32(from-start) < 0 {
		from = start
	}
	if int32(to-h.end) > 0 {
		to = h.end
	}
	return from, to, h.n > 0 && int32(to-from) > 0
}

// appendBytes appends the kept bytes [from, to) to b.
func (h *history) appendBytes(b []byte, from, to uint32) []byte {
	i, j := int(from&(historySize-1)), int(to&(historySize-1))
	if i < j || to == from {
		return append(b, h.ring[i:j]...)
	}
	return append(append(b, h.ring[i:]...), h.ring[:j]...)
}

// frameOf returns the frame that delivered the byte at seq, or 0.
func (h *history) frameOf(seq uint32) uint64 {
	for _, m := range h.marks {
		if m.n > 0 && int32(seq-m.seq) >= 0 && int32(seq-m.seq) < int32(m.n) {
			return m.frame
		}
	}
	return 0
}

// compareDelivered compares the bytes of an arriving segment that start at
// seq and lie before the delivery point with those delivered.
func (st *controlStream) compareDelivered(dir int, seq uint32, again []byte, frame uint64, ts time.Time) {
	h := st.half[dir].hist
	if h == nil {
		return
	}
	from, to, ok := h.kept(seq, len(again))
	if !ok {
		return
	}
	var buf [historySize]byte
	first := h.appendBytes(buf[:0], from, to)
	later := again[from-seq : to-seq]
	if d := firstDifference(first, later); d >= 0 {
		st.sess.conflict(dir, first, later, d, h.frameOf(from+uint32(d)), frame, ts)
	}
}

// compareQueued compares the overlap of an arriving segment with a queued
// one, both given from the same sequence number.
func (st *controlStream) compareQueued(dir int, queued *queuedSeg, first, later []byte, frame uint64, ts time.Time) bool {
	if d := firstDifference(first, later); d >= 0 {
		st.sess.conflict(dir, first, later, d, queued.frame, frame, ts)
		return true
	}
	return false
}

// firstDifference returns the index of the first byte that differs between
// a and b, of equal length, or -1.
func firstDifference(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// quoteWindow returns the part [lo, hi) of an overlap of n bytes to quote
// around its first difference d: the line that holds it, as far as the
// overlap goes, at most 64 bytes before the difference and 96 after.
func quoteWindow(b []byte, d int) (lo, hi int) {
	lo = max(0, d-64)
	for i := d - 1; i >= lo; i-- {
		if b[i] == '\n' {
			lo = i + 1
			break
		}
	}
	hi = min(len(b), d+96)
	for i := d; i < hi; i++ {
		if b[i] == '\n' {
			hi = i + 1
			break
		}
	}
	return lo, hi
}

// conflict records two copies of the same control bytes that differ at d:
// first, which the analysis read, and later.
func (s *session) conflict(dir int, first, later []byte, d int, firstFrame, laterFrame uint64, ts time.Time) {
	if len(s.conflicts) == 0 {
		s.note("retransmitted control bytes differ from the first copy (" + dirName(dir) + "): the first copy is analysed")
	}
	if len(s.conflicts) >= maxConflicts {
		return
	}
	lo, hi := quoteWindow(first, d)
	s.conflicts = append(s.conflicts, model.RetransmissionConflict{
		FromClient: dir == fromInitiator,
		Used:       string(first[lo:hi]), UsedFrame: firstFrame,
		Other: string(later[lo:hi]), OtherFrame: laterFrame,
		TS: model.At(ts),
	})
}
