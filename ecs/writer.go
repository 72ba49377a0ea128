package ecs

import (
	"bufio"
	"hash/fnv"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/model"
)

// Options say what the documents cannot learn from the sessions.
type Options struct {
	// Observer is observer.hostname: the gateway or sensor that captured
	// the traffic. Empty leaves it out.
	Observer string
	// Version is observer.version (ftpscope's version).
	Version string
	// Interfaces maps the label of each live source to its capture
	// interface (observer.ingress.interface.name); a session's own vantage
	// interface, when it has one, wins.
	Interfaces map[string]string
	// PairLegs says that the run pairs the legs of NATs (several sources):
	// a session that may be a leg is held until its other leg concludes,
	// for at most Window of capture time (and of wall-clock time when
	// Live), so that both legs' documents carry source.nat and
	// destination.nat. Sessions seen on one interface of several are held
	// too, whatever PairLegs says.
	PairLegs bool
	Window   time.Duration
	Live     bool
	// Flat writes the documents in dotted notation ("source.ip": …), the
	// form ClickHouse 18 ingests (-o ecs-flat).
	Flat bool
}

// maxHeldBytes bounds the documents held for legs awaiting their other
// leg; beyond it the oldest are written without NAT fields.
const maxHeldBytes = 64 << 20

// recentSessions is how many concluded sessions are remembered for the
// findings that only come at the end of the run.
const recentSessions = 4096

// Writer streams ECS documents, one per line, as sessions conclude:
// for each session its channels, its findings, then the session itself;
// at the end, the findings that span sessions. It implements
// analysis.Consumer, analysis.Streamer and analysis.PairConsumer.
type Writer struct {
	mu  sync.Mutex
	out *bufio.Writer
	o   Options
	err error

	build   builder
	scratch []byte
	line    []byte

	// NAT legs awaiting their other leg, by session ID, in arrival order.
	held      map[string]*leg
	queue     []*leg
	heldBytes int
	newest    time.Time
	timer     *time.Timer
	pending   *model.NATPair // the pair the next Session completes
	pendingFs []model.Finding

	recent  [recentSessions]sessionRef
	recentN int
	seen    map[uint64]struct{} // findings written, by hash of rule, place and summary
}

// leg is a session's documents and what pairing needs of it.
type leg struct {
	ref      sessionRef
	docs     []document
	channels map[string]channelEndpoints
	heldAt   time.Time
	size     int
	done     bool
}

// NewWriter writes documents to w.
func NewWriter(w io.Writer, o Options) *Writer {
	return &Writer{out: bufio.NewWriterSize(w, 64<<10), o: o, held: map[string]*leg{}, seen: map[uint64]struct{}{}}
}

// StreamsSessions tells the analysis that a session is encoded by the time
// Session returns, and not kept.
func (w *Writer) StreamsSessions() {}

// NATPair implements analysis.PairConsumer. Reading files the pair's
// second leg is the next session; live it came just before, and both legs
// are held: they are written now, with their NAT fields.
func (w *Writer) NATPair(p *model.NATPair, findings []model.Finding) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cp := *p
	if in, out := w.held[cp.Inside], w.held[cp.Outside]; in != nil && out != nil && w.err == nil {
		w.release(out)
		w.writePair(&cp, findings, out)
		w.flush()
		return
	}
	w.pending, w.pendingFs = &cp, findings
}

// Session implements analysis.Consumer.
func (w *Writer) Session(s *model.Session, findings []model.Finding) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	r := w.refOf(s)
	w.remember(r)
	l := &leg{ref: r, channels: map[string]channelEndpoints{}}
	for i := range s.Channels {
		doc, ends := w.channelDocument(&s.Channels[i], findings, &r)
		l.docs = append(l.docs, doc)
		l.channels[s.Channels[i].ID] = ends
	}
	for i := range findings {
		w.seen[findingKey(&findings[i])] = struct{}{}
		doc, err := w.findingDocument(&findings[i], &r, s.Channels, s.Start.Time)
		if err != nil {
			w.err = err
			return
		}
		f := findings[i]
		doc.finding = &f
		l.docs = append(l.docs, doc)
	}
	l.docs = append(l.docs, w.sessionDocument(s, findings, &r))

	pair, pairFindings := w.pending, w.pendingFs
	w.pending, w.pendingFs = nil, nil
	switch {
	case pair != nil && (pair.Inside == s.ID || pair.Outside == s.ID):
		w.writePair(pair, pairFindings, l)
	case diagnose.MayBeLeg(s, w.o.PairLegs):
		w.hold(l)
	default:
		w.writeLeg(l, nil, nil, nil)
	}
	if s.Start.After(w.newest) {
		w.newest = s.Start.Time
	}
	w.expire(time.Now())
	w.flush()
}

