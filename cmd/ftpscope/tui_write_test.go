package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTUIWritesWhileShown: with the terminal UI as output, -w writes its
// file once the analysis is done, while the UI is still shown, and says so
// in the footer (the README's "-w … --session s3" example).
func TestTUIWritesWhileShown(t *testing.T) {
	tmuxBin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("FTPSCOPE_TUI_E2E") == "1" {
			t.Fatal("FTPSCOPE_TUI_E2E=1 but tmux is not installed (make deps installs it)")
		}
		t.Skip("tmux is not installed (FTPSCOPE_TUI_E2E=1 makes this a failure)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ftpscope")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in, err := filepath.Abs(gatewaySample)
	if err != nil {
		t.Fatal(err)
	}
	out, status := filepath.Join(dir, "s3.pcapng"), filepath.Join(dir, "status")
	script := filepath.Join(dir, "run.sh")
	body := fmt.Sprintf("export TERM=xterm-256color\n%q -r %q -w %q --session s3\necho $? > %q\nsleep 60\n", bin, in, out, status)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	socket := fmt.Sprintf("ftpscope-wtest-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		b, err := exec.Command(tmuxBin, append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	// Only the server on our own socket is ever killed.
	t.Cleanup(func() { _ = exec.Command(tmuxBin, "-L", socket, "kill-server").Run() })
	tmux("new-session", "-d", "-s", "ui", "-x", "120", "-y", "30", "sh "+script)

	deadline := time.Now().Add(15 * time.Second)
	var pane string
	for {
		pane = tmux("capture-pane", "-p", "-t", "ui")
		if strings.Contains(pane, "wrote ") && strings.Contains(pane, "Sessions (") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the UI never said it wrote %s:\n%s", out, pane)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(pane, "of 2 sessions to") {
		t.Errorf("footer does not say what was written:\n%s", pane)
	}
	// written while the UI is shown: read it back before quitting
	r := jsonReport(t, "-r", out)
	if len(r.Sessions) != 2 || len(r.NATPairs) != 1 {
		t.Errorf("%d sessions, %d NAT pairs in the written file, want s3 and its other leg", len(r.Sessions), len(r.NATPairs))
	}
	if _, err := os.Stat(status); err == nil {
		t.Fatal("ftpscope ended before q")
	}
	tmux("send-keys", "-t", "ui", "q")
	for deadline := time.Now().Add(10 * time.Second); ; {
		if b, err := os.ReadFile(status); err == nil && len(b) > 0 {
			if strings.TrimSpace(string(b)) != "0" {
				t.Errorf("exit status %q, want 0", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ftpscope did not quit on q")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
