package model

// TLSDecryption says what became of a connection's TLS when a key log was
// given (--tls-keylog): the version and cipher suite the server chose, and
// whether its records could be decrypted, or why not ("no key for this
// ClientHello in the key log", "unsupported cipher suite …", "record
// authentication failed", a capture gap).
type TLSDecryption struct {
	Version   string `json:"version,omitempty"`
	Cipher    string `json:"cipher,omitempty"`
	Decrypted bool   `json:"decrypted"`
	Reason    string `json:"reason,omitempty"`
}
