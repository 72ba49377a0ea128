package dissect

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// connTable finds a connection by its flowKey: open addressing with linear
// probing and backward-shift deletion, so there are no tombstones and a
// lookup stops at the first empty slot. Each slot keeps the key's hash
// beside the connection, so a probe compares one word and dereferences
// the connection only when the hashes are equal.
//
// The caller hashes a key once (hash) and passes the hash to get; a
// connection carries its own (conn.hash) for put and remove. The table
// doubles when more than half full and never shrinks: its size follows
// the most connections open at once, which the analyzer bounds
// (Config.MaxConnections, evicting through the LRU), so 131,072
// connections take at most 262,144 slots, 4 MiB.
type connTable struct {
	slots []connSlot // a power of two long
	mask  uint64
	n     int
	seed  uint64 // per table, so that crafted 4-tuples cannot aim at one chain
}

type connSlot struct {
	hash uint64
	c    *conn // nil: empty
}

const minConnSlots = 1024

// newConnTable returns an empty table. The zero connTable is one too,
// unseeded.
func newConnTable() connTable {
	return connTable{slots: make([]connSlot, minConnSlots), mask: minConnSlots - 1, seed: rand.Uint64()}
}

// Len returns the number of connections in the table.
func (t *connTable) Len() int { return t.n }

// hash returns the hash of k. The key's endpoints are already ordered
// (keyOf), so both directions of a connection hash alike. Two 64×64→128
// multiplications fold the four address words in parallel and a third
// folds them with the ports and the vantage (as wyhash mixes).
func (t *connTable) hash(k *flowKey) uint64 {
	const (
		m1 = 0xa0761d6478bd642f
		m2 = 0xe7037ed1a0b428db
		m3 = 0x8ebc6af09c88c6e3
		m4 = 0x589965cc75374cc3
	)
	le := binary.LittleEndian
	rest := uint64(k.ap)<<48 | uint64(k.bp)<<32 | uint64(k.vantage)
	if k.v6 {
		rest ^= 1 << 63 // a v4 and a v6 key of the same bytes differ
	}
	hi, lo := bits.Mul64(le.Uint64(k.a[:8])^m1^t.seed, le.Uint64(k.b[:8])^m2)
	x := hi ^ lo
	hi, lo = bits.Mul64(le.Uint64(k.a[8:])^m3, le.Uint64(k.b[8:])^m4^t.seed)
	y := hi ^ lo
	hi, lo = bits.Mul64(x^rest^m2, y^m1)
	return hi ^ lo
}

// get returns the connection of key k, whose hash is h, or nil.
func (t *connTable) get(h uint64, k *flowKey) *conn {
	if t.n == 0 {
		return nil // and the zero table has no slots
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.c == nil {
			return nil
		}
		if s.hash == h && s.c.key == *k {
			return s.c
		}
	}
}

// put makes c the connection of c.key, hashed c.hash, in place of any
// other of that key (which is left to its caller, as a map assignment
// would).
func (t *connTable) put(c *conn) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	i := c.hash & t.mask
	for ; t.slots[i].c != nil; i = (i + 1) & t.mask {
		if s := &t.slots[i]; s.hash == c.hash && s.c.key == c.key {
			s.c = c
			return
		}
	}
	t.slots[i] = connSlot{c.hash, c}
	t.n++
}

// place puts c, whose key is not in the table, in the first empty slot
// from its hash's.
func (t *connTable) place(h uint64, c *conn) {
	i := h & t.mask
	for t.slots[i].c != nil {
		i = (i + 1) & t.mask
	}
	t.slots[i] = connSlot{h, c}
}

func (t *connTable) grow() {
	old := t.slots
	t.slots = make([]connSlot, max(2*len(old), minConnSlots))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.c != nil {
			t.place(s.hash, s.c)
		}
	}
}

// has reports whether c itself (not only a connection of its key) is in
// the table.
func (t *connTable) has(c *conn) bool { return t.slotOf(c) >= 0 }

// slotOf returns the index of c's slot, or -1.
func (t *connTable) slotOf(c *conn) int {
	if t.n == 0 {
		return -1
	}
	for i := c.hash & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].c {
		case nil:
			return -1
		case c:
			return int(i)
		}
	}
}

// remove takes c out of the table, if it is there, and reports whether it
// was. The entries after it in its run move back into the hole when that
// brings them no further from their home slot, so that every entry stays
// reachable from its home without a gap.
func (t *connTable) remove(c *conn) bool {
	at := t.slotOf(c)
	if at < 0 {
		return false
	}
	hole := uint64(at)
	for j := (hole + 1) & t.mask; ; j = (j + 1) & t.mask {
		s := t.slots[j]
		if s.c == nil {
			break
		}
		// s may fill the hole unless its home lies cyclically in
		// (hole, j]: it would then be found before reaching the hole
		// no more.
		if (j-s.hash)&t.mask >= (j-hole)&t.mask {
			t.slots[hole] = s
			hole = j
		}
	}
	t.slots[hole] = connSlot{}
	t.n--
	return true
}

// all returns the connections in the table, in no particular order.
func (t *connTable) all() []*conn {
	all := make([]*conn, 0, t.n)
	for _, s := range t.slots {
		if s.c != nil {
			all = append(all, s.c)
		}
	}
	return all
}
