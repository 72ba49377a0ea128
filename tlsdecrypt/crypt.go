package tlsdecrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

var errAuth = errors.New("record authentication failed")

// recordCipher removes the protection of one direction's records.
type recordCipher struct {
	s      *suite
	tls13  bool
	aead   cipher.AEAD
	iv     []byte // TLS 1.3 and ChaCha: 12 bytes; GCM 1.2: 4 fixed bytes
	block  cipher.Block
	seq    uint64
	secret []byte // TLS 1.3 traffic secret, for KeyUpdate
	etm    bool   // CBC with encrypt-then-MAC (RFC 7366)
	nonce  [12]byte
	ad     [13]byte
	mac    hash.Hash
}

func newAEAD(s *suite, key []byte) (cipher.AEAD, error) {
	if s.kind == kindChaCha {
		return chacha20poly1305.New(key)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// expandLabel is HKDF-Expand-Label of RFC 8446 §7.1 with an empty context.
func expandLabel(s *suite, secret []byte, label string, n int) []byte {
	info := make([]byte, 0, 4+6+len(label))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, 0)
	out, err := hkdf.Expand(s.prf, secret, string(info), n)
	if err != nil {
		panic(err) // n is small and fixed: cannot happen
	}
	return out
}

// newCipher13 makes a direction's cipher from a TLS 1.3 traffic secret.
func newCipher13(s *suite, secret []byte) (*recordCipher, error) {
	aead, err := newAEAD(s, expandLabel(s, secret, "key", s.keyLen))
	if err != nil {
		return nil, err
	}
	return &recordCipher{s: s, tls13: true, aead: aead, iv: expandLabel(s, secret, "iv", 12), secret: secret}, nil
}

// update applies a KeyUpdate (RFC 8446 §7.2).
func (c *recordCipher) update() error {
	next := expandLabel(c.s, c.secret, "traffic upd", c.s.prf().Size())
	n, err := newCipher13(c.s, next)
	if err != nil {
		return err
	}
	*c = *n
	return nil
}

// prf12 is the TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	out := make([]byte, 0, n+64)
	m := hmac.New(h, secret)
	m.Write(ls)
	a := m.Sum(nil)
	for len(out) < n {
		m.Reset()
		m.Write(a)
		m.Write(ls)
		out = m.Sum(out)
		m.Reset()
		m.Write(a)
		a = m.Sum(a[:0])
	}
	return out[:n]
}

// keys12 derives both directions' ciphers from a TLS 1.2 master secret
// (RFC 5246 §6.3): the key block is client MAC, server MAC, client key,
// server key, client IV, server IV.
func keys12(s *suite, master, clientRandom, serverRandom []byte) (client, server *recordCipher, err error) {
	macLen, ivLen := s.macLen(), s.ivLen()
	n := 2*macLen + 2*s.keyLen + 2*ivLen
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	kb := prf12(s.prf, master, "key expansion", seed, n)
	take := func(k int) []byte { b := kb[:k:k]; kb = kb[k:]; return b }
	cMAC, sMAC := take(macLen), take(macLen)
	cKey, sKey := take(s.keyLen), take(s.keyLen)
	cIV, sIV := take(ivLen), take(ivLen)
	mk := func(mac, key, iv []byte) (*recordCipher, error) {
		c := &recordCipher{s: s, iv: iv}
		if s.kind == kindCBC {
			b, err := aes.NewCipher(key)
			if err != nil {
				return nil, err
			}
			c.block = b
			c.mac = hmac.New(s.mac, mac)
			return c, nil
		}
		a, err := newAEAD(s, key)
		if err != nil {
			return nil, err
		}
		c.aead = a
		return c, nil
	}
	if client, err = mk(cMAC, cKey, cIV); err != nil {
		return nil, nil, err
	}
	server, err = mk(sMAC, sKey, sIV)
	return client, server, err
}

