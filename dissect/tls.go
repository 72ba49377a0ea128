package dissect

// tlsSkipper walks TLS records (RFC 8446 §5.1: type, version, length) on a
// control connection after AUTH TLS, without decrypting them, so that the
// analysis knows where they end. When the bytes stop looking like TLS
// records the session went back to cleartext (CCC, RFC 4217 §6).
type tlsSkipper struct {
	hdr    [5]byte
	hdrN   int
	remain int
	bytes  int64 // bytes of TLS records seen
}

// looksTLS reports whether b can open a TLS record: change_cipher_spec,
// alert, handshake, application_data or heartbeat.
func looksTLS(b byte) bool { return b >= 20 && b <= 24 }

// skip consumes the TLS records at the start of p. It returns how many bytes
// were TLS and whether cleartext resumes at p[n:].
func (t *tlsSkipper) skip(p []byte) (n int, cleartext bool) {
	for n < len(p) {
		if t.remain > 0 {
			k := min(t.remain, len(p)-n)
			n += k
			t.remain -= k
			t.bytes += int64(k)
			continue
		}
		if t.hdrN == 0 && !looksTLS(p[n]) {
			return n, true
		}
		t.hdr[t.hdrN] = p[n]
		t.hdrN++
		n++
		t.bytes++
		if t.hdrN == len(t.hdr) {
			t.hdrN = 0
			if t.hdr[1] != 3 { // not an SSL 3 / TLS 1.x record after all
				return n, true
			}
			t.remain = int(t.hdr[3])<<8 | int(t.hdr[4])
		}
	}
	return n, false
}

// lose accounts for n bytes the capture does not have. Inside a record
// they are only counted; otherwise the walk has lost its place.
func (t *tlsSkipper) lose(n int) {
	if t.hdrN == 0 && t.remain >= n {
		t.remain -= n
		t.bytes += int64(n)
		return
	}
	t.hdrN, t.remain = 0, 0
}
