package dissect

// DataSink receives the payload of data connections, for file export
// (--export, package fileexport): the dissector hands each file's bytes at
// their offset in it, in capture order; the sink puts them in order,
// writes and names the file. Its methods are called on the dissector's
// goroutine; End returns once the file is written, so that the session
// that reports it concludes after it.
type DataSink interface {
	// Start begins the file of a session's channel ("s3", "s3.c2"), or
	// declines it.
	Start(session, channel string) (file int, ok bool)
	// Data gives the file's bytes [off, off+len(b)+cut), of which b was
	// captured (cut bytes lost to the snapshot length); off counts from
	// the file's first byte. After TLS decryption the plaintext comes in
	// order. b is valid during the call only.
	Data(file int, off int64, b []byte, cut int)
	// Lost says bytes of the file are missing that Data never gave.
	Lost(file int)
	// End concludes the file of a transfer (its command's verb and
	// argument, "" without one) that should have size bytes (-1: not
	// known), and returns it: path ("" when nothing was exported), its
	// SHA-256, whether bytes are missing.
	End(file int, verb, arg string, size int64) (path, sha256 string, partial bool)
}

// exported is a channel's file, as the dissector feeds it.
type exported struct {
	file      int
	dir       int   // the direction that carries the data, once seen
	origin    int64 // offset in sequence space of the file's first byte
	midStream bool  // no SYN: bytes may lie before the first one captured
	plain     bool  // decrypted file bytes, not the connection's payload
	ended     bool
	path, sum string // the result
	partial   bool
}

// startExport starts the file of a channel's data connection.
func (a *Analyzer) startExport(ch *channel) {
	if a.cfg.Files == nil || ch.export != nil {
		return
	}
	if id, ok := a.cfg.Files.Start(ch.sess.id, ch.id()); ok {
		ch.export = &exported{file: id, dir: -1}
	}
}

// exportPayload exports one data segment's captured bytes (full is its
// length on the wire).
func (a *Analyzer) exportPayload(c *conn, dir int, seq uint32, payload []byte, full int) {
	x := c.ch.export
	if x == nil || x.ended || len(payload) == 0 {
		return
	}
	sp := &c.span[dir]
	if x.dir < 0 {
		x.dir = dir
		if _, anchored := sp.FirstDataSeq(); !anchored {
			x.origin, x.midStream = sp.Offset(seq), true
		}
	}
	if dir != x.dir {
		return // a data connection carries data one way
	}
	off := sp.Offset(seq) - x.origin
	if off < 0 && x.midStream {
		a.cfg.Files.Lost(x.file) // bytes before the file's first one: too late
	}
	a.cfg.Files.Data(x.file, off, payload, full-len(payload))
}

// exportPlain exports decrypted file bytes, at offset off of direction dir.
func (a *Analyzer) exportPlain(x *exported, dir int, off int64, p []byte) {
	if x.ended {
		return
	}
	if x.dir < 0 {
		x.dir = dir
	}
	if dir == x.dir {
		x.plain = true
		a.cfg.Files.Data(x.file, off, p, 0)
	}
}

// finishExport concludes a channel's file once its data connection ended.
func (a *Analyzer) finishExport(ch *channel) {
	x := ch.export
	if x == nil || x.ended || ch.conn != nil {
		return
	}
	x.ended = true
	size := int64(-1)
	if cn := ch.snapshot; cn != nil && !x.plain {
		if cn.OutOfWindow > 0 {
			a.cfg.Files.Lost(x.file) // left out as untrustworthy
		}
		size = cn.BytesToFTPClient + cn.BytesToFTPServer
	}
	var verb, arg string
	if ch.xfer != nil {
		verb, arg = ch.xfer.verb, ch.xfer.arg
	}
	x.path, x.sum, x.partial = a.cfg.Files.End(x.file, verb, arg, size)
}
