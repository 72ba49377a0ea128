package diagnose

import (
	"math"
	"sort"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// LegPairer pairs the legs of NATs as sessions conclude. Two legs pair
// when their starts are at most Window apart; a concluded session waits
// for its other leg for Window of capture time after it ended, and at most
// MaxWaiting sessions wait at once, so a gateway's endless "-i any"
// capture pairs in bounded memory. A waiting leg keeps only what pairing
// reads: its announcement lines, channels and control segments.
//
// In a live capture it also pairs the legs while they run (Running, in
// openlegs.go); Add, at their conclusion, stays the judge.
type LegPairer struct {
	d          *Diagnoser
	Window     time.Duration
	MaxWaiting int

	waiting  map[legKey][]*leg // by dialog signature and vantage point, in arrival order
	queue    []*leg            // in arrival order, for expiry
	count    int               // legs waiting
	vantages map[string]int    // the vantage points, in the order met
	sources  map[string]int    // the run's sources, in their order (SourceOrder)
	byOrder  []string          // the vantage points, in that order
	newest   time.Time         // the latest conclusion seen, in capture time
	pairs    []model.NATPair
	findings []model.Finding
	// Forget: the caller takes each pairing as Add returns it, so Result
	// has nothing to keep (a gateway's capture pairs every session).
	Forget bool
	// Evicted counts legs dropped for MaxWaiting before their time.
	Evicted int

	open openLegs // running sessions, paired or not (live)
}

// States of a PairEvent.
const (
	// PairOpen: a leg still runs; the pair shows what crossed so far.
	PairOpen = model.PairOpen
	// PairFinal: both legs concluded; the pair is what a capture file of
	// the same traffic gives.
	PairFinal = model.PairFinal
	// PairWithdrawn: an open pair that the concluded legs contradict.
	PairWithdrawn = model.PairWithdrawn
)

// PairEvent is what pairing learned about one pair of legs: the pair as
// known now and every finding drawn from it so far.
type PairEvent struct {
	State    string
	Pair     model.NATPair
	Findings []model.Finding
	// OtherTag, on a final pair, is the tag the leg that waited was
	// offered with (Add).
	OtherTag any
}

// legKey is where a waiting leg is found: its other side has the same
// signature and another vantage point, so a leg looks only at the legs
// that could be its other side (monitoring probes seen at one vantage
// point all sign alike, and would otherwise be compared with every new
// one).
type legKey struct {
	sig     uint64
	vantage string
}

type leg struct {
	s    *model.Session
	key  legKey
	tag  any
	done bool // paired or expired
}

// MayBeLeg reports whether a concluded session can be a leg of a NAT: it
// was seen at one vantage point of several (severalSources, or an
// interface of a capture of several) and has a dialog to be recognised by.
// The analysis offers such sessions to the pairer; a consumer that holds
// legs for their pair (the ECS writer) holds these.
func MayBeLeg(s *model.Session, severalSources bool) bool {
	return (severalSources || s.Vantage != "") && len(s.Dialog) >= minLegDialog
}

// minLegDialog is the shortest dialog a leg is recognised by.
const minLegDialog = 2

// NewLegPairer returns a LegPairer with the given window.
func (d *Diagnoser) NewLegPairer(window time.Duration, maxWaiting int) *LegPairer {
	return &LegPairer{d: d, Window: window, MaxWaiting: maxWaiting, waiting: map[legKey][]*leg{}, vantages: map[string]int{},
		open: newOpenLegs()}
}

// concludedAt is when a session ended in capture time (its start when
// the end is unknown).
func concludedAt(s *model.Session) time.Time {
	if s.End.IsZero() {
		return s.Start.Time
	}
	return s.End.Time
}

// SourceOrder tells the pairer the run's sources in their order: when
// neither the addresses nor the labels tell which leg is inside, the leg of
// the earlier source is.
func (p *LegPairer) SourceOrder(labels ...string) {
	p.sources = make(map[string]int, len(labels))
	for i, l := range labels {
		p.sources[l] = i
	}
}

// vantage registers a session's vantage point, for the order in which
// the waiting legs of several are looked at.
func (p *LegPairer) vantage(s *model.Session) string {
	v := vantageOf(s)
	if _, ok := p.vantages[v]; !ok {
		p.vantages[v] = len(p.vantages)
		p.byOrder = append(p.byOrder, v)
	}
	return v
}

// Add offers a concluded session, with a tag of the caller's (handed back
// in the final pair's OtherTag when a later session pairs with it). It
// returns what pairing learned: the final pair when s is the second leg
// of one, and the open pairs (see Running) that s settles.
func (p *LegPairer) Add(s *model.Session, tag any) []PairEvent {
	p.open.concluded(s)
	if len(s.Dialog) < minLegDialog {
		return p.open.unsettled(s.ID) // a connection with no dialog cannot be recognised
	}
	var evs []PairEvent
	v := p.vantage(s)
	if end := concludedAt(s); end.After(p.newest) {
		p.newest = end
	}
	p.expire()
	sig := signature(s)
	var best *leg
	bestSkew := math.MaxFloat64
	for _, ov := range p.byOrder {
		if ov == v {
			continue
		}
		for _, w := range p.waiting[legKey{sig, ov}] {
			if w.done {
				continue
			}
			skew := math.Abs(float64(s.Start.Sub(w.s.Start.Time)))
			if skew <= float64(p.Window) && skew < bestSkew {
				best, bestSkew = w, skew
			}
		}
	}
	if best == nil {
		l := &leg{s: compactLeg(s), key: legKey{sig, v}, tag: tag}
		p.waiting[l.key] = append(p.waiting[l.key], l)
		p.queue = append(p.queue, l)
		p.count++
		return append(evs, p.open.unsettled(s.ID)...)
	}
	best.done = true
	p.count--
	p.forget(best)
	in, out := insideOutside(best.s, compactLeg(s), p.sources)
	pair, fs := p.d.pairLegs(in, out, nil)
	if !p.Forget {
		p.pairs = append(p.pairs, pair)
		p.findings = append(p.findings, fs...)
	}
	evs = append(evs, p.open.settle(in.ID, out.ID)...)
	return append(evs, PairEvent{State: PairFinal, Pair: pair, Findings: fs, OtherTag: best.tag})
}

// expire drops the legs whose window has passed, and the oldest beyond
// MaxWaiting.
func (p *LegPairer) expire() {
	i := 0
	for ; i < len(p.queue); i++ {
		l := p.queue[i]
		if l.done {
			continue
		}
		// By conclusion, not by start: a session that ran for longer
		// than the window still finds its other leg, which concludes
		// with it.
		expired := p.newest.Sub(concludedAt(l.s)) > p.Window
		if !expired && p.count <= p.MaxWaiting {
			break
		}
		if !expired {
			p.Evicted++
		}
		l.done = true
		l.tag = nil
		p.count--
		p.forget(l)
	}
	if i > 0 {
		n := copy(p.queue, p.queue[i:])
		clear(p.queue[n:])
		p.queue = p.queue[:n]
	}
}

func (p *LegPairer) forget(l *leg) {
	list := p.waiting[l.key]
	for i, w := range list {
		if w == l {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(p.waiting, l.key)
	} else {
		p.waiting[l.key] = list
	}
}

// Result returns the pairs found, ordered by inside session, and the
// findings they support.
func (p *LegPairer) Result() ([]model.NATPair, []model.Finding) {
	sort.Slice(p.pairs, func(i, j int) bool {
		return model.SessionNumber(p.pairs[i].Inside) < model.SessionNumber(p.pairs[j].Inside)
	})
	return p.pairs, p.findings
}

// compactLeg keeps of a session what pairing reads. The dialog keeps its
// announcement lines only: the signature already says the other lines of
// the two legs are the same. Its answers references are dropped: they
// index the whole dialog.
func compactLeg(s *model.Session) *model.Session {
	c := &model.Session{ID: s.ID, Source: s.Source, Vantage: s.Vantage, Client: s.Client, Server: s.Server,
		ClientAddrPort: s.ClientAddrPort, ServerAddrPort: s.ServerAddrPort,
		Start: s.Start, End: s.End, Channels: s.Channels, Segments: s.Segments}
	for i := range s.Dialog {
		if announcementLine(&s.Dialog[i]) {
			c.Dialog = append(c.Dialog, s.Dialog[i])
			c.Dialog[len(c.Dialog)-1].Answers = model.DialogRef{}
		}
	}
	return c
}
