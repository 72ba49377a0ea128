package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ftpscope/ftpscope/model"
)

func TestTextDecrypted(t *testing.T) {
	s := decryptedFTPS(t)[0]
	var b bytes.Buffer
	if err := WriteText(&b, &model.Report{Sessions: []model.Session{s}}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		decryptedMark + "control connection encrypted (AUTH TLS), decrypted with the key", "TLS_AES_128_GCM_SHA256",
		decryptedMark + "→ USER alice", decryptedMark + "← 227 Entering Passive Mode",
		"[exact]", "4 bytes decrypted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		w := utf8.RuneCountInString(l) + strings.Count(l, decryptedMark) // the glyph is two columns
		if w > 80 && strings.Contains(l, "decrypted") {
			t.Errorf("line of %d columns: %q", w, l)
		}
		if strings.Contains(l, "AUTH TLS") && strings.Contains(l, "→") && strings.Contains(l, decryptedMark) {
			t.Errorf("AUTH TLS marked decrypted: %q", l)
		}
	}

	s.TLSDecryption = &model.TLSDecryption{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", Reason: "no key for this ClientHello in the key log"}
	s.Dialog, s.Channels = s.Dialog[:2], s.Channels[:1]
	s.Channels[0].Connection.TLSDecryption = &model.TLSDecryption{Reason: "no key for this ClientHello in the key log"}
	b.Reset()
	WriteText(&b, &model.Report{Sessions: []model.Session{s}}, TextOptions{})
	for _, want := range []string{"▲ control connection encrypted (AUTH TLS), not decrypted (TLS 1.3", "▲ TLS not decrypted: no key for this ClientHello"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
