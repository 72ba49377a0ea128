// Package ipfrag reassembles IPv4 and IPv6 datagrams from their fragments
// (RFC 791 §3.2, RFC 8200 §4.5), within bounds fit for traffic anyone on
// the path can forge: a number of datagrams in progress per source
// address, a total memory budget, a timeout in capture time, a number of
// fragments per datagram. Overlapping fragments are refused (RFC 5722 for
// IPv6; for IPv4 when the overlapping bytes differ), and so is a datagram
// that would exceed 65535 bytes. Every fragment is counted: used, dropped
// for a reason, or still held.
//
// Unlike gopacket's ip4defrag, which it learnt from, it handles IPv6, is
// bounded, works on bytes rather than decoded layers and reads time from
// the capture, never from the wall clock.
package ipfrag

import (
	"fmt"
	"net/netip"
	"time"
)

// Key identifies the datagram a fragment belongs to: source, destination,
// protocol and identification, as RFC 791 and RFC 8200 say, and the
// capture point that saw it, so that the same datagram seen at two points
// (the two legs of a NAT gateway) is reassembled at each.
type Key struct {
	Vantage  [3]int   // the caller's names for the capture point
	Src, Dst [16]byte // IPv4 addresses in the first four bytes
	ID       uint32   // 16 bits in IPv4, 32 in IPv6
	Proto    uint8    // the protocol the fragments carry (IPv6: the Fragment header's Next Header)
	V6       bool
}

// Fragment is one fragment as read from its packet.
type Fragment struct {
	Key
	Offset int  // in bytes: the header's fragment offset × 8
	More   bool // more fragments follow (IPv4 MF, IPv6 M)
	// HeaderLen is the part of the reassembled datagram's length that
	// precedes the fragmented bytes: the IPv4 header; in IPv6 the
	// extension headers before the Fragment header (the Payload Length
	// does not count the fixed 40-byte header).
	HeaderLen int
	// Data is the fragment's payload. It is copied if kept.
	Data []byte
	// Cut says the capture holds fewer bytes than the IP header says.
	Cut bool
}

// maxDatagram is the largest datagram: IPv4 Total Length, IPv6 Payload
// Length (jumbograms are never fragmented, RFC 2675).
const maxDatagram = 65535

// Limits bound a Reassembler.
type Limits struct {
	// Timeout is how long, in capture time, a datagram may wait for its
	// fragments after its first one (RFC 791 suggests 15 s, RFC 8200 60 s,
	// Linux waits 30 s).
	Timeout time.Duration
	// Memory bounds the bytes held, overhead included; it is at least
	// enough for one datagram of the maximum size. When a new fragment
	// would exceed it, the oldest datagrams are given up.
	Memory int
	// PerSource bounds the datagrams in progress from one source address;
	// beyond, its new datagrams are refused.
	PerSource int
	// FragmentsPerDatagram bounds the fragments of a datagram. A 64 KiB
	// datagram over the smallest IPv6 MTU takes 53; FreeBSD allows 16.
	FragmentsPerDatagram int
}

// DefaultLimits returns the limits used by the dissector: 30 s, 4 MiB
// (Linux's high threshold), 64 datagrams per source, 128 fragments each.
func DefaultLimits() Limits {
	return Limits{Timeout: 30 * time.Second, Memory: 4 << 20, PerSource: 64, FragmentsPerDatagram: 128}
}

// minMemory holds one datagram of the maximum size in its smallest
// fragments allowed.
func (l Limits) minMemory() int {
	// An IPv4 fragment that overlaps others may add a piece for each hole
	// between them.
	return maxDatagram + datagramOverhead + 2*l.FragmentsPerDatagram*pieceOverhead
}

// Result is what adding one fragment came to.
type Result struct {
	// Datagram is the reassembled payload (the bytes after the headers
	// that precede the fragmented part) when this fragment completed it.
	// It is a buffer of its own, except for an IPv6 atomic fragment
	// (offset 0, no more fragments: RFC 6946), where it is Data itself.
	Datagram []byte
	// Dropped says why this fragment was not kept, or None.
	Dropped Reason
	// Discarded says this fragment made the whole datagram be given up
	// (overlap, too large, contradictory end, too many fragments): a sign
	// of damage or forgery worth a warning.
	Discarded bool
}

