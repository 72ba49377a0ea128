package ladder

// decrypted reports whether a ladder shows lines read from TLS.
func (sp *Spec) decrypted() bool { return anyDecrypted(&sp.Client, sp.Server) }

// anyDecrypted reports whether a line of the legs' dialogs was decrypted.
func anyDecrypted(legs ...*Leg) bool {
	for _, leg := range legs {
		if leg == nil || leg.S == nil {
			continue
		}
		for i := range leg.S.Dialog {
			if leg.S.Dialog[i].Decrypted {
				return true
			}
		}
	}
	return false
}
