package report

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"sort"

	"github.com/ftpscope/ftpscope/model"
)

// findingSpill keeps the findings of a streamed JSON report until its end
// in bounded memory: the document lists them after the sessions, in report
// order (order.go), and findings may still change after their session was
// written (a refused login upgraded, a NAT leg's finding withdrawn). Each
// finding is a record (a header with its order, then its JSON) appended to
// a store; an index of 8 bytes per finding gives the offset of its current
// record, so a revision appends the new record and rewrites one index
// entry. Past spillInMemory bytes of records both stores move to temporary files
// (0600, unlinked at once, so nothing is left behind whatever happens).
// At the end the records are sorted in chunks of spillChunk bytes into runs,
// and the runs merged, spillFanIn at a time.
type findingSpill struct {
	records, index store
	n              uint64 // findings numbered so far
	rec            enc    // one record being built
	chunk, fanIn   int    // spillChunk, spillFanIn (smaller in tests)
	err            error
}

const (
	spillInMemory = 1 << 20 // bytes a store keeps in memory
	spillChunk    = 2 << 20 // record bytes sorted at once
	spillFanIn    = 128     // runs merged at once, 8 KiB of buffer each
	// recordHeader: body length, severity, session number, timestamp, ref
	recordHeader = 4 + 1 + 8 + 8 + 8
	withdrawn    = math.MaxUint64 // index entry of a withdrawn finding
)

func newFindingSpill() *findingSpill {
	return &findingSpill{records: store{limit: spillInMemory}, index: store{limit: spillInMemory}, chunk: spillChunk, fanIn: spillFanIn}
}

// add numbers f (in the order added, from 0) and keeps it.
func (sp *findingSpill) add(f *model.Finding) {
	ref := sp.n
	sp.n++
	off := sp.write(f, ref)
	sp.setIndex(ref, off, true)
}

// addPair keeps a NAT pair, in the order of its inside session (the
// nat_pairs array uses the same store as findings, by that one key).
func (sp *findingSpill) addPair(p *model.NATPair) {
	ref := sp.n
	sp.n++
	if sp.err != nil {
		return
	}
	body, err := json.Marshal(p)
	if err != nil {
		sp.err = err
		return
	}
	e := &sp.rec
	e.b = putHeader(e.b[:0], len(body), order{model.FindingOrder{Session: uint64(max(0, model.SessionNumber(p.Inside)))}, ref})
	e.b = append(e.b, body...)
	off, err := sp.records.append(e.b)
	if err != nil {
		sp.err = err
		return
	}
	sp.setIndex(ref, uint64(off), true)
}

// revise replaces finding ref, or withdraws it from the report.
func (sp *findingSpill) revise(ref uint64, f *model.Finding, withdraw bool) {
	if ref >= sp.n {
		return
	}
	off := uint64(withdrawn)
	if !withdraw {
		off = sp.write(f, ref)
	}
	sp.setIndex(ref, off, false)
}

func (sp *findingSpill) write(f *model.Finding, ref uint64) uint64 {
	if sp.err != nil {
		return withdrawn
	}
	e := &sp.rec
	e.b = putHeader(e.b[:0], 0, orderOf(f, ref))
	e.finding(f)
	binary.LittleEndian.PutUint32(e.b, uint32(len(e.b)-recordHeader))
	off, err := sp.records.append(e.b)
	if err != nil {
		sp.err = err
	}
	return uint64(off)
}

func (sp *findingSpill) setIndex(ref, off uint64, appending bool) {
	if sp.err != nil {
		return
	}
	if sp.records.f != nil && sp.index.f == nil {
		// The index follows the records to a file: the memory budget is
		// theirs together. Kept in memory, the index (8 bytes a finding)
		// would grow to spillInMemory too, and a long capture's memory
		// would follow its findings until then.
		if sp.err = sp.index.toFile(); sp.err != nil {
			return
		}
	}
	var e [8]byte
	binary.LittleEndian.PutUint64(e[:], off)
	var err error
	if appending {
		_, err = sp.index.append(e[:])
	} else {
		err = sp.index.writeAt(e[:], int64(ref*8))
	}
	if err != nil {
		sp.err = err
	}
}