// Close writes the held legs and the findings not yet written, and flushes.
func (w *Writer) Close(sources []model.Source, _ []model.NATPair, findings []model.Finding, _ model.Stats) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	for _, l := range w.queue {
		if !l.done {
			w.writeLeg(l, nil, nil, nil)
			l.done = true
		}
	}
	w.queue, w.held, w.heldBytes = nil, map[string]*leg{}, 0
	var first time.Time
	for _, s := range sources {
		if s.First != nil && (first.IsZero() || s.First.Before(first)) {
			first = s.First.Time
		}
	}
	for i := range findings {
		f := &findings[i]
		if _, ok := w.seen[findingKey(f)]; ok {
			continue
		}
		doc, err := w.findingDocument(f, w.lookup(f.Session), nil, first)
		if err != nil && w.err == nil {
			w.err = err
		}
		w.write(&doc, netip.AddrPort{}, netip.AddrPort{})
	}
	w.flush()
	return w.err
}

func findingKey(f *model.Finding) uint64 {
	h := fnv.New64a()
	h.Write([]byte(f.Key())) // kept hashed: the writer holds many
	return h.Sum64()
}

// remember keeps a session's reference for the findings of the end.
func (w *Writer) remember(r sessionRef) {
	w.recent[w.recentN%recentSessions] = r
	w.recentN++
}

func (w *Writer) lookup(id string) *sessionRef {
	if id == "" {
		return nil
	}
	n := min(w.recentN, recentSessions)
	for i := 1; i <= n; i++ {
		r := &w.recent[(w.recentN-i)%recentSessions]
		if r.id == id {
			return r
		}
	}
	return nil
}

// hold keeps a leg's documents until its other leg concludes.
func (w *Writer) hold(l *leg) {
	l.heldAt = time.Now()
	for i := range l.docs {
		l.size += len(l.docs[i].b)
	}
	w.held[l.ref.id] = l
	w.queue = append(w.queue, l)
	w.heldBytes += l.size
	if w.o.Live && w.timer == nil && w.o.Window > 0 {
		w.timer = time.AfterFunc(w.o.Window, w.tick)
	}
}

func (w *Writer) release(l *leg) {
	l.done = true
	delete(w.held, l.ref.id)
	w.heldBytes -= l.size
}

// expire writes, without NAT fields, the legs whose other leg can no longer
// come: older than the window in capture time (or, live, in wall-clock
// time), or the oldest beyond the memory bound.
func (w *Writer) expire(now time.Time) {
	i := 0
	for ; i < len(w.queue); i++ {
		l := w.queue[i]
		if l.done {
			continue
		}
		old := w.o.Window > 0 && (w.newest.Sub(l.ref.start) > w.o.Window || w.o.Live && now.Sub(l.heldAt) > w.o.Window)
		if !old && w.heldBytes <= maxHeldBytes {
			break
		}
		w.writeLeg(l, nil, nil, nil)
		w.release(l)
	}
	if i > 0 {
		n := copy(w.queue, w.queue[i:])
		clear(w.queue[n:])
		w.queue = w.queue[:n]
	}
}

// tick expires held legs in a live run where no session concluded for a
// while.
func (w *Writer) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expire(time.Now())
	w.flush()
	if len(w.queue) > 0 && w.err == nil {
		w.timer.Reset(w.o.Window)
	} else {
		w.timer = nil
	}
}

