package tlsdecrypt

import (
	"fmt"
	"sync"
)

// Dir is a direction of a connection.
type Dir int

const (
	// FromClient is what the TLS client (the one that sent ClientHello) sends.
	FromClient Dir = 0
	// FromServer is what the TLS server sends.
	FromServer Dir = 1
)

// Record content types (RFC 8446 §5.1).
const (
	typeChangeCipherSpec = 20
	typeAlert            = 21
	typeHandshake        = 22
	typeApplicationData  = 23
)

// maxRecord bounds a record's fragment: 2^14 plus what TLS 1.2 allows for
// compression and protection (RFC 5246 §6.2.3).
const maxRecord = 1<<14 + 2048

// maxPending bounds the ciphertext kept per direction while the key of a
// connection is not in the key log yet (live: the follower reads it a moment
// after the client wrote it).
const maxPending = 256 << 10

// maxBadRecords is how many records in a row may fail authentication
// before a direction is given up.
const maxBadRecords = 3

// Status says what a connection's decryption achieved.
type Status struct {
	Version   string // "TLS 1.3", "TLS 1.2"
	Cipher    string // the suite's IANA name
	Decrypted bool   // protected records were decrypted: the keys are right
	Reason    string // why not, when it was not
}

// Cache remembers TLS 1.2 master secrets by session ID and ticket, so a
// resumed handshake (a data connection resuming the control connection's
// session, as FTPS servers ask under PROT P) is decrypted even when the
// key log only holds the first handshake's line. It is bounded and safe for
// concurrent use.
type Cache struct {
	mu    sync.Mutex
	m     map[string][]byte
	order []string
}

const maxCache = 4096

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{m: map[string][]byte{}} }

