package dissect

import (
	"fmt"
	"testing"
	"time"
)

func testConn(id uint64, role connRole) *conn {
	return &conn{id: id, role: role, key: flowKey{}}
}

func ids(cs []*conn) []uint64 {
	var out []uint64
	for _, c := range cs {
		out = append(out, c.id)
	}
	return out
}

func listIDs(l *lru) []uint64 {
	var out []uint64
	for c := l.head; c != nil; c = c.next {
		out = append(out, c.id)
	}
	return out
}

func TestLRUSetOrdersAcrossRoles(t *testing.T) {
	var s lruSet
	c1, c2, c3, c4 := testConn(1, roleUnknown), testConn(2, roleControl), testConn(3, roleUnknown), testConn(4, roleUnknown)
	for _, c := range []*conn{c1, c2, c3, c4} {
		s.add(c)
	}
	s.touch(c1) // 2 3 4 1
	// c3 becomes a data connection (a late announcement) without being
	// touched: it keeps its place in the order of all
	c3.role = roleData
	s.retag(c3)
	if got := fmt.Sprint(ids(s.all())); got != "[2 3 4 1]" {
		t.Errorf("all = %s, want [2 3 4 1]", got)
	}
	if got := fmt.Sprint(listIDs(&s.lists[roleUnknown])); got != "[4 1]" {
		t.Errorf("unknown list = %s, want [4 1]", got)
	}
	if got := s.oldest(); got != c2 {
		t.Errorf("oldest = %d, want 2", got.id)
	}
	// evictable: the oldest unrelated connection when it is among the 16
	// least recently active
	if got := s.evictable(); got != c4 {
		t.Errorf("evictable = %d, want 4", got.id)
	}
	// a role given to the connection being touched: it ends at the back
	c4.role = roleControl
	s.retag(c4)
	s.touch(c4)
	if got := fmt.Sprint(listIDs(&s.lists[roleControl])); got != "[2 4]" {
		t.Errorf("control list = %s, want [2 4]", got)
	}
	s.remove(c2)
	s.remove(c3)
	if got := fmt.Sprint(ids(s.all())); got != "[1 4]" {
		t.Errorf("all after removals = %s, want [1 4]", got)
	}
}

func TestLRUSetRetagInsertsInOrder(t *testing.T) {
	var s lruSet
	var cs []*conn
	for i := uint64(1); i <= 6; i++ {
		c := testConn(i, roleUnknown)
		if i%2 == 0 {
			c.role = roleData
		}
		s.add(c)
		cs = append(cs, c)
	}
	// 1, 3 and 5 become data connections out of order: each lands where
	// its last touch puts it among 2, 4 and 6
	for _, i := range []int{4, 0, 2} {
		cs[i].role = roleData
		s.retag(cs[i])
	}
	if got := fmt.Sprint(listIDs(&s.lists[roleData])); got != "[1 2 3 4 5 6]" {
		t.Errorf("data list = %s, want [1 2 3 4 5 6]", got)
	}
	if s.lists[roleUnknown].head != nil {
		t.Errorf("unknown list not empty")
	}
}

func TestEvictablePrefersUnrelatedOnlyAmongTheOldest(t *testing.T) {
	var s lruSet
	var first *conn
	for i := uint64(1); i <= 20; i++ {
		c := testConn(i, roleControl)
		s.add(c)
		if first == nil {
			first = c
		}
	}
	s.add(testConn(21, roleUnknown)) // 21st least recently active
	if got := s.evictable(); got != first {
		t.Errorf("evictable = %d, want the oldest (1)", got.id)
	}
}

// addIdle puts a connection of the role, silent since at, in the table.
func addIdle(a *Analyzer, id uint64, role connRole, at time.Time) *conn {
	c := testConn(id, role)
	c.key = flowKey{a: [16]byte{10, 0, 0, 1}, ap: uint16(id), bp: uint16(id >> 16)}
	c.first, c.last = at, at
	a.conns.put(&c.key, c)
	a.lru.add(c)
	return c
}

// The housekeeping ends unrelated connections after otherIdle even behind
// older control connections that are allowed to stay silent longer.
func TestTickForgetsUnrelatedBehindIdleControl(t *testing.T) {
	a := New(DefaultConfig(), nil, SinkFunc(nil))
	t0 := time.Unix(1_700_000_000, 0)
	for i := uint64(1); i <= 100; i++ {
		addIdle(a, i, roleControl, t0)
	}
	u := addIdle(a, 1000, roleUnknown, t0.Add(time.Second))
	a.now = t0.Add(otherIdle + 2*time.Second)
	a.tick()
	if a.conns.get(&u.key) != nil {
		t.Errorf("the unrelated connection silent for %v was kept", otherIdle+time.Second)
	}
	if n := a.conns.len(); n != 100 {
		t.Errorf("%d connections left, want the 100 control connections", n)
	}
}

// BenchmarkTickIdleControl: one housekeeping pass with N control
// connections silent for longer than the unrelated ones' limit but within
// their own. Flat in N: the pass stops at each list's first live entry.
func BenchmarkTickIdleControl(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			a := New(DefaultConfig(), nil, SinkFunc(nil))
			t0 := time.Unix(1_700_000_000, 0)
			for i := 1; i <= n; i++ {
				addIdle(a, uint64(i), roleControl, t0)
			}
			a.now = t0.Add(otherIdle + time.Second)
			b.ResetTimer()
			for b.Loop() {
				a.tick()
			}
		})
	}
}
