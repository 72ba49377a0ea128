package capture

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Fan-in bounds: at most fanInQueue batches wait for the consumer, each
// holding at most fanInBatchPackets packets in a fanInArena-byte buffer (a
// packet bigger than that gets a buffer of its own). When the consumer
// falls behind, the readers block and the kernel's buffers fill (and
// count their drops): the fan-in never grows.
const (
	fanInQueue        = 32
	fanInBatchPackets = 256
	fanInArena        = 256 << 10
)

// FanIn reads several live sources at once, one goroutine per source, and
// hands their packets out in the order they arrived. Unlike Merge it never
// waits on a quiet source while another has packets, which is what live
// interfaces need. Packets of one source keep their order; packets of
// different sources are ordered by arrival, not by timestamp.
//
// Each reader copies its packets into batches (zero-copy data is only valid
// until the source's next read); a batch goes to the consumer as soon as
// the consumer is idle, or when it is full, so batches grow only under
// load. Next returns ErrTimeout when no packet came for the read timeout,
// a source's error once (that source is then done, the others go on), and
// io.EOF when every source has ended or the fan-in is stopped.
type FanIn struct {
	sources []Source
	timeout time.Duration

	out  chan *batch
	free chan *batch
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	// consumer side
	cur   *batch
	pos   int
	ended int
	timer *time.Timer
}

// batch is a run of packets of one source, their bytes in buf.
type batch struct {
	buf  []byte
	pkts []Packet
	err  error // the source ended after these packets (io.EOF or its error)
}

// NewFanIn starts reading sources. Stop (or Close) ends the readers.
func NewFanIn(sources []Source) *FanIn {
	f := &FanIn{
		sources: sources,
		timeout: DefaultReadTimeout,
		out:     make(chan *batch, fanInQueue),
		free:    make(chan *batch, fanInQueue+len(sources)+1),
		stop:    make(chan struct{}),
	}
	f.wg.Add(len(sources))
	for _, s := range sources {
		go f.read(s)
	}
	return f
}

func (f *FanIn) newBatch() *batch {
	select {
	case b := <-f.free:
		return b
	default:
		return &batch{buf: make([]byte, 0, fanInArena), pkts: make([]Packet, 0, fanInBatchPackets)}
	}
}

func (f *FanIn) recycle(b *batch) {
	if cap(b.buf) > fanInArena {
		b.buf = make([]byte, 0, fanInArena) // let an oversized buffer go
	}
	b.buf, b.pkts, b.err = b.buf[:0], b.pkts[:0], nil
	select {
	case f.free <- b:
	default:
	}
}

// send hands b to the consumer; false when the fan-in was stopped.
func (f *FanIn) send(b *batch) bool {
	select {
	case f.out <- b:
		return true
	case <-f.stop:
		return false
	}
}

func (f *FanIn) stopped() bool {
	select {
	case <-f.stop:
		return true
	default:
		return false
	}
}

// read is the goroutine of one source.
func (f *FanIn) read(s Source) {
	defer f.wg.Done()
	b := f.newBatch()
	for !f.stopped() {
		p, err := s.Next()
		if err != nil {
			if errors.Is(err, ErrTimeout) {
				if len(b.pkts) > 0 {
					if !f.send(b) {
						return
					}
					b = f.newBatch()
				}
				continue
			}
			b.err = err
			f.send(b)
			return
		}
		n := len(p.Data)
		if len(b.pkts) > 0 && len(b.buf)+n > cap(b.buf) {
			if !f.send(b) {
				return
			}
			b = f.newBatch()
		}
		if n > cap(b.buf) {
			b.buf = make([]byte, 0, n)
		}
		start := len(b.buf)
		b.buf = append(b.buf, p.Data...)
		p.Data = b.buf[start:len(b.buf):len(b.buf)]
		b.pkts = append(b.pkts, p)
		if len(b.pkts) >= fanInBatchPackets || len(f.out) == 0 {
			if !f.send(b) {
				return
			}
			b = f.newBatch()
		}
	}
}

// Next implements Source. The packet's Data stays valid until the next
// call.
func (f *FanIn) Next() (Packet, error) {
	for {
		if b := f.cur; b != nil {
			if f.pos < len(b.pkts) {
				f.pos++
				return b.pkts[f.pos-1], nil
			}
			f.cur = nil
			err := b.err
			f.recycle(b)
			if err != nil {
				f.ended++
				if err != io.EOF {
					return Packet{}, err
				}
			}
			continue
		}
		if f.ended == len(f.sources) {
			return Packet{}, io.EOF
		}
		select {
		case b := <-f.out:
			f.cur, f.pos = b, 0
			continue
		default:
		}
		if f.timer == nil {
			f.timer = time.NewTimer(f.timeout)
		} else {
			f.timer.Reset(f.timeout)
		}
		select {
		case b := <-f.out:
			f.cur, f.pos = b, 0
		case <-f.timer.C:
			return Packet{}, ErrTimeout
		case <-f.stop:
			return Packet{}, io.EOF
		}
	}
}

// Info implements Source: the first source's. Use Sources for all.
func (f *FanIn) Info() *Info { return f.sources[0].Info() }

// Sources returns the sources read.
func (f *FanIn) Sources() []Source { return f.sources }

// Stop ends the readers and waits for them (at most about a read timeout,
// since live sources' Next returns ErrTimeout when idle):
// then the sources' Info and counters may be read, and Next returns io.EOF
// once the packets already handed over are consumed. The sources stay open.
func (f *FanIn) Stop() {
	f.once.Do(func() { close(f.stop) })
	f.wg.Wait()
}

// Close implements Source: it stops the readers and closes every source.
func (f *FanIn) Close() error {
	f.Stop()
	var first error
	for _, s := range f.sources {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