// writePair writes the documents of both legs of a pair, l the one that
// completed it, then the findings made of the pair. A one-leg finding that
// the pair's finding replaces (as in the report) is left out.
func (w *Writer) writePair(pair *model.NATPair, findings []model.Finding, l *leg) {
	otherID := pair.Inside
	if otherID == l.ref.id {
		otherID = pair.Outside
	}
	covered := diagnose.CoveredByPairs(findings, []model.NATPair{*pair})
	first := w.held[otherID]
	if first != nil {
		w.writeLeg(first, pair, l, covered)
		w.release(first)
	}
	w.writeLeg(l, pair, first, covered)
	for i := range findings {
		f := &findings[i]
		w.seen[findingKey(f)] = struct{}{}
		doc, err := w.findingDocument(f, w.lookup(f.Session), nil, l.ref.start)
		if err != nil {
			w.err = err
			return
		}
		w.write(&doc, netip.AddrPort{}, netip.AddrPort{})
	}
}

// writeLeg writes one leg's documents; with a pair, each endpoint that the
// other leg sees translated gets its nat object, and the findings the
// pair's cover are left out.
func (w *Writer) writeLeg(l *leg, pair *model.NATPair, other *leg, covered map[string]bool) {
	var tr *model.TranslationMap
	inside := false
	if pair != nil {
		tr = pair.Translation
		inside = pair.Inside == l.ref.id
	}
	for i := range l.docs {
		doc := &l.docs[i]
		if doc.finding != nil && diagnose.SupersededByPair(doc.finding, covered) {
			continue
		}
		var sn, dn netip.AddrPort
		switch {
		case pair == nil:
		case doc.session && tr != nil:
			otherClient, otherServer := tr.OutsideClient, tr.OutsideServer
			if !inside {
				otherClient, otherServer = tr.InsideClient, tr.InsideServer
			}
			sn = translated(l.ref.client, otherClient)
			dn = translated(l.ref.server, otherServer)
		case doc.channel != "" && other != nil:
			mine := l.channels[doc.channel]
			for _, cp := range pair.Channels {
				var id string // the other leg's channel
				switch {
				case inside && cp.Inside == doc.channel:
					id = cp.Outside
				case !inside && cp.Outside == doc.channel:
					id = cp.Inside
				default:
					continue
				}
				if theirs, ok := other.channels[id]; ok && theirs.initiator.IsValid() && mine.initiator.IsValid() {
					sn = translatedAP(mine.initiator, theirs.initiator)
					dn = translatedAP(mine.responder, theirs.responder)
				}
			}
		}
		w.write(doc, sn, dn)
	}
}

// translated returns the other leg's endpoint when it differs from ours.
func translated(mine netip.AddrPort, theirs string) netip.AddrPort {
	ap, err := netip.ParseAddrPort(theirs)
	if err != nil {
		return netip.AddrPort{}
	}
	return translatedAP(mine, ap)
}

func translatedAP(mine, theirs netip.AddrPort) netip.AddrPort {
	if !mine.IsValid() || !theirs.IsValid() || mine.Addr().Unmap() == theirs.Addr().Unmap() && mine.Port() == theirs.Port() {
		return netip.AddrPort{}
	}
	return theirs
}

// write writes one document with its nat objects, if any, and a newline.
func (w *Writer) write(doc *document, srcNAT, dstNAT netip.AddrPort) {
	if w.err != nil {
		return
	}
	b := doc.b
	line := w.line[:0]
	at := 0
	for _, ins := range []struct {
		off int
		ap  netip.AddrPort
	}{{doc.srcNAT, srcNAT}, {doc.dstNAT, dstNAT}} {
		if ins.off < 0 || !ins.ap.IsValid() {
			continue
		}
		line = append(line, b[at:ins.off]...)
		line = appendNAT(line, ins.ap)
		at = ins.off
	}
	line = append(line, b[at:]...)
	w.line = line
	if w.o.Flat {
		var err error
		if line, err = flatten(line); err != nil {
			w.err = err
			return
		}
	}
	w.out.Write(line)
	if err := w.out.WriteByte('\n'); err != nil {
		w.err = err
	}
}

func (w *Writer) flush() {
	if err := w.out.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}
