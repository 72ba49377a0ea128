package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
)

func TestTLSKeylog(t *testing.T) {
	f, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{File: []byte("hello, FTPS\n")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	capFile, keys := filepath.Join(dir, "ftps.pcap"), filepath.Join(dir, "keys.txt")
	os.WriteFile(capFile, f.Pcap, 0o600)
	os.WriteFile(keys, f.KeyLog, 0o600)

	code, out, errs := ftpscope("-r", capFile, "-o", "json", "--tls-keylog", keys)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := reporttest.Validate([]byte(out)); err != nil {
		t.Fatal(err)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	s := r.Sessions[0]
	if d := s.TLSDecryption; d == nil || !d.Decrypted || s.Channels[0].Connection.Match != model.MatchExact {
		t.Fatalf("decryption %+v, channels %+v", d, s.Channels)
	}

	// without it, no decryption
	_, out, _ = ftpscope("-r", capFile, "-o", "json")
	if strings.Contains(out, "tls_decryption") || strings.Contains(out, `"decrypted"`) {
		t.Error("tls_decryption reported without --tls-keylog")
	}
	// a missing key log is a runtime error; one without key lines a note
	if code, _, errs := ftpscope("-r", capFile, "-o", "json", "--tls-keylog", filepath.Join(dir, "none")); code != exitRuntime || !strings.Contains(errs, "--tls-keylog") {
		t.Errorf("missing key log: exit %d, %q", code, errs)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n"), 0o600)
	code, out, errs = ftpscope("-r", capFile, "-o", "text", "--tls-keylog", empty)
	if code != 0 || !strings.Contains(errs, "holds no key log line") || !strings.Contains(out, "not decrypted") {
		t.Errorf("empty key log: exit %d, stderr %q, report:\n%s", code, errs, out)
	}
}

// TestKeyLogFollowedLive: live, a key log that does not exist yet is
// waited for and read as it grows.
func TestKeyLogFollowedLive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.txt")
	var errb bytes.Buffer
	keys, stop, err := openKeyLog(&options{tlsKeylog: path, ifaces: []sourceArg{{name: "lo"}}}, &errb)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "does not exist yet") {
		t.Errorf("stderr %q", errb.String())
	}
	line := "CLIENT_RANDOM " + strings.Repeat("ab", 32) + " " + strings.Repeat("cd", 48) + "\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for keys.Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if keys.Len() != 1 {
		t.Fatalf("%d secrets read from the followed file", keys.Len())
	}
}
