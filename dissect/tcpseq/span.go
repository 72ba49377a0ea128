// Package tcpseq holds the TCP sequence-space primitives the dissector
// builds on: a direction's bytes counted in sequence space within a window
// (Span), the reorder queue of a reassembled direction (ReorderQueue), and
// the latest delivered bytes that retransmissions are compared with
// (History). None knows of connections or sessions: sequence numbers,
// Bytes and the frames that carried them.
package tcpseq

// Span measures one direction of a TCP connection in sequence space, as
// 64-bit offsets from a base, so that retransmissions count once, 32-bit
// wraparound is followed, and transfers beyond 4 GiB are counted right.
//
// Only segments within a window of the bytes seen so far are counted: one
// forged segment whose sequence number jumps by 2 GiB would otherwise add
// 2 GiB to the direction's size. A segment outside the window is counted
// as such (outside) and otherwise ignored, unless the ones after it confirm
// the new position: the receiver acknowledging bytes there, or seqResync
// segments in a row that follow each other there, mean that the capture
// lost a stretch of the stream, whose bytes then count, as any hole in
// sequence space does.
type Span struct {
	base     uint32 // sequence number of offset 0
	last     uint32 // highest sequence number seen, for unwrapping
	lastOff  int64  // its offset
	min, max int64  // lowest start and highest end of payload seen
	largest  int32  // largest payload counted, for the window
	lastAck  uint32 // the receiver's latest acknowledgement, if ackSeen
	odd      *seqOdd
	init     bool
	synBase  bool // base came from a SYN: offset 0 is the first data byte
	payload  bool // some payload was seen
	ackSeen  bool
}

// seqOdd is what a direction knows of segments outside its window, once
// one came: kept aside, so that the span stays small in every connection.
type seqOdd struct {
	outside int64 // segments outside the window, not counted
	cand    seqCandidate
}

// seqCandidate is a run of segments outside the window that follow each
// other: a new position of the stream if seqResync of them come.
type seqCandidate struct {
	seq        uint32 // sequence number just past the run (offset end), for unwrapping
	start, end int64
	segments   int
	captured   int64 // payload bytes present in the capture
}

const (
	// seqWindowMin is the smallest window around the bytes seen: more than
	// the reordering and retransmission distances of real streams, far
	// less than a forged jump (a bigger capture loss resynchronises).
	seqWindowMin = 1 << 20
	// seqWindowSegments: the window is at least this many of the largest
	// segments seen (TSO/GRO captures carry 64 KiB segments).
	seqWindowSegments = 4
	// seqResync segments in a row at a new position move the window there.
	seqResync = 4
)

// SetSYN anchors the span at a SYN's sequence number: the first data byte
// is seq+1.
func (s *Span) SetSYN(seq uint32) {
	s.base, s.last, s.lastOff = seq+1, seq+1, 0
	s.min, s.max = 0, 0
	s.init, s.synBase = true, true
}

// Offset unwraps seq into an offset from the base. Sequence numbers within
// 2 GiB of the highest one seen are read relative to it, as TCP does.
func (s *Span) Offset(seq uint32) int64 {
	return s.lastOff + int64(int32(seq-s.last))
}

// window is how far before the lowest or after the highest byte seen a
// segment may start and still count.
func (s *Span) window() int64 {
	return max(seqWindowMin, seqWindowSegments*int64(s.largest))
}

// Outside returns the segments left out of the bytes: outside the window.
func (s *Span) Outside() int64 {
	if s.odd == nil {
		return 0
	}
	return s.odd.outside
}

