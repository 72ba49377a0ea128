package expect

import (
	"net/netip"
	"testing"
	"time"
)

type waiter struct {
	want Want
	open bool
}

func (w *waiter) Want() *Want   { return &w.want }
func (w *waiter) Open() bool    { return w.open }
func (w *waiter) Pending() bool { return false }

type tconn struct {
	ini, resp netip.AddrPort
	first     time.Time
	mark      bool
}

func (c *tconn) Ends() (uint32, netip.AddrPort, netip.AddrPort, time.Time) {
	return 0, c.ini, c.resp, c.first
}
func (c *tconn) Mark() *bool     { return &c.mark }
func (c *tconn) Unclaimed() bool { return true }

// Beyond MaxWaiting waiters, registering one evicts the oldest still
// waiting, at once: the queue does not grow between two housekeeping
// ticks, matched waiters included, and each eviction is counted once.
func TestEvictionDequeues(t *testing.T) {
	e := New[*waiter, *tconn](30 * time.Second)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var ws []*waiter
	for i := 0; i < 2*MaxWaiting; i++ {
		ep := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), uint16(1024+i%60000))
		w := &waiter{want: Want{Endpoint: ep}, open: true}
		e.Register(w, t0)
		ws = append(ws, w)
		if i%10 == 0 {
			// matched at once: stays queued until housekeeping
			e.Unregister(w)
		}
	}
	if e.waiting > MaxWaiting {
		t.Errorf("%d waiting, want at most %d", e.waiting, MaxWaiting)
	}
	if len(e.queue) > 2*MaxWaiting {
		t.Errorf("queue of %d, want at most %d", len(e.queue), 2*MaxWaiting)
	}
	n := 0
	for _, w := range e.queue {
		if w.want.registered {
			n++
		}
	}
	if n != e.waiting {
		t.Errorf("%d registered waiters queued, count says %d", n, e.waiting)
	}
	// nine in ten stayed registered; the oldest beyond the bound went
	if want := uint64(len(ws) - (len(ws)+9)/10 - MaxWaiting); e.Evicted() != want {
		t.Errorf("%d evicted, want %d", e.Evicted(), want)
	}
	if ws[1].want.registered || !ws[len(ws)-1].want.registered {
		t.Errorf("oldest still waiting %v, newest %v: want the oldest evicted", ws[1].want.registered, ws[len(ws)-1].want.registered)
	}
	e.Expire(t0.Add(time.Minute))
	if e.waiting != 0 || len(e.queue) != 0 || len(e.exact) != 0 || len(e.byPort) != 0 {
		t.Errorf("after expiry: %d waiting, queue %d, maps %d/%d", e.waiting, len(e.queue), len(e.exact), len(e.byPort))
	}
}

// A waiter matches exactly, then by port at another address when an end
// is its opener or listener; a connection that came before the
// announcement was read is matched when the waiter registers, and a
// remembered one is forgotten after LateSlack.
func TestMatchTranslatedAndLate(t *testing.T) {
	e := New[*waiter, *tconn](30 * time.Second)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cli, srv := netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("203.0.113.20")
	ep := netip.AddrPortFrom(srv, 30000)
	w := &waiter{want: Want{Endpoint: ep, Opener: cli, Listener: srv}, open: true}
	e.Register(w, t0)
	nat := &tconn{ini: netip.AddrPortFrom(cli, 50000), resp: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.1"), 30000), first: t0.Add(time.Second)}
	if got, how := e.Match(nat); got != w || how != Translated {
		t.Fatalf("matched %v %q, want translated", got, how)
	}
	if got, how := e.Match(nat); got != nil || how != "" {
		t.Fatalf("matched twice: %v %q", got, how)
	}
	early := &tconn{ini: netip.AddrPortFrom(cli, 50001), resp: netip.AddrPortFrom(srv, 30001), first: t0}
	e.Remember(early)
	w2 := &waiter{want: Want{Endpoint: netip.AddrPortFrom(srv, 30001), Opener: cli, Listener: srv}, open: true}
	if c, how := e.Register(w2, t0.Add(time.Second)); c != early || how != Exact || early.mark {
		t.Fatalf("late match %v %q (mark %v), want exact", c, how, early.mark)
	}
	old := &tconn{ini: netip.AddrPortFrom(cli, 50002), resp: netip.AddrPortFrom(srv, 30002), first: t0}
	e.Remember(old)
	e.Expire(t0.Add(LateSlack + time.Second))
	if old.mark || len(e.recent) != 0 || len(e.recentQ) != 0 {
		t.Errorf("after expiry: mark %v, %d lists, %d queued", old.mark, len(e.recent), len(e.recentQ))
	}
}

// An emptied waiter list is reused for the next endpoint: registering and
// unregistering waiters one at a time allocates no lists, and a reused list
// holds only its new waiter.
func TestSpareListsReused(t *testing.T) {
	e := New[*waiter, *tconn](30 * time.Second)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ep := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), uint16(30000+i%8))
	}
	ws := make([]*waiter, 8)
	for i := range ws {
		ws[i] = &waiter{want: Want{Endpoint: ep(i)}, open: true}
	}
	i := 0
	cycle := func() {
		w := ws[i%len(ws)]
		e.Register(w, t0)
		e.Unregister(w)
		i++
	}
	for range 64 {
		cycle() // the maps reach their size
	}
	if n := testing.AllocsPerRun(100, cycle); n != 0 {
		t.Errorf("%.1f allocations per register and unregister, want 0", n)
	}
	w1, w2 := ws[1], ws[2]
	e.Register(w1, t0)
	e.Unregister(w1)
	e.Register(w2, t0)
	if got := e.exact[endpointKey{0, ep(2)}]; len(got) != 1 || got[0] != w2 {
		t.Errorf("exact list of %v: %v, want only its waiter", ep(2), got)
	}
	if got := e.byPort[portOf(0, ep(2).Port())]; len(got) != 1 || got[0] != w2 {
		t.Errorf("port list of %v: %v, want only its waiter", ep(2), got)
	}
	if _, ok := e.exact[endpointKey{0, ep(1)}]; ok {
		t.Errorf("the unregistered endpoint %v keeps a list", ep(1))
	}
	if w, how := e.Match(&tconn{ini: netip.MustParseAddrPort("10.0.0.2:50000"), resp: ep(2), first: t0}); w != w2 || how != Exact {
		t.Errorf("Match = %v, %q; want the waiter of %v, exact", w, how, ep(2))
	}
}