// open removes the protection of one record in place. hdr is the record's
// five-byte header; for TLS 1.3 the returned type is the inner content
// type (RFC 8446 §5.2).
func (c *recordCipher) open(hdr, frag []byte) (plain []byte, typ byte, err error) {
	seq := c.seq
	typ = hdr[0]
	switch {
	case c.tls13:
		copy(c.nonce[:], c.iv)
		for i := 0; i < 8; i++ {
			c.nonce[4+i] ^= byte(seq >> (56 - 8*i))
		}
		plain, err = c.aead.Open(frag[:0], c.nonce[:], frag, hdr)
		if err != nil {
			return nil, 0, errAuth
		}
		// strip the zero padding; the last non-zero byte is the type
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			return nil, 0, errAuth
		}
		typ, plain = plain[i], plain[:i]
	case c.s.kind == kindGCM:
		if len(frag) < 8+16 {
			return nil, 0, errAuth
		}
		copy(c.nonce[:4], c.iv)
		copy(c.nonce[4:], frag[:8])
		c.setAD(seq, hdr, len(frag)-8-16)
		plain, err = c.aead.Open(frag[8:8], c.nonce[:], frag[8:], c.ad[:])
		if err != nil {
			return nil, 0, errAuth
		}
	case c.s.kind == kindChaCha:
		if len(frag) < 16 {
			return nil, 0, errAuth
		}
		copy(c.nonce[:], c.iv)
		for i := 0; i < 8; i++ {
			c.nonce[4+i] ^= byte(seq >> (56 - 8*i))
		}
		c.setAD(seq, hdr, len(frag)-16)
		plain, err = c.aead.Open(frag[:0], c.nonce[:], frag, c.ad[:])
		if err != nil {
			return nil, 0, errAuth
		}
	case c.etm: // CBC, encrypt-then-MAC: the MAC covers IV and ciphertext
		bs := c.block.BlockSize()
		macLen := c.mac.Size()
		if len(frag) < 2*bs+macLen || (len(frag)-macLen)%bs != 0 {
			return nil, 0, errAuth
		}
		enc := frag[:len(frag)-macLen]
		c.setAD(seq, hdr, len(enc))
		c.mac.Reset()
		c.mac.Write(c.ad[:])
		c.mac.Write(enc)
		var sum [64]byte
		if subtle.ConstantTimeCompare(c.mac.Sum(sum[:0]), frag[len(enc):]) != 1 {
			return nil, 0, errAuth
		}
		body := enc[bs:]
		cipher.NewCBCDecrypter(c.block, enc[:bs]).CryptBlocks(body, body)
		pad := int(body[len(body)-1])
		if pad+1 > len(body) {
			return nil, 0, errAuth
		}
		plain = body[:len(body)-1-pad]
	default: // CBC with an explicit IV, MAC-then-encrypt (RFC 5246 §6.2.3.2)
		bs := c.block.BlockSize()
		macLen := c.mac.Size()
		if len(frag) < 2*bs || len(frag)%bs != 0 {
			return nil, 0, errAuth
		}
		body := frag[bs:]
		cipher.NewCBCDecrypter(c.block, frag[:bs]).CryptBlocks(body, body)
		pad := int(body[len(body)-1])
		if pad+1+macLen > len(body) {
			return nil, 0, errAuth
		}
		for _, b := range body[len(body)-1-pad:] {
			if int(b) != pad {
				return nil, 0, errAuth
			}
		}
		n := len(body) - 1 - pad - macLen
		plain = body[:n]
		c.setAD(seq, hdr, n)
		c.mac.Reset()
		c.mac.Write(c.ad[:])
		c.mac.Write(plain)
		var sum [64]byte
		if subtle.ConstantTimeCompare(c.mac.Sum(sum[:0]), body[n:n+macLen]) != 1 {
			return nil, 0, errAuth
		}
	}
	c.seq++
	return plain, typ, nil
}

// setAD writes TLS 1.2's additional data: seq, type, version, length.
func (c *recordCipher) setAD(seq uint64, hdr []byte, n int) {
	binary.BigEndian.PutUint64(c.ad[:8], seq)
	c.ad[8], c.ad[9], c.ad[10] = hdr[0], hdr[1], hdr[2]
	binary.BigEndian.PutUint16(c.ad[11:], uint16(n))
}
