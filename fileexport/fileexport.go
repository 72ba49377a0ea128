// Package fileexport writes the files that data connections transfer
// (--export DIR), as the dissector's DataSink: the dissector hands it each
// data segment's bytes at their offset in the file, and the files are
// written and hashed on a goroutine of the package's own, fed through a
// bounded queue.
//
// The payload of every data connection is written into DIR in order, and
// hashed as it is written. Segments ahead of the next byte wait in a small
// queue for the bytes before them; a hole that nothing fills (capture loss,
// snapshot length) is written as zeros, up to holeBudget bytes of holes per
// file: beyond that the file ends at the hole, so a forged or lost stretch
// of the stream never becomes gigabytes of zeros. A file with holes is
// partial: its name ends in ".partial" and the report says so. When the
// channel concludes the file gets its final name, from the transfer
// command's argument. Nothing is ever written outside DIR: names are
// reduced to a base name without separators or dot-dot, created with
// O_EXCL, and checked to sit in DIR. Files are readable by their owner
// only (0600), like the directory the command line creates (0700).
package fileexport

import "os"

// Result is an exported file, as the report gives it.
type Result struct {
	Path    string // relative to the export directory; "" when nothing was exported
	SHA256  string
	Partial bool // bytes are missing
}

// Exporter writes the files of data connections into a directory. Its
// DataSink methods are called from one goroutine, the dissector's; the
// files are written on the Exporter's own.
type Exporter struct {
	dir, session string
	q            *queue
	files        map[int]*file // by handle, until End
	last         int           // the last handle given
	ended        chan Result   // the writer's answer to an End
	done         chan struct{} // the writer has stopped
	closed       bool

	// the writer goroutine's
	queued  int    // out-of-order bytes waiting in the files
	scratch []byte // a segment cut in pieces by the queue, put together
	err     error  // the first error met
	open    map[*file]bool
	// beforeBatch, when set (tests), runs before each batch is written.
	beforeBatch func()
}

// New starts an Exporter into dir, an existing directory. With session
// set, only that session's files are exported (the terminal UI exports one
// session's files by analysing the capture again: the session keeps its
// id and its files their names).
func New(dir, session string) *Exporter {
	return newExporter(dir, session, nil)
}

func newExporter(dir, session string, beforeBatch func()) *Exporter {
	e := &Exporter{dir: dir, session: session, q: newQueue(batches, batchBytes, batchOps),
		files: map[int]*file{}, ended: make(chan Result, 1), done: make(chan struct{}),
		open: map[*file]bool{}, beforeBatch: beforeBatch}
	go e.write()
	return e
}

// Start begins the file of a session's channel ("s3" and "s3.c2").
func (e *Exporter) Start(session, channel string) (int, bool) {
	if e.session != "" && session != e.session {
		return 0, false
	}
	e.last++
	f := &file{channel: channel, total: &e.queued}
	e.files[e.last] = f
	e.q.put(op{kind: opStart, f: f})
	return e.last, true
}

// Data takes the bytes [off, off+len(b)+cut) of a file, of which b was
// captured. It copies b: the call may wait for the writer, never for long.
func (e *Exporter) Data(id int, off int64, b []byte, cut int) {
	if f := e.files[id]; f != nil && len(b) > 0 {
		e.q.data(op{kind: opData, f: f, off: off, cut: cut}, b)
	}
}

// Lost marks a file partial.
func (e *Exporter) Lost(id int) {
	if f := e.files[id]; f != nil {
		e.q.put(op{kind: opLost, f: f})
	}
}

// End names a file for its transfer's command (verb and argument) and
// returns it once it is written; size, unless negative, is the length the
// file should have.
func (e *Exporter) End(id int, verb, arg string, size int64) (path, sha256 string, partial bool) {
	f := e.files[id]
	if f == nil {
		return "", "", false
	}
	delete(e.files, id)
	e.q.put(op{kind: opEnd, f: f, verb: verb, arg: arg, size: size})
	e.q.flush()
	r := <-e.ended
	return r.Path, r.SHA256, r.Partial
}

// Close stops the writer, and removes the files never ended. It returns
// the first error met writing the files.
func (e *Exporter) Close() error {
	if !e.closed {
		e.closed = true
		e.q.close()
		<-e.done
	}
	return e.err
}

// write is the writer goroutine.
func (e *Exporter) write() {
	defer close(e.done)
	for b := range e.q.full {
		if e.beforeBatch != nil {
			e.beforeBatch()
		}
		p := b.buf
		for i := range b.ops {
			o := &b.ops[i]
			var data []byte
			if o.kind == opData {
				data, p = p[:o.n], p[o.n:]
			}
			e.do(o, data)
		}
		e.q.recycle(b)
	}
	for f := range e.open {
		f.f.Close()
		os.Remove(f.tmp)
	}
}

// do runs one operation.
func (e *Exporter) do(o *op, data []byte) {
	f := o.f
	switch o.kind {
	case opStart:
		f.f, f.err = os.CreateTemp(e.dir, ".ftpscope-*.part") // 0600
		if f.err != nil {
			f.f = nil
			e.fail(f.err)
			return
		}
		f.tmp = f.f.Name()
		e.open[f] = true
	case opData:
		if o.more || len(e.scratch) > 0 {
			e.scratch = append(e.scratch, data...)
			if o.more {
				return
			}
			data = e.scratch
		}
		f.add(o.off, data, o.cut)
		e.scratch = e.scratch[:0]
		e.fail(f.err)
	case opLost:
		f.partial = true
	case opEnd:
		var r Result
		e.fail(f.finish(e.dir, &r, o.verb, o.arg, o.size))
		delete(e.open, f)
		e.ended <- r
	}
}

// fail records the first error met.
func (e *Exporter) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}
