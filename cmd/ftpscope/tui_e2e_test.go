package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/tmuxtest"
)

// TestTUIInTmux runs the real binary in a terminal (tmux, on a private
// server socket), drives it with keys, reads the screen with capture-pane,
// checks that y reaches the terminal's clipboard (OSC 52), that w and e on a
// session write a slice tshark reads and the files with the SHA-256 of the
// report, quits with q and checks the exit status and that the terminal was given
// back: main screen, cursor shown, cooked mode. With FTPSCOPE_TUI_E2E=1
// (make test) a missing tmux is a failure, not a skip.
func TestTUIInTmux(t *testing.T) {
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
	capture, err := filepath.Abs("../../samples/captures/active-nohelper/client.pcap")
	if err != nil {
		t.Fatal(err)
	}
	status, stty := filepath.Join(dir, "status"), filepath.Join(dir, "stty")
	script := filepath.Join(dir, "run.sh")
	work := filepath.Join(dir, "work") // where w and e write by default
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("export TERM=xterm-256color\ncd %q\n%q --user root -r %q\necho $? > %q\nstty -a > %q\necho SHELL-IS-BACK\nsleep 60\n", work, bin, capture, status, stty)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}

	tm := tmuxtest.Start(t, tmuxBin, 100, 30, script)
	// Let applications set tmux buffers with OSC 52, to see what y copies.
	tm.Cmd("set-option", "-g", "set-clipboard", "on")
	waitFor := func(want ...string) string {
		t.Helper()
		return tm.WaitFor(10*time.Second, want...)
	}
	keys := tm.Keys

	// The pane is read while the UI draws: wait for a whole first screen.
	waitFor("Sessions (6)", "■ file · done", "✖ 6 error", "s1   192.168.1.10:", "✖ error", "left unchanged by")
	// y copies the selected session's Wireshark filter with OSC 52.
	keys("y")
	waitFor("copied")
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command(tmuxBin, "-L", tm.Socket(), "show-buffer").CombinedOutput()
		if strings.HasPrefix(string(out), "(ip.addr==192.168.1.10 && tcp.port==") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("y did not reach the terminal's clipboard (OSC 52); tmux buffer: %q", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	keys("Enter")
	waitFor("[1 Dialog]", "→ EPRT |1|192.168.1.10|", "✖F1")
	keys("4")
	waitFor("[4 Ladder]", "client", "server", "no data connection")
	keys("?")
	waitFor("Help · esc or ? to close")
	keys("q") // closes the help
	waitFor("[4 Ladder]")
	keys("q") // back to the list
	waitFor("Sessions (6)")
	// w and e on s5, the transfer that worked: a slice tshark reads, the
	// file with the SHA-256 of the report.
	keys("j", "j", "j", "j", "Enter")
	waitFor("[1 Dialog]", " s5  192.168.1.10:")
	// x shows the frame of the greeting, read back from the file.
	keys("x")
	waitFor("<frame ", "Ethernet II", "TCP  21 → ", `"220 (vsFTPd 3.0.3)\r\n"`, "0000  ")
	keys("Escape")
	waitFor("[1 Dialog]")
	keys("w")
	waitFor("write s5 to: s5.pcapng")
	keys("Enter")
	waitFor("wrote ", " packets of s5 to s5.pcapng")
	checkTUISlice(t, filepath.Join(work, "s5.pcapng"))
	keys("e")
	waitFor("export the files of s5 into: s5-files/")
	keys("Enter")
	waitFor("exported 1 file of s5 into s5-files/")
	checkTUIExport(t, capture, "s5", filepath.Join(work, "s5-files"))
	keys("q") // back to the list
	waitFor("Sessions (6)")
	keys("q") // quits
	txt := waitFor("SHELL-IS-BACK")

	if b, err := os.ReadFile(status); err != nil || strings.TrimSpace(string(b)) != "0" {
		t.Errorf("exit status %q (%v), want 0", b, err)
	}
	if strings.Contains(txt, "Sessions (6)") {
		t.Errorf("the UI is still on the screen after quitting:\n%s", txt)
	}
	if got := strings.TrimSpace(tm.Cmd("display-message", "-p", "-t", "ui", "#{alternate_on} #{cursor_flag}")); got != "0 1" {
		t.Errorf("alternate screen, cursor visible = %q, want \"0 1\" (main screen, cursor shown)", got)
	}
	modes, err := os.ReadFile(stty)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"icanon", "echo", "isig", "icrnl"} {
		if !strings.Contains(" "+strings.Join(strings.Fields(string(modes)), " ")+" ", " "+mode+" ") {
			t.Errorf("terminal left without %s:\n%s", mode, modes)
		}
	}
}

// checkTUISlice reads a slice written by the UI: with tshark when it is
// installed, else with ftpscope's own reader; it holds packets and
// ftpscope's comments.
func checkTUISlice(t *testing.T, path string) {
	t.Helper()
	if bin, err := exec.LookPath("tshark"); err == nil {
		out := tshark(t, bin, "-r", path, "-T", "fields", "-e", "frame.comment")
		if !strings.Contains(out, "ftpscope s5: FTP session 192.168.1.10:") {
			t.Errorf("tshark reads no ftpscope comment in %s:\n%s", path, out)
		}
		return
	}
	if len(readKeys(t, path)) == 0 {
		t.Errorf("%s holds no packet", path)
	}
}

// checkTUIExport compares the files the UI exported with the SHA-256 the
// report of --export gives them.
func checkTUIExport(t *testing.T, capture, id, dir string) {
	t.Helper()
	r := jsonReport(t, "-r", capture, "--export", t.TempDir())
	n := 0
	for _, ch := range sessionOf(t, r, id).Channels {
		tr := ch.Transfer
		if tr == nil || tr.ExportPath == "" {
			continue
		}
		n++
		b, err := os.ReadFile(filepath.Join(dir, tr.ExportPath))
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != tr.SHA256 {
			t.Errorf("%s: %v, not the file of SHA-256 %s in the report", tr.ExportPath, err, tr.SHA256)
		}
	}
	if n == 0 {
		t.Errorf("the report exports no file of %s", id)
	}
}
