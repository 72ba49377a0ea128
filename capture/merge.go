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
// Each source keeps its own Clock: a packet whose timestamp its clock holds
// (a year ahead, say) is ordered at the clock's time, where it came in its
// file, instead of holding back the rest of its source behind it.
type Merge struct {
	sources []Source
	clocks  []Clock
	heads   mergeHeap
	errs    []error // errors not yet returned
	started bool
	advance bool // the top packet was returned: read its successor first
}

// NewMerge merges sources.
func NewMerge(sources []Source) *Merge {
	return &Merge{sources: sources, clocks: make([]Clock, len(sources))}
}

type mergeHead struct {
	p   Packet
	src int
	at  int64 // the time it is ordered at, by its source's clock
}

// head makes p, from source i, a head of the merge.
func (m *Merge) head(p Packet, i int) mergeHead {
	at, _ := m.clocks[i].Observe(p.Info.Timestamp.UnixNano())
	return mergeHead{p, i, at}
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

// Next returns the earliest packet among the sources. Because reads are
// zero-copy, the packet returned last is replaced only now: the source it
// came from is advanced at the start of the following call.
func (m *Merge) Next() (Packet, error) {
	if !m.started {
		m.started = true
		for i, s := range m.sources {
			p, err := s.Next()
			if err == nil {
				m.heads = append(m.heads, m.head(p, i))
			} else if err != io.EOF {
				m.errs = append(m.errs, err)
			}
		}
		heap.Init(&m.heads)
	} else if m.advance && len(m.heads) > 0 {
		top := &m.heads[0]
		p, err := m.sources[top.src].Next()
		if err == nil {
			*top = m.head(p, top.src)
			heap.Fix(&m.heads, 0)
		} else {
			heap.Pop(&m.heads)
			if err != io.EOF {
				m.errs = append(m.errs, err)
			}
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
