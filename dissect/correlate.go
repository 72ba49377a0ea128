package dissect

import (
	"net/netip"
	"time"
)

// Correlation ties announcements to the data connections that follow them,
// within one vantage point:
//
//   - exact: the connection goes to the announced address and port;
//   - translated: it goes to the announced port at another address that
//     belongs to the session (NAT between announcer and capture, or a
//     client that ignores a 227 address and uses the control server's);
//   - inferred: the announcement was not readable (AUTH TLS) and the
//     connection is tied by hosts and timing only.
//
// A channel waits from its announcement until DataTimeout after its
// announcement or transfer command, whichever is later. Connections that
// arrive before the announcement was read (a control segment queued behind
// a capture gap) are kept for a while and matched when it is.

// endpointKey indexes expectations by announced endpoint.
type endpointKey struct {
	vantage uint32
	ap      netip.AddrPort
}

// portKey indexes expectations, and unmatched connections, by port.
type portKey struct {
	vantage uint32
	port    uint16
}

// maxExpectations bounds the channels waiting for a data connection; the
// oldest is dropped beyond it.
const maxExpectations = 1 << 16

// maxRecentUnmatched bounds the connections kept for late matching.
const maxRecentUnmatched = 4096

// lateSlack is how long before its announcement was read a connection may
// have started and still be matched to it.
const lateSlack = 2 * time.Second

type expectations struct {
	timeout time.Duration
	exact   map[endpointKey][]*channel
	byPort  map[portKey][]*channel
	queue   []*channel // in registration order, for expiry
	waiting int        // channels of queue still registered
	// recent unmatched connections, by responder port, oldest first
	recent  map[portKey][]*conn
	recentQ []*conn
	evicted uint64
}

func newExpectations(timeout time.Duration) *expectations {
	return &expectations{
		timeout: timeout,
		exact:   map[endpointKey][]*channel{},
		byPort:  map[portKey][]*channel{},
		recent:  map[portKey][]*conn{},
	}
}

// register makes ch wait for its data connection, or ties it at once to a
// connection that came before the announcement was read.
func (e *expectations) register(ch *channel, now time.Time) {
	ep, ok := ch.expectedEndpoint()
	if !ok {
		return
	}
	ch.since = ch.ann.ts.Add(-lateSlack)
	ch.expires = ch.ann.ts.Add(e.timeout)
	if c := e.lateMatch(ch, ep); c != nil {
		return
	}
	if e.waiting >= maxExpectations {
		e.evictOldest()
	}
	if len(e.queue) >= 2*maxExpectations {
		e.compact() // matched channels pile up between two expiries
	}
	v := ch.sess.vantage.id
	ek := endpointKey{v, ep}
	pk := portKey{v, ep.Port()}
	e.exact[ek] = append(e.exact[ek], ch)
	e.byPort[pk] = append(e.byPort[pk], ch)
	e.queue = append(e.queue, ch)
	ch.registered = true
	e.waiting++
}

// evictOldest dequeues the oldest channel still waiting, and the matched
// ones before it.
func (e *expectations) evictOldest() {
	i := 0
	for i < len(e.queue) && !e.queue[i].registered {
		i++
	}
	if i < len(e.queue) {
		e.unregister(e.queue[i])
		e.evicted++
		i++
	}
	e.dequeue(i)
}

// dequeue drops the first n channels of the queue, in constant time: the
// array's front is let go when append next moves it.
func (e *expectations) dequeue(n int) {
	clear(e.queue[:n])
	e.queue = e.queue[n:]
}

// compact drops the channels no longer waiting from the queue.
func (e *expectations) compact() {
	kept := e.queue[:0]
	for _, ch := range e.queue {
		if ch.registered {
			kept = append(kept, ch)
		}
	}
	clear(e.queue[len(kept):])
	e.queue = kept
}

// extend keeps ch waiting for DataTimeout after a transfer command or its
// reply: an active-mode server connects only once asked to transfer.
func (e *expectations) extend(ch *channel, at time.Time) {
	if t := at.Add(e.timeout); t.After(ch.expires) {
		ch.expires = t
	}
}

// unregister stops ch waiting.
func (e *expectations) unregister(ch *channel) {
	if !ch.registered {
		return
	}
	ch.registered = false
	e.waiting--
	v := ch.sess.vantage.id
	ep := ch.ann.endpoint
	removeChannel(e.exact, endpointKey{v, ep}, ch)
	removeChannel(e.byPort, portKey{v, ep.Port()}, ch)
	// the queue entry is skipped when it reaches the front
}

// removeChannel takes ch out of m[k], and k out of m when that empties it.
func removeChannel[K comparable](m map[K][]*channel, k K, ch *channel) {
	list := m[k]
	for i, x := range list {
		if x == ch {
			list = append(list[:i], list[i+1:]...)
			list[len(list):cap(list)][0] = nil
			break
		}
	}
	if len(list) == 0 {
		delete(m, k)
		return
	}
	m[k] = list
}

