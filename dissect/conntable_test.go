package dissect

import (
	"math/rand/v2"
	"testing"

	"github.com/ftpscope/ftpscope/dissect/decode"
)

// tableKey is a distinct key for each i.
func tableKey(i int) flowKey {
	return flowKey{vantage: uint32(i >> 20), a: [16]byte{10, 0, byte(i >> 8), byte(i)}, b: [16]byte{10, 1}, ap: uint16(i), bp: 21}
}

// tableConn returns a connection of tableKey(i) under the hash hash gives.
func tableConn(i int, hash func(*flowKey) uint64) *conn {
	k := tableKey(i)
	return &conn{key: k, id: uint64(i), hash: hash(&k)}
}

// checkTable verifies that every connection of want is found under its key
// and that nothing else is in t.
func checkTable(t *testing.T, tab *connTable, want map[flowKey]*conn) {
	t.Helper()
	if tab.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(want))
	}
	for k, c := range want {
		if got := tab.get(c.hash, &k); got != c {
			t.Fatalf("get(%d) = %v, want connection %d", c.id, got, c.id)
		}
		if !tab.has(c) {
			t.Fatalf("has(%d) = false", c.id)
		}
	}
	if n := len(tab.all()); n != len(want) {
		t.Fatalf("all() has %d connections, want %d", n, len(want))
	}
}

// Insert, lookup and delete under a hash that puts every key in one of a
// few chains (collisions, runs wrapping past the end of the slots) and
// through several doublings.
func TestConnTableCollisionsAndGrowth(t *testing.T) {
	seeded := newConnTable()
	hashes := []struct {
		name string
		hash func(*flowKey) uint64
	}{
		{"one chain", func(*flowKey) uint64 { return 7 }},
		{"last slot", func(*flowKey) uint64 { return minConnSlots - 1 }}, // runs wrap around
		{"four chains", func(k *flowKey) uint64 { return uint64(k.ap&3) * 3 }},
		{"table", seeded.hash},
	}
	for _, h := range hashes {
		t.Run(h.name, func(t *testing.T) {
			tab := newConnTable()
			want := map[flowKey]*conn{}
			n := 3000 // past two doublings of minConnSlots
			if h.name != "table" {
				n = 700 // quadratic with one chain
			}
			for i := range n {
				c := tableConn(i, h.hash)
				tab.put(c)
				want[c.key] = c
			}
			checkTable(t, &tab, want)
			missing := tableKey(n + 1)
			if c := tab.get(h.hash(&missing), &missing); c != nil {
				t.Fatalf("get of a key never put = %d", c.id)
			}
			// remove every third, from the middle of the runs
			for i := 0; i < n; i += 3 {
				c := want[tableKey(i)]
				if !tab.remove(c) {
					t.Fatalf("remove(%d) = false", i)
				}
				if tab.remove(c) {
					t.Fatalf("second remove(%d) = true", i)
				}
				delete(want, c.key)
			}
			checkTable(t, &tab, want)
			// a new connection of a key in the table takes its place
			old := want[tableKey(1)]
			c := tableConn(1, h.hash)
			tab.put(c)
			want[c.key] = c
			checkTable(t, &tab, want)
			if tab.has(old) || tab.remove(old) {
				t.Fatal("the replaced connection is still in the table")
			}
			for _, c := range want {
				tab.remove(c)
			}
			checkTable(t, &tab, nil)
		})
	}
}

// The zero table is empty and usable.
func TestConnTableZero(t *testing.T) {
	var tab connTable
	c := tableConn(1, tab.hash)
	if tab.get(c.hash, &c.key) != nil || tab.has(c) || tab.remove(c) {
		t.Fatal("the zero table is not empty")
	}
	tab.put(c)
	checkTable(t, &tab, map[flowKey]*conn{c.key: c})
}

// Both directions of a connection hash alike: keyOf orders the endpoints.
func TestConnTableHashDirection(t *testing.T) {
	tab := newConnTable()
	for _, s := range fuzzSegments() {
		k1, _ := keyOf(3, &s)
		s.Src, s.Dst, s.SrcPort, s.DstPort = s.Dst, s.Src, s.DstPort, s.SrcPort
		k2, _ := keyOf(3, &s)
		if k1 != k2 || tab.hash(&k1) != tab.hash(&k2) {
			t.Fatalf("the two directions of %v differ", k1)
		}
	}
}

func fuzzSegments() []decode.Segment {
	rng := rand.New(rand.NewPCG(1, 2))
	segs := make([]decode.Segment, 100)
	for i := range segs {
		s := &segs[i]
		s.V6 = i%3 == 0
		for j := range 4 {
			s.Src[j], s.Dst[j] = byte(rng.Uint32()), byte(rng.Uint32()&1)
		}
		if s.V6 {
			s.Src[15] = byte(i)
		}
		s.SrcPort, s.DstPort = uint16(rng.Uint32()), uint16(rng.Uint32()%4)
	}
	return segs
}

// A random sequence of puts, lookups and removes agrees with a Go map,
// under the table's hash and under one that collides often.
func TestConnTableAgainstMap(t *testing.T) {
	for _, bad := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(3, uint64(len(t.Name()))))
		tab := newConnTable()
		hash := tab.hash
		if bad {
			hash = func(k *flowKey) uint64 { return uint64(k.ap % 61) }
		}
		oracle := map[flowKey]*conn{}
		id := 0
		for range 200_000 {
			i := rng.IntN(5000) // keys recur: replace and remove hit
			k := tableKey(i)
			switch op := rng.IntN(10); {
			case op < 4:
				id++
				c := &conn{key: k, id: uint64(id), hash: hash(&k)}
				tab.put(c)
				oracle[k] = c
			case op < 7:
				if c := oracle[k]; c != nil {
					if !tab.remove(c) {
						t.Fatalf("bad=%v: remove of a connection in the table = false", bad)
					}
					delete(oracle, k)
				} else if got := tab.get(hash(&k), &k); got != nil {
					t.Fatalf("bad=%v: get of a removed key = %d", bad, got.id)
				}
			default:
				if got := tab.get(hash(&k), &k); got != oracle[k] {
					t.Fatalf("bad=%v: get = %v, want %v", bad, got, oracle[k])
				}
			}
			if tab.Len() != len(oracle) {
				t.Fatalf("bad=%v: Len = %d, want %d", bad, tab.Len(), len(oracle))
			}
		}
		checkTable(t, &tab, oracle)
	}
}

// The table grows by doubling and no further than twice its most
// connections.
func TestConnTableBounded(t *testing.T) {
	tab := newConnTable()
	const most = 5000
	for round := range 20 {
		var cs []*conn
		for i := range most {
			c := tableConn(round*most+i, tab.hash)
			tab.put(c)
			cs = append(cs, c)
		}
		for _, c := range cs {
			tab.remove(c)
		}
	}
	if n := len(tab.slots); n > 2*most*2 || n&(n-1) != 0 {
		t.Fatalf("%d slots for at most %d connections", n, most)
	}
}
