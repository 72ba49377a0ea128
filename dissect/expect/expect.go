// Package expect ties announced endpoints to the connections that follow
// them, within one vantage point:
//
//   - exact: the connection goes to the announced address and port;
//   - translated: it goes to the announced port at another address, and
//     one of its ends is a host of the announcement in the right role (NAT
//     between announcer and capture, or a client that ignores a 227
//     address and uses the control server's).
//
// A waiter waits from its announcement until the timeout after it, or
// after an Extend, whichever is later. Connections that arrive before the
// announcement was read (a control segment queued behind a capture gap)
// are kept for a while (Remember) and matched when it is. The package
// knows nothing of FTP: a waiter is anything with a Want (in dissect, a
// data channel), a connection anything with ends (a TCP connection).
package expect

import (
	"net/netip"
	"time"
)

// How a connection was matched.
const (
	Exact      = "exact"
	Translated = "translated"
)

// MaxWaiting bounds the waiters waiting for a connection; the oldest is
// dropped beyond it.
const MaxWaiting = 1 << 16

// maxRecent bounds the connections kept for late matching.
const maxRecent = 4096

// LateSlack is how long before its announcement was read a connection may
// have started and still be matched to it.
const LateSlack = 2 * time.Second

// Want is what a waiter waits for, and its bookkeeping in the table; the
// waiter holds it, so registering allocates nothing of its own.
type Want struct {
	Vantage  uint32
	Endpoint netip.AddrPort // announced
	// Opener is the host that should open the connection, Listener the
	// other one (FTP passive mode: the client and the server; active: the
	// server and the client).
	Opener, Listener netip.Addr

	since, expires time.Time // connections outside are not for it
	registered     bool
}

// Waiter is what waits for a connection.
type Waiter interface {
	comparable
	Want() *Want
	// Open reports whether the waiter may still take a connection.
	Open() bool
	// Pending reports whether it needs its connection now: preferred
	// among the waiters of one endpoint (two sessions behind one NAT may
	// announce one port, and only one of them transfers).
	Pending() bool
}

// Conn is a new connection looking for its waiter.
type Conn interface {
	comparable
	// Ends are the connection's vantage point, initiator and responder,
	// and the time of its first packet.
	Ends() (vantage uint32, initiator, responder netip.AddrPort, first time.Time)
	// Mark is the connection's flag while it is remembered.
	Mark() *bool
	// Unclaimed reports whether nothing else took it meanwhile.
	Unclaimed() bool
}

type endpointKey struct {
	vantage uint32
	ap      netip.AddrPort
}

// portKey is a vantage point and a port in one word: the maps by port
// hash it as an integer, not field by field.
type portKey uint64

func portOf(vantage uint32, port uint16) portKey { return portKey(uint64(vantage)<<16 | uint64(port)) }

// Table is the waiters and the connections remembered for late matching.
type Table[W Waiter, C Conn] struct {
	timeout time.Duration
	exact   map[endpointKey][]W
	byPort  map[portKey][]W
	queue   []W // in registration order, for expiry
	waiting int // waiters of queue still registered
	// spare are emptied waiter lists kept for reuse: an endpoint mostly
	// has one waiter at a time, whose two lists would each be a new
	// allocation otherwise.
	spare [][]W
	// recent unmatched connections, by responder port, oldest first
	recent  map[portKey][]C
	recentQ []C
	evicted uint64
}

// New returns an empty table whose waiters wait for timeout.
func New[W Waiter, C Conn](timeout time.Duration) *Table[W, C] {
	return &Table[W, C]{
		timeout: timeout,
		exact:   map[endpointKey][]W{},
		byPort:  map[portKey][]W{},
		recent:  map[portKey][]C{},
	}
}

// Evicted is how many waiters were dropped beyond MaxWaiting.
func (e *Table[W, C]) Evicted() uint64 { return e.evicted }

