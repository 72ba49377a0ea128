package ui

import (
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// tlsInfo is the session title's word on its encrypted control connection.
func tlsInfo(s *model.Session) string {
	switch d := s.TLSDecryption; {
	case d == nil:
		return "TLS: later commands not visible"
	case d.Decrypted:
		return styled.DecryptedMark + d.Version + " decrypted with the key log"
	default:
		return "TLS not decrypted: " + d.Reason
	}
}
