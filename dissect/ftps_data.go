package dissect

import (
	"fmt"

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

// maxDataTLSQueue and maxDataTLSSegments bound the out-of-order segments
// kept per data connection: the bytes, and their number (tiny forged
// segments would otherwise make many entries, and drain is quadratic in
// them). 1 MiB of full-size segments is about 720.
const (
	maxDataTLSQueue    = 1 << 20
	maxDataTLSSegments = 1024
)

// dataTLS decrypts one data connection.
type dataTLS struct {
	ch      *channel
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

// startDataTLS prepares the decryption of a data connection of a session
// whose control connection went TLS; whether the data connection itself is
// TLS (PROT P) or cleartext (PROT C) its first bytes tell.
func (a *Analyzer) startDataTLS(ch *channel) {
	if a.ftps.keys == nil || !ch.sess.tls || ch.tls != nil {
		return
	}
	d := &dataTLS{ch: ch, client: -1}
	d.conn = tlsdecrypt.New(a.ftps.keys, a.ftps.cache, d.plaintext)
	ch.tls = d
}

// decryptData takes a data segment of c's TLS: it reports false when the
// connection turned out to carry no TLS, whose bytes are then handled as
// any data connection's.
func (a *Analyzer) decryptData(c *conn, dir int) bool {
	d, s := c.ch.tls, a.seg
	if d.final != nil {
		return true
	}
	if !d.started[0] && !d.started[1] && d.client < 0 {
		p := s.Payload
		if len(p) < 6 || p[0] != 22 || p[1] != 3 {
			c.ch.tls = nil // PROT C: cleartext data
			return false
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
		if first, ok := c.span[dir].FirstDataSeq(); ok {
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
		if d.queued+len(payload) > maxDataTLSQueue || len(d.queue[0])+len(d.queue[1]) >= maxDataTLSSegments {
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
func (d *dataTLS) deliver(dir int, p []byte) {
	d.next[dir] += uint32(len(p))
	td := tlsdecrypt.FromServer
	if dir == d.client {
		td = tlsdecrypt.FromClient
	}
	d.conn.Feed(td, p)
}

// drain delivers the queued segments that the delivered bytes reached.
func (d *dataTLS) drain(dir int) {
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
func (d *dataTLS) lose(why string) {
	if d.lost == "" {
		d.lost = why
	}
	d.queue, d.queued = [2][]earlySegment{}, 0
	if x := d.ch.export; x != nil && !x.ended {
		d.ch.sess.a.cfg.Files.Lost(x.file)
	}
}

// plaintext receives the file's bytes.
func (d *dataTLS) plaintext(td tlsdecrypt.Dir, p []byte) {
	dir := d.client
	if td == tlsdecrypt.FromServer {
		dir = 1 - d.client
	}
	if x := d.ch.export; x != nil {
		d.ch.sess.a.exportPlain(x, dir, d.plain[dir], p)
	}
	d.plain[dir] += int64(len(p))
}

// end concludes the decryption when the data connection ended: bytes
// still queued lie behind a hole, and a connection not decrypted gets its
// warning.
func (d *dataTLS) end(c *conn) {
	if d.final != nil {
		return
	}
	if d.queued > 0 {
		d.lose("a capture gap in the data connection")
	}
	if d.conn.Pending() && d.ch.sess.a.cfg.Live {
		// a transfer can end before the follower read its keys
		d.ch.sess.a.ftps.keys.Refresh()
		d.conn.Retry()
	}
	d.final = tlsStatus(d.conn, d.lost)
	d.conn = nil
	if d.final.Decrypted {
		return
	}
	s := d.ch.sess
	s.note(d.ch.name + ": TLS of the data connection not decrypted: " + d.final.Reason)
	s.a.ftps.warn(s.vantage.source, fmt.Sprintf("%s: data connection %s → %s: TLS not decrypted: %s", d.ch.name, c.initiator, c.responder, d.final.Reason))
}

// status is the decryption so far, for the report.
func (d *dataTLS) status() *model.TLSDecryption {
	if d.final != nil {
		return d.final
	}
	return tlsStatus(d.conn, d.lost)
}

// fileBytes is the size of the decrypted file, or -1 when the connection
// was not decrypted whole (a gap, a direction without its key): the part
// decrypted is not the file's size.
func (d *dataTLS) fileBytes() int64 {
	if st := d.status(); !st.Decrypted || st.Reason != "" {
		return -1
	}
	return d.plain[0] + d.plain[1]
}
