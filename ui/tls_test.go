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

// TestDecryptedLinesMarked: lines read with the key log carry 🔓 in the
// dialog pane and the ladder, lines in clear do not, and the mark's two
// columns keep every row within its width.
func TestDecryptedLinesMarked(t *testing.T) {
	m := decryptedModel(t)
	s := m.Row("s1").S
	th := newTheme(true)
	for i, it := range dialogItems(th, s, nil, nil) {
		l := it.render(100)[0]
		text := l.plain()
		if l.width() != 100 {
			t.Errorf("dialog line %d is %d columns wide: %q", i, l.width(), text)
		}
		marked := strings.Contains(text, decryptedMark)
		clear := strings.Contains(text, "AUTH TLS") || strings.Contains(text, "234 ") || strings.Contains(text, "220 ")
		if marked == clear {
			t.Errorf("dialog line %q: marked %v", text, marked)
		}
	}
	sp := &ladderSpec{client: ladderLeg{s: s}, viewed: s.ID}
	txt := ladderText(sp, 100)
	t.Logf("\n%s", txt)
	for _, row := range strings.Split(strings.TrimRight(txt, "\n"), "\n") {
		if w := strWidth(row); w > 100 {
			t.Errorf("ladder row %d columns wide: %q", w, row)
		}
		if strings.Contains(row, "USER alice") && !strings.Contains(row, decryptedMark+"USER alice") {
			t.Errorf("ladder row %q: USER not marked", row)
		}
		if strings.Contains(row, "AUTH TLS") && strings.Contains(row, decryptedMark) {
			t.Errorf("ladder row %q: AUTH TLS marked", row)
		}
	}
	items := ladderItems(th, sp)
	if legend := items[len(items)-1].render(200); !strings.Contains(legend[len(legend)-1].plain(), decryptedMark+"decrypted with the TLS key log") {
		t.Errorf("legend %q", legend[len(legend)-1].plain())
	}
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
