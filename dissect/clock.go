package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
)

// The capture clock. Each source, and each capture interface within it,
// has a capture.Clock of its own, so merged sources never read each
// other's timestamps as jumps. A packet whose timestamp its clock holds
// waits, decoded, until the packets after it decide (a few at most):
//
//   - the clock confirms the jump (a real gap: a quiet spell of a capture
//     filtered to port 21, files concatenated): the packets are analysed
//     with their own timestamps, after the clock moved;
//   - a packet comes back on the clock's timeline: the held ones were
//     anomalies (one SYN dated a year ahead) and are analysed as if they
//     came at the clock's time, so that they neither time out the running
//     sessions nor stop the housekeeping;
//   - the capture ends: they are analysed with their own timestamps (no
//     housekeeping is left to disturb), and counted as anomalies.
//
// The analysis runs on the latest of the clocks.

const (
	// maxClockInterfaces bounds the clocks of one source; interfaces
	// beyond share the last one.
	maxClockInterfaces = 256
	// maxHeldBytes bounds the payload held across all clocks; a packet
	// beyond it is analysed at once, at its clock's time.
	maxHeldBytes = 1 << 20
)

// sourceClock is the clock of one source interface and the packets it
// holds.
type sourceClock struct {
	capture.Clock
	nheld int // read with the clock by every packet: beside it
	held  [capture.ClockConfirm - 1]heldPacket
}

// heldPacket is a decoded packet waiting for its clock's verdict; its
// segment's bytes are a copy in buf.
type heldPacket struct {
	p   capture.Packet
	at  time.Time // the clock's time when it was held
	seg decode.Segment
	r   decode.Result
	buf []byte
}

// clockOf returns the clock of a packet's source interface.
func (a *Analyzer) clockOf(source, iface int) *sourceClock {
	k := [2]int{source, iface}
	source = max(source, 0)
	iface = min(max(iface, 0), maxClockInterfaces-1)
	for len(a.clocks) <= source {
		a.clocks = append(a.clocks, nil)
	}
	for len(a.clocks[source]) <= iface {
		a.clocks[source] = append(a.clocks[source], &sourceClock{})
	}
	ck := a.clocks[source][iface]
	a.lastClock, a.lastClockKey = ck, k
	return ck
}

// followsClock takes p's timestamp ns in the usual case (inlined): the
// packet follows the clock of the previous packet's source interface.
func (a *Analyzer) followsClock(p *capture.Packet, ns int64) bool {
	ck := a.lastClock
	return ck != nil && ck.nheld == 0 && a.lastClockKey == [2]int{p.Source, p.Info.InterfaceIndex} && ck.Follow(ns)
}

// clocked dates packet p by its clock when followsClock did not, and
// analyses it after the packets the clock held before it; a packet off
// its clock is held until the clock decides.
func (a *Analyzer) clocked(p *capture.Packet, s *decode.Segment, r decode.Result) {
	ck := a.clockOf(p.Source, p.Info.InterfaceIndex)
	at, v := ck.Observe(p.Info.Timestamp.UnixNano())
	switch v {
	case capture.ClockOn:
		if ck.nheld > 0 {
			a.release(ck, true) // the run ended unconfirmed: anomalies
		}
	case capture.ClockHeld:
		if ck.Held() == 1 && ck.nheld > 0 {
			a.release(ck, true) // a new run: the last one was noise
		}
		if a.hold(ck, p, s, r, at) {
			return
		}
		q := *p // no room to wait: analysed at the clock's time
		q.Info.Timestamp = time.Unix(0, at).In(p.Info.Timestamp.Location())
		a.analyse(&q, s, r, at)
		return
	case capture.ClockMoved:
		a.clockMoved(ck)
		a.release(ck, false)
	}
	a.analyse(p, s, r, p.Info.Timestamp.UnixNano())
}

// hold keeps a copy of the decoded packet until its clock decides.
func (a *Analyzer) hold(ck *sourceClock, p *capture.Packet, s *decode.Segment, r decode.Result, at int64) bool {
	n := len(s.Payload)
	if ck.nheld == len(ck.held) || a.heldBytes+n > maxHeldBytes {
		return false
	}
	h := &ck.held[ck.nheld]
	ck.nheld++
	a.heldBytes += n
	h.p, h.seg, h.r = *p, *s, r
	h.p.Data = nil // the reader's; the segment is what the analysis reads
	h.at = time.Unix(0, at).In(p.Info.Timestamp.Location())
	h.buf = append(h.buf[:0], s.Payload...)
	h.seg.Payload = h.buf
	return true
}

// release analyses the packets ck holds, in order: at the clock's time
// they were held at when they were anomalies, else at their own.
func (a *Analyzer) release(ck *sourceClock, anomalies bool) {
	for i := range ck.nheld {
		h := &ck.held[i]
		a.heldBytes -= len(h.seg.Payload)
		if anomalies {
			h.p.Info.Timestamp = h.at
		}
		a.analyse(&h.p, &h.seg, h.r, h.p.Info.Timestamp.UnixNano())
		h.seg = decode.Segment{}
	}
	ck.nheld = 0
}

// clockMoved follows a clock that a run moved back in time (files
// concatenated out of order), unless another clock is later.
func (a *Analyzer) clockMoved(ck *sourceClock) {
	now := ck.Now()
	if now >= a.nowNS {
		return // forward: the next packet moves the analysis
	}
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

// endClocks concludes the clocks at the end of the capture: packets still
// held are analysed with their own timestamps, and counted as anomalies.
func (a *Analyzer) endClocks() {
	for _, ifs := range a.clocks {
		for _, ck := range ifs {
			ck.End()
			a.release(ck, false)
		}
	}
}
