package tlsdecrypt

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// cipherKind is how a suite protects records.
type cipherKind uint8

const (
	kindGCM cipherKind = iota + 1
	kindChaCha
	kindCBC
)

// suite is what decryption needs to know of a cipher suite.
type suite struct {
	id     uint16
	name   string
	tls13  bool
	kind   cipherKind
	keyLen int
	prf    func() hash.Hash // TLS 1.2 PRF, TLS 1.3 HKDF hash
	mac    func() hash.Hash // CBC suites' record MAC
}

func (s *suite) macLen() int {
	if s.mac == nil {
		return 0
	}
	return s.mac().Size()
}

// ivLen is the implicit (fixed) part of the nonce, RFC 5288 §3, RFC 7905
// §2; CBC records carry their IV (TLS 1.1 and later).
func (s *suite) ivLen() int {
	switch {
	case s.tls13, s.kind == kindChaCha:
		return 12
	case s.kind == kindGCM:
		return 4
	}
	return 0
}

var suites = map[uint16]*suite{}

func init() {
	s256, s384, s1 := sha256.New, sha512.New384, sha1.New
	for _, s := range []suite{
		// TLS 1.3, RFC 8446 §B.4
		{0x1301, "TLS_AES_128_GCM_SHA256", true, kindGCM, 16, s256, nil},
		{0x1302, "TLS_AES_256_GCM_SHA384", true, kindGCM, 32, s384, nil},
		{0x1303, "TLS_CHACHA20_POLY1305_SHA256", true, kindChaCha, 32, s256, nil},
		// TLS 1.2 AEAD, RFC 5288, RFC 5289, RFC 7905
		{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false, kindGCM, 16, s256, nil},
		{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false, kindGCM, 32, s384, nil},
		{0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false, kindGCM, 16, s256, nil},
		{0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false, kindGCM, 32, s384, nil},
		{0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", false, kindGCM, 16, s256, nil},
		{0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", false, kindGCM, 32, s384, nil},
		{0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false, kindGCM, 16, s256, nil},
		{0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", false, kindGCM, 32, s384, nil},
		{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false, kindChaCha, 32, s256, nil},
		{0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false, kindChaCha, 32, s256, nil},
		{0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false, kindChaCha, 32, s256, nil},
		// TLS 1.2 CBC, RFC 5246 §A.5, RFC 5289
		{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, kindCBC, 16, s256, s1},
		{0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false, kindCBC, 32, s256, s1},
		{0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false, kindCBC, 16, s256, s1},
		{0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false, kindCBC, 32, s256, s1},
		{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", false, kindCBC, 16, s256, s1},
		{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", false, kindCBC, 32, s256, s1},
		{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", false, kindCBC, 16, s256, s1},
		{0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", false, kindCBC, 32, s256, s1},
		{0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", false, kindCBC, 16, s256, s256},
		{0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", false, kindCBC, 16, s256, s256},
		{0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", false, kindCBC, 16, s256, s256},
		{0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", false, kindCBC, 32, s256, s256},
		{0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", false, kindCBC, 16, s256, s256},
		{0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", false, kindCBC, 32, s256, s256},
		{0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", false, kindCBC, 32, s384, s384},
		{0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", false, kindCBC, 32, s384, s384},
	} {
		s := s
		suites[s.id] = &s
	}
}
