package ftps

import (
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// Data connections under PROT P carry TLS of their own, most often resuming
// the control connection's session. With a key log they are decrypted: the
// transfer gets the size of the file itself and --export writes the
// plaintext. Data connections are otherwise never reassembled, so the TLS
// ones are put in order here, with a bounded queue for segments that come
// early; a hole that never fills ends the decryption (a record's sequence
// number cannot be guessed past it).

// maxDataQueue and maxDataSegments bound the out-of-order segments kept
// per data connection: the bytes, and their number (tiny forged segments
// would otherwise make many entries, and drain is quadratic in them). 1 MiB
// of full-size segments is about 720.
const (
	maxDataQueue    = 1 << 20
	maxDataSegments = 1024
)

// DataHost is what a Data hands the file's bytes to: the export.
type DataHost interface {
	// Plaintext takes decrypted bytes of direction dir, at offset off of
	// that direction's plaintext.
	Plaintext(dir int, off int64, p []byte)
	// Lost says that decryption stopped before the end.
	Lost()
}

// Data decrypts one data connection.
type Data struct {
	h       DataHost
	keys    *Keys
	conn    *tlsdecrypt.Conn
	client  int // our direction that sends the ClientHello, -1 until seen
	next    [2]uint32
	started [2]bool
	queue   [2][]earlySegment
	queued  int
	plain   [2]int64 // decrypted bytes by direction
	lost    string   // why decryption stopped early, if it did
	final   *model.TLSDecryption
}

// earlySegment is payload that arrived before the bytes preceding it.
type earlySegment struct {
	seq uint32
	b   []byte
}

// NewData prepares the decryption of a data connection of a session whose
// control connection went TLS; whether the data connection itself is TLS
// (PROT P) or cleartext (PROT C) its first bytes tell.
func (k *Keys) NewData(h DataHost) *Data {
	d := &Data{h: h, keys: k, client: -1}
	d.conn = tlsdecrypt.New(k.log, k.cache, d.plaintext)
	return d
}

// Segment takes a data segment of direction dir (span: the direction's
// sequence space): it reports false when the connection turned out to
// carry no TLS, whose bytes are then handled as any data connection's.
func (d *Data) Segment(dir int, s *decode.Segment, span *tcpseq.Span) bool {
	if d.final != nil {
		return true
	}
	if !d.started[0] && !d.started[1] && d.client < 0 {
		p := s.Payload
		if len(p) < 6 || p[0] != 22 || p[1] != 3 {
			return false // PROT C: cleartext data
		}
		if p[5] == 1 { // a handshake record opening with a ClientHello
			d.client = dir
		} else {
			d.lost = "the TLS handshake is not in the capture"
		}
	}
	if d.lost != "" {
		return true
	}
	if !d.started[dir] {
		d.started[dir] = true
		d.next[dir] = s.Seq
		if first, ok := span.FirstDataSeq(); ok {
			d.next[dir] = first
		}
	}
	payload := s.Payload
	if len(payload) < s.PayloadLen {
		d.lose("a segment cut by the snapshot length")
		return true
	}
	switch ahead := int32(s.Seq - d.next[dir]); {
	case ahead > 0:
		if d.queued+len(payload) > maxDataQueue || len(d.queue[0])+len(d.queue[1]) >= maxDataSegments {
			d.lose("a capture gap in the data connection")
			return true
		}
		d.queue[dir] = append(d.queue[dir], earlySegment{s.Seq, append([]byte(nil), payload...)})
		d.queued += len(payload)
		return true
	case ahead < 0:
		if int(-ahead) >= len(payload) {
			return true // retransmitted
		}
		payload = payload[-ahead:]
	}
	d.deliver(dir, payload)
	d.drain(dir)
	return true
}

// deliver feeds in-order bytes to the decryptor.
func (d *Data) deliver(dir int, p []byte) {
	d.next[dir] += uint32(len(p))
	td := tlsdecrypt.FromServer
	if dir == d.client {
		td = tlsdecrypt.FromClient
	}
	d.conn.Feed(td, p)
}

// drain delivers the queued segments that the delivered bytes reached.
func (d *Data) drain(dir int) {
	for progress := true; progress && len(d.queue[dir]) > 0; {
		progress = false
		q := d.queue[dir]
		for i := 0; i < len(q); i++ {
			e := q[i]
			ahead := int32(e.seq - d.next[dir])
			if ahead > 0 {
				continue
			}
			q = append(q[:i], q[i+1:]...)
			i--
			d.queued -= len(e.b)
			if int(-ahead) < len(e.b) {
				d.deliver(dir, e.b[-ahead:])
			}
			progress = true
		}
		d.queue[dir] = q
	}
}

// lose gives up decrypting: the records cannot be followed further.
func (d *Data) lose(why string) {
	if d.lost == "" {
		d.lost = why
	}
	d.queue, d.queued = [2][]earlySegment{}, 0
	d.h.Lost()
}

// plaintext receives the file's bytes.
func (d *Data) plaintext(td tlsdecrypt.Dir, p []byte) {
	dir := d.client
	if td == tlsdecrypt.FromServer {
		dir = 1 - d.client
	}
	d.h.Plaintext(dir, d.plain[dir], p)
	d.plain[dir] += int64(len(p))
}

// End concludes the decryption when the data connection ended: bytes still
// queued lie behind a hole. It returns, once, why the connection was not
// decrypted ("" when it was).
func (d *Data) End() string {
	if d.final != nil {
		return ""
	}
	if d.queued > 0 {
		d.lose("a capture gap in the data connection")
	}
	if d.conn.Pending() && d.keys.live {
		// a transfer can end before the follower read its keys
		d.keys.Refresh()
		d.conn.Retry()
	}
	d.final = status(d.conn, d.lost)
	d.conn = nil
	if d.final.Decrypted {
		return ""
	}
	return d.final.Reason
}

// Status is the decryption so far, for the report.
func (d *Data) Status() *model.TLSDecryption {
	if d.final != nil {
		return d.final
	}
	return status(d.conn, d.lost)
}

// FileBytes is the size of the decrypted file, or -1 when the connection
// was not decrypted whole (a gap, a direction without its key; nil: not
// decrypted at all): the part decrypted is not the file's size.
func (d *Data) FileBytes() int64 {
	if d == nil {
		return -1
	}
	if st := d.Status(); !st.Decrypted || st.Reason != "" {
		return -1
	}
	return d.plain[0] + d.plain[1]
}
