package diagnose

import (
	"math"

	"github.com/ftpscope/ftpscope/model"
)

// Pairing legs while they run. On a live gateway the two legs of a control
// connection cross within microseconds of each other, so their dialogs
// agree line for line while the session runs: once the later leg's first
// announcement has crossed, the pair is known, and so is what the gateway
// did to that announcement. Running takes the snapshots of running
// sessions; two of them are paired when their dialogs agree so far (the
// signature the concluded legs will be paired by, as far as the shorter
// one goes), both hold an announcement, their starts are within the
// window, and either their clients' initial sequence numbers are the same
// (one connection, seen twice) or no other running leg could be the other
// side as well. What the pair shows grows with the legs. Add, at their
// conclusion, pairs the concluded legs as it does in capture files, and
// withdraws an open pair it contradicts.

// maxOpenLegs bounds the running sessions considered for pairing at once;
// beyond it the unpaired one that came first is forgotten (it may still
// pair when it concludes).
const maxOpenLegs = 4096

// openLegs are the running legs of a LegPairer.
type openLegs struct {
	legs map[string]*openLeg // running sessions, by id
	// byKey holds the unpaired running legs that announced, by the
	// signature of their dialog before the first announcement: the other
	// leg of a connection has the same.
	byKey  map[uint64][]*openLeg
	pairOf map[string]*openPair // both legs of each open pair, concluded ones too
	seq    uint64
}

func newOpenLegs() openLegs {
	return openLegs{legs: map[string]*openLeg{}, byKey: map[uint64][]*openLeg{}, pairOf: map[string]*openPair{}}
}

// openLeg is a running session as pairing knows it.
type openLeg struct {
	s       *model.Session // the latest snapshot, compacted
	vantage string
	sig     openSig // of the dialog so far
	isn     uint32  // the client's initial sequence number, when hasISN
	hasISN  bool
	since   uint64 // arrival order
	pair    *openPair
	done    bool // concluded
}

// openPair is a pair decided while a leg still runs.
type openPair struct {
	in, out *openLeg
	last    PairEvent // as last reported
}

// Running offers a snapshot of a session that is still open (live
// capture). It returns the pair events it causes: a pair decided, a pair
// that shows more than before, or one withdrawn because the dialogs
// parted.
func (p *LegPairer) Running(s *model.Session) []PairEvent {
	o := &p.open
	l := o.legs[s.ID]
	if l == nil {
		if len(s.Dialog) < minLegDialog || s.DialogDropped > 0 || o.pairOf[s.ID] != nil {
			return nil
		}
		if len(o.legs) >= maxOpenLegs && !o.evict() {
			return nil
		}
		o.seq++
		l = &openLeg{vantage: p.vantage(s), since: o.seq}
		o.legs[s.ID] = l
	}
	if s.DialogDropped > 0 {
		return nil // the start of the dialog is gone: nothing to compare
	}
	hadKey := l.sig.hasKey
	l.refresh(s)
	var evs []PairEvent
	switch {
	case l.pair != nil:
		evs = p.review(l.pair)
		if l.pair != nil {
			return evs
		}
		// withdrawn: l is back in the index, free to pair again
	case l.sig.hasKey && !hadKey:
		o.byKey[l.sig.key] = append(o.byKey[l.sig.key], l)
	}
	return append(evs, p.match(l)...)
}

// refresh takes a new snapshot of a leg. An unpaired leg keeps no
// segments: only its initial sequence number.
func (l *openLeg) refresh(s *model.Session) {
	l.s = compactLeg(s)
	if l.pair == nil {
		l.s.Segments = nil
	}
	l.sig = openSignature(s)
	for i := range s.Segments {
		if g := &s.Segments[i]; g.FromClient && g.SYN {
			l.isn, l.hasISN = g.Seq, true
			break
		}
	}
}

func (p *LegPairer) skew(a, b *openLeg) (float64, bool) {
	d := math.Abs(float64(a.s.Start.Sub(b.s.Start.Time)))
	return d, d <= float64(p.Window)
}

// match looks for the other leg of an unpaired running leg.
func (p *LegPairer) match(l *openLeg) []PairEvent {
	o := &p.open
	if !l.sig.hasKey {
		return nil
	}
	var best *openLeg
	bestSame, bestSkew, n := false, math.MaxFloat64, 0
	for _, w := range o.byKey[l.sig.key] {
		if w == l || w.pair != nil || w.vantage == l.vantage {
			continue
		}
		skew, ok := p.skew(l, w)
		if !ok || !agree(l, w) {
			continue
		}
		n++
		same := l.hasISN && w.hasISN && l.isn == w.isn
		if best == nil || same && !bestSame || same == bestSame && skew < bestSkew {
			best, bestSame, bestSkew = w, same, skew
		}
	}
	if best == nil {
		return nil
	}
	if !bestSame && (n > 1 || p.rivals(best, l)) {
		return nil // ambiguous for now: a later line, or the conclusion, tells
	}
	in, _ := insideOutside(l.s, best.s, p.sources)
	op := &openPair{in: l, out: best}
	if in != l.s {
		op.in, op.out = best, l
	}
	for _, x := range []*openLeg{l, best} {
		x.pair = op
		o.unindex(x)
		o.pairOf[x.s.ID] = op
	}
	return p.review(op)
}

