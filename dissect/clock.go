package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/capture"
)

// The capture clock. Each source, and each capture interface within it,
// has a capture.Clock of its own: a packet whose timestamp its clock holds
// (one SYN dated a year ahead) is analysed as if it came at the clock's
// time, and merged sources never read each other's timestamps as jumps.
// The analysis runs on the latest of the clocks.

// maxClockInterfaces bounds the clocks of one source; interfaces beyond
// share the last one.
const maxClockInterfaces = 256

// sourceClock is the clock of one source interface, and the connections
// its held packets touched: they are redated if the clock confirms the
// jump, so that the jump does not time them out.
type sourceClock struct {
	capture.Clock
	held  [capture.ClockConfirm]heldTouch
	nheld int
}

// heldTouch is a connection a held packet touched, and the packet's own
// timestamp.
type heldTouch struct {
	c       *conn
	ts      time.Time
	created bool // the packet opened the connection
}

// clockOf returns the clock of a packet's source interface.
func (a *Analyzer) clockOf(source, iface int) *sourceClock {
	if source < 0 {
		source = 0
	}
	iface = min(max(iface, 0), maxClockInterfaces-1)
	for len(a.clocks) <= source {
		a.clocks = append(a.clocks, nil)
	}
	ifs := a.clocks[source]
	for len(ifs) <= iface {
		ifs = append(ifs, &sourceClock{})
	}
	a.clocks[source] = ifs
	return ifs[iface]
}

// observe dates packet p by its clock. It returns p itself, or a copy
// dated at the clock's time when the clock holds its timestamp.
func (a *Analyzer) observe(p *capture.Packet) *capture.Packet {
	k := [2]int{p.Source, p.Info.InterfaceIndex}
	ck := a.lastClock
	if ck == nil || a.lastClockKey != k {
		ck = a.clockOf(p.Source, p.Info.InterfaceIndex)
		a.lastClock, a.lastClockKey = ck, k
	}
	at, v := ck.Observe(p.Info.Timestamp.UnixNano())
	a.held = nil
	switch v {
	case capture.ClockOn:
		if ck.nheld > 0 {
			ck.forget() // the run ended unconfirmed
		}
	case capture.ClockHeld:
		if ck.Held() == 1 {
			ck.forget() // a new run
		}
		a.held, a.heldTS = ck, p.Info.Timestamp
		q := *p
		q.Info.Timestamp = time.Unix(0, at).In(p.Info.Timestamp.Location())
		return &q
	case capture.ClockMoved:
		a.clockMoved(ck)
	}
	return p
}

// forget drops the connections of a run.
func (ck *sourceClock) forget() {
	clear(ck.held[:ck.nheld])
	ck.nheld = 0
}

// touchHeld records a connection that the held packet touched.
func (a *Analyzer) touchHeld(c *conn, created bool) {
	ck := a.held
	if ck.nheld < len(ck.held) {
		ck.held[ck.nheld] = heldTouch{c, a.heldTS, created}
		ck.nheld++
	}
}

// clockMoved redates what the held packets of a confirmed run touched,
// and follows the clock back when it moved back.
func (a *Analyzer) clockMoved(ck *sourceClock) {
	for i := range ck.nheld {
		h := &ck.held[i]
		if c := h.c; a.conns[c.key] == c {
			c.last = h.ts
			if h.created {
				c.first = h.ts
				if c.handshake {
					c.synTime = h.ts
				}
				if c.role == roleControl && c.ctl != nil {
					c.ctl.sess.start = h.ts
				}
			}
		}
	}
	ck.forget()
	if now := ck.Now(); now < a.nowNS {
		// Back in time (files concatenated out of order): the analysis
		// follows if no other clock is later.
		latest := now
		for _, ifs := range a.clocks {
			for _, o := range ifs {
				latest = max(latest, o.Now())
			}
		}
		if latest < a.nowNS {
			a.nowNS, a.now = latest, time.Unix(0, latest).UTC()
			a.tickAt = latest + int64(tickEvery)
		}
	}
}

// timestampAnomalies counts the packets whose timestamps the clocks held
// and never confirmed.
func (a *Analyzer) timestampAnomalies() uint64 {
	var n uint64
	for _, ifs := range a.clocks {
		for _, ck := range ifs {
			n += ck.Anomalies()
		}
	}
	return n
}

// endClocks concludes the clocks at the end of the capture.
func (a *Analyzer) endClocks() {
	for _, ifs := range a.clocks {
		for _, ck := range ifs {
			ck.End()
		}
	}
}
