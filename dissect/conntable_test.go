package dissect

import "testing"

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

// The connection found last is remembered; deleting or replacing it must
// never leave the memory answering for a connection that is gone.
func TestConnTableLastFoundFollowsChanges(t *testing.T) {
	tab := newConnTable()
	a := flowKey{a: [16]byte{192, 168, 1, 10}, b: [16]byte{203, 0, 113, 5}, ap: 40000, bp: 21}
	b := a
	b.ap = 40001
	first, second, other := &conn{id: 1}, &conn{id: 2}, &conn{id: 3}
	tab.put(&a, first)
	for range 2 { // from the map, then from the memory
		if tab.get(&a) != first {
			t.Fatal("the connection put is not found")
		}
	}
	tab.put(&a, second) // the key taken by a new connection
	if got := tab.get(&a); got != second {
		t.Fatalf("after replacing: got %v, want the new connection", got)
	}
	if tab.get(&b) != nil {
		t.Fatal("an absent key found a connection")
	}
	tab.put(&b, other)
	tab.del(&b)
	if tab.get(&b) != nil {
		t.Fatal("a deleted connection is still found")
	}
	if tab.get(&a) != second {
		t.Fatal("deleting another key lost this one")
	}
	tab.del(&a)
	if tab.get(&a) != nil || tab.len() != 0 {
		t.Fatal("the connection found last outlived its deletion")
	}
}