// writeArray writes the records in their order as the elements of a JSON
// array, indented as json.MarshalIndent(items, "  ", "  ") does.
func (sp *findingSpill) writeArray(w *bufio.Writer) error {
	if sp.err != nil {
		return sp.err
	}
	first := true
	var ind bytes.Buffer
	emit := func(body []byte) error {
		if first {
			w.WriteString("[\n    ")
			first = false
		} else {
			w.WriteString(",\n    ")
		}
		ind.Reset()
		if err := json.Indent(&ind, body, "    ", "  "); err != nil {
			return err
		}
		_, err := w.Write(ind.Bytes())
		return err
	}
	if err := sp.sorted(emit); err != nil {
		return err
	}
	if first {
		_, err := w.WriteString("[]")
		return err
	}
	_, err := w.WriteString("\n  ]")
	return err
}

// sorted calls emit with the JSON of every finding not withdrawn, in
// report order.
func (sp *findingSpill) sorted(emit func(body []byte) error) error {
	idx, err := sp.index.readerAt()
	if err != nil {
		return err
	}
	src, err := sp.records.readerAt()
	if err != nil {
		return err
	}
	ir := bufio.NewReaderSize(io.NewSectionReader(idx, 0, int64(sp.n*8)), 64<<10)
	rr := &recordReader{src: src}
	c := chunk{data: make([]byte, 0, min(sp.chunk, int(sp.records.size))+64<<10)}
	runs := store{limit: 0}
	defer runs.close()
	var spans []span
	var e [8]byte
	for ref := uint64(0); ref < sp.n; ref++ {
		if _, err := io.ReadFull(ir, e[:]); err != nil {
			return err
		}
		off := binary.LittleEndian.Uint64(e[:])
		if off == withdrawn {
			continue
		}
		rec, err := rr.at(int64(off))
		if err != nil {
			return err
		}
		c.add(rec)
		if len(c.data) >= sp.chunk {
			s, err := c.writeRun(&runs)
			if err != nil {
				return err
			}
			spans = append(spans, s)
		}
	}
	if len(spans) == 0 {
		// everything fits in one chunk
		c.sort()
		for _, en := range c.entries {
			if err := emit(c.data[en.start+recordHeader : en.end]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(c.entries) > 0 {
		s, err := c.writeRun(&runs)
		if err != nil {
			return err
		}
		spans = append(spans, s)
	}
	c = chunk{}
	// Merge spillFanIn runs at a time into longer ones until one pass
	// merges them all.
	for len(spans) > sp.fanIn {
		var next []span
		for i := 0; i < len(spans); i += sp.fanIn {
			group := spans[i:min(i+sp.fanIn, len(spans))]
			start := runs.size
			err := merge(&runs, group, func(rec []byte) error {
				_, err := runs.append(rec)
				return err
			})
			if err != nil {
				return err
			}
			next = append(next, span{start, runs.size - start})
		}
		spans = next
	}
	return merge(&runs, spans, func(rec []byte) error { return emit(rec[recordHeader:]) })
}

// span is one sorted run in the runs store.
type span struct{ off, n int64 }

// chunk is records read into memory to be sorted.
type chunk struct {
	data    []byte
	entries []chunkEntry
}

type chunkEntry struct {
	o          order
	start, end int
}

func (c *chunk) add(rec []byte) {
	start := len(c.data)
	c.data = append(c.data, rec...)
	c.entries = append(c.entries, chunkEntry{o: headerOrder(rec), start: start, end: len(c.data)})
}

func (c *chunk) sort() {
	sort.Slice(c.entries, func(i, j int) bool { return c.entries[i].o.less(c.entries[j].o) })
}

// writeRun sorts the chunk, appends it to runs as one run and empties it.
func (c *chunk) writeRun(runs *store) (span, error) {
	c.sort()
	start := runs.size
	for _, en := range c.entries {
		if _, err := runs.append(c.data[en.start:en.end]); err != nil {
			return span{}, err
		}
	}
	c.data, c.entries = c.data[:0], c.entries[:0]
	return span{start, runs.size - start}, nil
}

// merge calls out with the records of the sorted runs, in order.
func merge(runs *store, spans []span, out func(rec []byte) error) error {
	src, err := runs.readerAt()
	if err != nil {
		return err
	}
	h := make(cursors, 0, len(spans))
	for _, s := range spans {
		c := &cursor{r: bufio.NewReaderSize(io.NewSectionReader(src, s.off, s.n), 8<<10)}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		c := h[0]
		if err := out(c.rec); err != nil {
			return err
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

// cursor reads one run's records.
type cursor struct {
	r   *bufio.Reader
	rec []byte
	o   order
}

func (c *cursor) next() (bool, error) {
	rec, err := readRecord(c.r, c.rec[:0])
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.rec, c.o = rec, headerOrder(rec)
	return true, nil
}

type cursors []*cursor

func (h cursors) Len() int           { return len(h) }
func (h cursors) Less(i, j int) bool { return h[i].o.less(h[j].o) }
func (h cursors) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursors) Push(x any)        { *h = append(*h, x.(*cursor)) }
func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

func putHeader(b []byte, bodyLen int, o order) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(bodyLen))
	b = append(b, byte(o.Severity))
	b = binary.LittleEndian.AppendUint64(b, o.Session)
	b = binary.LittleEndian.AppendUint64(b, uint64(o.TS))
	return binary.LittleEndian.AppendUint64(b, o.ref)
}

func headerOrder(rec []byte) order {
	return order{
		FindingOrder: model.FindingOrder{
			Severity: model.Severity(rec[4]),
			Session:  binary.LittleEndian.Uint64(rec[5:]),
			TS:       int64(binary.LittleEndian.Uint64(rec[13:])),
		},
		ref: binary.LittleEndian.Uint64(rec[21:]),
	}
}

// readRecord reads one record from r into buf.
func readRecord(r io.Reader, buf []byte) ([]byte, error) {
	var h [recordHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	need := recordHeader + int(binary.LittleEndian.Uint32(h[:]))
	if cap(buf) < need {
		buf = make([]byte, need)
	}
	buf = buf[:need]
	copy(buf, h[:])
	if _, err := io.ReadFull(r, buf[recordHeader:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// recordReader reads records by offset, cheaply when they follow one
// another.
type recordReader struct {
	src io.ReaderAt
	br  *bufio.Reader
	pos int64
	buf []byte
}

func (r *recordReader) at(off int64) ([]byte, error) {
	if r.br == nil || off != r.pos {
		sr := io.NewSectionReader(r.src, off, math.MaxInt64-off)
		if r.br == nil {
			r.br = bufio.NewReaderSize(sr, 64<<10)
		} else {
			r.br.Reset(sr)
		}
		r.pos = off
	}
	rec, err := readRecord(r.br, r.buf[:0])
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	r.buf = rec
	r.pos += int64(len(rec))
	return rec, nil
}

func (sp *findingSpill) close() {
	sp.records.close()
	sp.index.close()
}

// store is an append-only byte sequence: in memory up to limit bytes,
// then in a temporary file.
type store struct {
	limit int
	mem   []byte
	f     *os.File
	path  string // set where an open file could not be unlinked
	w     *bufio.Writer
	size  int64
}

func (s *store) append(b []byte) (int64, error) {
	off := s.size
	if s.f == nil && len(s.mem)+len(b) > s.limit {
		if err := s.toFile(); err != nil {
			return 0, err
		}
	}
	if s.f == nil {
		s.mem = append(s.mem, b...)
	} else if _, err := s.w.Write(b); err != nil {
		return 0, err
	}
	s.size += int64(len(b))
	return off, nil
}

func (s *store) writeAt(b []byte, off int64) error {
	if s.f == nil {
		copy(s.mem[off:], b)
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	_, err := s.f.WriteAt(b, off)
	return err
}

// readerAt gives what was appended so far, for reading.
func (s *store) readerAt() (io.ReaderAt, error) {
	if s.f == nil {
		return bytes.NewReader(s.mem), nil
	}
	return s.f, s.w.Flush()
}

func (s *store) toFile() error {
	f, err := os.CreateTemp("", "ftpscope-findings-*") // mode 0600
	if err != nil {
		return err
	}
	if os.Remove(f.Name()) != nil {
		s.path = f.Name() // removed at close instead
	}
	s.f, s.w = f, bufio.NewWriterSize(f, 64<<10)
	if _, err := s.w.Write(s.mem); err != nil {
		return err
	}
	s.mem = nil
	return nil
}

func (s *store) close() {
	if s.f != nil {
		s.f.Close()
		if s.path != "" {
			os.Remove(s.path)
		}
	}
	s.f, s.w, s.mem, s.size = nil, nil, nil, 0
}
