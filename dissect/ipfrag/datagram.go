package ipfrag

import (
	"bytes"
	"sort"
)

// datagram is one datagram being reassembled: the byte ranges received so
// far, sorted and disjoint, each with its bytes.
type datagram struct {
	key    Key
	first  int64 // capture time of its first fragment, in nanoseconds
	pieces []piece
	// end is the datagram's length once its last fragment came, else -1;
	// maxEnd the end of the highest range received.
	end, maxEnd int
	covered     int // bytes received (the ranges are disjoint)
	fragments   int // fragments held in it
	mem         int // bytes charged for it, overhead included
	// discarded, when not None, makes it a tombstone: its bytes were let
	// go, and fragments still to come are dropped for the same reason
	// until its timeout.
	discarded  Reason
	prev, next *datagram // age list, oldest first
}

type piece struct {
	off, end int
	data     []byte
}

// Memory charged besides the bytes held: a fair estimate of the map entry
// and structures, so that a flood of empty fragments is bounded too.
const (
	datagramOverhead = 256
	pieceOverhead    = 64
)

// insertion is what inserting a fragment's bytes came to.
type insertion int

const (
	inserted  insertion = iota
	duplicate           // every byte was held already, the same
	conflict            // an overlap the rules refuse
)

// insert adds the bytes data at offset off. Overlaps are refused on IPv6
// unless exact duplicates (RFC 8200 §4.5, RFC 5722); on IPv4 they are
// refused when the overlapping bytes differ (the evasion trick of
// sending two versions of the same bytes), kept once when they agree.
// It returns the outcome and the number of pieces added.
func (d *datagram) insert(off int, data []byte, v6 bool) (insertion, int) {
	end := off + len(data)
	// the first piece that ends after off
	i := sort.Search(len(d.pieces), func(i int) bool { return d.pieces[i].end > off })
	j := i
	for j < len(d.pieces) && d.pieces[j].off < end {
		j++
	}
	if i == j { // no overlap
		d.pieces = append(d.pieces, piece{})
		copy(d.pieces[i+1:], d.pieces[i:])
		d.pieces[i] = piece{off, end, bytes.Clone(data)}
		d.covered += len(data)
		return inserted, 1
	}
	if j == i+1 && d.pieces[i].off == off && d.pieces[i].end == end {
		if bytes.Equal(d.pieces[i].data, data) {
			return duplicate, 0
		}
		return conflict, 0
	}
	if v6 {
		return conflict, 0
	}
	// IPv4: the overlapping bytes must agree; the new bytes fill the holes
	// between the pieces they overlap.
	for k := i; k < j; k++ {
		p := &d.pieces[k]
		lo, hi := max(p.off, off), min(p.end, end)
		if !bytes.Equal(p.data[lo-p.off:hi-p.off], data[lo-off:hi-off]) {
			return conflict, 0
		}
	}
	var holes []piece
	at := off
	for k := i; k <= j; k++ {
		next := end
		if k < j {
			next = max(min(d.pieces[k].off, end), at)
		}
		if next > at {
			holes = append(holes, piece{at, next, bytes.Clone(data[at-off : next-off])})
			d.covered += next - at
		}
		if k < j {
			at = max(at, d.pieces[k].end)
		}
	}
	if len(holes) == 0 {
		return duplicate, 0
	}
	merged := make([]piece, 0, j-i+len(holes))
	merged = append(merged, d.pieces[i:j]...)
	merged = append(merged, holes...)
	sort.Slice(merged, func(a, b int) bool { return merged[a].off < merged[b].off })
	rest := append(merged, d.pieces[j:]...)
	d.pieces = append(d.pieces[:i], rest...)
	return inserted, len(holes)
}

// assemble returns the datagram's bytes, complete, in a buffer of its own.
func (d *datagram) assemble() []byte {
	b := make([]byte, d.end)
	for _, p := range d.pieces {
		copy(b[p.off:], p.data)
	}
	return b
}
