package dissect

import (
	"slices"
	"time"
)

// Bounds of the reorder queue of one direction of a control connection.
// Control segments are short lines and honest reordering moves a segment
// or two, so a few dozen segments and a few KiB are plenty; at the bound
// the hole before the queue is skipped as a capture gap.
const (
	maxQueuedSegments = 32
	maxQueuedBytes    = 8 << 10
)

// queuedSeg is an out-of-order segment, or the part of one that no earlier
// copy covered, waiting for the bytes before it.
type queuedSeg struct {
	seq   uint32
	n     int // captured bytes, in reorderQueue.data
	cut   int // bytes after them that the snapshot length cut off
	frame uint64
	ts    time.Time
}

// end returns the sequence number after the segment.
func (q *queuedSeg) end() uint32 { return q.seq + uint32(q.n+q.cut) }

// reorderQueue holds the out-of-order segments of one direction, ordered
// by sequence number and never overlapping, their bytes back to back in
// the same order. A direction takes one at its first out-of-order segment
// and reuses its buffers once grown.
type reorderQueue struct {
	segs []queuedSeg
	data []byte
}

// empty reports whether nothing is queued; a direction that never
// reordered has no queue.
func (q *reorderQueue) empty() bool { return q == nil || len(q.segs) == 0 }

// full reports whether a segment of n bytes finds no room.
func (q *reorderQueue) full(n int) bool {
	return len(q.segs) >= maxQueuedSegments || len(q.data)+n > maxQueuedBytes
}

// bytes returns the captured bytes of segs[i].
func (q *reorderQueue) bytes(i int) []byte {
	off := 0
	for j := range i {
		off += q.segs[j].n
	}
	return q.data[off : off+q.segs[i].n]
}

// insert puts a segment that overlaps no queued one at its place.
func (q *reorderQueue) insert(s queuedSeg, b []byte) {
	i, off := 0, 0
	for i < len(q.segs) && int32(q.segs[i].seq-s.seq) < 0 {
		off += q.segs[i].n
		i++
	}
	q.segs = slices.Insert(q.segs, i, s)
	q.data = slices.Insert(q.data, off, b...)
}

// popFront removes the first segment.
func (q *reorderQueue) popFront() {
	n := q.segs[0].n
	q.data = q.data[:copy(q.data, q.data[n:])]
	q.segs = q.segs[:copy(q.segs, q.segs[1:])]
}

// oldest returns when the segment that waited longest arrived.
func (q *reorderQueue) oldest() time.Time {
	t := q.segs[0].ts
	for i := range q.segs {
		if q.segs[i].ts.Before(t) {
			t = q.segs[i].ts
		}
	}
	return t
}
