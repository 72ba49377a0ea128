// Package tlsrecord walks TLS records without keys: where they begin and
// end on a control connection after AUTH TLS, and where cleartext resumes
// (CCC), so that an FTPS session is read without decrypting it.
package tlsrecord

// Skipper walks TLS records (RFC 8446 §5.1: type, version, length) on a
// control connection after AUTH TLS, without decrypting them, so that the
// analysis knows where they end. The session goes back to cleartext (CCC,
// RFC 4217 §6) only where a record would start and a whole printable line
// ending in CR LF comes instead. After a gap the walk has lost its place:
// it looks for a plausible record header again, and reads nothing as
// cleartext meanwhile, since ciphertext may hold anything.
type Skipper struct {
	hdr  [5]byte
	hdrN uint8
	// lost: a gap left the walk out of step; hdr holds the bytes that may
	// begin a record header
	lost   bool
	remain int
	bytes  int64 // bytes of TLS records seen (Bytes)
	// line holds the bytes at a record boundary that may be cleartext;
	// allocated at the first such boundary (every session has two walks)
	line *[]byte
}

// maxTLSRecord bounds a record's length (TLSCiphertext, RFC 5246 §6.2.3).
const maxTLSRecord = 1<<14 + 2048

// maxCleartextProbe bounds the first cleartext line looked for after TLS.
const maxCleartextProbe = 512

// CanStart reports whether b can open a TLS record: change_cipher_spec,
// alert, handshake, application_data or heartbeat.
func CanStart(b byte) bool { return b >= 20 && b <= 24 }

// plausibleHeader reports whether h, the first bytes of a record header,
// can be one: type change_cipher_spec to application_data (heartbeat too
// when strict is false), version 3.1 to 3.4 (3.0 too when not strict), a
// length up to maxTLSRecord.
func plausibleHeader(h []byte, strict bool) bool {
	if !CanStart(h[0]) || strict && h[0] == 24 {
		return false
	}
	if len(h) > 1 && h[1] != 3 {
		return false
	}
	if len(h) > 2 && (h[2] > 4 || strict && h[2] == 0) {
		return false
	}
	if len(h) > 3 && int(h[3])<<8 > maxTLSRecord {
		return false
	}
	if len(h) > 4 {
		n := int(h[3])<<8 | int(h[4])
		return n > 0 && n <= maxTLSRecord
	}
	return true
}

// Skip consumes the TLS records at the start of p. When cleartext resumes
// it returns cleartext true: the cleartext is carry (its first line, held
// from earlier calls; valid until the next call) and then p[n:].
func (t *Skipper) Skip(p []byte) (n int, carry []byte, cleartext bool) {
	for n < len(p) {
		switch {
		case t.lost:
			n += t.resync(p[n:])
		case t.remain > 0:
			k := min(t.remain, len(p)-n)
			n += k
			t.remain -= k
			t.bytes += int64(k)
		case t.probing() || t.hdrN == 0 && !CanStart(p[n]):
			if t.line == nil {
				t.line = new([]byte)
			}
			k, v := t.probe(p[n:])
			switch v {
			case probeCleartext:
				carry = *t.line
				*t.line = carry[:0]
				return n + k, carry, true
			case probeMore:
				return len(p), nil, false
			}
			// not cleartext: ciphertext out of step
			t.bytes += int64(len(*t.line))
			*t.line = (*t.line)[:0]
			t.lost = true
			n += k
		default:
			t.hdr[t.hdrN] = p[n]
			t.hdrN++
			n++
			t.bytes++
			if int(t.hdrN) == len(t.hdr) {
				t.hdrN = 0
				if plausibleHeader(t.hdr[:], false) {
					t.remain = int(t.hdr[3])<<8 | int(t.hdr[4])
				} else {
					// not a record after all: look again from its second byte
					t.lost = true
					rest := t.hdr // four bytes: they cannot hold a whole header
					t.bytes -= int64(t.resync(rest[1:]))
				}
			}
		}
	}
	return n, nil, false
}

// resync looks for a plausible record header in p, keeping its first bytes
// in hdr across calls, and returns how many bytes it consumed: all of p,
// or up to the end of the header it found, the walk back in step.
func (t *Skipper) resync(p []byte) int {
	for i, c := range p {
		if t.hdrN == 0 && !CanStart(c) {
			continue
		}
		t.hdr[t.hdrN] = c
		t.hdrN++
		for t.hdrN > 0 && !plausibleHeader(t.hdr[:t.hdrN], true) {
			copy(t.hdr[:], t.hdr[1:t.hdrN])
			t.hdrN--
		}
		if int(t.hdrN) == len(t.hdr) {
			t.hdrN, t.lost = 0, false
			t.remain = int(t.hdr[3])<<8 | int(t.hdr[4])
			t.bytes += int64(i + 1)
			return i + 1
		}
	}
	t.bytes += int64(len(p))
	return len(p)
}

// probing reports whether bytes that may be cleartext are held.
func (t *Skipper) probing() bool { return t.line != nil && len(*t.line) > 0 }

// probe verdicts.
const (
	probeNot = iota
	probeMore
	probeCleartext
)

// probe reads bytes that came where a record would start, appending them
// to line: cleartext once they make a printable line of at least three
// characters ended by CR LF (k bytes of p taken), not cleartext at the
// first byte that cannot belong to one (p[k]), or more needed.
func (t *Skipper) probe(p []byte) (k int, verdict int) {
	line := t.line
	for i, c := range p {
		cr := len(*line) > 0 && (*line)[len(*line)-1] == '\r'
		switch {
		case c == '\n' && cr && len(*line) >= 4:
			*line = append(*line, c)
			return i + 1, probeCleartext
		case cr, len(*line) >= maxCleartextProbe:
			return i, probeNot
		case c == '\r' || c == '\t' || c >= 0x20 && c < 0x7f:
			*line = append(*line, c)
		default:
			return i, probeNot
		}
	}
	return len(p), probeMore
}

// Lose accounts for n bytes the capture does not have. Inside a record
// they only shorten what remains of it; otherwise the walk has lost its
// place.
func (t *Skipper) Lose(n int) {
	if !t.lost && t.hdrN == 0 && !t.probing() && t.remain >= n {
		t.remain -= n
		return
	}
	t.hdrN, t.remain, t.lost = 0, 0, true
	if t.line != nil {
		*t.line = (*t.line)[:0]
	}
}

// Bytes returns the bytes of TLS records walked so far: the opaque part
// of the stream.
func (t *Skipper) Bytes() int64 { return t.bytes }
