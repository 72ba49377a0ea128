package tcpseq

import "sync"

// HistorySize is how many delivered bytes of each direction are kept to
// compare retransmissions with: a few lines, as retransmissions repeat the
// last unacknowledged segments. A power of two.
const HistorySize = 1024

// historyMarks is how many delivered segments the history remembers the
// frame of.
const historyMarks = 16

// historyPool holds the histories of sessions that ended, for new
// sessions: a capture of many short sessions would otherwise allocate two
// per session.
var historyPool sync.Pool // of *History

// History is the latest bytes delivered in one direction: those with
// sequence numbers [end-n, end), the byte at seq in ring[seq%HistorySize].
// A direction takes one when its first byte is delivered.
type History struct {
	ring  [HistorySize]byte
	marks [historyMarks]histMark // the latest segments delivered, a ring
	next  int                    // index of the next mark to write
	end   uint32
	n     int
}

// NewHistory returns an empty history, reused when one is free.
func NewHistory() *History {
	if h, ok := historyPool.Get().(*History); ok {
		h.marks, h.next, h.n = [historyMarks]histMark{}, 0, 0
		return h
	}
	return new(History)
}

// Release hands the history back for another direction; h is not used
// after.
func (h *History) Release() { historyPool.Put(h) }

// histMark says which frame carried delivered bytes [seq, seq+n).
type histMark struct {
	seq   uint32
	n     int
	frame uint64
}

// Add appends delivered bytes, which start at seq.
func (h *History) Add(seq uint32, data []byte, frame uint64) {
	if seq != h.end {
		h.n = 0
	}
	if len(data) > HistorySize {
		seq += uint32(len(data) - HistorySize)
		data = data[len(data)-HistorySize:]
	}
	i := int(seq & (HistorySize - 1))
	k := copy(h.ring[i:], data)
	copy(h.ring[:], data[k:])
	h.end = seq + uint32(len(data))
	h.n = min(h.n+len(data), HistorySize)
	h.marks[h.next] = histMark{seq: seq, n: len(data), frame: frame}
	h.next = (h.next + 1) % historyMarks
}

// Forget empties the history: the bytes after a gap do not continue it.
func (h *History) Forget() { h.n = 0 }

// Kept returns the part [from, to) of [seq, seq+n) that the history holds.
func (h *History) Kept(seq uint32, n int) (from, to uint32, ok bool) {
	from, to = seq, seq+uint32(n)
	if start := h.end - uint32(h.n); int32(from-start) < 0 {
		from = start
	}
	if int32(to-h.end) > 0 {
		to = h.end
	}
	return from, to, h.n > 0 && int32(to-from) > 0
}

// AppendBytes appends the kept bytes [from, to) to b.
func (h *History) AppendBytes(b []byte, from, to uint32) []byte {
	i, j := int(from&(HistorySize-1)), int(to&(HistorySize-1))
	if i < j || to == from {
		return append(b, h.ring[i:j]...)
	}
	return append(append(b, h.ring[i:]...), h.ring[:j]...)
}

// FrameOf returns the frame that delivered the byte at seq, or 0.
func (h *History) FrameOf(seq uint32) uint64 {
	for _, m := range h.marks {
		if m.n > 0 && int32(seq-m.seq) >= 0 && int32(seq-m.seq) < int32(m.n) {
			return m.frame
		}
	}
	return 0
}

// FirstDifference returns the index of the first byte that differs between
// a and b, of equal length, or -1.
func FirstDifference(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// QuoteWindow returns the part [lo, hi) of an overlap of n bytes to quote
// around its first difference d: the line that holds it, as far as the
// overlap goes, at most 64 bytes before the difference and 96 after.
func QuoteWindow(b []byte, d int) (lo, hi int) {
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
