package analysis

import (
	"context"
	"errors"
	"io"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
)

// feed hands decoded frames to the dissector's loop, either read and
// decoded in place (live sources: a packet is analysed as soon as it
// comes) or ahead, on a goroutine of its own (files).
type feed interface {
	// next returns the next frame, valid until the next call; nil at the
	// end, or with tick set when a live interface was quiet for its read
	// timeout.
	next() (f *decode.Frame, tick bool)
	// close stops reading and returns what the reader counted. The
	// sources' Info may be read once it returns.
	close() readResult
}

// readResult is what reading the sources came to.
type readResult struct {
	read     uint64  // packets read, filtered ones included
	filtered uint64  // packets the filter expression rejected
	errs     []error // the sources' read errors
	fatal    error   // a filter that failed: the run stops
}

// reader reads packets, applies the error policy, the packet count and
// the filter expression, and decodes. Its Next calls are the only reads of
// the sources, so the sources' Info is written on the reader's goroutine
// alone; Progress is called from there too.
type reader struct {
	src interface {
		Next() (capture.Packet, error)
	}
	several  bool // several sources: an error drops one, the others go on
	filter   *capture.Filter
	count    uint64
	progress func(uint64)
	dec      *decode.Decoder
	res      readResult
	ended    bool
	into     packetInto // src, when it fills a packet in place (set by startReadAhead)
}

// status of one read
const (
	readFrame = iota
	readTick
	readEnd
)

// read fills f with the next packet that passes the filter. keep, if not
// nil, takes the packet's bytes out of the source's buffer before the
// packet is decoded.
func (r *reader) read(f *decode.Frame, keep func(*capture.Packet)) int {
	for !r.ended {
		if r.count > 0 && r.res.read >= r.count {
			break
		}
		var err error
		if r.into != nil {
			err = r.into.NextInto(&f.Packet)
		} else {
			f.Packet, err = r.src.Next()
		}
		if err != nil {
			switch {
			case err == io.EOF:
				r.ended = true
			case errors.Is(err, capture.ErrTimeout):
				// A quiet live interface: time still passes for the
				// timeouts of connections and announcements.
				return readTick
			default:
				r.res.errs = append(r.res.errs, err)
				r.ended = !r.several // a merge drops the damaged source and goes on
			}
			continue
		}
		r.res.read++
		if r.progress != nil && r.res.read&1023 == 0 {
			r.progress(r.res.read)
		}
		if r.filter != nil {
			ok, ferr := r.filter.Match(f.Packet)
			if ferr != nil {
				r.res.fatal, r.ended = ferr, true
				break
			}
			if !ok {
				r.res.filtered++
				continue
			}
		}
		if keep != nil {
			keep(&f.Packet)
		}
		r.dec.Decode(f)
		return readFrame
	}
	r.ended = true
	return readEnd
}

// packetInto is a source that writes a packet into a frame's own
// (capture.File): one copy of the packet fewer than Next's.
type packetInto interface {
	NextInto(*capture.Packet) error
}

// inPlace reads on the caller's goroutine, without copying.
type inPlace struct {
	r     *reader
	frame decode.Frame
}

func (in *inPlace) next() (*decode.Frame, bool) {
	switch in.r.read(&in.frame, nil) {
	case readFrame:
		return &in.frame, false
	case readTick:
		return nil, true
	}
	return nil, false
}

func (in *inPlace) close() readResult { return in.r.res }

// readAhead reads and decodes on a goroutine of its own, a batch of
// frames at a time, with their bytes copied out of the source's buffer:
// in a capture of many short sessions reading and decoding are a third of
// the work, and they need nothing from the dissection.
type readAhead struct {
	full, free chan *frameBatch
	stop       chan struct{}
	done       chan struct{}
	cur        *frameBatch
	i          int
	res        readResult
}

type frameBatch struct {
	frames []decode.Frame
	n      int
	arena  []byte
	last   bool // the reader ended after this batch
}

const (
	batchFrames  = 256
	batchArena   = 1 << 20
	batchRoom    = 64 << 10 // a batch ends when its arena has less room: any IP packet fits
	batchesAhead = 4
)

func startReadAhead(ctx context.Context, r *reader) *readAhead {
	// Read ahead, packets are read into the batch's frames: a file can.
	r.into, _ = r.src.(packetInto)
	ra := &readAhead{full: make(chan *frameBatch, batchesAhead), free: make(chan *frameBatch, batchesAhead),
		stop: make(chan struct{}), done: make(chan struct{})}
	for i := 0; i < batchesAhead; i++ {
		ra.free <- &frameBatch{frames: make([]decode.Frame, batchFrames), arena: make([]byte, 0, batchArena)}
	}
	go func() {
		defer close(ra.done)
		defer func() { ra.res = r.res }()
		for {
			var b *frameBatch
			select {
			case b = <-ra.free:
			case <-ra.stop:
				return
			}
			b.n, b.arena = 0, b.arena[:0]
			keep := func(p *capture.Packet) {
				if len(b.arena)+len(p.Data) > cap(b.arena) {
					// A frame over 64 KiB (the room a batch keeps) that
					// does not fit: a new arena; the frames before it keep
					// the old one alive until the batch is done.
					b.arena = make([]byte, 0, max(batchArena, len(p.Data)))
				}
				start := len(b.arena)
				b.arena = append(b.arena, p.Data...)
				p.Data = b.arena[start:len(b.arena):len(b.arena)]
			}
			for b.n < batchFrames && len(b.arena) < cap(b.arena)-batchRoom {
				if r.read(&b.frames[b.n], keep) != readFrame {
					b.last = true
					break
				}
				b.n++
			}
			if ctx.Err() != nil {
				b.last = true
			}
			select {
			case ra.full <- b:
			case <-ra.stop:
				return
			}
			if b.last {
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) next() (*decode.Frame, bool) {
	for ra.cur == nil || ra.i == ra.cur.n {
		if ra.cur != nil {
			if ra.cur.last {
				return nil, false
			}
			ra.free <- ra.cur
		}
		ra.cur, ra.i = <-ra.full, 0
	}
	f := &ra.cur.frames[ra.i]
	ra.i++
	return f, false
}

func (ra *readAhead) close() readResult {
	close(ra.stop)
	<-ra.done
	return ra.res
}
