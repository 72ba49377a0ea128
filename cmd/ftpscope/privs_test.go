package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// realSwitchUser is the switch tests replace: run() is called in this test
// process, which must stay root for the tests after it.
var (
	realSwitchUser = switchUser
	switchedTo     []string
	switchedMu     sync.Mutex // runs of parallel tests switch at once
)

func TestMain(m *testing.M) {
	switchUser = func(u *user.User, uid, gid int) error {
		switchedMu.Lock()
		switchedTo = append(switchedTo, u.Username)
		switchedMu.Unlock()
		return nil
	}
	os.Exit(m.Run())
}

func fakeUsers(names ...string) func(string) (*user.User, error) {
	return func(name string) (*user.User, error) {
		for i, n := range names {
			if n == name {
				id := strconv.Itoa(1000 + i)
				if n == "root" {
					id = "0"
				}
				return &user.User{Username: n, Uid: id, Gid: id}, nil
			}
		}
		return nil, user.UnknownUserError(name)
	}
}

func TestPrivilegeTarget(t *testing.T) {
	for _, c := range []struct {
		user     string
		euid     int
		users    []string
		want     string // user to become, "" for none
		warn     bool
		errorish string
	}{
		{"", 0, []string{"root", "nobody"}, "nobody", false, ""},
		{"", 0, []string{"root", "ftpscope", "nobody"}, "ftpscope", false, ""},
		{"", 0, []string{"root"}, "", true, ""},
		{"root", 0, []string{"root", "nobody"}, "", false, ""},
		{"daemon", 0, []string{"root", "daemon", "nobody"}, "daemon", false, ""},
		{"ghost", 0, []string{"root", "nobody"}, "", false, "--user ghost"},
		{"", 1000, []string{"root", "nobody"}, "", false, ""},
		{"nobody", 1001, []string{"root", "nobody"}, "", false, ""}, // already nobody
		{"daemon", 1001, []string{"root", "nobody", "daemon"}, "", false, "only root can become another user"},
	} {
		u, warn, err := privilegeTarget(&options{user: c.user}, c.euid, fakeUsers(c.users...))
		got := ""
		if u != nil {
			got = u.Username
		}
		if got != c.want || (warn != "") != c.warn || (err == nil) != (c.errorish == "") || (err != nil && !strings.Contains(err.Error(), c.errorish)) {
			t.Errorf("--user %q as uid %d with users %v: %q, warn %q, err %v; want %q, warn %v, err %q", c.user, c.euid, c.users, got, warn, err, c.want, c.warn, c.errorish)
		}
	}
}

// TestRunDropsOnceOpen: run() becomes the unprivileged user after opening
// what it needs, for file runs too; the folders it creates for --export are
// given to that user.
func TestRunDropsOnceOpen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	switchedTo = nil
	dir := filepath.Join(t.TempDir(), "a", "files")
	if code, _, errs := ftpscope("-r", sample, "-o", "json", "--export", dir); code != 0 && code != exitRuntime {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if len(switchedTo) != 1 || switchedTo[0] != "nobody" {
		t.Errorf("switched to %v, want [nobody]", switchedTo)
	}
	for _, d := range []string{filepath.Dir(dir), dir} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if uid := strconv.Itoa(int(st.Sys().(*syscall.Stat_t).Uid)); uid != nobody.Uid {
			t.Errorf("%s created for --export belongs to uid %s, not to nobody (%s)", d, uid, nobody.Uid)
		}
	}
	switchedTo = nil
	if code, _, errs := ftpscope("-r", sample, "-o", "json", "--user", "root"); code != 0 || len(switchedTo) != 0 {
		t.Errorf("--user root: exit %d (%s), switched to %v", code, errs, switchedTo)
	}
	// a drop that fails stops the run before it reads: one line, exit 1
	fake := switchUser
	defer func() { switchUser = fake }()
	switchUser = func(*user.User, int, int) error { return syscall.EPERM }
	if code, out, errs := ftpscope("-r", sample, "-o", "json"); code != exitRuntime || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "--user root keeps root") {
		t.Errorf("failed drop: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestSwitchUserChild runs the real switch in a child process of this test
// binary (the switch cannot be undone) and checks every id it leaves.
func TestSwitchUserChild(t *testing.T) {
	if os.Getenv("FTPSCOPE_SWITCH_CHILD") != "" {
		u, err := user.Lookup(os.Getenv("FTPSCOPE_SWITCH_CHILD"))
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := realSwitchUser(u, uid, gid); err != nil {
			t.Fatal(err)
		}
		groups, _ := syscall.Getgroups()
		fmt.Printf("ids %d %d %d %d %v\n", syscall.Getuid(), syscall.Geteuid(), syscall.Getgid(), syscall.Getegid(), groups)
		if err := syscall.Setuid(0); err == nil {
			t.Fatal("setuid(0) succeeded after the switch")
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestSwitchUserChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "FTPSCOPE_SWITCH_CHILD=nobody")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := fmt.Sprintf("ids %s %s %s %s [%s]", nobody.Uid, nobody.Uid, nobody.Gid, nobody.Gid, nobody.Gid)
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("child printed %s, want %q", out, want)
	}
}

// procStatus returns the lines of /proc/PID/status that name ids and
// capabilities.
func procStatus(pid int) map[string]string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	return m
}

// TestBinaryDropsRoot: the built ftpscope, run as root on standard input,
// has no root left while it reads the packets: all four user ids, the
// groups and the effective capabilities are nobody's. --user root keeps
// root.
func TestBinaryDropsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	bin := buildBinary(t)
	capture, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args      []string
		uid, gids string
	}{
		{nil, nobody.Uid, nobody.Gid},
		{[]string{"--user", "nobody"}, nobody.Uid, nobody.Gid},
		{[]string{"--user", "root"}, "0", ""},
	} {
		cmd := exec.Command(bin, append([]string{"-r", "-", "-o", "json"}, c.args...)...)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// the file header and a few packets, then the pipe stays open:
		// ftpscope waits, reading, with whatever ids it reads with
		stdin.Write(capture[:200])
		four := func(id string) string { return strings.TrimSpace(strings.Repeat(id+" ", 4)) } // real, effective, saved, fs
		wantUid := four(c.uid)
		var st map[string]string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if st = procStatus(cmd.Process.Pid); st["Uid"] == wantUid {
				break
			}
		}
		if st["Uid"] != wantUid || (c.uid != "0" && (st["Gid"] != four(nobody.Gid) || st["Groups"] != c.gids || st["CapEff"] != "0000000000000000")) {
			t.Errorf("%v: Uid %q Gid %q Groups %q CapEff %q while reading; want uid %s", c.args, st["Uid"], st["Gid"], st["Groups"], st["CapEff"], c.uid)
		}
		stdin.Write(capture[200:])
		stdin.Close()
		if err := waitTimeout(cmd, 10*time.Second); err != nil {
			t.Fatalf("%v: %v: %s", c.args, err, stderr.String())
		}
		var r model.Report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || len(r.Sessions) == 0 {
			t.Errorf("%v: report after the drop: %v, %d sessions", c.args, err, len(r.Sessions))
		}
	}
}

