package samples

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
)

// TestLabLive runs ftpscope live ("-i any -o json") inside the client-site
// NAT gateway of the namespace lab while the active-mode scenarios run
// without and with the kernel FTP helper (scenario.sh also records the
// gateway with tcpdump), stops it with SIGINT, and checks that its report
// has the same sessions, data channels and statuses, findings and NAT
// pairing as the analysis of the tcpdump capture of the same run. It needs
// root and network namespaces; it runs with FTPSCOPE_LAB=1 (make e2e) and
// then fails, never skips, without them.
func TestLabLive(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("FTPSCOPE_LAB is set, but the lab needs root")
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
	out := t.TempDir()
	for _, scn := range []string{"active-nohelper", "active-helper"} {
		t.Run(scn, func(t *testing.T) {
			live := captureLive(t, bin, "fs-cgw", func() {
				labCmd(t, []string{"OUT=" + out}, "scenario.sh", scn)
			})
			gw := filepath.Join(out, scn, "gateway.pcap")
			offline := ftpscopeJSON(t, bin, "-r", gw)
			for _, s := range live.Sources {
				if s.Kind != "live" || s.Dropped != 0 {
					t.Errorf("live source %+v: want kind live and no kernel drops", s)
				}
			}
			// What the gateway's conntrack adds is live only (compareReports
			// leaves it out); the rest is the capture's story.
			ct := conntrackFindings(live)
			compareReports(t, offline, live)
			if scn == "active-nohelper" {
				checkNoHelper(t, live, "gateway")
				if len(ct["helper-not-attached"]) == 0 {
					t.Errorf("no helper-not-attached live without the helper")
				}
			} else {
				checkWorking(t, live)
				if len(ct) != 0 {
					t.Errorf("conntrack findings with the helper working: %v", ct)
				}
			}
		})
	}
}

// conntrackRule reports the rules drawn from the capturing host's
// conntrack: a live report only has them, a capture file cannot.
func conntrackRule(rule string) bool {
	switch rule {
	case "helper-not-attached", "expectation-missing", "expectation-unused":
		return true
	}
	return false
}

// conntrackFindings returns a live report's conntrack findings by rule.
func conntrackFindings(r *model.Report) map[string][]model.Finding {
	out := map[string][]model.Finding{}
	for _, f := range r.Findings {
		if conntrackRule(f.Rule) {
			out[f.Rule] = append(out[f.Rule], f)
		}
	}
	return out
}

// withoutConntrack is a copy of a report without its conntrack findings.
func withoutConntrack(r *model.Report) *model.Report {
	c := *r
	c.Findings = nil
	for _, f := range r.Findings {
		if !conntrackRule(f.Rule) {
			c.Findings = append(c.Findings, f)
		}
	}
	return &c
}

// buildFtpscope builds the command into a temporary directory.
func buildFtpscope(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ftpscope")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	cmd := exec.Command(gobin, "build", "-o", bin, "../cmd/ftpscope")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// labCmd runs one of the lab's scripts; its output goes to the test's.
func labCmd(t *testing.T, env []string, script string, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("lab", script)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("lab/%s %s: %v (it needs root and 'ip netns add')", script, strings.Join(args, " "), err)
	}
}

// captureLive runs "ftpscope -i any -o json" (and the extra flags) in
// namespace ns while during runs, then stops it with SIGINT as a user would
// with Ctrl-C, and returns its report.
func captureLive(t *testing.T, bin, ns string, during func(), extra ...string) *model.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin, "-i", "any", "-o", "json"}, extra...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill() // by PID: the process this test started
			<-exited
		}
	}()
	// "ip netns exec" execs ftpscope: the PID is ftpscope's. It captures
	// once it holds a packet socket.
	if err := waitPacketSocket(ns, cmd.Process.Pid, exited); err != nil {
		t.Fatalf("ftpscope did not start capturing: %v; stderr: %s", err, stderr.String())
	}
	during()
	time.Sleep(time.Second) // the last FIN/ACKs, as scenario.sh waits for tcpdump
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("ftpscope -i any after SIGINT: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("ftpscope still running 30s after SIGINT; stderr: %s", stderr.String())
	}
	if err := reporttest.Validate(stdout.Bytes()); err != nil {
		t.Errorf("live report does not follow the schema: %v", err)
	}
	var r model.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("live report: %v\n%s", err, stdout.String())
	}
	return &r
}

// waitPacketSocket waits until process pid holds an AF_PACKET socket in ns.
func waitPacketSocket(ns string, pid int, exited chan error) error {
	want := "pid=" + strconv.Itoa(pid) + ","
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("it exited: %v", err)
		default:
		}
		out, _ := exec.Command("ip", "netns", "exec", ns, "ss", "-0", "-a", "-p", "-H").CombinedOutput()
		if bytes.Contains(out, []byte(want)) {
			// the socket exists a moment before its ring (AF_PACKET) is set up
			time.Sleep(300 * time.Millisecond)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no packet socket after 15s")
}

