package capture

import (
	"container/heap"
	"io"
)

// Merge reads several sources as one, in timestamp order. Ties keep the
// order of the sources. A source that fails is dropped from the merge; its
// error is returned once, by the Next call that met it, and Next goes on
// with the others.
//
// Each source keeps its own Clock. A packet whose timestamp its clock
// holds is copied and the source read ahead until the clock decides (a few
// packets): an anomaly (one packet dated a year ahead) is ordered at the
// clock's time, where it came in its file, instead of holding back the
// rest of its source; a confirmed jump (a quiet spell) keeps its packets'
// timestamps, so the other sources' packets of the spell come first.
type Merge struct {
	sources []Source
	clocks  []Clock
	ahead   [][]mergeHead // per source, packets read and ordered, in order
	ended   []bool
	heads   mergeHeap
	errs    []error // errors not yet returned
	started bool
	advance bool // the top packet was returned: read its successor first
}

// NewMerge merges sources.
func NewMerge(sources []Source) *Merge {
	n := len(sources)
	return &Merge{sources: sources, clocks: make([]Clock, n), ahead: make([][]mergeHead, n), ended: make([]bool, n)}
}

type mergeHead struct {
	p   Packet
	src int
	at  int64 // the time it is ordered at, by its source's clock
}

type mergeHeap []mergeHead

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].at == h[j].at {
		return h[i].src < h[j].src
	}
	return h[i].at < h[j].at
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeHead)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// next returns source i's next packet, ordered. Because reads are
// zero-copy, it reads the source only when nothing read ahead is left.
func (m *Merge) next(i int) (mergeHead, bool) {
	if len(m.ahead[i]) == 0 && !m.ended[i] {
		m.readAhead(i)
	}
	q := m.ahead[i]
	if len(q) == 0 {
		return mergeHead{}, false
	}
	h := q[0]
	q[0] = mergeHead{}
	m.ahead[i] = q[1:]
	return h, true
}

// readAhead reads source i's next packet, and the following ones while
// its clock holds them (copied: the source reads on), into m.ahead[i].
func (m *Merge) readAhead(i int) {
	ck := &m.clocks[i]
	q := m.ahead[i][:0]
	run := 0          // q[run:] are held by the clock,
	var clock []int64 // at these clock times
	copied := 0       // bytes copied out of the source's buffer
	for {
		p, err := m.sources[i].Next()
		if err != nil {
			if err != io.EOF {
				m.errs = append(m.errs, err)
			}
			m.ended[i] = true
			break // the held ones keep their own timestamps
		}
		at, v := ck.Observe(p.Info.Timestamp.UnixNano())
		if v == ClockHeld && ck.Held() == 1 || v == ClockOn {
			for k, t := range clock { // anomalies: ordered where they came
				q[run+k].at = t
			}
			run, clock = len(q), clock[:0]
		}
		if v != ClockHeld {
			q = append(q, mergeHead{p, i, at})
			break
		}
		p.Data = append([]byte(nil), p.Data...)
		q = append(q, mergeHead{p, i, p.Info.Timestamp.UnixNano()})
		clock = append(clock, at)
		if copied += len(p.Data); len(q) >= maxReadAhead || copied >= maxReadAheadBytes {
			// Timestamps that keep jumping (a corrupt or forged file) must
			// not make the merge read the whole source: what is held so far
			// is ordered at the clock's time, as anomalies are.
			for k, t := range clock {
				q[run+k].at = t
			}
			break
		}
	}
	m.ahead[i] = q
}

// A source's read-ahead while its clock holds packets is bounded: the
// analyzer holds at most three per clock; a run of unconfirmed jumps longer
// than this is taken as anomalies.
const (
	maxReadAhead      = 64
	maxReadAheadBytes = 1 << 20
)

// Next returns the earliest packet among the sources. Because reads are
// zero-copy, the packet returned last is replaced only now: the source it
// came from is advanced at the start of the following call.
func (m *Merge) Next() (Packet, error) {
	if !m.started {
		m.started = true
		for i := range m.sources {
			if h, ok := m.next(i); ok {
				m.heads = append(m.heads, h)
			}
		}
		heap.Init(&m.heads)
	} else if m.advance && len(m.heads) > 0 {
		if h, ok := m.next(m.heads[0].src); ok {
			m.heads[0] = h
			heap.Fix(&m.heads, 0)
		} else {
			heap.Pop(&m.heads)
		}
	}
	m.advance = false
	if len(m.errs) > 0 {
		err := m.errs[0]
		m.errs = m.errs[1:]
		return Packet{}, err
	}
	if len(m.heads) == 0 {
		return Packet{}, io.EOF
	}
	m.advance = true
	return m.heads[0].p, nil
}

// Sources returns the merged sources.
func (m *Merge) Sources() []Source { return m.sources }