// Reassembler reassembles fragments. It is not safe for concurrent use.
type Reassembler struct {
	lim       Limits
	pending   map[Key]*datagram
	perSource map[sourceKey]int
	// age list of pending datagrams, by the arrival of their first
	// fragment: the timeout and the memory bound give up the oldest
	oldest, newest *datagram
	mem            int
	counts         Counters
}

type sourceKey struct {
	vantage [3]int
	src     [16]byte
	v6      bool
}

// New returns a Reassembler with the given limits; a limit of zero or less
// takes its default.
func New(lim Limits) *Reassembler {
	def := DefaultLimits()
	if lim.Timeout <= 0 {
		lim.Timeout = def.Timeout
	}
	if lim.PerSource <= 0 {
		lim.PerSource = def.PerSource
	}
	if lim.FragmentsPerDatagram <= 0 {
		lim.FragmentsPerDatagram = def.FragmentsPerDatagram
	}
	if lim.Memory <= 0 {
		lim.Memory = def.Memory
	}
	lim.Memory = max(lim.Memory, lim.minMemory())
	return &Reassembler{lim: lim, pending: map[Key]*datagram{}, perSource: map[sourceKey]int{}}
}

// Add offers one fragment captured at now (nanoseconds of capture time).
func (r *Reassembler) Add(f *Fragment, now int64) Result {
	r.counts.Fragments++
	r.expire(now)
	if f.Cut {
		return r.drop(Truncated)
	}
	end := f.Offset + len(f.Data)
	if f.Offset == 0 && !f.More && f.V6 {
		// An atomic fragment is a whole datagram, never reassembled with
		// others (RFC 6946).
		r.counts.Reassembled++
		r.counts.Used++
		return Result{Datagram: f.Data}
	}
	d := r.pending[f.Key]
	if d != nil && d.discarded != None {
		return r.drop(d.discarded)
	}
	switch {
	case f.HeaderLen+end > maxDatagram:
		return r.discard(d, f, now, TooLarge)
	case f.More && (len(f.Data) == 0 || len(f.Data)%8 != 0):
		// Only the last fragment may end off the 8-byte grid; the
		// fragment alone is dropped (RFC 8200 §4.5).
		return r.drop(Malformed)
	}
	if d == nil {
		sk := sourceKey{f.Vantage, f.Src, f.V6}
		if r.perSource[sk] >= r.lim.PerSource {
			return r.drop(PerSource)
		}
		d = r.track(f.Key, sk, now)
	}
	if !f.More && d.end >= 0 && d.end != end || !f.More && d.maxEnd > end || f.More && d.end >= 0 && end > d.end {
		// Two ends, or bytes past the end.
		return r.discard(d, f, now, Malformed)
	}
	if len(f.Data) > 0 {
		if need := len(f.Data) + pieceOverhead; r.mem+need > r.lim.Memory {
			if r.makeRoom(need, d); r.mem+need > r.lim.Memory {
				return r.drop(Memory)
			}
		}
		covered := d.covered
		how, n := d.insert(f.Offset, f.Data, f.V6)
		switch how {
		case duplicate:
			return r.drop(Duplicate)
		case conflict:
			return r.discard(d, f, now, Overlap)
		}
		grown := d.covered - covered + n*pieceOverhead
		d.mem += grown
		r.mem += grown
		d.maxEnd = max(d.maxEnd, end)
		if d.fragments >= r.lim.FragmentsPerDatagram {
			return r.discard(d, f, now, TooMany)
		}
	}
	d.fragments++
	if !f.More {
		d.end = end
	}
	if d.end >= 0 && d.covered == d.end {
		b := d.assemble()
		r.counts.Reassembled++
		r.counts.Used += uint64(d.fragments)
		r.remove(d)
		return Result{Datagram: b}
	}
	return Result{}
}

// drop counts the fragment being added as dropped.
func (r *Reassembler) drop(why Reason) Result {
	r.counts.Dropped[why]++
	return Result{Dropped: why}
}

