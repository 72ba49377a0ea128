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