// Register makes w, announced at ts, wait for its connection; or returns
// at once, and how it matched, a remembered connection that came before.
func (e *Table[W, C]) Register(w W, ts time.Time) (C, string) {
	x := w.Want()
	x.since = ts.Add(-LateSlack)
	x.expires = ts.Add(e.timeout)
	if c, how := e.lateMatch(w); how != "" {
		return c, how
	}
	if e.waiting >= MaxWaiting {
		e.evictOldest()
	}
	if len(e.queue) >= 2*MaxWaiting {
		e.compact() // matched waiters pile up between two expiries
	}
	ek := endpointKey{x.Vantage, x.Endpoint}
	pk := portOf(x.Vantage, x.Endpoint.Port())
	e.exact[ek] = e.appendWaiter(e.exact[ek], w)
	e.byPort[pk] = e.appendWaiter(e.byPort[pk], w)
	e.queue = append(e.queue, w)
	x.registered = true
	e.waiting++
	var none C
	return none, ""
}

// maxSpare bounds the spare lists; those longer than maxSpareCap are not kept.
const maxSpare, maxSpareCap = 1024, 4

// appendWaiter appends w to list, which starts as a spare one when absent.
func (e *Table[W, C]) appendWaiter(list []W, w W) []W {
	if list == nil && len(e.spare) > 0 {
		last := len(e.spare) - 1
		list = e.spare[last]
		e.spare[last] = nil
		e.spare = e.spare[:last]
	}
	return append(list, w)
}

// evictOldest dequeues the oldest waiter still waiting, and the matched
// ones before it.
func (e *Table[W, C]) evictOldest() {
	i := 0
	for i < len(e.queue) && !e.queue[i].Want().registered {
		i++
	}
	if i < len(e.queue) {
		e.Unregister(e.queue[i])
		e.evicted++
		i++
	}
	e.dequeue(i)
}

// dequeue drops the first n waiters of the queue, in constant time: the
// array's front is let go when append next moves it.
func (e *Table[W, C]) dequeue(n int) {
	clear(e.queue[:n])
	e.queue = e.queue[n:]
}

// compact drops the waiters no longer waiting from the queue.
func (e *Table[W, C]) compact() {
	kept := e.queue[:0]
	for _, w := range e.queue {
		if w.Want().registered {
			kept = append(kept, w)
		}
	}
	clear(e.queue[len(kept):])
	e.queue = kept
}

// Extend keeps w waiting for the timeout after at (an active-mode server
// connects only once asked to transfer).
func (e *Table[W, C]) Extend(w W, at time.Time) {
	x := w.Want()
	if t := at.Add(e.timeout); t.After(x.expires) {
		x.expires = t
	}
}

// Unregister stops w waiting.
func (e *Table[W, C]) Unregister(w W) {
	x := w.Want()
	if !x.registered {
		return
	}
	x.registered = false
	e.waiting--
	e.keepSpare(remove(e.exact, endpointKey{x.Vantage, x.Endpoint}, w))
	e.keepSpare(remove(e.byPort, portOf(x.Vantage, x.Endpoint.Port()), w))
	// the queue entry is skipped when it reaches the front
}

// keepSpare keeps an emptied list (nil: none) for appendWaiter.
func (e *Table[W, C]) keepSpare(emptied []W) {
	if emptied != nil && cap(emptied) <= maxSpareCap && len(e.spare) < maxSpare {
		e.spare = append(e.spare, emptied)
	}
}

// remove takes w out of m[k], and k out of m when that empties it; it
// returns the emptied list, of length 0 and cleared, or nil.
func remove[K, W comparable](m map[K][]W, k K, w W) []W {
	list := m[k]
	for i, x := range list {
		if x == w {
			list = append(list[:i], list[i+1:]...)
			var zero W
			list[len(list):cap(list)][0] = zero
			break
		}
	}
	if len(list) == 0 {
		delete(m, k)
		return list
	}
	m[k] = list
	return nil
}

