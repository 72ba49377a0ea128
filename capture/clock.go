package capture

import "time"

// Clock follows the capture time of one source (or one interface of it),
// so that a packet dated far from its neighbours does not move it: one
// forged or corrupt timestamp a year ahead would otherwise time out every
// connection at once and stop the housekeeping of the rest of the file.
//
// A timestamp within the jump limit of the clock (either way) is on its
// timeline; the clock follows the latest. A timestamp beyond it starts a
// run, which the following packets extend while they stay on the run's
// timeline, until ClockConfirm packets in a row confirm it (the capture
// really jumped: a gap in a long capture, files concatenated) and the
// clock moves there. A packet back on the clock's timeline ends the run:
// its packets were anomalies, which belong at the clock's time. The
// caller decides what to do with a run's packets until the verdict (the
// merge orders them at the clock's time; the analyzer holds them).
//
// The jump limit follows the source's pace: clockJumpFactor times a
// decaying maximum of its recent gaps, at least clockJumpMin (any real
// quiet spell of a busy capture is shorter than the idle limits that such a
// jump would trigger) and at most clockJumpMax.
//
// The zero Clock is ready; it starts at the first timestamp it observes.
type Clock struct {
	now     int64 // the clock, Unix nanoseconds
	spacing int64 // decaying maximum of recent gaps
	started bool
	steady  bool // started, and no run

	run      int   // packets of the run, 0 when none
	runLast  int64 // latest timestamp of the run
	runLimit int64 // the jump limit when the run began

	anomalies uint64
}

// ClockVerdict says how a timestamp relates to its clock.
type ClockVerdict uint8

const (
	// ClockOn: the timestamp is on the clock's timeline and stands.
	ClockOn ClockVerdict = iota
	// ClockHeld: the timestamp is off the timeline: the packet belongs at
	// the clock's time, unless its run is confirmed.
	ClockHeld
	// ClockMoved: the packet completed a run, the clock moved to the
	// run's timeline, and the timestamps of the run stand.
	ClockMoved
)

const (
	clockJumpMin    = int64(time.Minute)
	clockJumpMax    = int64(time.Hour)
	clockJumpFactor = 16
	// clockDecay: the recent-gap maximum loses 1/64 per packet.
	clockDecay = 6
	// clockFastGap: recent gaps all below it leave the limit at its
	// minimum.
	clockFastGap = clockJumpMin / clockJumpFactor
)

// ClockConfirm packets in a row on a new timeline move the clock.
const ClockConfirm = 4

// Observe takes the next timestamp of the source (Unix nanoseconds) and
// returns the time to date the packet at, and why.
func (c *Clock) Observe(ts int64) (at int64, v ClockVerdict) {
	if c.Follow(ts) {
		return ts, ClockOn
	}
	at, v = c.observe(ts)
	c.steady = c.run == 0
	return at, v
}

// Follow takes ts in the usual case, inlined: no run, and ts a little
// later than the clock in a busy capture (it is then ClockOn). It reports
// whether it did; if not, call Observe.
func (c *Clock) Follow(ts int64) bool {
	// A gap below clockFastGap with no wide spacing leaves the limit at
	// clockJumpMin: only the time moves.
	if d := ts - c.now; c.steady && uint64(d) <= uint64(clockFastGap) && c.spacing == 0 {
		c.now = ts
		return true
	}
	return false
}

func (c *Clock) observe(ts int64) (at int64, v ClockVerdict) {
	if !c.started {
		c.now, c.started = ts, true
		return ts, ClockOn
	}
	limit := c.limit()
	if d := ts - c.now; d >= -limit && d <= limit {
		if c.run > 0 {
			c.anomalies += uint64(c.run)
			c.run = 0
		}
		if d > 0 {
			c.spacing = max(d, c.spacing-c.spacing>>clockDecay)
			if c.spacing < clockFastGap {
				c.spacing = 0 // the same limit, and the fast path again
			}
			c.now = ts
		}
		return ts, ClockOn
	}
	if c.run > 0 {
		if d := ts - c.runLast; d >= -c.runLimit && d <= c.runLimit {
			c.run++
			c.runLast = max(c.runLast, ts)
			if c.run < ClockConfirm {
				return c.now, ClockHeld
			}
			c.now, c.run = c.runLast, 0
			return ts, ClockMoved
		}
		c.anomalies += uint64(c.run) // a third timeline: the run was noise
	}
	c.run, c.runLast, c.runLimit = 1, ts, limit
	return c.now, ClockHeld
}

// limit is how far from the clock a timestamp may lie and stand.
func (c *Clock) limit() int64 {
	return min(clockJumpMax, max(clockJumpMin, clockJumpFactor*c.spacing))
}

// Now returns the clock's time (Unix nanoseconds), 0 before the first
// timestamp.
func (c *Clock) Now() int64 { return c.now }

// Held returns how many packets the unconfirmed run has so far.
func (c *Clock) Held() int { return c.run }

// Anomalies counts the packets whose timestamps were off the timeline and
// never confirmed.
func (c *Clock) Anomalies() uint64 { return c.anomalies }

// End concludes the source: a run still unconfirmed was anomalies.
func (c *Clock) End() {
	c.anomalies += uint64(c.run)
	c.run = 0
}
