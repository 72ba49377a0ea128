package dissect

import (
	"math/rand"
	"testing"

	"github.com/ftpscope/ftpscope/dissect/decode"
)

// An IPv4 connection and an IPv6 one whose addresses begin with the same
// four bytes, on the same ports, are two connections; so are two IPv4
// connections that differ in the vantage point alone.
func TestConnTableKeepsFamiliesApart(t *testing.T) {
	tab := newConnTable()
	v4 := flowKey{a: [16]byte{192, 168, 1, 10}, b: [16]byte{203, 0, 113, 5}, ap: 40000, bp: 21}
	v6 := v4
	v6.v6 = true
	other := v4
	other.vantage = 1
	keys := []flowKey{v4, v6, other}
	for i := range keys {
		tab.put(&keys[i], &conn{key: keys[i], id: uint64(i + 1)})
	}
	if tab.len() != 3 {
		t.Fatalf("len %d, want 3", tab.len())
	}
	for i := range keys {
		if c := tab.get(&keys[i]); c == nil || c.id != uint64(i+1) {
			t.Errorf("key %d: got %v", i, c)
		}
	}
	tab.del(&keys[0])
	if tab.get(&keys[0]) != nil || tab.get(&keys[1]) == nil || tab.len() != 2 {
		t.Errorf("deleting the IPv4 key touched another")
	}
	n := 0
	tab.each(func(*conn) { n++ })
	if n != 2 {
		t.Errorf("each visited %d, want 2", n)
	}
}

// lookup finds what get finds for the segment's keyOf key, with the same
// direction, whether it takes the previous packet's connection or the map,
// for either family and ports or addresses equal or not.
func TestConnTableLookupMatchesKeyOf(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	tab := newConnTable()
	segs := make([]decode.Segment, 2000)
	for i := range segs {
		s := &segs[i]
		s.V6 = rng.Intn(4) == 0
		// few distinct addresses and ports, so that ties are frequent
		s.Src[rng.Intn(4)] = byte(rng.Intn(3))
		s.Dst[rng.Intn(4)] = byte(rng.Intn(3))
		if s.V6 {
			s.Src[15], s.Dst[15] = byte(rng.Intn(3)), byte(rng.Intn(3))
		}
		s.SrcPort, s.DstPort = uint16(rng.Intn(3)), uint16(rng.Intn(3))
		if i > 0 && rng.Intn(2) == 0 { // a run: the previous segment's connection, either way
			*s = segs[i-1]
			if rng.Intn(2) == 0 {
				s.Src, s.Dst, s.SrcPort, s.DstPort = s.Dst, s.Src, s.DstPort, s.SrcPort
			}
		}
		if rng.Intn(2) == 0 {
			k, _ := keyOf(uint32(rng.Intn(2)), s)
			if tab.get(&k) == nil {
				tab.put(&k, &conn{key: k})
			}
		}
	}
	var last *conn
	hits := 0
	for i := range segs {
		s := &segs[i]
		v := uint32(rng.Intn(2))
		k, fromA := keyOf(v, s)
		want := tab.get(&k)
		got, gotFromA := tab.lookup(v, s, last)
		if got != want || gotFromA != fromA {
			t.Fatalf("segment %d %+v: lookup %p %v, keyOf and get %p %v", i, s, got, gotFromA, want, fromA)
		}
		if got != nil && got == last {
			hits++
		}
		if got != nil {
			last = got
		}
	}
	if hits == 0 {
		t.Error("no segment found the previous one's connection: the shortcut went untested")
	}
}