// discard gives up the datagram of f (d, which may be nil: f was its first
// fragment) for a reason, its fragments held and f with it, and leaves a
// tombstone that drops its fragments still to come.
func (r *Reassembler) discard(d *datagram, f *Fragment, now int64, why Reason) Result {
	if d == nil {
		sk := sourceKey{f.Vantage, f.Src, f.V6}
		if r.perSource[sk] >= r.lim.PerSource || r.mem+datagramOverhead > r.lim.Memory {
			// No room for a tombstone: the fragments still to come will
			// make a datagram that times out.
			res := r.drop(why)
			res.Discarded = true
			return res
		}
		d = r.track(f.Key, sk, now)
	}
	r.counts.Dropped[why] += uint64(d.fragments)
	r.mem -= d.mem - datagramOverhead
	d.mem = datagramOverhead
	d.pieces, d.fragments, d.covered, d.discarded = nil, 0, 0, why
	res := r.drop(why)
	res.Discarded = true
	return res
}

// track starts a datagram.
func (r *Reassembler) track(k Key, sk sourceKey, now int64) *datagram {
	if r.mem+datagramOverhead > r.lim.Memory {
		r.makeRoom(datagramOverhead, nil)
	}
	d := &datagram{key: k, first: now, end: -1, mem: datagramOverhead, prev: r.newest}
	if r.newest != nil {
		r.newest.next = d
	} else {
		r.oldest = d
	}
	r.newest = d
	r.pending[k] = d
	r.perSource[sk]++
	r.mem += datagramOverhead
	return d
}

// remove forgets a datagram.
func (r *Reassembler) remove(d *datagram) {
	if d.prev != nil {
		d.prev.next = d.next
	} else {
		r.oldest = d.next
	}
	if d.next != nil {
		d.next.prev = d.prev
	} else {
		r.newest = d.prev
	}
	d.prev, d.next = nil, nil
	delete(r.pending, d.key)
	sk := sourceKey{d.key.Vantage, d.key.Src, d.key.V6}
	if n := r.perSource[sk]; n > 1 {
		r.perSource[sk] = n - 1
	} else {
		delete(r.perSource, sk)
	}
	r.mem -= d.mem
}

// expire gives up the datagrams whose timeout passed. Capture time may
// step back (merged sources): a datagram is only given up once a fragment
// dated past its timeout comes.
func (r *Reassembler) expire(now int64) {
	for d := r.oldest; d != nil && now-d.first > int64(r.lim.Timeout); d = r.oldest {
		r.counts.Dropped[Timeout] += uint64(d.fragments)
		r.remove(d)
	}
}

// makeRoom gives up the oldest datagrams but keep until need more bytes
// fit in the budget.
func (r *Reassembler) makeRoom(need int, keep *datagram) {
	for d := r.oldest; d != nil && r.mem+need > r.lim.Memory; {
		next := d.next
		if d != keep {
			r.counts.Dropped[Memory] += uint64(d.fragments)
			r.remove(d)
		}
		d = next
	}
}

// TakeCounters returns the counters since the previous call and zeroes
// them: the caller adds them up where it keeps its statistics.
func (r *Reassembler) TakeCounters() Counters {
	c := r.counts
	r.counts = Counters{}
	return c
}

// Pending returns the datagrams in progress (tombstones included) and the
// bytes charged for them.
func (r *Reassembler) Pending() (datagrams, bytes int) { return len(r.pending), r.mem }

// HeldFragments returns the fragments held in datagrams in progress.
func (r *Reassembler) HeldFragments() int {
	n := 0
	for d := r.oldest; d != nil; d = d.next {
		n += d.fragments
	}
	return n
}

// String describes a datagram's key for a warning: "192.0.2.1 > 198.51.100.2 id 0x1c46 proto 6".
func (k Key) String() string {
	return fmt.Sprintf("%s > %s id %#x proto %d", addrString(k.Src, k.V6), addrString(k.Dst, k.V6), k.ID, k.Proto)
}

func addrString(a [16]byte, v6 bool) string {
	if v6 {
		return netip.AddrFrom16(a).String()
	}
	return netip.AddrFrom4([4]byte(a[:4])).String()
}
