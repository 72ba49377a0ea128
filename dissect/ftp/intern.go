package ftp

import "hash/maphash"

// Interner shares the strings that recur across sessions — reply texts
// ("226 Transfer complete."), file names, user names — so that a capture of
// thousands of sessions does not allocate each of them again. It is a
// direct-mapped cache of internSlots strings of at most maxInternLen bytes:
// a string takes the slot of its hash, and a new one replaces what was
// there (a map, emptied and grown again whenever full, cost a lookup and
// its growth for every string). A nil *Interner copies every string. Not
// safe for concurrent use.
type Interner struct {
	seed  maphash.Seed
	slots *[internSlots]string // allocated at the first string
}

const (
	internSlots  = 8192 // a power of two
	maxInternLen = 64
)

// String returns b as a string, shared with an earlier equal one when it
// is still in its slot.
func (in *Interner) String(b []byte) string {
	if len(b) == 0 {
		return "" // most commands have no argument: no hash, no slot
	}
	if in == nil || len(b) > maxInternLen {
		return string(b)
	}
	if in.slots == nil {
		in.seed, in.slots = maphash.MakeSeed(), new([internSlots]string)
	}
	slot := &in.slots[maphash.Bytes(in.seed, b)&(internSlots-1)]
	if *slot == string(b) { // no allocation for the comparison
		return *slot
	}
	*slot = string(b)
	return *slot
}