// ftpscopeJSON runs the built ftpscope on files and returns its report.
func ftpscopeJSON(t *testing.T, bin string, args ...string) *model.Report {
	t.Helper()
	cmd := exec.Command(bin, append(args, "-o", "json")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ftpscope %v: %v: %s", args, err, stderr.String())
	}
	var r model.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// sessionKey names a session independently of its id and frame numbers:
// where it was seen, who talked to whom.
func sessionKey(s *model.Session) string {
	return s.Vantage + " " + s.Client + " > " + s.Server
}

// sessionShape is what must agree between two analyses of the same
// traffic: the dialog's size, every channel's mode, announcement, reply
// and status.
func sessionShape(s *model.Session) string {
	var b strings.Builder
	user := ""
	if s.User != nil {
		user = *s.User
	}
	fmt.Fprintf(&b, "user=%s commands=%d replies=%d closed=%s tls=%v", user, s.Commands, s.Replies, s.Closed, s.TLS)
	for _, ch := range s.Channels {
		fmt.Fprintf(&b, "\n  %s %s", ch.Mode, ch.Status)
		if a := ch.Announce; a != nil {
			code := 0
			if a.ReplyCode != nil {
				code = *a.ReplyCode
			}
			fmt.Fprintf(&b, " %s %s → %d", a.Verb, a.Endpoint, code)
		}
		if x := ch.Transfer; x != nil {
			size := "-"
			if x.AnnouncedSize != nil {
				size = strconv.FormatInt(*x.AnnouncedSize, 10)
			}
			fmt.Fprintf(&b, " %s %s %v %q size=%s", x.Verb, x.Arg, x.ReplyCodes, x.ReplyText, size)
		}
		if c := ch.Connection; c != nil {
			fmt.Fprintf(&b, " conn established=%v reset=%v closed=%s bytes=%d/%d", c.Established, c.Reset, c.Closed, c.BytesToFTPClient, c.BytesToFTPServer)
		}
	}
	return b.String()
}

func findingKeys(r *model.Report, ids map[string]string) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s session=[%s]", f.Severity, f.Rule, ids[f.Session]))
	}
	sort.Strings(out)
	return out
}

func natKeys(r *model.Report, ids map[string]string) []string {
	var out []string
	for _, p := range r.NATPairs {
		var rw []string
		for _, w := range p.Rewrites {
			rw = append(rw, w.Kind+" "+w.Inside+" → "+w.Outside)
		}
		seq := "?"
		if p.SeqAdjusted != nil {
			seq = strconv.FormatBool(*p.SeqAdjusted)
		}
		out = append(out, fmt.Sprintf("[%s] = [%s] seq_adjusted=%s channels=%d rewrites=%v", ids[p.Inside], ids[p.Outside], seq, len(p.Channels), rw))
	}
	sort.Strings(out)
	return out
}

// compareReports checks that the live report tells the same story as the
// offline one (what only the gateway's conntrack tells left aside).
func compareReports(t *testing.T, offline, live *model.Report) {
	t.Helper()
	live = withoutConntrack(live)
	shapes := func(r *model.Report) (map[string]string, map[string]string) {
		m, ids := map[string]string{}, map[string]string{}
		for i := range r.Sessions {
			s := &r.Sessions[i]
			k := sessionKey(s)
			if _, dup := m[k]; dup {
				t.Errorf("two sessions %s", k)
			}
			m[k] = sessionShape(s)
			ids[s.ID] = k
		}
		return m, ids
	}
	off, offIDs := shapes(offline)
	liv, livIDs := shapes(live)
	if len(off) == 0 {
		t.Fatal("the offline analysis found no session")
	}
	for k, want := range off {
		got, ok := liv[k]
		switch {
		case !ok:
			t.Errorf("session %s: in the capture, not seen live", k)
		case got != want:
			t.Errorf("session %s differs:\n capture: %s\n live:    %s", k, want, got)
		}
	}
	for k := range liv {
		if _, ok := off[k]; !ok {
			t.Errorf("session %s: seen live, not in the capture", k)
		}
	}
	if a, b := findingKeys(offline, offIDs), findingKeys(live, livIDs); !equalStrings(a, b) {
		t.Errorf("findings differ:\n capture: %s\n live:    %s", strings.Join(a, "\n          "), strings.Join(b, "\n          "))
	}
	if a, b := natKeys(offline, offIDs), natKeys(live, livIDs); !equalStrings(a, b) {
		t.Errorf("NAT pairs differ:\n capture: %s\n live:    %s", strings.Join(a, "\n          "), strings.Join(b, "\n          "))
	}
	if a, b := rulesBySeverity(offline), rulesBySeverity(live); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("finding rules differ: capture %v, live %v", a, b)
	}
	t.Logf("%d sessions, %d findings, %d NAT pairs agree (live: %d packets, capture: %d)",
		len(off), len(offline.Findings), len(offline.NATPairs), live.Stats.Packets, offline.Stats.Packets)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