// expire drops channels whose wait is over.
func (e *expectations) expire(now time.Time) {
	i := 0
	for i < len(e.queue) {
		ch := e.queue[i]
		if ch.registered && !now.After(ch.expires) {
			break
		}
		e.unregister(ch)
		i++
	}
	e.dequeue(i)
	// Matched channels stay queued until their turn comes; when they are
	// most of the queue, drop them now so that their sessions can go.
	if len(e.queue) > 64 && e.waiting < len(e.queue)/2 {
		e.compact()
	}
	// recent unmatched connections are kept for the slack only
	j := 0
	for j < len(e.recentQ) && now.Sub(e.recentQ[j].first) > lateSlack {
		e.forgetRecent(e.recentQ[j])
		j++
	}
	if j > 0 {
		n := copy(e.recentQ, e.recentQ[j:])
		clear(e.recentQ[n:])
		e.recentQ = e.recentQ[:n]
	}
}

// match finds the channel a new connection serves, and how.
func (e *expectations) match(c *conn) (*channel, string) {
	v := c.vantage.id
	if list := e.exact[endpointKey{v, c.responder}]; len(list) > 0 {
		var best *channel
		bestRank := -1
		for _, ch := range list {
			if !ch.accepts(c) {
				continue
			}
			if r := ch.rank(c); r > bestRank {
				best, bestRank = ch, r
			}
		}
		if best != nil {
			e.unregister(best)
			return best, "exact"
		}
	}
	for _, ch := range e.byPort[portKey{v, c.responder.Port()}] {
		if ch.accepts(c) && ch.relatesTranslated(c) {
			e.unregister(ch)
			return ch, "translated"
		}
	}
	return nil, ""
}

// lateMatch ties a just-registered channel to a connection that started
// before its announcement was read.
func (e *expectations) lateMatch(ch *channel, ep netip.AddrPort) *conn {
	list := e.recent[portKey{ch.sess.vantage.id, ep.Port()}]
	for _, c := range list {
		if !c.recent || c.role != roleUnknown || !ch.accepts(c) {
			continue
		}
		how := ""
		switch {
		case c.responder == ep:
			how = "exact"
		case ch.relatesTranslated(c):
			how = "translated"
		default:
			continue
		}
		e.forgetRecent(c)
		ch.attach(c, how)
		return c
	}
	return nil
}

// remember keeps an unmatched new connection for late matching.
func (e *expectations) remember(c *conn) {
	if len(e.recentQ) >= maxRecentUnmatched {
		e.forgetRecent(e.recentQ[0])
		e.recentQ[0] = nil
		e.recentQ = e.recentQ[1:]
	}
	c.recent = true
	k := portKey{c.vantage.id, c.responder.Port()}
	e.recent[k] = append(e.recent[k], c)
	e.recentQ = append(e.recentQ, c)
}

// forgetRecent ends c's wait for a late announcement. Lists are not
// searched (a flood to one port would make that quadratic): c is marked,
// and the marked connections at the front of its list dropped; one
// forgotten out of order goes when those before it do, within lateSlack.
func (e *expectations) forgetRecent(c *conn) {
	if !c.recent {
		return
	}
	c.recent = false
	k := portKey{c.vantage.id, c.responder.Port()}
	list := e.recent[k]
	i := 0
	for i < len(list) && !list[i].recent {
		list[i] = nil
		i++
	}
	switch {
	case i == len(list):
		delete(e.recent, k)
	case i > 0:
		e.recent[k] = list[i:]
	}
}

// accepts reports whether c may be the data connection of ch at all.
func (ch *channel) accepts(c *conn) bool {
	if ch.conn != nil || ch.snapshot != nil || ch.rejected || ch.sess.emitted {
		return false
	}
	t := c.first
	return !t.Before(ch.since) && !t.After(ch.expires)
}

// rank orders the channels that announced the same endpoint, for a data
// connection to it: first those whose session involves its initiator (a
// server may announce one port to two clients), then those whose transfer
// command waits for its data (two sessions behind one NAT may announce one
// port, and only one of them transfers), then the oldest.
func (ch *channel) rank(c *conn) int {
	r := 0
	if ch.expectsInitiator(c) {
		r += 2
	}
	if ch.xfer != nil && ch.xfer.final == 0 {
		r++
	}
	return r
}

// expectsInitiator reports whether c's initiator is who should open the
// data connection: the FTP client in passive mode, the server in active.
func (ch *channel) expectsInitiator(c *conn) bool {
	if ch.mode == "passive" {
		return c.initiator.Addr() == ch.sess.client.Addr()
	}
	return c.initiator.Addr() == ch.sess.server.Addr()
}

// relatesTranslated reports whether c, which uses the announced port at
// another address, belongs to ch's session: one of its ends is a control
// peer in the right role.
func (ch *channel) relatesTranslated(c *conn) bool {
	s := ch.sess
	if ch.mode == "passive" {
		return c.initiator.Addr() == s.client.Addr() || c.responder.Addr() == s.server.Addr()
	}
	return c.responder.Addr() == s.client.Addr() || c.initiator.Addr() == s.server.Addr()
}
