// Package ftps decrypts FTPS with a key log (--tls-keylog, over
// tlsdecrypt): the TLS of a control connection, after AUTH TLS or from its
// first byte (implicit FTPS), and of the data connections under PROT P.
// It knows nothing of sessions: a Control hands the plaintext to its
// ControlHost (dissect, which reads it with the same line splitter, reply
// reader and pairer as cleartext FTP), a Data to its DataHost (the
// export). The tlsrecord.Skipper in dissect still walks the control
// records: it says where TLS ends (CCC). Sessions without TLS never reach
// this package, nor does anything here run without a key log.
package ftps

import (
	"fmt"
	"time"

	"github.com/ftpscope/ftpscope/dissect/tlsrecord"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// Keys is what the analysis shares between the TLS connections of a run.
type Keys struct {
	log  *tlsdecrypt.KeyLog
	live bool
	// cache ties a data connection that resumes the control connection's
	// TLS 1.2 session to its master secret (PROT P).
	cache    *tlsdecrypt.Cache
	warnings map[int][]string // by source
	more     map[int]int      // warnings beyond maxWarnings, by source
}

// maxWarnings bounds the decryption warnings kept per source.
const maxWarnings = 64

// liveKeyWait is how long, live, a control connection's records may wait
// for their keys before its data connections are tied by inference: the
// client writes its key log line at the handshake and the follower reads
// it within a tenth of a second.
const liveKeyWait = 2 * time.Second

// maxReplay bounds the TLS bytes a live control connection keeps while its
// keys are not in the key log yet.
const maxReplay = 64 << 10

// NewKeys decrypts with the key log; nil without one. Live, the key log
// is followed: records wait a moment for their keys.
func NewKeys(log *tlsdecrypt.KeyLog, live bool) *Keys {
	if log == nil {
		return nil
	}
	return &Keys{log: log, live: live, cache: tlsdecrypt.NewCache(), warnings: map[int][]string{}, more: map[int]int{}}
}

// Refresh has the key log follower read what the client wrote since.
func (k *Keys) Refresh() { k.log.Refresh() }

// Warn records one decryption warning of a source.
func (k *Keys) Warn(source int, text string) {
	if len(k.warnings[source]) >= maxWarnings {
		k.more[source]++
		return
	}
	k.warnings[source] = append(k.warnings[source], text)
}

// Warnings returns the decryption warnings of source i.
func (k *Keys) Warnings(i int) []string {
	if k == nil {
		return nil
	}
	w := k.warnings[i]
	if n := k.more[i]; n > 0 {
		w = append(w[:len(w):len(w)], fmt.Sprintf("%d more TLS connections not decrypted", n))
	}
	return w
}

// At is where bytes were captured.
type At struct {
	TS    time.Time
	Frame uint64
}

// ControlHost is the control connection a Control decrypts. Directions
// are the TCP connection's: 0 from the FTP client, which is the TLS
// client (RFC 4217).
type ControlHost interface {
	// Now is the analysis' time.
	Now() time.Time
	// Place is where the byte at seq of direction dir was captured and
	// where the segment that carried it ends; ok is false when that is not
	// known (at is then the latest packet's).
	Place(dir int, seq uint32) (at At, end uint32, ok bool)
	// Plaintext takes decrypted bytes of direction dir, whose record the
	// segment at at completed; readable is set once, when both directions
	// have given plaintext.
	Plaintext(dir int, p []byte, at At, readable bool)
}

// Control decrypts one control connection.
type Control struct {
	h     ControlHost
	keys  *Keys
	conn  *tlsdecrypt.Conn
	start time.Time
	// at is where the bytes being decrypted were captured: the segment
	// that completes a record dates the lines it holds.
	at       At
	feeding  bool    // plaintext is being handed to the host
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
	replay    []piece
	replayN   int
	replaying bool
	keysSeen  int // secrets in the key log at the last replay
}

// piece is bytes of one direction fed to the decryptor, with the place of
// the segment that carried them.
type piece struct {
	dir int
	b   []byte
	at  At
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

// NewControl begins decrypting a control connection.
func (k *Keys) NewControl(h ControlHost) *Control {
	t := &Control{h: h, keys: k, start: h.Now(), replaying: k.live, keysSeen: k.log.Len()}
	t.conn = tlsdecrypt.New(k.log, k.cache, t.plaintext)
	return t
}

// Feed decrypts the TLS bytes p of direction dir, at sequence number base.
func (t *Control) Feed(dir int, p []byte, base uint32) {
	if t.lost[dir] {
		return
	}
	p = p[:t.walk[dir].take(p)]
	for len(p) > 0 {
		k := len(p)
		at, end, ok := t.h.Place(dir, base)
		t.at = at
		if e := int(end - base); ok && e > 0 && e < k {
			k = e
		}
		if t.replaying {
			t.keep(dir, p[:k])
		}
		t.conn.Feed(tlsdecrypt.Dir(dir), p[:k])
		p, base = p[k:], base+uint32(k)
	}
}

// Feeding reports whether the host's lines come from plaintext now.
func (t *Control) Feeding() bool { return t.feeding }

// plaintext receives decrypted application data: FTP lines.
func (t *Control) plaintext(d tlsdecrypt.Dir, p []byte) {
	dir := int(d)
	t.replaying, t.replay = false, nil
	readable := false
	if !t.readable[dir] {
		t.readable[dir] = true
		readable = t.readable[0] && t.readable[1]
	}
	t.feeding = true
	t.h.Plaintext(dir, p, t.at, readable)
	t.feeding = false
}

// Lose stops decrypting a direction after a capture gap: the records that
// follow cannot be found nor their sequence numbers known. A nil Control
// (no key log) does nothing.
func (t *Control) Lose(dir int) {
	if t == nil || t.lost[dir] {
		return
	}
	t.lost[dir] = true
	if t.lostWhy == "" {
		t.lostWhy = "decryption stopped at a capture gap (" + [2]string{"client to server", "server to client"}[dir] + ")"
	}
}

// keep remembers bytes fed while no key is known, for a later replay.
func (t *Control) keep(dir int, p []byte) {
	if t.replayN+len(p) > maxReplay || t.h.Now().Sub(t.start) >= liveKeyWait {
		t.replaying, t.replay = false, nil // no key is coming
		return
	}
	t.replay = append(t.replay, piece{dir: dir, b: append([]byte(nil), p...), at: t.at})
	t.replayN += len(p)
}

// Waiting reports whether, live, the records may still get their keys
// from the key log being followed: data connections are then kept for the
// announcements rather than tied by inference.
func (t *Control) Waiting() bool {
	return t.replaying && t.h.Now().Sub(t.start) < liveKeyWait
}

// Retry replays, live, what was fed through a fresh decryptor once the key
// log holds more secrets than at the last attempt; it reports whether that
// decrypted anything (the fresh decryptor then takes over). With refresh
// the follower first reads what the client wrote since its last look.
func (t *Control) Retry(refresh bool) bool {
	keys := t.keys.log
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
	t.conn = tlsdecrypt.New(keys, t.keys.cache, t.plaintext)
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

// Tick retries, live, records that waited for keys the follower has read
// since (refreshed: the key log was read this round, once for all the
// control connections), and gives up on them after a while.
func (t *Control) Tick(refreshed *bool) {
	if !t.replaying {
		return
	}
	if !*refreshed {
		t.keys.Refresh() // once for all: the file is the same
		*refreshed = true
	}
	if t.Retry(false) || t.h.Now().Sub(t.start) < liveKeyWait {
		return
	}
	t.replaying, t.replay = false, nil // no key is coming
}

// Status is the control connection's decryption, for the report; nil
// without a key log or TLS.
func (t *Control) Status() *model.TLSDecryption {
	if t == nil {
		return nil
	}
	return status(t.conn, t.lostWhy)
}

// End returns, once, why the control connection was not decrypted ("" when
// it was). Live, the key log is looked at a last time: a short session
// can end before the follower read its keys.
func (t *Control) End() string {
	t.Retry(true)
	st := t.Status()
	if st.Decrypted || t.warned {
		return ""
	}
	t.warned = true
	return st.Reason
}

// status is a decryptor's status as the report gives it.
func status(c *tlsdecrypt.Conn, lost string) *model.TLSDecryption {
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
