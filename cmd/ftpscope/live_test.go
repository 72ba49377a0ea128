package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUnknownUser(t *testing.T) {
	code, out, errs := ftpscope("--user", "no-such-user-ftpscope", "-r", sample, "-o", "json")
	if code != exitRuntime || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "--user no-such-user-ftpscope") {
		t.Errorf("exit %d, stdout %q, stderr %q: want exit 1 and one line naming the user", code, out, errs)
	}
}

// buildBinary builds ftpscope into a directory every user may read.
func buildBinary(t *testing.T) string { return buildBinaryWith(t) }

// TestLivePermissionError: without root or CAP_NET_RAW, one line that
// names the capability and the setcap command.
func TestLivePermissionError(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "-i", "lo", "-o", "json")
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			t.Skip("no user nobody to run as")
		}
		uid, _ := strconv.Atoi(nobody.Uid)
		gid, _ := strconv.Atoi(nobody.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Skipf("ftpscope -i lo ran (%v): this user may capture", err)
	}
	msg := stderr.String()
	if ee.ExitCode() != exitRuntime || strings.Count(msg, "\n") != 1 || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q: want 1 and one line", ee.ExitCode(), stdout.String(), msg)
	}
	for _, want := range []string{"ftpscope: lo: ", "CAP_NET_RAW", "setcap cap_net_raw,cap_net_admin=eip " + bin} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr %q lacks %q", msg, want)
		}
	}
}

// TestLiveInNamespace runs the built ftpscope on the loopback interface of
// a network namespace it creates, while a scripted FTP session (this test
// binary, TestFTPExchange) runs there. It needs root and "ip netns add":
// it skips without them, unless FTPSCOPE_LAB=1, which makes it fail.
func TestLiveInNamespace(t *testing.T) {
	ns := "fs-live-c" + strconv.Itoa(os.Getpid())
	if os.Geteuid() != 0 || exec.Command("ip", "netns", "add", ns).Run() != nil {
		if os.Getenv("FTPSCOPE_LAB") != "" {
			t.Fatal("FTPSCOPE_LAB is set but no network namespace could be made (root and 'ip netns add' needed)")
		}
		t.Skip("needs root and network namespaces; FTPSCOPE_LAB=1 makes this a failure")
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	bin := buildBinary(t)
	version, _ := exec.Command(bin, "--version").Output()
	libpcap := bytes.Contains(version, []byte("libpcap: true"))
	exchange := func(t *testing.T) {
		t.Helper()
		cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^TestFTPExchange$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FTPSCOPE_FTP_EXCHANGE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("FTP exchange: %v\n%s", err, out)
		}
	}
	start := func(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer) {
		t.Helper()
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// a watchdog: whatever a subtest waits for, ftpscope is gone
		// within a minute (its output then ends, and the waits with it)
		watchdog := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
		t.Cleanup(func() {
			watchdog.Stop()
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
			}
		})
		// capturing once it holds a packet socket ("ip netns exec" execs it)
		want := "pid=" + strconv.Itoa(cmd.Process.Pid) + ","
		for i := 0; ; i++ {
			out, _ := exec.Command("ip", "netns", "exec", ns, "ss", "-0", "-a", "-p", "-H").CombinedOutput()
			if bytes.Contains(out, []byte(want)) {
				break
			}
			if i == 600 {
				t.Fatalf("ftpscope %v holds no packet socket after 15s; stderr %s", args, stderr.String())
			}
			time.Sleep(25 * time.Millisecond)
		}
		// The socket exists a moment before its ring (AF_PACKET) is set up.
		time.Sleep(300 * time.Millisecond)
		return cmd, bufio.NewScanner(pipe), &stderr
	}
	type event struct {
		Event   string `json:"event"`
		Sources []struct {
			Kind    string `json:"kind"`
			Packets uint64 `json:"packets"`
			Dropped *int   `json:"dropped"`
		} `json:"sources"`
	}
	readEvent := func(t *testing.T, sc *bufio.Scanner) (event, bool) {
		t.Helper()
		if !sc.Scan() {
			return event{}, false
		}
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		return e, true
	}

	t.Run("jsonl-streams-and-sigint", func(t *testing.T) {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			t.Skip("no user nobody")
		}
		args := []string{"-i", "lo", "-o", "jsonl", "--user", "nobody", "--control-ports", "2121"}
		if libpcap {
			args = append(args, "tcp port 2121 or portrange 30000-30100")
		}
		cmd, sc, stderr := start(t, args...)
		// privileges dropped once capturing
		var status []byte
		for i := 0; i < 100; i++ {
			status, _ = os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
			if bytes.Contains(status, []byte("\nUid:\t"+nobody.Uid+"\t")) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !bytes.Contains(status, []byte("\nUid:\t"+nobody.Uid+"\t")) {
			t.Errorf("--user nobody: still %s", bytes.SplitN(bytes.SplitN(status, []byte("Uid:"), 2)[1], []byte("\n"), 2)[0])
		}
		exchange(t)
		// the channel, then the session, arrive while ftpscope still runs:
		// each line is flushed as it concludes
		lines := make(chan event)
		go func() {
			for {
				e, ok := readEvent(t, sc)
				if !ok {
					close(lines)
					return
				}
				lines <- e
			}
		}()
		var seen []string
		timeout := time.After(20 * time.Second)
	wait:
		for {
			select {
			case e := <-lines:
				seen = append(seen, e.Event)
				if e.Event == "session" {
					break wait
				}
			case <-timeout:
				t.Fatalf("no session line within 20s while capturing (got %v); stderr %s", seen, stderr)
			}
		}
		if len(seen) < 2 || seen[0] != "channel" {
			t.Errorf("events %v: want the channel before its session", seen)
		}
		cmd.Process.Signal(syscall.SIGINT)
		var last event
		for e := range lines {
			last = e
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("after SIGINT: %v; stderr %s", err, stderr)
		}
		if last.Event != "summary" || len(last.Sources) != 1 || last.Sources[0].Kind != "live" || last.Sources[0].Dropped == nil {
			t.Errorf("last line %+v: want the summary of a live source with its drops", last)
		}
	})

	t.Run("filter-in-kernel", func(t *testing.T) {
		if !libpcap {
			out, err := exec.Command("ip", "netns", "exec", ns, bin, "-i", "lo", "tcp port 9").CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "built without it") {
				t.Errorf("a filter without libpcap: %v %q, want exit 2 and why", err, out)
			}
			return
		}
		cmd, sc, stderr := start(t, "-i", "lo", "-o", "jsonl", "tcp port 9")
		exchange(t)
		time.Sleep(300 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGINT)
		var last event
		for {
			e, ok := readEvent(t, sc)
			if !ok {
				break
			}
			last = e
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		if last.Event != "summary" || last.Sources[0].Packets != 0 {
			t.Errorf("filter 'tcp port 9' let packets through: %+v", last)
		}
	})

	t.Run("count", func(t *testing.T) {
		cmd, sc, stderr := start(t, "-i", "lo", "-o", "jsonl", "-c", "5")
		exchange(t)
		for {
			if _, ok := readEvent(t, sc); !ok {
				break
			}
		}
		if err := waitTimeout(cmd, 10*time.Second); err != nil {
			t.Fatalf("-c 5: %v: %s", err, stderr)
		}
	})

	t.Run("duration", func(t *testing.T) {
		begin := time.Now()
		cmd, sc, stderr := start(t, "-i", "lo", "-o", "json", "--duration", "1s")
		io.Copy(io.Discard, pipeReader{sc})
		if err := waitTimeout(cmd, 10*time.Second); err != nil {
			t.Fatalf("--duration 1s: %v: %s", err, stderr)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("--duration 1s took %v", d)
		}
	})

	t.Run("bad-interface", func(t *testing.T) {
		out, err := exec.Command("ip", "netns", "exec", ns, bin, "-i", "nonexistent0").CombinedOutput()
		if err == nil || !strings.HasPrefix(string(out), "ftpscope: nonexistent0: ") || strings.Count(string(out), "\n") != 1 {
			t.Errorf("%v: %q", err, out)
		}
	})
}

