package ipfrag

// Reason says why a fragment was not used.
type Reason uint8

const (
	None Reason = iota
	// Timeout: its datagram was still incomplete when the timeout passed.
	Timeout
	// Overlap: it overlapped another fragment of its datagram with
	// different bytes (IPv4), or at all (IPv6, RFC 5722); the datagram is
	// discarded, fragments still to come included.
	Overlap
	// TooLarge: its datagram would exceed 65535 bytes.
	TooLarge
	// Malformed: a fragment that is not the last one and whose length is
	// not a multiple of 8, or that contradicts where its datagram ends.
	Malformed
	// Truncated: the capture holds fewer of its bytes than its IP header
	// says (snapshot length).
	Truncated
	// Memory: its datagram was given up, the oldest in progress, to keep
	// the memory bound.
	Memory
	// PerSource: its source address already had as many datagrams in
	// progress as allowed.
	PerSource
	// TooMany: its datagram came in more fragments than allowed.
	TooMany
	// Duplicate: it repeats bytes already held (the same fragment
	// captured twice, or retransmitted).
	Duplicate
	// NumReasons is the number of reasons, None included.
	NumReasons
)

var reasonNames = [NumReasons]string{
	None:      "none",
	Timeout:   "timeout",
	Overlap:   "overlap",
	TooLarge:  "too_large",
	Malformed: "malformed",
	Truncated: "truncated",
	Memory:    "memory",
	PerSource: "per_source",
	TooMany:   "too_many_fragments",
	Duplicate: "duplicate",
}

// String returns the reason's name in the report (stats.ip_fragments_dropped).
func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Counters counts what became of the fragments offered to a Reassembler.
// Every fragment is counted once: used in a datagram, dropped for a
// reason, or still held.
type Counters struct {
	Fragments   uint64 // fragments offered
	Reassembled uint64 // datagrams completed
	Used        uint64 // fragments that went into them
	Dropped     [NumReasons]uint64
}

// Add adds o to c.
func (c *Counters) Add(o *Counters) {
	c.Fragments += o.Fragments
	c.Reassembled += o.Reassembled
	c.Used += o.Used
	for i := range c.Dropped {
		c.Dropped[i] += o.Dropped[i]
	}
}

// DroppedTotal returns the fragments dropped, whatever the reason.
func (c *Counters) DroppedTotal() uint64 {
	var n uint64
	for _, d := range c.Dropped {
		n += d
	}
	return n
}

// Held returns the fragments neither used nor dropped: those of datagrams
// still in progress.
func (c *Counters) Held() uint64 { return c.Fragments - c.Used - c.DroppedTotal() }
