package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// hostileCapture writes a session whose client and server try what a
// reviewer tried: a password after a tab, an account, a user name and a
// reply carrying terminal escapes, C1 and bidi controls.
func hostileCapture(t *testing.T) string {
	t.Helper()
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 100, 7000)
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	k.Line(true, "USER eve\x1b]2;owned\a")
	k.Line(false, "331 Please specify the password.")
	k.Line(true, "PASS\ttab-s3cret")
	k.Line(false, "230 Login successful.")
	k.Line(true, "acct acct-s3cret")
	k.Line(false, "202 ACCT not needed.")
	k.Line(true, "RETR invoice\u202efdp.exe")
	k.Line(false, "425 Can't open\x1b[2J\x1b[31m \u009b31m")
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	path := filepath.Join(t.TempDir(), "hostile.pcap")
	if err := os.WriteFile(path, c.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSecretsMaskedInEveryOutput(t *testing.T) {
	t.Setenv("LANG", "C.UTF-8")
	path := hostileCapture(t)
	for _, o := range []string{"json", "jsonl", "text"} {
		code, out, errs := ftpscope("-r", path, "-o", o)
		if code != 0 {
			t.Fatalf("-o %s: exit %d: %s", o, code, errs)
		}
		for _, secret := range []string{"tab-s3cret", "acct-s3cret"} {
			if strings.Contains(out, secret) || strings.Contains(errs, secret) {
				t.Errorf("-o %s shows %q", o, secret)
			}
		}
		if !strings.Contains(out, "****") {
			t.Errorf("-o %s: no masked argument", o)
		}
	}
	code, out, _ := ftpscope("-r", path, "-o", "json", "--show-passwords")
	if code != 0 || !strings.Contains(out, "tab-s3cret") || !strings.Contains(out, "acct-s3cret") {
		t.Errorf("--show-passwords hides the secrets (exit %d)", code)
	}
}

func TestTextReportEscapesControls(t *testing.T) {
	t.Setenv("LANG", "C.UTF-8")
	code, out, errs := ftpscope("-r", hostileCapture(t), "-o", "text")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the text report carries %q raw", bad)
		}
	}
	for _, shown := range []string{`eve\x1b]2;owned\a`, `\x1b[2J\x1b[31m`, `\u009b31m`, `invoice\u202efdp.exe`} {
		if !strings.Contains(out, shown) {
			t.Errorf("the text report does not show %s", shown)
		}
	}
}

func TestTextReportASCIIWhenLocaleIsNotUTF8(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_CTYPE", "")
	t.Setenv("LANG", "C")
	code, out, errs := ftpscope("-r", sample, "-o", "text")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for i := 0; i < len(out); i++ {
		if out[i] >= 0x80 {
			t.Fatalf("non-ASCII byte in a C-locale report near %q", out[max(0, i-20):min(len(out), i+20)])
		}
	}
	if !strings.Contains(out, "x error") {
		t.Errorf("no ASCII severity mark:\n%s", out[:min(len(out), 600)])
	}
}