// TestBinaryWritesAfterDrop: what is opened before the drop (-w) and the
// folder created for --export stay usable by the unprivileged process.
func TestBinaryWritesAfterDrop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	bin := buildBinary(t)
	// a folder nobody may enter, for the input and -w, and one it may
	// enter, for --export
	private := t.TempDir()
	input := filepath.Join(private, "client.pcap")
	capture, err := os.ReadFile("../../samples/captures/baseline/client.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, capture, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(bin) // 0755
	files, out := filepath.Join(dir, "files"), filepath.Join(private, "all.pcapng")
	cmd := exec.Command(bin, "-r", input, "-o", "json", "-w", out, "--export", files)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	exported, err := os.ReadDir(files)
	if err != nil || len(exported) == 0 {
		t.Fatalf("--export after the drop: %v, %d files", err, len(exported))
	}
	for _, e := range exported {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if uid := strconv.Itoa(int(info.Sys().(*syscall.Stat_t).Uid)); uid != nobody.Uid {
			t.Errorf("exported %s belongs to uid %s, want nobody's %s: written before the drop?", e.Name(), uid, nobody.Uid)
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, _ := io.Copy(io.Discard, f); n < 1000 {
		t.Errorf("-w wrote %d bytes", n)
	}
	// a folder that exists and that nobody may not write: one line, exit 1
	closed := filepath.Join(private, "closed")
	if err := os.Mkdir(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "-r", input, "-o", "json", "--export", closed)
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitRuntime || !strings.Contains(string(b), "may not write there") || strings.Count(string(b), "\n") != 1 {
		t.Errorf("--export to a folder nobody may not write: %v, %q", err, b)
	}
}

// TestLiveKeyLogKeepsRoot: following a live key log by path needs root
// unless a user is named; the run says so in one line.
func TestLiveKeyLogKeepsRoot(t *testing.T) {
	o := &options{tlsKeylog: "/root/keys.txt", ifaces: []sourceArg{{name: "any"}}}
	u, warn, err := privilegeTarget(o, 0, fakeUsers("nobody"))
	if err != nil || u != nil || !strings.Contains(warn, "--tls-keylog live") {
		t.Errorf("live key log: user %v, warning %q, error %v; want root kept with a warning", u, warn, err)
	}
	o.user = "nobody"
	if u, _, err := privilegeTarget(o, 0, fakeUsers("nobody")); err != nil || u == nil || u.Username != "nobody" {
		t.Errorf("--user nobody with a live key log: %v, %v", u, err)
	}
	o.user, o.ifaces = "", nil
	if u, _, _ := privilegeTarget(o, 0, fakeUsers("nobody")); u == nil {
		t.Error("a file run with --tls-keylog keeps root: it reads the key log before the drop")
	}
}
