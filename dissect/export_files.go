package dissect

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/ftpscope/ftpscope/internal/textfmt"
)

// File export (--export DIR): the payload of every data connection is
// written into DIR as it is captured, in order, and hashed as it is
// written. Segments ahead of the next byte wait in a small queue for the
// bytes before them; a hole that nothing fills (capture loss, snapshot
// length) is written as zeros, up to exportHoleBudget bytes of holes per
// file: beyond that the file ends at the hole, so a forged or lost stretch
// of the stream never becomes gigabytes of zeros. A file with holes is
// partial: its name ends in ".partial" and the report says so. When the
// channel concludes the file gets its final name, from the transfer
// command's argument. Nothing is ever written outside DIR: names are
// reduced to a base name without separators or dot-dot, created with
// O_EXCL, and checked to sit in DIR. Files are readable by their owner
// only (0600), like the directory the command line creates (0700).

// Export bounds.
const (
	exportHoleBudget    = 1 << 20  // zero bytes written for holes, per file
	exportBufferSize    = 32 << 10 // in-order bytes gathered per write
	exportQueueBytes    = 64 << 10 // out-of-order bytes waiting, per file
	exportQueueSegments = 32       // out-of-order segments waiting, per file
	exportQueueTotal    = 16 << 20 // out-of-order bytes waiting, all files
)

// exportZeros fills holes.
var exportZeros [8 << 10]byte

// exportFile is the file of one data channel.
type exportFile struct {
	f      *os.File
	w      *bufio.Writer // allocated with the first payload
	hash   hash.Hash
	tmp    string
	dir    int   // the direction that carries the data, once seen
	origin int64 // offset in sequence space of the file's first byte
	// midStream: the data connection's SYN was not captured, so the file
	// starts at its first captured byte, and bytes may lie before it.
	midStream bool
	next      int64 // file offset of the next byte to write
	zeros     int64 // hole bytes written as zeros
	queue     []exportSegment
	queued    int  // bytes in queue
	total     *int // bytes queued by every file
	// partial: bytes are missing (holes, bytes before the first one
	// captured, or after a hole too big); stopped: nothing more is written.
	partial, stopped bool
	err              error
	final            string // path relative to the export directory
	sum              string
	plain            bool // decrypted file bytes, not the connection's payload
}

// exportSegment is a segment that came ahead of the file's next byte.
type exportSegment struct {
	off int64
	b   []byte
	cut int // bytes after b missing from the capture
}

// startExport opens the temporary file of a channel's data connection.
func (a *Analyzer) startExport(ch *channel) {
	if a.cfg.ExportDir == "" || ch.export != nil {
		return
	}
	if a.cfg.ExportSession != "" && ch.sess.id != a.cfg.ExportSession {
		return
	}
	x := &exportFile{dir: -1, total: &a.exportQueued}
	x.f, x.err = os.CreateTemp(a.cfg.ExportDir, ".ftpscope-*.part") // 0600
	if x.err != nil {
		a.exportError(x.err)
	} else {
		x.tmp = x.f.Name()
	}
	ch.export = x
}

// exportPayload writes one data segment's captured bytes (full is its
// length on the wire).
func (a *Analyzer) exportPayload(c *conn, dir int, seq uint32, payload []byte, full int) {
	x := c.ch.export
	if x == nil || x.f == nil || x.err != nil || x.stopped || len(payload) == 0 {
		return
	}
	sp := &c.span[dir]
	if x.dir < 0 {
		x.dir = dir
		x.begin()
		if !sp.synBase {
			x.origin, x.midStream = sp.offset(seq), true
		}
	}
	if dir != x.dir {
		return // a data connection carries data one way
	}
	x.add(sp.offset(seq)-x.origin, payload, full-len(payload))
	if x.err != nil {
		a.exportError(x.err)
	}
}

// begin prepares the writing of the first payload.
func (x *exportFile) begin() {
	x.w = bufio.NewWriterSize(x.f, exportBufferSize)
	x.hash = sha256.New()
}

