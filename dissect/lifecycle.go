// Lifecycle: connections end, the housekeeping walks the deadlines, and a
// session is emitted to the sink once its connections have all ended.

package dissect

import (
	"sort"
	"time"

	"github.com/ftpscope/ftpscope/dissect/dialog"
	"github.com/ftpscope/ftpscope/model"
)

// endConn finalizes a connection and forgets it.
func (a *Analyzer) endConn(c *conn, how string) {
	if a.conns.get(&c.key) != c { // gone, or the key is another connection's now
		return
	}
	a.conns.del(&c.key)
	if a.lastConn == c {
		a.lastConn = nil
	}
	a.lru.remove(c)
	if c.closed == "" || !c.closing {
		c.closed = how
		if c.endTime.IsZero() || how != "reused" {
			c.endTime = c.last
		}
	}
	switch c.role {
	case roleControl:
		a.countFTPHosts(c, -1)
		s := c.ctl.sess
		c.ctl.end()
		s.controlDone = true
		a.maybeEmit(s)
	case roleData:
		if ch := c.ch; ch != nil {
			ch.dataEnded(c)
			a.maybeEmit(ch.sess)
		}
	case roleUnknown:
		a.exp.Forget(c)
		if c.span[0].Bytes()+c.span[1].Bytes() > 0 && (c.nearFTP || a.nearFTP(c)) {
			a.stats.UnmatchedDataConnections++
		}
	}
}

// tick is the periodic housekeeping, driven by the capture clock.
func (a *Analyzer) tick() {
	now := a.now
	a.tickAt = now.UnixNano() + int64(tickEvery)
	a.expireReordering(now.Add(-reorderWait))
	// finalize closed connections after their linger
	keep := a.closing[:0]
	for _, c := range a.closing {
		linger := dataLinger
		if c.role == roleControl {
			linger = controlLinger
		}
		if a.conns.get(&c.key) != c {
			continue // already gone
		}
		// A control connection whose stream delivered its last byte, or
		// a data connection whose two FINs were both acknowledged (a
		// clean close: nothing more comes), has nothing left to wait for;
		// its session concludes at once, not a linger later.
		if now.Sub(c.endTime) >= linger || c.role == roleControl && c.ctl.done || c.finAcked[0] && c.finAcked[1] {
			a.endConn(c, c.closed)
		} else {
			keep = append(keep, c)
		}
	}
	clear(a.closing[len(keep):])
	a.closing = keep
	// forget silent connections, least recently active first: each role's
	// list up to its first connection not silent for that role's limit
	for {
		var oldest *conn
		for r := range a.lru.lists {
			c := a.lru.lists[r].head
			if c == nil {
				continue
			}
			idle := now.Sub(c.last)
			if idle < 0 {
				c.last, idle = now, 0 // active after a clock that moved back
			}
			if idle >= idleLimit(connRole(r)) && (oldest == nil || c.touched < oldest.touched) {
				oldest = c
			}
		}
		if oldest == nil {
			break
		}
		a.endConn(oldest, "timeout")
		if oldest.prev == nil && a.lru.lists[oldest.listed].head == oldest {
			a.lru.remove(oldest) // not in the table: never walked again
		}
	}
	a.exp.Expire(now)
	a.retryTLS()
	for s := range a.tlsHosts {
		if a.tlsHosts[s].emitted {
			delete(a.tlsHosts, s)
		}
	}
}

// expireReordering flushes the control queues that waited since before
// the given time, and forgets the streams with nothing left queued.
func (a *Analyzer) expireReordering(before time.Time) {
	keep := a.reordering[:0]
	for _, st := range a.reordering {
		if st.expire(before) {
			keep = append(keep, st)
		} else {
			st.listed = false
		}
	}
	clear(a.reordering[len(keep):])
	a.reordering = keep
}

// maybeEmit sends a session to the sink once everything it waits for ended.
func (a *Analyzer) maybeEmit(s *session) {
	if s.emitted || !s.controlDone || s.openData > 0 {
		return
	}
	s.emitted = true
	delete(a.open, s)
	for _, ch := range s.channels {
		a.exp.Unregister(ch)
	}
	if s.tls {
		delete(a.tlsHosts, hostPair{s.vantage.id, s.client.Addr(), s.server.Addr()})
	}
	if s.attempt() {
		a.stats.ConnectionAttempts++
		a.stats.ControlSessions--
		s.release()
		return
	}
	if ls, ok := a.sink.(LazySink); ok {
		// Nothing in the analysis writes to an emitted session: its model
		// can be built elsewhere.
		ls.SessionLater(func() *model.Session {
			m := a.export(s)
			s.release()
			return m
		})
		return
	}
	m := a.export(s)
	if a.sink != nil {
		a.sink.Session(m)
	}
	s.release()
}

// release lets go of what an emitted session holds: expectations and
// closed connections may still point at it for a while.
func (s *session) release() {
	s.dialog, s.segments, s.cmds, s.channels, s.anomalies = dialog.Ring{}, nil, nil, nil, nil
	clear(s.firstChannels[:])
	clear(s.firstCmds[:])
	s.st.half[0].records, s.st.half[1].records = nil, nil
}

// Finish ends the analysis: every connection still open is concluded as
// the capture ended, and every session is sent to the sink.
func (a *Analyzer) Finish() {
	if a.finished {
		return
	}
	a.finished = true
	// Packets the clocks held wait no longer; then control bytes still
	// waiting for a hole to fill, before any data connection ends: they may
	// carry the replies those wait for.
	a.endClocks()
	a.expireReordering(a.now)
	// Data connections first, so that sessions are complete when their
	// control connection ends.
	all := a.lru.all()
	for _, c := range all {
		if c.role != roleControl {
			a.endConn(c, "capture-end")
		}
	}
	for _, c := range all {
		if c.role == roleControl {
			a.endConn(c, "capture-end")
		}
	}
	// Sessions left open (a data connection outlived its control one).
	rest := make([]*session, 0, len(a.open))
	for s := range a.open {
		rest = append(rest, s)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].n < rest[j].n })
	for _, s := range rest {
		s.controlDone = true
		s.openData = 0
		a.maybeEmit(s)
	}
}
