package tcpseq

import (
	"slices"
	"time"
)

// Bounds of the reorder queue of one direction of a control connection.
// Control segments are short lines and honest reordering moves a segment
// or two, so a few dozen segments and a few KiB are plenty; at the bound
// the hole before the queue is skipped as a capture gap.
const (
	MaxQueuedSegments = 32
	MaxQueuedBytes    = 8 << 10
)

// QueuedSegment is an out-of-order segment, or the part of one that no
// earlier copy covered, waiting for the bytes before it.
type QueuedSegment struct {
	Seq   uint32
	N     int // captured bytes, in the queue's data
	Cut   int // Bytes after them that the snapshot length cut off
	Frame uint64
	TS    time.Time
}

// End returns the sequence number after the segment.
func (q *QueuedSegment) End() uint32 { return q.Seq + uint32(q.N+q.Cut) }

// ReorderQueue holds the out-of-order segments of one direction, ordered
// by sequence number and never overlapping, their bytes back to back in
// the same order. A direction takes one at its first out-of-order segment
// and reuses its buffers once grown.
type ReorderQueue struct {
	segs []QueuedSegment
	data []byte
}

// Segments returns the queued segments in sequence order, for reading.
func (q *ReorderQueue) Segments() []QueuedSegment { return q.segs }

// QueuedBytes returns the captured bytes queued, at most MaxQueuedBytes.
func (q *ReorderQueue) QueuedBytes() int { return len(q.data) }

// Empty reports whether nothing is queued; a direction that never
// reordered has no queue.
func (q *ReorderQueue) Empty() bool { return q == nil || len(q.segs) == 0 }

// Full reports whether a segment of n bytes finds no room.
func (q *ReorderQueue) Full(n int) bool {
	return len(q.segs) >= MaxQueuedSegments || len(q.data)+n > MaxQueuedBytes
}

// Bytes returns the captured bytes of segs[i].
func (q *ReorderQueue) Bytes(i int) []byte {
	off := 0
	for j := range i {
		off += q.segs[j].N
	}
	return q.data[off : off+q.segs[i].N]
}

// Insert puts a segment that overlaps no queued one at its place.
func (q *ReorderQueue) Insert(s QueuedSegment, b []byte) {
	i, off := 0, 0
	for i < len(q.segs) && int32(q.segs[i].Seq-s.Seq) < 0 {
		off += q.segs[i].N
		i++
	}
	q.segs = slices.Insert(q.segs, i, s)
	q.data = slices.Insert(q.data, off, b...)
}

// PopFront removes the first segment.
func (q *ReorderQueue) PopFront() {
	n := q.segs[0].N
	q.data = q.data[:copy(q.data, q.data[n:])]
	q.segs = q.segs[:copy(q.segs, q.segs[1:])]
}

// Oldest returns when the segment that waited longest arrived.
func (q *ReorderQueue) Oldest() time.Time {
	t := q.segs[0].TS
	for i := range q.segs {
		if q.segs[i].TS.Before(t) {
			t = q.segs[i].TS
		}
	}
	return t
}