// rivals reports whether another unpaired running leg than l could be
// w's other side.
func (p *LegPairer) rivals(w, l *openLeg) bool {
	for _, u := range p.open.byKey[w.sig.key] {
		if u == l || u == w || u.pair != nil || u.vantage == w.vantage {
			continue
		}
		if _, ok := p.skew(u, w); ok && agree(u, w) {
			return true
		}
	}
	return false
}

// review compares an open pair's legs again and reports the pair when it
// shows something new; it withdraws the pair when the dialogs parted.
func (p *LegPairer) review(op *openPair) []PairEvent {
	if !agree(op.in, op.out) {
		return []PairEvent{p.open.withdraw(op)}
	}
	pair, fs := p.d.pairLegs(op.in.s, op.out.s, channelSettled)
	ev := PairEvent{State: PairOpen, Pair: pair, Findings: fs}
	if op.last.State != "" && sameEvent(&ev, &op.last) {
		return nil
	}
	op.last = ev
	return []PairEvent{ev}
}

// channelSettled reports whether a running session's channel has its
// outcome: refused, or its transfer answered and its data connection (if
// any) closed.
func channelSettled(ch *model.Channel) bool {
	switch {
	case ch.Status == model.StatusRejected || ch.Status == model.StatusNoConnection:
		return true
	case ch.Connection != nil && ch.Connection.Closed == "":
		return false
	}
	return ch.Transfer != nil && ch.Transfer.FinalTS != nil
}

// sameEvent reports whether two reports of an open pair tell the same:
// rewrites, channels, the sequence verdict and the findings (not the
// growing segment counts).
func sameEvent(a, b *PairEvent) bool {
	pa, pb := &a.Pair, &b.Pair
	if len(pa.Rewrites) != len(pb.Rewrites) || len(pa.Channels) != len(pb.Channels) || len(a.Findings) != len(b.Findings) {
		return false
	}
	if (pa.SeqAdjusted == nil) != (pb.SeqAdjusted == nil) || pa.SeqAdjusted != nil && *pa.SeqAdjusted != *pb.SeqAdjusted {
		return false
	}
	for i := range pa.Channels {
		if pa.Channels[i] != pb.Channels[i] {
			return false
		}
	}
	for i := range a.Findings {
		fa, fb := &a.Findings[i], &b.Findings[i]
		if fa.Rule != fb.Rule || fa.Channel != fb.Channel || fa.Summary != fb.Summary {
			return false
		}
	}
	return true
}

// concluded takes a session out of the running legs; an open pair keeps
// its concluded version until Add settles the pair.
func (o *openLegs) concluded(s *model.Session) {
	if l := o.legs[s.ID]; l != nil {
		delete(o.legs, s.ID)
		o.unindex(l)
	}
	if op := o.pairOf[s.ID]; op != nil {
		l := op.in
		if l.s.ID != s.ID {
			l = op.out
		}
		l.s, l.done = compactLeg(s), true
		l.sig = openSignature(s)
	}
}

// settle: the concluded legs in and out were paired. An open pair of the
// same two needs no more reports; one of either with another leg was
// wrong.
func (o *openLegs) settle(in, out string) []PairEvent {
	var evs []PairEvent
	for _, id := range []string{in, out} {
		op := o.pairOf[id]
		if op == nil {
			continue
		}
		if op.in.s.ID == in && op.out.s.ID == out {
			o.drop(op)
			continue
		}
		evs = append(evs, o.withdraw(op))
	}
	return evs
}

// unsettled: the concluded session id found no other leg. An open pair of
// it whose other leg concluded too was wrong; one whose other leg still
// runs waits for it.
func (o *openLegs) unsettled(id string) []PairEvent {
	if op := o.pairOf[id]; op != nil && op.in.done && op.out.done {
		return []PairEvent{o.withdraw(op)}
	}
	return nil
}

// withdraw undoes an open pair; its running legs may pair again.
func (o *openLegs) withdraw(op *openPair) PairEvent {
	o.drop(op)
	for _, l := range []*openLeg{op.in, op.out} {
		if !l.done && l.sig.hasKey && o.legs[l.s.ID] == l {
			o.byKey[l.sig.key] = append(o.byKey[l.sig.key], l)
		}
	}
	return PairEvent{State: PairWithdrawn, Pair: op.last.Pair}
}

func (o *openLegs) drop(op *openPair) {
	for _, l := range []*openLeg{op.in, op.out} {
		l.pair = nil
		if o.pairOf[l.s.ID] == op {
			delete(o.pairOf, l.s.ID)
		}
	}
}

// unindex takes a leg out of byKey.
func (o *openLegs) unindex(l *openLeg) {
	if !l.sig.hasKey {
		return
	}
	list := o.byKey[l.sig.key]
	for i, w := range list {
		if w == l {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(o.byKey, l.sig.key)
	} else {
		o.byKey[l.sig.key] = list
	}
}

// evict forgets the unpaired running leg that came first; false when every
// leg is paired.
func (o *openLegs) evict() bool {
	var oldest *openLeg
	for _, l := range o.legs {
		if l.pair == nil && (oldest == nil || l.since < oldest.since) {
			oldest = l
		}
	}
	if oldest == nil {
		return false
	}
	delete(o.legs, oldest.s.ID)
	o.unindex(oldest)
	return true
}
