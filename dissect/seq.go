package dissect

// seqSpan measures one direction of a TCP connection in sequence space, as
// 64-bit offsets from a base, so that retransmissions count once, 32-bit
// wraparound is followed, and transfers beyond 4 GiB are counted right.
type seqSpan struct {
	base     uint32 // sequence number of offset 0
	last     uint32 // highest sequence number seen, for unwrapping
	lastOff  int64  // its offset
	min, max int64  // lowest start and highest end of payload seen
	init     bool
	synBase  bool // base came from a SYN: offset 0 is the first data byte
	payload  bool // some payload was seen
}

// setSYN anchors the span at a SYN's sequence number: the first data byte
// is seq+1.
func (s *seqSpan) setSYN(seq uint32) {
	s.base, s.last, s.lastOff = seq+1, seq+1, 0
	s.min, s.max = 0, 0
	s.init, s.synBase = true, true
}

// offset unwraps seq into an offset from the base. Sequence numbers within
// 2 GiB of the highest one seen are read relative to it, as TCP does.
func (s *seqSpan) offset(seq uint32) int64 {
	return s.lastOff + int64(int32(seq-s.last))
}

// add records payload [seq, seq+n) and returns how many of its bytes lie
// beyond everything seen before (new bytes, not retransmitted ones).
func (s *seqSpan) add(seq uint32, n int) int64 {
	if !s.init {
		s.base, s.last, s.lastOff = seq, seq, 0
		s.min, s.max = 0, 0
		s.init = true
	}
	if n <= 0 {
		return 0
	}
	start := s.offset(seq)
	end := start + int64(n)
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
		return 0
	}
	fresh := end - max(start, s.max)
	s.max = end
	return fresh
}

// bytes returns the payload bytes of the direction in sequence space: from
// the SYN (or the lowest byte seen) to the highest byte seen.
func (s *seqSpan) bytes() int64 {
	if !s.payload {
		return 0
	}
	return s.max - s.min
}