// Add records payload [seq, seq+n), of which have bytes are in the
// capture (a snapshot length keeps a segment's first bytes). It returns how
// many captured bytes it adds (not retransmitted ones), how many new bytes
// the capture cut off, and the change in the count of segments outside the
// window: 1 for a segment outside, less the run's earlier ones when a run
// moves the window.
func (s *Span) Add(seq uint32, n, have int) (captured, cut int64, outside int) {
	if !s.init {
		s.base, s.last, s.lastOff = seq, seq, 0
		s.min, s.max = 0, 0
		s.init = true
	}
	if n <= 0 {
		return 0, 0, 0
	}
	start := s.Offset(seq)
	if (start < s.min || start > s.max) && (s.payload || s.synBase) {
		// only a segment beyond the bytes seen can lie outside the window
		w := s.window()
		if start < s.min-w {
			s.oddOnes().outside++ // far behind: never a new position
			return 0, 0, 1
		}
		if start > s.reached()+w {
			got, d := s.ahead(seq, start, n, have)
			return got, 0, d
		}
	}
	if s.odd != nil {
		s.odd.cand.segments = 0 // a run must be unbroken
	}
	end := start + int64(n)
	if int32(n) > s.largest {
		s.largest = int32(min(n, 1<<30))
	}
	if start > s.lastOff {
		s.last, s.lastOff = seq, start
	}
	if !s.payload {
		s.payload = true
		if !s.synBase {
			s.min, s.max = start, start
		}
	}
	if start < s.min {
		if s.synBase {
			start = s.min // nothing lies before the SYN
		} else {
			s.min = start
		}
	}
	if end <= s.max {
		return 0, 0, 0
	}
	fresh := end - max(start, s.max)
	s.max = end
	// the new bytes are the segment's last ones; a cut kept its first
	got := min(fresh, max(int64(have-n)+fresh, 0))
	return got, fresh - got, 0
}

// oddOnes returns the record of segments outside the window.
func (s *Span) oddOnes() *seqOdd {
	if s.odd == nil {
		s.odd = &seqOdd{}
	}
	return s.odd
}

// ahead handles a segment beyond the window: it is counted as outside, and
// extends (or starts) the run that may move the window. Each segment of a
// run must bring bytes right after the run's; a retransmission within the
// run neither extends nor breaks it.
func (s *Span) ahead(seq uint32, start int64, n, have int) (int64, int) {
	o := s.oddOnes()
	o.outside++
	c := &o.cand
	if c.segments > 0 {
		at := c.end + int64(int32(seq-c.seq)) // unwrapped where the run is
		end := at + int64(n)
		switch {
		case at >= c.start && at <= c.end && end > c.end:
			c.captured += min(end-c.end, int64(have))
			c.seq, c.end = seq+uint32(n), end
			c.segments++
			if c.segments >= seqResync {
				got, d := s.resync()
				return got, d + 1
			}
			return 0, 1
		case at >= c.start && end <= c.end:
			return 0, 1
		}
	}
	end := start + int64(n)
	*c = seqCandidate{seq: seq + uint32(n), start: start, end: end, segments: 1, captured: int64(have)}
	return 0, 1
}

// NoteAck records the receiver's latest acknowledgement number: what it
// acknowledges exists, so the window reaches it. It reports whether a run
// of segments outside the window waits (then call AckRun).
func (s *Span) NoteAck(ack uint32) bool {
	s.lastAck, s.ackSeen = ack, true
	return s.odd != nil && s.odd.cand.segments > 0
}

// AckRun moves the window to the waiting run if the receiver acknowledged
// Bytes up to it: the run is the stream's new position. The result is
// Add's.
func (s *Span) AckRun() (captured int64, outside int) {
	if s.init && s.Offset(s.lastAck) >= s.odd.cand.start {
		return s.resync()
	}
	return 0, 0
}

// reached is the highest offset known to exist: the end of the bytes seen,
// or what the receiver acknowledged if more.
func (s *Span) reached() int64 {
	if s.ackSeen {
		return max(s.max, s.Offset(s.lastAck))
	}
	return s.max
}

// resync moves the window to the run of segments that confirmed a new
// position ahead: its bytes count, and the hole before it, as any hole in
// sequence space does. It returns the run's captured bytes and the change
// in the outside count (the run's segments no longer are).
func (s *Span) resync() (int64, int) {
	o := s.odd
	c := o.cand
	o.cand = seqCandidate{}
	s.last, s.lastOff = c.seq, c.end
	s.payload = true // the run may be the direction's first payload
	s.max = c.end
	o.outside -= int64(c.segments)
	return c.captured, -c.segments
}

// Bytes returns the payload bytes of the direction in sequence space: from
// the SYN (or the lowest byte seen) to the highest byte seen.
func (s *Span) Bytes() int64 {
	if !s.payload {
		return 0
	}
	return s.max - s.min
}

// Started reports whether the span has its base: a SYN or a first
// segment came.
func (s *Span) Started() bool { return s.init }

// FirstDataSeq returns the sequence number of the direction's first data
// byte when a SYN anchored the span.
func (s *Span) FirstDataSeq() (seq uint32, ok bool) { return s.base, s.synBase }
