package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// decryptedModel analyses an FTPS session with its key log.
func decryptedModel(t *testing.T) *viewmodel.Model {
	t.Helper()
	f, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{File: []byte("file\n")})
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenReader("ftps", "ftps.pcap", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := analysisConfig(false)
	cfg.Dissect.TLSKeys = tlsdecrypt.NewKeyLog()
	cfg.Dissect.TLSKeys.Read(bytes.NewReader(f.KeyLog))
	m := viewmodel.NewModel("ftps")
	if _, err := analysis.Run(context.Background(), []capture.Source{src}, cfg, m); err != nil {
		t.Fatal(err)
	}
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
