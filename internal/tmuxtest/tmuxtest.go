// Package tmuxtest runs a program in a real terminal for tests: a tmux
// server of its own (private socket, no configuration), a session of a
// given size running a shell script, keys sent to it and its screen read
// with capture-pane.
package tmuxtest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Session is one tmux session on a server of its own.
type Session struct {
	t      *testing.T
	bin    string
	socket string
}

var servers atomic.Int64

// Start runs script (a shell script file) in a w×h tmux session. The
// server is killed when the test ends; only it, on its own socket.
func Start(t *testing.T, tmuxBin string, w, h int, script string) *Session {
	t.Helper()
	s := &Session{t: t, bin: tmuxBin, socket: fmt.Sprintf("ftpscope-test-%d-%d", os.Getpid(), servers.Add(1))}
	t.Cleanup(func() { _ = exec.Command(tmuxBin, "-L", s.socket, "kill-server").Run() })
	s.Cmd("new-session", "-d", "-s", "ui", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "sh "+script)
	return s
}

// Cmd runs a tmux command on the session's server and returns its output.
func (s *Session) Cmd(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.bin, append([]string{"-L", s.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Pane returns the text on the screen.
func (s *Session) Pane() string { return s.Cmd("capture-pane", "-p", "-t", "ui") }

// Keys sends keys (tmux send-keys names: "Enter", "q", …).
func (s *Session) Keys(k ...string) { s.Cmd(append([]string{"send-keys", "-t", "ui"}, k...)...) }

// WaitFor polls the screen until every want is on it, for at most d, and
// returns it; the test fails with the screen otherwise. The pane is read
// while the program draws: polling waits for a whole screen.
func (s *Session) WaitFor(d time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		txt := s.Pane()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(txt, w)
		}
		if ok {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the pane never showed %q:\n%s", want, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Socket names the server's socket (tmux -L), for commands that may fail
// without failing the test.
func (s *Session) Socket() string { return s.socket }
