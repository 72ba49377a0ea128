package samples

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/tmuxtest"
)

// TestLabLiveTUI runs the terminal UI live on the lab's client-site NAT
// gateway ("ftpscope -i any" in a tmux terminal), with the kernel FTP
// helper attached, while an active-mode session crosses it and stays open:
// before the session ends and before quitting, the sessions list shows the
// two legs side by side marked ⇄, the session's ladder spans the NAT with
// the PORT rewrite and the expectation the data connection used, and the
// header counts the packets. It needs root,
// network namespaces and tmux (FTPSCOPE_LAB=1; take flock
// /tmp/ftpscope-lab.lock).
func TestLabLiveTUI(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("FTPSCOPE_LAB is set, but the lab needs root")
	}
	tmuxBin, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("FTPSCOPE_LAB is set but tmux is not installed (make deps installs it)")
	}
	bin := buildFtpscope(t)
	t.Cleanup(func() {
		cmd := exec.Command("bash", filepath.Join("lab", "lab.sh"), "down")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("lab.sh down: %v", err)
		}
	})
	labCmd(t, nil, "lab.sh", "up")
	labCmd(t, nil, "lab.sh", "helper", "cgw", "on")

	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	script := filepath.Join(dir, "run.sh")
	body := fmt.Sprintf("export TERM=xterm-256color\nip netns exec fs-cgw %q -i any\necho $? > %q\necho SHELL-IS-BACK\nsleep 60\n", bin, status)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	tm := tmuxtest.Start(t, tmuxBin, 180, 50, script)
	tm.WaitFor(10*time.Second, "● LIVE any", "Sessions (0)")
	waitCapturing(t, "fs-cgw")

	// An active-mode session that stays open for a while after its RETR.
	client := exec.Command("ip", "netns", "exec", "fs-cli", "python3", "-u", filepath.Join("lab", "ftpclient.py"),
		"get", "--active", "--hold", "30", "203.0.113.20", "data-1k.txt")
	var clientOut bytes.Buffer
	client.Stdout, client.Stderr = &clientOut, &clientOut
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	clientDone := make(chan error, 1)
	go func() { clientDone <- client.Wait() }()
	t.Cleanup(func() {
		if client.ProcessState == nil {
			client.Process.Kill() // by PID: the client this test started
			<-clientDone
		}
	})
	running := func(what string) {
		t.Helper()
		select {
		case err := <-clientDone:
			clientDone <- err
			t.Fatalf("%s: the client already ended (%v): the session must still be open\n%s", what, err, clientOut.String())
		default:
		}
	}

	list := tm.WaitFor(15*time.Second, "Sessions (2)", "s1 ⇄", "s2 ⇄", "NAT rewrote")
	running("the legs were paired")
	if i, j := strings.Index(list, "s1 ⇄"), strings.Index(list, "s2 ⇄"); i > j {
		t.Errorf("the legs are not in order:\n%s", list)
	}
	// The header is read each second: within two, it counts the session's
	// packets (and their rate, for that second).
	counts := regexp.MustCompile(`any · ([0-9,]+) packets .*● LIVE any · ([0-9]+) pkt/s · ([0-9,]+) dropped`)
	header := ""
	for deadline := time.Now().Add(3 * time.Second); ; {
		header = strings.SplitN(tm.Pane(), "\n", 2)[0]
		if m := counts.FindStringSubmatch(header); m != nil && m[1] != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the header does not count the packets: %q", header)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("header: %s", strings.Join(strings.Fields(header), " "))
	tm.Keys("g") // the first row: s1, the inside leg
	tm.Keys("Enter")
	tm.Keys("4")
	ladder := tm.WaitFor(10*time.Second, "4 Ladder · across the NAT: s1 ⇄ s2", "NAT gateway", "✎", "PORT 192,168,1,10,", "PORT 203,0,113,1,",
		"conntrack: helper ftp", "(ftp): used", "the gateway's expectation used")
	running("the ladder spanned the NAT")
	t.Logf("the ladder across the NAT while the session runs:\n%s", ladder)
	tm.Keys("q") // back to the list
	tm.WaitFor(5*time.Second, "Sessions (2)")
	tm.Keys("q") // quits
	tm.WaitFor(15*time.Second, "SHELL-IS-BACK")
	if b, err := os.ReadFile(status); err != nil || strings.TrimSpace(string(b)) != "0" {
		t.Errorf("exit status %q (%v), want 0", b, err)
	}
}

// waitCapturing waits until an ftpscope in namespace ns holds a packet
// socket (it was started by a shell in tmux: its PID is not ours to know).
func waitCapturing(t *testing.T, ns string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("ip", "netns", "exec", ns, "ss", "-0", "-a", "-p", "-H").CombinedOutput()
		if bytes.Contains(out, []byte(`(("ftpscope",`)) {
			time.Sleep(300 * time.Millisecond) // the ring is set up a moment after the socket
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no ftpscope captures in %s after 15s", ns)
}
