package ui

import (
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// decryptedModel analyses an FTPS session with its key log.
func decryptedModel(t *testing.T) *viewmodel.Model {
	t.Helper()
	m := viewmodel.NewModel("ftps")
	analysistest.RunFTPS(t, m)
	return m
}

func TestDecryptedSessionOnScreen(t *testing.T) {
	hs := startModel(t, 120, 40, decryptedModel(t))
	hs.waitFor("Sessions (1)")
	hs.keys("enter")
	txt := hs.waitFor("1 Dialog", "TLS 1.3 decrypted with the key log", "USER alice", "227 Entering Passive Mode")
	hs.dump("ftps-session", txt)
	if !strings.Contains(txt, "🔓") {
		t.Error("no 🔓 on the screen")
	}
}
