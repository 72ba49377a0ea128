package fileexport

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"os"
	"strings"
)

// Export bounds.
const (
	holeBudget    = 1 << 20  // zero bytes written for holes, per file
	bufferSize    = 32 << 10 // in-order bytes gathered per write
	queueBytes    = 64 << 10 // out-of-order bytes waiting, per file
	queueSegments = 32       // out-of-order segments waiting, per file
	queueTotal    = 16 << 20 // out-of-order bytes waiting, all files
)

// zeros fills holes.
var zeros [8 << 10]byte

// file is the file of one data channel. Only the writer goroutine
// touches it.
type file struct {
	channel string // "s3.c2", the start of its name
	f       *os.File
	w       *bufio.Writer // allocated with the first payload
	hash    hash.Hash
	tmp     string
	next    int64 // file offset of the next byte to write
	zeros   int64 // hole bytes written as zeros
	queue   []segment
	queued  int  // bytes in queue
	total   *int // bytes queued by every file
	// partial: bytes are missing (holes, bytes before the first one
	// captured, or after a hole too big); stopped: nothing more is written.
	partial, stopped bool
	err              error
}

// segment is a segment that came ahead of the file's next byte.
type segment struct {
	off int64
	b   []byte
	cut int // bytes after b missing from the capture
}

// begin prepares the writing of the first payload.
func (x *file) begin() {
	x.w = bufio.NewWriterSize(x.f, bufferSize)
	x.hash = sha256.New()
}

// add takes the segment [off, off+len(b)+cut) of the file, of which b was
// captured.
func (x *file) add(off int64, b []byte, cut int) {
	if x.f == nil || x.err != nil || x.stopped || len(b) == 0 {
		return
	}
	if x.w == nil {
		x.begin()
	}
	end := off + int64(len(b)+cut)
	if end <= x.next {
		return // already written: a retransmission
	}
	if off > x.next {
		x.enqueue(off, b, cut)
		return
	}
	x.write(off, b, cut)
	x.drain()
}

// write writes what the segment at off (<= next) has beyond next.
func (x *file) write(off int64, b []byte, cut int) {
	if skip := x.next - off; skip < int64(len(b)) {
		x.emit(b[skip:])
	}
	if missing := off + int64(len(b)+cut) - max(x.next, off+int64(len(b))); missing > 0 {
		x.fill(missing) // cut by the snapshot length
	}
}

// emit writes bytes at next.
func (x *file) emit(b []byte) {
	if x.err != nil {
		return
	}
	x.hash.Write(b)
	_, x.err = x.w.Write(b)
	x.next += int64(len(b))
}

// fill writes a hole of n zero bytes at next, or stops the file there when
// the holes would exceed their budget.
func (x *file) fill(n int64) {
	x.partial = true
	if x.zeros+n > holeBudget {
		x.stop()
		return
	}
	x.zeros += n
	for n > 0 && x.err == nil {
		k := min(n, int64(len(zeros)))
		x.emit(zeros[:k])
		n -= k
	}
}

// stop ends the file at next: what lies beyond a hole too big is lost.
func (x *file) stop() {
	x.stopped, x.partial = true, true
	x.release()
}

// release drops the queue.
func (x *file) release() {
	*x.total -= x.queued
	x.queue, x.queued = nil, 0
}

// enqueue keeps a copy of a segment that came ahead of next, giving up
// the first hole when the queue is full.
func (x *file) enqueue(off int64, b []byte, cut int) {
	x.queue = append(x.queue, segment{off: off, b: append([]byte(nil), b...), cut: cut})
	x.queued += len(b)
	*x.total += len(b)
	for len(x.queue) > 0 && (len(x.queue) > queueSegments || x.queued > queueBytes || *x.total > queueTotal) {
		x.skipHole()
	}
}

// skipHole fills the hole before the first queued segment and writes what
// follows it.
func (x *file) skipHole() {
	first := x.queue[0].off
	for _, q := range x.queue[1:] {
		first = min(first, q.off)
	}
	if first > x.next {
		x.fill(first - x.next)
	}
	x.drain()
}

// drain writes the queued segments that next has reached.
func (x *file) drain() {
	for i := 0; i < len(x.queue) && !x.stopped; {
		q := x.queue[i]
		if q.off > x.next {
			i++
			continue
		}
		last := len(x.queue) - 1
		x.queue[i] = x.queue[last]
		x.queue[last] = segment{}
		x.queue = x.queue[:last]
		x.queued -= len(q.b)
		*x.total -= len(q.b)
		if q.off+int64(len(q.b)+q.cut) > x.next {
			x.write(q.off, q.b, q.cut)
		}
		i = 0 // next moved: earlier entries may follow on now
	}
}

// finish closes the file and names it in dir: the result is empty when
// nothing was exported; err is the error to report, if any.
func (x *file) finish(dir string, r *Result, verb, arg string, size int64) error {
	if x.f == nil {
		return nil
	}
	defer func() { x.f = nil }()
	for len(x.queue) > 0 && !x.stopped {
		x.skipHole()
	}
	x.release()
	if x.w != nil && x.err == nil {
		x.err = x.w.Flush()
	}
	x.w = nil
	if err := x.f.Close(); err != nil && x.err == nil {
		x.err = err
	}
	if x.err != nil || x.next == 0 {
		os.Remove(x.tmp) // a write error was reported when it happened
		return nil
	}
	if size >= 0 && x.next < size {
		x.partial = true // lost at the end
	}
	base := x.channel + "-" + fileName(verb, arg)
	if x.partial {
		base += ".partial"
	}
	name, err := linkUnique(dir, base, x.tmp)
	os.Remove(x.tmp)
	if err != nil {
		return err
	}
	*r = Result{Path: name, SHA256: hex.EncodeToString(x.hash.Sum(nil)), Partial: x.partial}
	return nil
}

// fileName is the transfer's file name reduced to a safe base name:
// "list.txt" for a listing, "data" without a usable name.
func fileName(verb, arg string) string {
	switch verb {
	case "":
		return "data"
	case "LIST", "NLST", "MLSD":
		return strings.ToLower(verb) + ".txt"
	}
	if n := safeBase(arg); n != "" {
		return n
	}
	return "data"
}
