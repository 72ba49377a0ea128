package dissect

import (
	"fmt"
	"time"

	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/dissect/tlsrecord"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// FTPS with a key log (--tls-keylog): the TLS of a control connection,
// after AUTH TLS or from its first byte (implicit FTPS), is decrypted and
// the plaintext goes through the same line splitter, reply reader and
// pairer as cleartext FTP, so announcements are correlated, rules judge
// them and NAT legs pair as for cleartext. The tlsrecord.Skipper still walks the
// records: it says where TLS ends (CCC). Sessions without TLS never reach
// this file, nor does anything here run without a key log.

// ftpsState is what the analysis shares between the TLS connections of a
// run.
type ftpsState struct {
	keys *tlsdecrypt.KeyLog
	// cache ties a data connection that resumes the control connection's
	// TLS 1.2 session to its master secret (PROT P).
	cache    *tlsdecrypt.Cache
	warnings map[int][]string // by source
	more     map[int]int      // warnings beyond maxTLSWarnings, by source
}

// maxTLSWarnings bounds the decryption warnings kept per source.
const maxTLSWarnings = 64

// liveKeyWait is how long, live, a control connection's records may wait
// for their keys before its data connections are tied by inference: the
// client writes its key log line at the handshake and the follower reads
// it within a tenth of a second.
const liveKeyWait = 2 * time.Second

// maxReplay bounds the TLS bytes a live control connection keeps while its
// keys are not in the key log yet.
const maxReplay = 64 << 10

func (f *ftpsState) init(cfg Config) {
	if cfg.TLSKeys == nil {
		return
	}
	f.keys = cfg.TLSKeys
	f.cache = tlsdecrypt.NewCache()
	f.warnings, f.more = map[int][]string{}, map[int]int{}
}

// warn records one decryption warning of a source.
func (f *ftpsState) warn(source int, text string) {
	if len(f.warnings[source]) >= maxTLSWarnings {
		f.more[source]++
		return
	}
	f.warnings[source] = append(f.warnings[source], text)
}

// sourceWarnings returns the decryption warnings of source i.
func (f *ftpsState) sourceWarnings(i int) []string {
	w := f.warnings[i]
	if n := f.more[i]; n > 0 {
		w = append(w[:len(w):len(w)], fmt.Sprintf("%d more TLS connections not decrypted", n))
	}
	return w
}

// ctlTLS decrypts one control connection.
type ctlTLS struct {
	s     *session
	conn  *tlsdecrypt.Conn
	start time.Time
	// at is where the bytes being decrypted were captured: the segment
	// that completes a record dates the lines it holds.
	at lineAt
	// feeding marks the dialog entries added from plaintext.
	feeding  bool
	readable [2]bool // plaintext came in that direction
	lost     [2]bool // a capture gap: the direction's records are out of reach
	lostWhy  string
	warned   bool
	// walk finds where each direction's records end (CCC): whatever the
	// skipper hands over after them is cleartext, not for the decryptor.
	walk [2]recordWalk
	// Live, until something decrypts, the bytes fed are kept with where
	// they were captured: once the follower has read the keys, a fresh
	// decryptor replays them in capture order, both directions
	// interleaved as they came, so commands meet their replies as they
	// did on the wire.
	replay    []tlsPiece
	replayN   int
	replaying bool
	keysSeen  int // secrets in the key log at the last replay
}

// tlsPiece is bytes of one direction fed to the decryptor, with the place
// of the segment that carried them.
type tlsPiece struct {
	dir int
	b   []byte
	at  lineAt
}

// recordWalk follows TLS record boundaries (type, version, length).
type recordWalk struct {
	hdr    [5]byte
	hdrN   int
	remain int
	ended  bool // a record header was expected and cleartext came
}

// take returns how many bytes at the start of p belong to TLS records.
func (w *recordWalk) take(p []byte) int {
	n := 0
	for n < len(p) && !w.ended {
		if w.remain > 0 {
			k := min(w.remain, len(p)-n)
			n += k
			w.remain -= k
			continue
		}
		if w.hdrN == 0 && !tlsrecord.CanStart(p[n]) {
			w.ended = true
			break
		}
		w.hdr[w.hdrN] = p[n]
		w.hdrN++
		n++
		if w.hdrN == len(w.hdr) {
			w.hdrN = 0
			w.remain = int(w.hdr[3])<<8 | int(w.hdr[4])
		}
	}
	return n
}

// startFTPS begins decrypting a session's control connection, when a key
// log was given.
func (s *session) startFTPS() {
	if s.a.ftps.keys == nil || s.ftps != nil {
		return
	}
	t := &ctlTLS{s: s, start: s.a.now, replaying: s.a.cfg.Live}
	t.conn = tlsdecrypt.New(s.a.ftps.keys, s.a.ftps.cache, t.plaintext)
	t.keysSeen = s.a.ftps.keys.Len()
	s.ftps = t
}

// feed decrypts the TLS bytes p of direction dir, at sequence number base.
func (t *ctlTLS) feed(dir int, p []byte, base uint32) {
	if t.lost[dir] {
		return
	}
	p = p[:t.walk[dir].take(p)]
	st := t.s.st
	for len(p) > 0 {
		k := len(p)
		t.at = lineAt{ts: t.s.a.now, frame: t.s.c.lastFrame}
		if r := st.locate(dir, base); r != nil {
			t.at.ts, t.at.frame = r.ts, r.frame
			if end := int(r.seq + uint32(r.n) - base); end > 0 && end < k {
				k = end
			}
		}
		if t.replaying {
			t.keep(dir, p[:k])
		}
		t.conn.Feed(tlsdecrypt.Dir(dir), p[:k])
		p, base = p[k:], base+uint32(k)
	}
}

// plaintext receives decrypted application data: FTP lines. The FTP
// client is the TLS client (RFC 4217), so TLS directions are ours.
func (t *ctlTLS) plaintext(d tlsdecrypt.Dir, p []byte) {
	s, dir := t.s, int(d)
	t.replaying, t.replay = false, nil
	if !t.readable[dir] {
		t.readable[dir] = true
		if t.readable[0] && t.readable[1] {
			// Announcements are readable now: data connections are tied
			// by them, not by inference.
			k := hostPair{s.vantage.id, s.client.Addr(), s.server.Addr()}
			if s.a.tlsHosts[k] == s {
				delete(s.a.tlsHosts, k)
			}
		}
	}
	t.feeding = true
	s.split[dir].Write(p, func(l ftp.Line) bool {
		s.plainLine(dir, l, t.at)
		return true
	})
	t.feeding = false
}

// plainLine handles one decrypted control line. Its place in TCP segments
// means nothing to a NAT helper, which cannot read it: none is given.
func (s *session) plainLine(dir int, l ftp.Line, at lineAt) {
	s.dirty = true
	if at.frame > s.lastFrame {
		s.lastFrame = at.frame
	}
	if dir == fromInitiator {
		s.command(l, at)
	} else {
		s.reply(l, at)
		if s.greeting != nil && s.repliesN == 1 {
			s.greeting.Decrypted = true // implicit FTPS: the greeting came inside TLS
		}
	}
}

// lose stops decrypting a direction after a capture gap: the records that
// follow cannot be found nor their sequence numbers known.
func (t *ctlTLS) lose(dir int) {
	if t.lost[dir] {
		return
	}
	t.lost[dir] = true
	if t.lostWhy == "" {
		t.lostWhy = "decryption stopped at a capture gap (" + dirName(dir) + ")"
	}
	t.s.split[dir].Reset()
	if dir == fromResponder {
		t.s.replies.Reset()
	}
}

// keep remembers bytes fed while no key is known, for a later replay.
func (t *ctlTLS) keep(dir int, p []byte) {
	if t.replayN+len(p) > maxReplay || t.s.a.now.Sub(t.start) >= liveKeyWait {
		t.replaying, t.replay = false, nil // no key is coming
		return
	}
	t.replay = append(t.replay, tlsPiece{dir: dir, b: append([]byte(nil), p...), at: t.at})
	t.replayN += len(p)
}

// waiting reports whether, live, the records may still get their keys
// from the key log being followed: data connections are then kept for the
// announcements rather than tied by inference.
func (t *ctlTLS) waiting() bool {
	return t.replaying && t.s.a.now.Sub(t.start) < liveKeyWait
}

// retry replays, live, what was fed through a fresh decryptor once the key
// log holds more secrets than at the last attempt; it reports whether that
// decrypted anything (the fresh decryptor then takes over). With refresh
// the follower first reads what the client wrote since its last look.
func (t *ctlTLS) retry(refresh bool) bool {
	keys := t.s.a.ftps.keys
	if !t.replaying {
		return false
	}
	if refresh {
		keys.Refresh()
	}
	if keys.Len() == t.keysSeen {
		return false
	}
	t.keysSeen = keys.Len()
	old, pieces := t.conn, t.replay
	t.conn = tlsdecrypt.New(keys, t.s.a.ftps.cache, t.plaintext)
	for _, p := range pieces {
		t.at = p.at
		t.conn.Feed(tlsdecrypt.Dir(p.dir), p.b)
	}
	if !t.conn.Status().Decrypted {
		t.conn = old
		return false
	}
	return true
}

// lateAnnouncement decrypts, live, what waited for keys the follower has
// read since, when a data connection between the session's hosts starts:
// the announcement it answers may be among those records.
func (t *ctlTLS) lateAnnouncement(c *conn) (*channel, string) {
	if !t.retry(true) {
		return nil, ""
	}
	return t.s.a.exp.Match(c)
}

// status is the control connection's decryption, for the report.
func (t *ctlTLS) status() *model.TLSDecryption {
	return tlsStatus(t.conn, t.lostWhy)
}

// end warns once when the control connection was not decrypted. Live, the
// key log is looked at a last time: a short session can end before the
// follower read its keys.
func (t *ctlTLS) end() {
	t.retry(true)
	st := t.status()
	if st.Decrypted || t.warned {
		return
	}
	t.warned = true
	s := t.s
	s.note("TLS not decrypted: " + st.Reason)
	s.a.ftps.warn(s.vantage.source, fmt.Sprintf("%s: control connection %s → %s: TLS not decrypted: %s", s.id, s.client, s.server, st.Reason))
}

// tlsStatus is a decryptor's status as the report gives it.
func tlsStatus(c *tlsdecrypt.Conn, lost string) *model.TLSDecryption {
	st := c.Status()
	m := &model.TLSDecryption{Version: st.Version, Cipher: st.Cipher, Decrypted: st.Decrypted, Reason: st.Reason}
	switch {
	case m.Reason == "" && lost != "":
		m.Reason = lost
	case m.Reason == "" && m.Decrypted && c.Pending():
		m.Reason = "one direction has no key in the key log"
	case m.Reason == "" && !m.Decrypted && m.Version == "":
		m.Reason = "the TLS handshake is not in the capture"
	case m.Reason == "" && !m.Decrypted:
		m.Reason = "no encrypted record followed the handshake"
	}
	return m
}

// retryTLS decrypts, live, the records of control connections that
// waited for keys the key log follower has read since.
func (a *Analyzer) retryTLS() {
	if a.ftps.keys == nil || !a.cfg.Live {
		return
	}
	refreshed := false
	for _, s := range a.tlsHosts {
		if t := s.ftps; t != nil && !s.emitted && t.replaying {
			if !refreshed {
				a.ftps.keys.Refresh() // once for all: the file is the same
				refreshed = true
			}
			if t.retry(false) || a.now.Sub(t.start) < liveKeyWait {
				continue
			}
			t.replaying, t.replay = false, nil // no key is coming
		}
	}
}

// ftpsStatus is the session's control connection decryption, or nil
// without a key log or TLS.
func (s *session) ftpsStatus() *model.TLSDecryption {
	if s.ftps == nil {
		return nil
	}
	return s.ftps.status()
}

// fileBytes is the decrypted size of the channel's file, or -1.
func (ch *channel) fileBytes() int64 {
	if ch.tls == nil {
		return -1
	}
	return ch.tls.fileBytes()
}

// channelForInferred is the channel a data connection tied by inference
// serves: when decryption shows the commands but not the replies (one
// direction without its key), the transfer command waiting for its data;
// else a channel of its own, as without a key log.
func (s *session) channelForInferred(mode string) *channel {
	if s.ftps != nil {
		for i := len(s.channels) - 1; i >= 0; i-- {
			ch := s.channels[i]
			if ch.ann == nil && ch.xfer != nil && ch.xfer.final == 0 && ch.conn == nil && ch.snapshot == nil && !ch.rejected {
				ch.mode = mode
				return ch
			}
		}
	}
	return s.newChannel(mode)
}