func (c *Cache) put(key string, master []byte) {
	if c == nil || key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok {
		c.order = append(c.order, key)
		if len(c.order) > maxCache {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.m[key] = master
}

func (c *Cache) get(key string) []byte {
	if c == nil || key == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

// half is one direction's record layer.
type half struct {
	hdr     [5]byte
	hdrN    int
	frag    []byte
	need    int
	cipher  *recordCipher
	next    []*recordCipher // TLS 1.3: the secrets that follow, in order
	hs      handshakeBuffer
	pending [][]byte // whole records waiting for their key
	pendN   int
	failed  bool
	bad     int  // records in a row that no key opened
	ccs     bool // TLS 1.2: ChangeCipherSpec seen, later records protected
}

// Conn decrypts one TCP connection's TLS. Feed it each direction's bytes in
// order; it hands the application data to the callback.
type Conn struct {
	keys   *KeyLog
	cache  *Cache
	h      [2]half
	ch     *clientHello
	sh     *serverHello
	s      *suite
	master []byte
	status Status
	notTLS bool
	out    func(Dir, []byte)
}

// New returns the decryptor of one connection; out receives decrypted
// application data, in order, per direction. keys and cache may be nil.
func New(keys *KeyLog, cache *Cache, out func(Dir, []byte)) *Conn {
	return &Conn{keys: keys, cache: cache, out: out}
}

// Status returns what was decrypted so far, and why not.
func (c *Conn) Status() Status {
	st := c.status
	if st.Reason == "" && !st.Decrypted && c.Pending() {
		st.Reason = "no key for this ClientHello in the key log"
	}
	return st
}

// Retry decrypts the records that waited for their keys, if the key log
// has them now. Arriving records retry by themselves; Retry is for the last
// ones, when no record follows (a connection that ended, live, before the
// follower read its keys).
func (c *Conn) Retry() {
	if !c.notTLS {
		c.retryKeys()
	}
}

// Pending reports whether records wait for keys the key log does not hold
// (yet).
func (c *Conn) Pending() bool { return len(c.h[0].pending) > 0 || len(c.h[1].pending) > 0 }

// Feed consumes the next bytes of direction d.
func (c *Conn) Feed(d Dir, p []byte) {
	if c.notTLS {
		return
	}
	h := &c.h[d]
	for len(p) > 0 {
		if h.hdrN < 5 {
			k := copy(h.hdr[h.hdrN:], p)
			h.hdrN += k
			p = p[k:]
			if h.hdrN < 5 {
				return
			}
			h.need = int(h.hdr[3])<<8 | int(h.hdr[4])
			if h.hdr[0] < typeChangeCipherSpec || h.hdr[0] > 24 || h.hdr[1] != 3 || h.need > maxRecord {
				c.notTLS = true
				c.fail("not a TLS record stream")
				return
			}
			h.frag = h.frag[:0]
		}
		k := min(h.need-len(h.frag), len(p))
		h.frag = append(h.frag, p[:k]...)
		p = p[k:]
		if len(h.frag) == h.need {
			c.record(d, h.hdr, h.frag)
			h.hdrN = 0
		}
	}
}

func (c *Conn) fail(reason string) {
	if c.status.Reason == "" {
		c.status.Reason = reason
	}
}

// record handles one whole record.
func (c *Conn) record(d Dir, hdr [5]byte, frag []byte) {
	h := &c.h[d]
	typ := hdr[0]
	protected := h.cipher != nil || len(h.pending) > 0 || (c.s != nil && c.s.tls13 && typ == typeApplicationData) || h.ccs
	if typ == typeChangeCipherSpec {
		if c.s != nil && !c.s.tls13 {
			h.ccs = true
			c.install12(d)
		}
		return // TLS 1.3 sends it only for middleboxes
	}
	if !protected {
		if typ == typeHandshake {
			h.hs.add(frag, func(t byte, body []byte) { c.handshake(d, t, body) })
		}
		return
	}
	if h.failed {
		return
	}
	if h.cipher == nil {
		// the key is not known yet: keep a bounded amount, retry later
		if h.pendN+len(frag)+5 > maxPending {
			h.failed = true
			h.pending, h.pendN = nil, 0
			c.fail("no key for this ClientHello in the key log")
			return
		}
		rec := append(append(make([]byte, 0, 5+len(frag)), hdr[:]...), frag...)
		h.pending = append(h.pending, rec)
		h.pendN += len(rec)
		c.retryKeys()
		return
	}
	c.open(d, hdr[:], frag)
}

// open decrypts a record with the direction's cipher; under TLS 1.3 a
// failure tries the secrets that follow (the Finished that switches keys
// may be missing from the capture) and keeps the one that works. A few
// records that no secret opens (0-RTT data, a forged record) are skipped;
// more mean the keys are wrong.
func (c *Conn) open(d Dir, hdr, frag []byte) {
	h := &c.h[d]
	var keep []byte
	if len(h.next) > 0 {
		keep = append([]byte(nil), frag...) // Open works in place
	}
	plain, typ, err := h.cipher.open(hdr, frag)
	for i := 0; err != nil && i < len(h.next); i++ {
		frag = append(frag[:0], keep...)
		if plain, typ, err = h.next[i].open(hdr, frag); err == nil {
			h.cipher, h.next = h.next[i], h.next[i+1:]
		}
	}
	if err != nil {
		h.bad++
		if h.bad >= maxBadRecords {
			h.failed = true
			c.fail(err.Error())
		}
		return
	}
	h.bad = 0
	// Any record opened proves the keys, application data or not: a
	// transfer of an empty file carries only a ticket and close_notify.
	c.status.Decrypted = true
	if c.status.Reason != "" && !h.failed {
		c.status.Reason = ""
	}
	switch typ {
	case typeApplicationData:
		if c.out != nil && len(plain) > 0 {
			c.out(d, plain)
		}
	case typeHandshake:
		h.hs.add(plain, func(t byte, body []byte) { c.handshake(d, t, body) })
	}
}

// handshake handles one handshake message of direction d.
func (c *Conn) handshake(d Dir, typ byte, body []byte) {
	switch {
	case typ == hsClientHello && d == FromClient:
		if ch, ok := parseClientHello(body); ok {
			c.ch = &ch
		}
	case typ == hsServerHello && d == FromServer:
		sh, ok := parseServerHello(body)
		if !ok || sh.retry {
			return // a HelloRetryRequest: the real ServerHello follows
		}
		c.sh = &sh
		c.start()
	case typ == hsNewSessionTicket && d == FromServer && c.s != nil && !c.s.tls13:
		// RFC 5077 §3.3: lifetime hint, then the ticket
		if len(body) > 6 && c.master != nil {
			n := int(body[4])<<8 | int(body[5])
			if 6+n <= len(body) {
				c.cache.put("t:"+string(body[6:6+n]), c.master)
			}
		}
	case typ == hsFinished && c.s != nil && c.s.tls13:
		// this direction's handshake is over: application keys follow
		h := &c.h[d]
		if len(h.next) > 0 {
			h.cipher, h.next = h.next[0], h.next[1:]
		}
	case typ == hsKeyUpdate && c.s != nil && c.s.tls13:
		if h := &c.h[d]; h.cipher != nil {
			if err := h.cipher.update(); err != nil {
				h.failed = true
			}
		}
	}
}

// start picks the suite and looks for the keys once the ServerHello is in.
func (c *Conn) start() {
	if c.ch == nil {
		c.fail("the ClientHello is not in the capture")
		return
	}
	s := suites[c.sh.suite]
	c.status.Version = versionName(c.sh.version)
	if s == nil {
		c.status.Cipher = suiteName(c.sh.suite)
		c.fail("unsupported cipher suite " + c.status.Cipher)
		c.h[0].failed, c.h[1].failed = true, true
		return
	}
	c.status.Cipher = s.name
	if s.tls13 != (c.sh.version == 0x0304) {
		c.fail("cipher suite does not match the version")
		return
	}
	c.s = s
	c.retryKeys()
}

// retryKeys installs the ciphers whose secrets the key log now has, and
// decrypts what waited for them.
func (c *Conn) retryKeys() {
	if c.s == nil || c.ch == nil || c.sh == nil {
		return
	}
	if c.s.tls13 {
		c.keys13()
	} else {
		c.keys12()
	}
	for d := range c.h {
		if c.h[d].cipher != nil {
			c.drain(Dir(d))
		}
	}
}

// drain decrypts the records of direction d that waited for its cipher.
func (c *Conn) drain(d Dir) {
	h := &c.h[d]
	recs := h.pending
	h.pending, h.pendN = nil, 0
	for _, r := range recs {
		c.open(d, r[:5], r[5:])
	}
}

func (c *Conn) keys13() {
	for d, labels := range [2][2]string{{labelClientHS, labelClientApp0}, {labelServerHS, labelServerApp0}} {
		h := &c.h[d]
		if h.cipher != nil {
			continue
		}
		hs, app := c.keys.secret(labels[0], c.ch.random), c.keys.secret(labels[1], c.ch.random)
		if hs == nil && app == nil {
			continue
		}
		var chain []*recordCipher
		for _, sec := range [][]byte{hs, app} {
			if sec == nil {
				continue
			}
			rc, err := newCipher13(c.s, sec)
			if err != nil {
				c.fail(err.Error())
				return
			}
			chain = append(chain, rc)
		}
		h.cipher, h.next = chain[0], chain[1:]
	}
}

func (c *Conn) keys12() {
	if c.master == nil {
		c.master = c.keys.secret(labelTLS12, c.ch.random)
		if c.master == nil && len(c.sh.sessionID) > 0 && string(c.sh.sessionID) == string(c.ch.sessionID) {
			c.master = c.cache.get("s:" + string(c.sh.sessionID))
		}
		if c.master == nil && c.ch.ticket != nil {
			c.master = c.cache.get("t:" + string(c.ch.ticket))
		}
		if c.master == nil {
			return
		}
		if len(c.sh.sessionID) > 0 {
			c.cache.put("s:"+string(c.sh.sessionID), c.master)
		}
	}
	c.install12(FromClient)
	c.install12(FromServer)
}

// install12 gives a TLS 1.2 direction its cipher once it changed cipher
// spec and the master secret is known.
func (c *Conn) install12(d Dir) {
	h := &c.h[d]
	if !h.ccs || h.cipher != nil || c.master == nil || c.s == nil || c.s.tls13 {
		return
	}
	cl, sv, err := keys12(c.s, c.master, c.ch.random, c.sh.random)
	if err != nil {
		c.fail(err.Error())
		return
	}
	if d == FromClient {
		h.cipher = cl
	} else {
		h.cipher = sv
	}
	h.cipher.etm = c.sh.etm && c.s.kind == kindCBC
	c.drain(d)
}

func versionName(v uint16) string {
	switch v {
	case 0x0304:
		return "TLS 1.3"
	case 0x0303:
		return "TLS 1.2"
	case 0x0302:
		return "TLS 1.1"
	case 0x0301:
		return "TLS 1.0"
	case 0x0300:
		return "SSL 3.0"
	}
	return "unknown"
}

func suiteName(id uint16) string { return fmt.Sprintf("0x%04x", id) }