// Expire drops the waiters whose wait is over at now, and the remembered
// connections older than LateSlack.
func (e *Table[W, C]) Expire(now time.Time) {
	i := 0
	for i < len(e.queue) {
		w := e.queue[i]
		if x := w.Want(); x.registered && !now.After(x.expires) {
			break
		}
		e.Unregister(w)
		i++
	}
	e.dequeue(i)
	// Matched waiters stay queued until their turn comes; when they are
	// most of the queue, drop them now so that what holds them can go.
	if len(e.queue) > 64 && e.waiting < len(e.queue)/2 {
		e.compact()
	}
	j := 0
	for j < len(e.recentQ) {
		if _, _, _, first := e.recentQ[j].Ends(); now.Sub(first) <= LateSlack {
			break
		}
		e.Forget(e.recentQ[j])
		j++
	}
	if j > 0 {
		n := copy(e.recentQ, e.recentQ[j:])
		clear(e.recentQ[n:])
		e.recentQ = e.recentQ[:n]
	}
}

// accepts reports whether a connection that started at first may be the
// waiter's at all (open: it may still take one).
func (x *Want) accepts(open bool, first time.Time) bool {
	return open && !first.Before(x.since) && !first.After(x.expires)
}

// translated reports whether a connection from initiator to responder,
// on the announced port at another address, belongs to x: one of its
// ends is a host of the announcement in the right role.
func (x *Want) translated(initiator, responder netip.AddrPort) bool {
	return initiator.Addr() == x.Opener || responder.Addr() == x.Listener
}

// Match finds the waiter a new connection serves, and how; it stops
// waiting.
func (e *Table[W, C]) Match(c C) (W, string) {
	v, ini, resp, first := c.Ends()
	if list := e.exact[endpointKey{v, resp}]; len(list) > 0 {
		var best W
		bestRank := -1
		for _, w := range list {
			x := w.Want()
			if !x.accepts(w.Open(), first) {
				continue
			}
			// First the waiters whose opener opened it (a server may
			// announce one port to two clients), then those pending,
			// then the oldest.
			r := 0
			if ini.Addr() == x.Opener {
				r += 2
			}
			if w.Pending() {
				r++
			}
			if r > bestRank {
				best, bestRank = w, r
			}
		}
		if bestRank >= 0 {
			e.Unregister(best)
			return best, Exact
		}
	}
	for _, w := range e.byPort[portOf(v, resp.Port())] {
		if x := w.Want(); x.accepts(w.Open(), first) && x.translated(ini, resp) {
			e.Unregister(w)
			return w, Translated
		}
	}
	var none W
	return none, ""
}

// lateMatch finds, for a waiter being registered, a remembered connection
// that started before its announcement was read.
func (e *Table[W, C]) lateMatch(w W) (C, string) {
	x := w.Want()
	for _, c := range e.recent[portOf(x.Vantage, x.Endpoint.Port())] {
		_, ini, resp, first := c.Ends()
		if !*c.Mark() || !c.Unclaimed() || !x.accepts(w.Open(), first) {
			continue
		}
		how := ""
		switch {
		case resp == x.Endpoint:
			how = Exact
		case x.translated(ini, resp):
			how = Translated
		default:
			continue
		}
		e.Forget(c)
		return c, how
	}
	var none C
	return none, ""
}

// Remember keeps an unmatched new connection for late matching.
func (e *Table[W, C]) Remember(c C) {
	if len(e.recentQ) >= maxRecent {
		e.Forget(e.recentQ[0])
		var zero C
		e.recentQ[0] = zero
		e.recentQ = e.recentQ[1:]
	}
	*c.Mark() = true
	v, _, resp, _ := c.Ends()
	k := portOf(v, resp.Port())
	e.recent[k] = append(e.recent[k], c)
	e.recentQ = append(e.recentQ, c)
}

// Forget ends c's wait for a late announcement. Lists are not searched (a
// flood to one port would make that quadratic): c is marked, and the
// marked connections at the front of its list dropped; one forgotten out
// of order goes when those before it do, within LateSlack.
func (e *Table[W, C]) Forget(c C) {
	m := c.Mark()
	if !*m {
		return
	}
	*m = false
	v, _, resp, _ := c.Ends()
	k := portOf(v, resp.Port())
	list := e.recent[k]
	var zero C
	i := 0
	for i < len(list) && !*list[i].Mark() {
		list[i] = zero
		i++
	}
	switch {
	case i == len(list):
		delete(e.recent, k)
	case i > 0:
		e.recent[k] = list[i:]
	}
}
