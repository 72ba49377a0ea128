package tlsdecrypt

import "bytes"

// Handshake message types (RFC 8446 §4, RFC 5077 §3.3).
const (
	hsClientHello      = 1
	hsServerHello      = 2
	hsNewSessionTicket = 4
	hsFinished         = 20
	hsKeyUpdate        = 24
)

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest
// (RFC 8446 §4.1.3).
var helloRetryRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// clientHello is what decryption needs of a ClientHello.
type clientHello struct {
	random    []byte
	sessionID []byte
	ticket    []byte // session_ticket extension (RFC 5077), if not empty
}

// serverHello is what decryption needs of a ServerHello.
type serverHello struct {
	random    []byte
	sessionID []byte
	suite     uint16
	version   uint16 // 0x0304 through supported_versions, else legacy
	retry     bool   // a HelloRetryRequest
	etm       bool   // encrypt_then_mac accepted (RFC 7366), OpenSSL's default for CBC
}

// reader reads the vectors of a handshake message without allocating.
type reader struct {
	b  []byte
	ok bool
}

func (r *reader) take(n int) []byte {
	if !r.ok || n < 0 || len(r.b) < n {
		r.ok = false
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() int {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *reader) u16() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(b[0])<<8 | int(b[1])
}

func (r *reader) vec8() []byte  { return r.take(r.u8()) }
func (r *reader) vec16() []byte { return r.take(r.u16()) }

// parseClientHello reads a ClientHello body (RFC 8446 §4.1.2).
func parseClientHello(body []byte) (clientHello, bool) {
	r := reader{b: body, ok: true}
	var h clientHello
	r.take(2) // legacy_version
	h.random = bytes.Clone(r.take(32))
	h.sessionID = bytes.Clone(r.vec8())
	r.vec16() // cipher_suites
	r.vec8()  // compression_methods
	if !r.ok {
		return h, false
	}
	if len(r.b) == 0 {
		return h, true
	}
	ext := reader{b: r.vec16(), ok: r.ok}
	for ext.ok && len(ext.b) > 0 {
		typ, data := ext.u16(), ext.vec16()
		if typ == 35 && len(data) > 0 { // session_ticket
			h.ticket = bytes.Clone(data)
		}
	}
	return h, r.ok && ext.ok
}

// parseServerHello reads a ServerHello body (RFC 8446 §4.1.3).
func parseServerHello(body []byte) (serverHello, bool) {
	r := reader{b: body, ok: true}
	var h serverHello
	h.version = uint16(r.u16())
	h.random = bytes.Clone(r.take(32))
	h.sessionID = bytes.Clone(r.vec8())
	h.suite = uint16(r.u16())
	r.u8() // compression
	if !r.ok {
		return h, false
	}
	h.retry = bytes.Equal(h.random, helloRetryRandom)
	if len(r.b) == 0 {
		return h, true
	}
	ext := reader{b: r.vec16(), ok: r.ok}
	for ext.ok && len(ext.b) > 0 {
		typ, data := ext.u16(), ext.vec16()
		switch {
		case typ == 43 && len(data) == 2: // supported_versions
			h.version = uint16(data[0])<<8 | uint16(data[1])
		case typ == 22: // encrypt_then_mac
			h.etm = true
		}
	}
	return h, r.ok && ext.ok
}

// handshakeBuffer joins handshake messages that span records.
type handshakeBuffer struct {
	b []byte
}

// maxHandshake bounds a message we keep for parsing (certificates chains
// are skipped, not kept: only hellos, tickets and finished are read).
const maxHandshake = 1 << 17

// add appends fragment and calls fn for every complete message.
func (h *handshakeBuffer) add(frag []byte, fn func(typ byte, body []byte)) {
	h.b = append(h.b, frag...)
	for len(h.b) >= 4 {
		n := int(h.b[1])<<16 | int(h.b[2])<<8 | int(h.b[3])
		if n > maxHandshake {
			h.b = nil // not something we need, or not a handshake
			return
		}
		if len(h.b) < 4+n {
			return
		}
		fn(h.b[0], h.b[4:4+n])
		h.b = h.b[4+n:]
	}
	if len(h.b) == 0 {
		h.b = nil
	}
}
