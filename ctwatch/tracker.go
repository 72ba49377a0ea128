package ctwatch

import (
	"net/netip"
	"sync"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// TrackerOptions bound and tune a Tracker; zero values take the defaults.
type TrackerOptions struct {
	// ControlPorts are the ports whose connections are FTP control
	// connections even without a helper (default 21). A connection with
	// the FTP helper attached is tracked whatever its port.
	ControlPorts []uint16
	// MaxControls bounds the control entries kept (default 4096): past it
	// the entry destroyed longest ago goes first, else the oldest.
	MaxControls int
	// MaxExpectations bounds the expectations kept per control connection
	// (default 256): past it the oldest settled one goes first.
	MaxExpectations int
	// Retention is how long a destroyed control entry stays queryable
	// (default 10 min): the capture may conclude the session later.
	Retention time.Duration
	// Grace is how long a removed expectation waits for the connection
	// that used it before it is judged timed out or deleted (default 1 s):
	// the kernel removes an expectation when a connection matches it,
	// and reports that connection only once it is confirmed.
	Grace time.Duration
	// Now is the clock of the queries (default time.Now); Apply goes by
	// the events' times.
	Now func() time.Time
}

// Defaults of TrackerOptions.
const (
	DefaultMaxControls     = 4096
	DefaultMaxExpectations = 256
	DefaultRetention       = 10 * time.Minute
	DefaultGrace           = time.Second
)

// timeoutSlack absorbs the kernel's whole-second timeouts and the delay of
// event delivery when telling a timeout from an early removal.
const timeoutSlack = time.Second

// pruneEvery spaces out the scans for destroyed entries past Retention.
const pruneEvery = 5 * time.Second

// Tracker keeps the conntrack entries of FTP control connections and the
// expectations their helpers created, bounded, and answers queries by
// 5-tuple. Feed it with Apply (a Source's handler); it is safe for
// concurrent use.
type Tracker struct {
	mu    sync.Mutex
	opts  TrackerOptions
	ports map[uint16]bool

	// controls indexes each control by the key of its original tuple and
	// of its reply tuple: the two legs of a NAT.
	controls map[connKey]*control
	count    int
	// live holds the expectations that exist, by kernel ID.
	live map[uint32]*Expectation
	// undecided holds removed expectations waiting out Grace.
	undecided []*Expectation

	gen       uint64 // current dump's generation
	syncing   bool
	lastPrune time.Time
	stats     TrackerStats
}

// TrackerStats count what the tracker did.
type TrackerStats struct {
	Controls     int // control entries kept
	Expectations int // expectations kept
	// Lost counts Lost events (kernel buffer overflows); Malformed the
	// messages that did not decode.
	Lost, Malformed uint64
	// Orphans counts expectations of connections the tracker does not
	// keep (another helper, or an evicted control).
	Orphans uint64
	// EvictedControls and DroppedExpectations count what the bounds cost.
	EvictedControls, DroppedExpectations uint64
}

type control struct {
	entry             Entry
	origKey, replyKey connKey
	exps              []*Expectation // creation order
	gen               uint64         // last dump that listed it
}

// NewTracker returns an empty Tracker.
func NewTracker(opts TrackerOptions) *Tracker {
	if len(opts.ControlPorts) == 0 {
		opts.ControlPorts = []uint16{21}
	}
	if opts.MaxControls <= 0 {
		opts.MaxControls = DefaultMaxControls
	}
	if opts.MaxExpectations <= 0 {
		opts.MaxExpectations = DefaultMaxExpectations
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t := &Tracker{
		opts:     opts,
		ports:    make(map[uint16]bool, len(opts.ControlPorts)),
		controls: make(map[connKey]*control),
		live:     make(map[uint32]*Expectation),
	}
	for _, p := range opts.ControlPorts {
		t.ports[p] = true
	}
	return t
}

// Apply takes one event; a Source calls it for each, in order.
func (t *Tracker) Apply(ev Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(ev.Time)
	switch ev.Kind {
	case FlowNew, FlowUpdate, FlowDumped:
		t.flowSeen(ev)
	case FlowDestroy:
		t.flowDestroyed(ev)
	case ExpectNew, ExpectDumped:
		t.expectSeen(ev)
	case ExpectDestroy:
		t.expectRemoved(ev.Expect, ev.Time, false)
	case SyncStart:
		t.gen++
		t.syncing = true
	case SyncDone:
		t.syncDone(ev.Time)
	case Lost:
		t.stats.Lost++
	case Malformed:
		t.stats.Malformed++
	}
	t.prune(ev.Time)
}

// Control returns a copy of the entry of the control connection tp names,
// in either direction and on either side of the NAT (the inside leg's
// client → server, or the outside leg's), or nil when there is none.
func (t *Tracker) Control(tp Tuple) *Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.controls[keyOf(tp)]
	if c == nil {
		return nil
	}
	e := c.entry
	return &e
}

// Expectations returns copies of the expectations created for the control
// connection tp names (as for Control), oldest first.
func (t *Tracker) Expectations(tp Tuple) []Expectation {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(t.opts.Now())
	c := t.controls[keyOf(tp)]
	if c == nil || len(c.exps) == 0 {
		return nil
	}
	out := make([]Expectation, len(c.exps))
	for i, x := range c.exps {
		out[i] = *x
	}
	return out
}

// announceWindow is how far from an announcement's capture time the
// expectation made for it may have been received: the helper runs as the
// packet leaves the gateway, and the event is read a little later.
const (
	announceBefore = 2 * time.Second
	announceAfter  = 10 * time.Second
)

// ExpectationFor returns a copy of the expectation the helper created for
// an announcement of endpoint ep (as read on either side of the gateway)
// on the control connection tp names, captured at `at`: the one that
// Announces ep whose creation is nearest after at (within a few seconds);
// nil when there is none.
func (t *Tracker) ExpectationFor(tp Tuple, ep netip.AddrPort, at time.Time) *Expectation {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(t.opts.Now())
	c := t.controls[keyOf(tp)]
	if c == nil {
		return nil
	}
	var best *Expectation
	var bestDist time.Duration
	for _, x := range c.exps {
		if !x.Announces(ep) {
			continue
		}
		created := x.Created
		if created.IsZero() {
			// Found by the first dump: created before the watcher started,
			// so any announcement before then may be its own.
			if at.After(x.Seen.Add(announceAfter)) {
				continue
			}
			created = at
		}
		d := created.Sub(at)
		if d < -announceBefore || d > announceAfter {
			continue
		}
		if d < 0 {
			d = -d
		}
		if best == nil || d < bestDist {
			best, bestDist = x, d
		}
	}
	if best == nil {
		return nil
	}
	x := *best
	return &x
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() TrackerStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.Controls = t.count
	for k, c := range t.controls {
		if k == c.origKey {
			s.Expectations += len(c.exps)
		}
	}
	return s
}

// isControl says whether a flow is one the tracker keeps: TCP to a control
// port, or with the FTP helper attached.
func (t *Tracker) isControl(f Flow) bool {
	return f.Orig.Proto == protoTCP && (t.ports[f.Orig.Dst.Port()] || isFTPHelper(f.Helper))
}

func (t *Tracker) flowSeen(ev Event) {
	f := ev.Flow
	if f.Orig.Proto != protoTCP || !f.Orig.IsValid() {
		return
	}
	if f.Expected() && ev.Kind != FlowUpdate {
		// A data connection: only its first report may claim an
		// expectation (an update could claim a newer one of equal tuple).
		t.expectationUsed(f)
	}
	c := t.controls[keyOf(f.Orig)]
	if c != nil && ev.Kind == FlowNew && !c.entry.Destroyed.IsZero() {
		// The same 5-tuple again, after the old connection ended.
		t.remove(c)
		c = nil
	}
	if c == nil {
		if !t.isControl(f) {
			return
		}
		c = t.add(f, ev)
	} else if ev.Kind == FlowNew {
		c.entry.FromDump = false // dumped before its queued event was read
	}
	c.entry.ID = f.ID
	c.entry.Helper = f.Helper
	c.entry.Zone = f.Zone
	c.entry.Mark = f.Mark
	c.entry.SeqAdjusted = f.Status&StatusSeqAdjust != 0
	if f.Reply.IsValid() && f.Reply != c.entry.Reply {
		t.reindexReply(c, f.Reply)
	}
	if ev.Kind == FlowDumped {
		c.gen = t.gen
	}
}

// add makes room if needed and indexes a new control.
func (t *Tracker) add(f Flow, ev Event) *control {
	if t.count >= t.opts.MaxControls {
		t.evictOne()
	}
	c := &control{
		entry:   Entry{Orig: f.Orig, Seen: ev.Time, FromDump: ev.Kind == FlowDumped},
		origKey: keyOf(f.Orig),
	}
	c.replyKey = c.origKey
	t.controls[c.origKey] = c
	t.count++
	return c
}

func (t *Tracker) reindexReply(c *control, reply Tuple) {
	if c.replyKey != c.origKey && t.controls[c.replyKey] == c {
		delete(t.controls, c.replyKey)
	}
	c.entry.Reply = reply
	c.replyKey = keyOf(reply)
	if c.replyKey != c.origKey {
		if old := t.controls[c.replyKey]; old != nil && old != c {
			// Another connection claims that key (a stale entry with a
			// reused tuple): the live one wins.
			t.remove(old)
		}
		t.controls[c.replyKey] = c
	}
}

// remove forgets a control and its expectations.
func (t *Tracker) remove(c *control) {
	if t.controls[c.origKey] == c {
		delete(t.controls, c.origKey)
	}
	if t.controls[c.replyKey] == c {
		delete(t.controls, c.replyKey)
	}
	for _, x := range c.exps {
		if t.live[x.ID] == x {
			delete(t.live, x.ID)
		}
	}
	t.dropUndecided(func(x *Expectation) bool { return x.Master == c.entry.Orig })
	t.count--
}

// evictOne removes the control destroyed longest ago, or else the one seen
// first.
func (t *Tracker) evictOne() {
	var victim *control
	for k, c := range t.controls {
		if k != c.origKey {
			continue
		}
		if victim == nil || older(c, victim) {
			victim = c
		}
	}
	if victim != nil {
		t.remove(victim)
		t.stats.EvictedControls++
	}
}

// older orders eviction candidates: destroyed before alive, then by time.
func older(a, b *control) bool {
	ad, bd := !a.entry.Destroyed.IsZero(), !b.entry.Destroyed.IsZero()
	switch {
	case ad && bd:
		return a.entry.Destroyed.Before(b.entry.Destroyed)
	case ad != bd:
		return ad
	}
	return a.entry.Seen.Before(b.entry.Seen)
}

func (t *Tracker) flowDestroyed(ev Event) {
	c := t.controls[keyOf(ev.Flow.Orig)]
	if c == nil || c.entry.Orig != ev.Flow.Orig || !c.entry.Destroyed.IsZero() {
		return
	}
	c.entry.Destroyed = ev.Time
}

// expectationUsed marks as used the expectation a new data connection came
// through: one of its master's, still pending, whose tuple matches the
// connection's. The kernel removes an expectation as the connection
// matches it, so one removed most recently is preferred, then the newest.
func (t *Tracker) expectationUsed(f Flow) {
	c := t.controls[keyOf(f.Master)]
	if c == nil {
		return
	}
	var best *Expectation
	for i := len(c.exps) - 1; i >= 0; i-- {
		x := c.exps[i]
		if x.Data == f.Orig {
			return // already counted (a dump repeats what an event said)
		}
		if x.Outcome != model.ExpectationPending || x.Zone != f.Zone || !matches(f.Orig, x.Tuple, x.Mask) {
			continue
		}
		if best == nil || (!x.Removed.IsZero() && (best.Removed.IsZero() || x.Removed.After(best.Removed))) {
			best = x
		}
	}
	if best == nil {
		return
	}
	best.Outcome = model.ExpectationUsed
	best.Data = f.Orig
	t.dropUndecided(func(x *Expectation) bool { return x == best })
}

func (t *Tracker) expectSeen(ev Event) {
	e := ev.Expect
	c := t.controls[keyOf(e.Master)]
	if c == nil {
		t.stats.Orphans++
		return
	}
	if x := t.live[e.ID]; x != nil && x.Master == e.Master && x.Tuple == e.Tuple {
		// Known already: a dump or a repeated event.
		x.gen = t.gen
		if ev.Kind == ExpectNew && x.Created.IsZero() {
			// Created after the watcher subscribed, and dumped before its
			// event was read: the dump's time bounds its creation.
			x.Created = x.Seen
		}
		return
	}
	x := &Expectation{
		ID:      e.ID,
		Master:  e.Master,
		Tuple:   e.Tuple,
		Mask:    e.Mask,
		Helper:  e.Helper,
		Zone:    e.Zone,
		Seen:    ev.Time,
		Expires: ev.Time.Add(e.Timeout),
		Outcome: model.ExpectationPending,
	}
	if ev.Kind == ExpectNew {
		x.Created = ev.Time
	}
	if e.HasNAT {
		x.NATTo = natTarget(e, c.entry)
	}
	if len(c.exps) >= t.opts.MaxExpectations {
		t.dropOldestExpectation(c)
	}
	c.exps = append(c.exps, x)
	if old := t.live[e.ID]; old != nil {
		// The kernel reused the ID: the older one is gone, unseen.
		t.expectRemoved(Expect{ID: old.ID, Master: old.Master, Tuple: old.Tuple}, ev.Time, true)
	}
	t.live[e.ID] = x
	x.gen = t.gen
}

// natTarget is where nf_nat_ftp sends the data connection. The kernel
// reports the port it saved but not the address, which nf_nat_follow_master
// takes from the master: its original source for a PORT or EPRT (the
// client), its reply source for a 227 or 229 (the server).
func natTarget(e Expect, master Entry) netip.AddrPort {
	addr := e.NATAddr
	if !addr.IsValid() {
		if e.NATReply {
			addr = e.Master.Src.Addr()
		} else {
			addr = master.Reply.Src.Addr()
		}
	}
	if !addr.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(addr, e.NATPort)
}

// dropOldestExpectation makes room in c: the oldest settled expectation,
// else the oldest.
func (t *Tracker) dropOldestExpectation(c *control) {
	i := 0
	for j, x := range c.exps {
		if x.Outcome != model.ExpectationPending {
			i = j
			break
		}
	}
	x := c.exps[i]
	if t.live[x.ID] == x {
		delete(t.live, x.ID)
	}
	t.dropUndecided(func(u *Expectation) bool { return u == x })
	c.exps = append(c.exps[:i], c.exps[i+1:]...)
	t.stats.DroppedExpectations++
}

// expectRemoved records the removal of a live expectation; its outcome is
// decided after Grace, unless a data connection claims it first. inferred
// marks a removal deduced from a dump rather than reported.
func (t *Tracker) expectRemoved(e Expect, now time.Time, inferred bool) {
	x := t.live[e.ID]
	if x == nil || x.Master != e.Master || x.Tuple != e.Tuple {
		x = nil
		if c := t.controls[keyOf(e.Master)]; c != nil {
			for _, y := range c.exps {
				if y.Removed.IsZero() && y.Tuple == e.Tuple && y.Master == e.Master {
					x = y
					break
				}
			}
		}
		if x == nil {
			return // unknown: created before the watcher, and not dumped
		}
	}
	if t.live[x.ID] == x {
		delete(t.live, x.ID)
	}
	x.Removed = now
	x.Inferred = inferred
	if x.Outcome == model.ExpectationPending {
		t.undecided = append(t.undecided, x)
	}
}

// settle decides the removed expectations whose Grace has passed by now.
func (t *Tracker) settle(now time.Time) {
	if len(t.undecided) == 0 {
		return
	}
	kept := t.undecided[:0]
	for _, x := range t.undecided {
		if x.Outcome != model.ExpectationPending {
			continue
		}
		if now.Sub(x.Removed) < t.opts.Grace {
			kept = append(kept, x)
			continue
		}
		decide(x)
	}
	clear(t.undecided[len(kept):])
	t.undecided = kept
}

// decide judges a removed, unused expectation: it timed out when removed
// at (or after) its expiry, else it was deleted.
func decide(x *Expectation) {
	if !x.Removed.Before(x.Expires.Add(-timeoutSlack)) {
		x.Outcome = model.ExpectationTimeout
	} else {
		x.Outcome = model.ExpectationDeleted
	}
}

func (t *Tracker) dropUndecided(match func(*Expectation) bool) {
	kept := t.undecided[:0]
	for _, x := range t.undecided {
		if !match(x) {
			kept = append(kept, x)
		}
	}
	clear(t.undecided[len(kept):])
	t.undecided = kept
}

// syncDone ends a dump: what the tracker holds as existing but the dump
// did not list went away while events were lost.
func (t *Tracker) syncDone(now time.Time) {
	if !t.syncing {
		return
	}
	t.syncing = false
	for k, c := range t.controls {
		if k == c.origKey && c.entry.Destroyed.IsZero() && c.gen != t.gen {
			c.entry.Destroyed = now
		}
	}
	for _, x := range t.live {
		if x.gen != t.gen {
			t.expectRemoved(Expect{ID: x.ID, Master: x.Master, Tuple: x.Tuple}, now, true)
		}
	}
	// Those removed now still wait out Grace: the events queued while the
	// dump ran come next and may carry the connection that used one.
}

// prune forgets the controls destroyed longer than Retention ago.
func (t *Tracker) prune(now time.Time) {
	if now.Sub(t.lastPrune) < pruneEvery {
		return
	}
	t.lastPrune = now
	for k, c := range t.controls {
		if k == c.origKey && !c.entry.Destroyed.IsZero() && now.Sub(c.entry.Destroyed) > t.opts.Retention {
			t.remove(c)
		}
	}
}
