package diagnose

import (
	"math"
	"sort"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// LegPairer pairs the legs of NATs as sessions conclude. A session waits
// for its other leg for Window of capture time (by session start) and at
// most MaxWaiting sessions wait at once, so a gateway's endless "-i any"
// capture pairs in bounded memory. A waiting leg keeps only what pairing
// reads: its announcement lines, channels and control segments.
type LegPairer struct {
	d          *Diagnoser
	Window     time.Duration
	MaxWaiting int

	waiting  map[string][]*leg // by dialog signature
	queue    []*leg            // in arrival order, for expiry
	count    int               // legs waiting
	vantages map[string]int
	newest   time.Time
	pairs    []model.NATPair
	findings []model.Finding
	// Forget: the caller takes each pairing as Add returns it, so Result
	// has nothing to keep (a gateway's capture pairs every session).
	Forget bool
	// Evicted counts legs dropped for MaxWaiting before their time.
	Evicted int
}

type leg struct {
	s    *model.Session
	sig  string
	tag  any
	done bool // paired or expired
}

// Pairing is what Add concluded when a session was the other leg of one
// that waited: the pair, the findings it supports, and the tag the waiting
// leg was offered with.
type Pairing struct {
	Pair     *model.NATPair
	Findings []model.Finding
	OtherTag any
}

// NewLegPairer returns a LegPairer with the given window.
func (d *Diagnoser) NewLegPairer(window time.Duration, maxWaiting int) *LegPairer {
	return &LegPairer{d: d, Window: window, MaxWaiting: maxWaiting, waiting: map[string][]*leg{}, vantages: map[string]int{}}
}

// Add offers a concluded session, with a tag of the caller's (handed back
// when a later session pairs with it). It returns the pairing when s is the
// other leg of a session that waited, else nil.
func (p *LegPairer) Add(s *model.Session, tag any) *Pairing {
	if len(s.Dialog) < 2 {
		return nil // a connection with no dialog cannot be recognised
	}
	v := vantageOf(s)
	if _, ok := p.vantages[v]; !ok {
		p.vantages[v] = len(p.vantages)
	}
	if s.Start.After(p.newest) {
		p.newest = s.Start.Time
	}
	p.expire()
	sig := signature(s)
	var best *leg
	bestSkew := math.MaxFloat64
	for _, w := range p.waiting[sig] {
		if w.done || vantageOf(w.s) == v {
			continue
		}
		skew := math.Abs(float64(s.Start.Sub(w.s.Start.Time)))
		if skew <= float64(p.Window) && skew < bestSkew {
			best, bestSkew = w, skew
		}
	}
	if best == nil {
		l := &leg{s: compactLeg(s), sig: sig, tag: tag}
		p.waiting[sig] = append(p.waiting[sig], l)
		p.queue = append(p.queue, l)
		p.count++
		return nil
	}
	best.done = true
	p.count--
	p.forget(best)
	in, out := insideOutside(best.s, compactLeg(s), p.vantages)
	pair, fs := p.d.pairLegs(in, out)
	if !p.Forget {
		p.pairs = append(p.pairs, pair)
		p.findings = append(p.findings, fs...)
	}
	return &Pairing{Pair: &pair, Findings: fs, OtherTag: best.tag}
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
		expired := p.newest.Sub(l.s.Start.Time) > p.Window
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
	list := p.waiting[l.sig]
	for i, w := range list {
		if w == l {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(p.waiting, l.sig)
	} else {
		p.waiting[l.sig] = list
	}
}

// Result returns the pairs found, ordered by inside session, and the
// findings they support.
func (p *LegPairer) Result() ([]model.NATPair, []model.Finding) {
	sort.Slice(p.pairs, func(i, j int) bool { return sessionNumber(p.pairs[i].Inside) < sessionNumber(p.pairs[j].Inside) })
	return p.pairs, p.findings
}

// compactLeg keeps of a session what pairing reads. The dialog keeps its
// announcement lines only: the signature already says the other lines of
// the two legs are the same. Its answers references are dropped: they
// index the whole dialog.
func compactLeg(s *model.Session) *model.Session {
	c := &model.Session{ID: s.ID, Source: s.Source, Vantage: s.Vantage, Client: s.Client, Server: s.Server,
		Start: s.Start, Channels: s.Channels, Segments: s.Segments}
	for i := range s.Dialog {
		if announcementLine(&s.Dialog[i]) {
			c.Dialog = append(c.Dialog, s.Dialog[i])
			c.Dialog[len(c.Dialog)-1].Answers = model.DialogRef{}
		}
	}
	return c
}
