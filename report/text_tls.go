package report

import (
	"strings"
	"unicode/utf8"

	"github.com/ftpscope/ftpscope/model"
)

// decryptedMark starts a dialog line read from TLS with the key log: a
// glyph, not a colour, so it survives any terminal and a copy into a
// ticket.
const (
	decryptedMark      = "🔓 "
	decryptedMarkWidth = 3 // columns: the glyph is two wide
)

// tlsLine is the session's line about its encrypted control connection.
func tlsLine(s *model.Session) string {
	d := s.TLSDecryption
	switch {
	case d == nil:
		return "▲ control connection encrypted (AUTH TLS): commands after it are not visible"
	case d.Decrypted:
		line := decryptedMark + "control connection encrypted (AUTH TLS), decrypted with the key log (" + tlsName(d) + ")"
		if d.Reason != "" {
			line += ": " + d.Reason
		}
		return line
	}
	return "▲ control connection encrypted (AUTH TLS), not decrypted (" + tlsName(d) + "): " + d.Reason
}

func tlsName(d *model.TLSDecryption) string {
	switch {
	case d.Version != "" && d.Cipher != "":
		return d.Version + " " + d.Cipher
	case d.Version != "":
		return d.Version
	}
	return "no handshake seen"
}

// columns is how many columns s takes: one per rune but the wide mark.
func columns(s string) int {
	return utf8.RuneCountInString(s) + strings.Count(s, decryptedMark[:len(decryptedMark)-1])
}