// add takes the segment [off, off+len(b)+cut) of the file, of which b was
// captured.
func (x *exportFile) add(off int64, b []byte, cut int) {
	end := off + int64(len(b)+cut)
	if off < 0 && x.midStream {
		x.partial = true // bytes before the file's first one: too late
	}
	if x.stopped || end <= x.next {
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
func (x *exportFile) write(off int64, b []byte, cut int) {
	if skip := x.next - off; skip < int64(len(b)) {
		x.emit(b[skip:])
	}
	if missing := off + int64(len(b)+cut) - max(x.next, off+int64(len(b))); missing > 0 {
		x.fill(missing) // cut by the snapshot length
	}
}

// emit writes bytes at next.
func (x *exportFile) emit(b []byte) {
	if x.err != nil {
		return
	}
	x.hash.Write(b)
	_, x.err = x.w.Write(b)
	x.next += int64(len(b))
}

// fill writes a hole of n zero bytes at next, or stops the file there when
// the holes would exceed their budget.
func (x *exportFile) fill(n int64) {
	x.partial = true
	if x.zeros+n > exportHoleBudget {
		x.stop()
		return
	}
	x.zeros += n
	for n > 0 && x.err == nil {
		k := min(n, int64(len(exportZeros)))
		x.emit(exportZeros[:k])
		n -= k
	}
}

// stop ends the file at next: what lies beyond a hole too big is lost.
func (x *exportFile) stop() {
	x.stopped, x.partial = true, true
	x.release()
}

// release drops the queue.
func (x *exportFile) release() {
	*x.total -= x.queued
	x.queue, x.queued = nil, 0
}

// enqueue keeps a copy of a segment that came ahead of next, giving up
// the first hole when the queue is full.
func (x *exportFile) enqueue(off int64, b []byte, cut int) {
	x.queue = append(x.queue, exportSegment{off: off, b: append([]byte(nil), b...), cut: cut})
	x.queued += len(b)
	*x.total += len(b)
	for len(x.queue) > 0 && (len(x.queue) > exportQueueSegments || x.queued > exportQueueBytes || *x.total > exportQueueTotal) {
		x.skipHole()
	}
}

// skipHole fills the hole before the first queued segment and writes what
// follows it.
func (x *exportFile) skipHole() {
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
func (x *exportFile) drain() {
	for i := 0; i < len(x.queue) && !x.stopped; {
		q := x.queue[i]
		if q.off > x.next {
			i++
			continue
		}
		last := len(x.queue) - 1
		x.queue[i] = x.queue[last]
		x.queue[last] = exportSegment{}
		x.queue = x.queue[:last]
		x.queued -= len(q.b)
		*x.total -= len(q.b)
		if q.off+int64(len(q.b)+q.cut) > x.next {
			x.write(q.off, q.b, q.cut)
		}
		i = 0 // next moved: earlier entries may follow on now
	}
}

// finishExport closes a channel's file and names it.
func (a *Analyzer) finishExport(ch *channel) {
	x := ch.export
	if x == nil || x.f == nil || x.final != "" || ch.conn != nil {
		return
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
		os.Remove(x.tmp)
		return
	}
	if cn := ch.snapshot; cn != nil && !x.plain && (x.next < cn.BytesToFTPClient+cn.BytesToFTPServer || cn.OutOfWindow > 0) {
		x.partial = true // lost at the end, or left out as untrustworthy
	}
	base := exportName(ch)
	if x.partial {
		base += ".partial"
	}
	name, err := linkUnique(a.cfg.ExportDir, base, x.tmp)
	os.Remove(x.tmp)
	if err != nil {
		a.exportError(err)
		return
	}
	x.final = name
	x.sum = hex.EncodeToString(x.hash.Sum(nil))
}

// exportName is "s3.c2-file.txt": the channel, then the transfer's file
// name reduced to a safe base name.
func exportName(ch *channel) string {
	name := "data"
	if x := ch.xfer; x != nil {
		switch x.verb {
		case "LIST", "NLST", "MLSD":
			name = strings.ToLower(x.verb) + ".txt"
		default:
			if n := safeBase(x.arg); n != "" {
				name = n
			}
		}
	}
	return ch.id() + "-" + name
}

// safeBase reduces a name from the wire to a base name that cannot leave a
// directory: no separators of any platform, no "..", no control
// characters, no leading dots, at most 100 bytes.
func safeBase(arg string) string {
	arg = strings.ReplaceAll(arg, "\\", "/")
	if i := strings.LastIndexByte(arg, '/'); i >= 0 {
		arg = arg[i+1:]
	}
	// Controls become visible escapes (the text outputs' rule), whose
	// backslash must not reach a file name either.
	arg = strings.Map(func(r rune) rune {
		if r == '\\' || r == ':' || r == 0xfffd || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, textfmt.Printable(arg))
	arg = strings.TrimLeft(arg, ". ")
	if len(arg) > 100 {
		arg = arg[:100]
	}
	return arg
}

// linkUnique gives tmp the name base (or base-2, base-3, …) in dir without
// replacing anything, and returns the name used.
func linkUnique(dir, base, tmp string) (string, error) {
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		path := filepath.Join(dir, name)
		if filepath.Dir(path) != filepath.Clean(dir) {
			return "", fmt.Errorf("export: refusing %q, outside %s", name, dir)
		}
		err := os.Link(tmp, path)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("export: too many files named %q", base)
}

// exportError records the first export error as a warning of the run.
func (a *Analyzer) exportError(err error) {
	if a.exportErr == nil {
		a.exportErr = err
	}
}

// ExportError returns the first error met writing exported files.
func (a *Analyzer) ExportError() error { return a.exportErr }