type pipeReader struct{ sc *bufio.Scanner }

func (p pipeReader) Read(b []byte) (int, error) {
	if !p.sc.Scan() {
		return 0, io.EOF
	}
	return copy(b, p.sc.Bytes()), nil
}

func waitTimeout(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		return fmt.Errorf("still running after %v", d)
	}
}

// TestFTPExchange is a child of TestLiveInNamespace: one scripted FTP
// session on 127.0.0.1:2121, a passive RETR of 1 KiB, then QUIT.
func TestFTPExchange(t *testing.T) {
	if os.Getenv("FTPSCOPE_FTP_EXCHANGE") == "" {
		t.Skip("run by TestLiveInNamespace")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:2121")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data, err := net.Listen("tcp4", "127.0.0.1:30001")
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	go func() { // server
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 test server\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch verb := strings.Fields(line)[0]; verb {
			case "USER":
				fmt.Fprint(c, "331 password please\r\n")
			case "PASS":
				fmt.Fprint(c, "230 logged in\r\n")
			case "PASV":
				fmt.Fprint(c, "227 Entering Passive Mode (127,0,0,1,117,49)\r\n")
			case "RETR":
				fmt.Fprint(c, "150 Opening BINARY mode data connection (1024 bytes)\r\n")
				d, err := data.Accept()
				if err != nil {
					return
				}
				d.Write(bytes.Repeat([]byte("x"), 1024))
				d.Close()
				fmt.Fprint(c, "226 Transfer complete\r\n")
			case "QUIT":
				fmt.Fprint(c, "221 bye\r\n")
				return
			}
		}
	}()
	c, err := net.Dial("tcp4", "127.0.0.1:2121")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	expect := func(code string) {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, code) {
			t.Fatalf("want %s, got %q %v", code, line, err)
		}
	}
	expect("220")
	for _, step := range []struct{ cmd, code string }{{"USER anonymous", "331"}, {"PASS guest", "230"}, {"PASV", "227"}} {
		fmt.Fprintf(c, "%s\r\n", step.cmd)
		expect(step.code)
	}
	d, err := net.Dial("tcp4", "127.0.0.1:30001")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, "RETR file\r\n")
	expect("150")
	n, _ := io.Copy(io.Discard, d)
	d.Close()
	expect("226")
	fmt.Fprint(c, "QUIT\r\n")
	expect("221")
	if n != 1024 {
		t.Errorf("received %d bytes", n)
	}
}
