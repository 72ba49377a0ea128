package fileexport

// The queue from the dissector to the writer: batches of operations, each
// with the payload bytes it carries copied into the batch's buffer. A fixed
// number of batches circulate, so the bytes in flight are bounded; when
// every batch is full or being written, the dissector waits for the writer
// (back-pressure) rather than holding more.

// Queue bounds: batches × (batchBytes of payload + batchOps operations).
const (
	batches    = 8
	batchBytes = 64 << 10
	batchOps   = 1024
)

type opKind uint8

const (
	opStart opKind = iota
	opData
	opLost
	opEnd
)

// op is one call of the DataSink, for the writer.
type op struct {
	kind opKind
	f    *file
	off  int64 // opData: the file offset of the bytes
	n    int   // opData: bytes in the batch's buffer
	cut  int   // opData: bytes missing after them
	// opData: the segment goes on in the next operation (one too big
	// for a batch is cut in pieces)
	more bool
	// opEnd: the transfer's command and the size the file should have
	verb, arg string
	size      int64
}

// batch is operations and the bytes they carry, in order.
type batch struct {
	ops []op
	buf []byte
}

// queue is the dissector's end: cur fills, then goes to full; the writer
// gives it back through free.
type queue struct {
	cur        *batch
	full, free chan *batch
	maxBytes   int
	maxOps     int
}

func newQueue(n, maxBytes, maxOps int) *queue {
	q := &queue{full: make(chan *batch, n), free: make(chan *batch, n), maxBytes: maxBytes, maxOps: maxOps}
	for range n {
		q.free <- &batch{ops: make([]op, 0, maxOps), buf: make([]byte, 0, maxBytes)}
	}
	q.cur = <-q.free
	return q
}

// put adds an operation without bytes.
func (q *queue) put(o op) {
	if len(q.cur.ops) == q.maxOps {
		q.flush()
	}
	q.cur.ops = append(q.cur.ops, o)
}

// data adds the bytes b of an opData operation, in pieces if they fill
// more than a batch.
func (q *queue) data(o op, b []byte) {
	for {
		room := q.maxBytes - len(q.cur.buf)
		if len(q.cur.ops) == q.maxOps || room < len(b) && (room == 0 || len(b) <= q.maxBytes) {
			q.flush()
			continue
		}
		o.n = min(room, len(b))
		o.more = o.n < len(b)
		q.cur.buf = append(q.cur.buf, b[:o.n]...)
		q.cur.ops = append(q.cur.ops, o)
		if b = b[o.n:]; len(b) == 0 {
			return
		}
	}
}

// flush hands the current batch to the writer and takes an empty one,
// waiting for it when the writer is behind.
func (q *queue) flush() {
	if len(q.cur.ops) == 0 {
		return
	}
	q.full <- q.cur
	q.cur = <-q.free
}

// close hands the last batch to the writer and ends the queue.
func (q *queue) close() {
	q.flush()
	close(q.full)
}

// recycle gives a written batch back.
func (q *queue) recycle(b *batch) {
	clear(b.ops)
	b.ops, b.buf = b.ops[:0], b.buf[:0]
	q.free <- b
}
