package ui

import "github.com/ftpscope/ftpscope/model"

// decryptedMark starts a dialog line read from TLS with the key log, in
// the dialog pane and the ladder: a glyph, never colour alone.
const decryptedMark = "🔓 "

// tlsInfo is the session title's word on its encrypted control connection.
func tlsInfo(s *model.Session) string {
	switch d := s.TLSDecryption; {
	case d == nil:
		return "TLS: later commands not visible"
	case d.Decrypted:
		return decryptedMark + d.Version + " decrypted with the key log"
	default:
		return "TLS not decrypted: " + d.Reason
	}
}

// decrypted reports whether a ladder shows lines read from TLS.
func (sp *ladderSpec) decrypted() bool { return anyDecrypted(&sp.client, sp.server) }

// anyDecrypted reports whether a line of the legs' dialogs was decrypted.
func anyDecrypted(legs ...*ladderLeg) bool {
	for _, leg := range legs {
		if leg == nil || leg.s == nil {
			continue
		}
		for i := range leg.s.Dialog {
			if leg.s.Dialog[i].Decrypted {
				return true
			}
		}
	}
	return false
}

// dataTLSText says what became of a data connection's TLS.
func dataTLSText(d *model.TLSDecryption) string {
	if d.Decrypted {
		return decryptedMark + d.Version + " decrypted"
	}
	return "TLS not decrypted: " + d.Reason
}
