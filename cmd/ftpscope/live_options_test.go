package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// buildBinaryWith builds ftpscope with extra environment (CGO_ENABLED=0
// for the AF_PACKET back-end) into a directory every user may read.
func buildBinaryWith(t *testing.T, env ...string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ftpscope-opts-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "ftpscope")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", env, err, out)
	}
	return bin
}

// TestLiveCaptureOptions checks tcpdump's -p, -s, -B and -D on both capture
// back-ends (libpcap and AF_PACKET), in a network namespace of its own with
// a veth pair: promiscuous by default, not with -p; the ring is the
// size -B asks; packets are cut at -s; -D lists the interface with its
// address. Root and "ip netns" are needed: it skips without them, unless
// FTPSCOPE_LAB=1, which makes it fail.
func TestLiveCaptureOptions(t *testing.T) {
	ns := "fs-cli-opts" + strconv.Itoa(os.Getpid())
	if os.Geteuid() != 0 || exec.Command("ip", "netns", "add", ns).Run() != nil {
		if os.Getenv("FTPSCOPE_LAB") != "" {
			t.Fatal("FTPSCOPE_LAB is set but no network namespace could be made (root and 'ip netns add' needed)")
		}
		t.Skip("needs root and network namespaces; FTPSCOPE_LAB=1 makes this a failure")
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	in := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
	in("ip", "link", "set", "lo", "up")
	in("ip", "link", "add", "fsveth0", "type", "veth", "peer", "name", "fsveth1")
	in("ip", "addr", "add", "10.77.0.1/24", "dev", "fsveth0")
	in("ip", "link", "set", "fsveth0", "up")
	in("ip", "link", "set", "fsveth1", "up")

	backends := map[string]string{"libpcap": buildBinary(t), "afpacket": buildBinaryWith(t, "CGO_ENABLED=0")}
	for name, bin := range backends {
		t.Run(name, func(t *testing.T) {
			if v, _ := exec.Command(bin, "--version").Output(); name == "libpcap" && !bytes.Contains(v, []byte("libpcap: true")) {
				t.Skip("built without libpcap")
			}
			out := in(bin, "-D")
			if !regexpLine(out, "fsveth0", "10.77.0.1/24") || !regexpLine(out, "lo", "127.0.0.1/8") {
				t.Errorf("-D:\n%s", out)
			}

			// start runs ftpscope in the namespace until it holds its
			// packet socket; stop interrupts it and returns its last line.
			start := func(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
				t.Helper()
				cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if cmd.ProcessState == nil {
						cmd.Process.Kill()
						cmd.Wait()
					}
				})
				for i := 0; ; i++ {
					if socketMapped(cmd.Process.Pid) > 0 {
						break
					}
					if i == 600 {
						t.Fatalf("ftpscope %v maps no capture ring after 15s; stderr %s", args, stderr.String())
					}
					time.Sleep(25 * time.Millisecond)
				}
				return cmd, &stdout, &stderr
			}
			stop := func(cmd *exec.Cmd, stdout, stderr *bytes.Buffer) string {
				t.Helper()
				cmd.Process.Signal(syscall.SIGINT)
				if err := waitTimeout(cmd, 15*time.Second); err != nil {
					t.Fatalf("after SIGINT: %v; stderr %s", err, stderr)
				}
				lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
				return lines[len(lines)-1]
			}
			promisc := func() bool {
				b := in("cat", "/sys/class/net/fsveth0/flags")
				v, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(string(b), "0x")), 16, 32)
				if err != nil {
					t.Fatalf("flags %q: %v", b, err)
				}
				return v&syscall.IFF_PROMISC != 0
			}

			t.Run("promiscuous-by-default", func(t *testing.T) {
				cmd, o, e := start("-i", "fsveth0", "-o", "jsonl")
				// the ring exists a moment before the membership
				for i := 0; i < 100 && !promisc(); i++ {
					time.Sleep(20 * time.Millisecond)
				}
				if !promisc() {
					t.Error("the interface is not promiscuous while ftpscope captures on it")
				}
				stop(cmd, o, e)
				if promisc() {
					t.Error("the interface stays promiscuous after ftpscope ended")
				}
			})
			t.Run("p", func(t *testing.T) {
				cmd, o, e := start("-i", "fsveth0", "-o", "jsonl", "-p")
				time.Sleep(300 * time.Millisecond) // as long as the membership may take
				if promisc() {
					t.Error("-p: the interface is promiscuous")
				}
				stop(cmd, o, e)
			})
			t.Run("B", func(t *testing.T) {
				cmd, o, e := start("-i", "fsveth0", "-o", "jsonl", "-B", "4096")
				if got := socketMapped(cmd.Process.Pid); got != 4<<20 {
					t.Errorf("-B 4096: a ring of %d bytes, want 4 MiB", got)
				}
				stop(cmd, o, e)
				cmd, o, e = start("-i", "fsveth0", "-o", "jsonl")
				if got := socketMapped(cmd.Process.Pid); got != 64<<20 {
					t.Errorf("default: a ring of %d bytes, want 64 MiB", got)
				}
				stop(cmd, o, e)
			})
			t.Run("s", func(t *testing.T) {
				cmd, o, e := start("-i", "lo", "-o", "jsonl", "-s", "80", "--control-ports", "2121")
				exchange := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^TestFTPExchange$", "-test.count=1")
				exchange.Env = append(os.Environ(), "FTPSCOPE_FTP_EXCHANGE=1")
				if out, err := exchange.CombinedOutput(); err != nil {
					t.Fatalf("FTP exchange: %v\n%s", err, out)
				}
				time.Sleep(500 * time.Millisecond) // a read timeout or two: the packets reach ftpscope
				var last struct {
					Event string      `json:"event"`
					Stats model.Stats `json:"stats"`
				}
				line := stop(cmd, o, e)
				if err := json.Unmarshal([]byte(line), &last); err != nil || last.Event != "summary" {
					t.Fatalf("last line %q: %v", line, err)
				}
				if last.Stats.Packets == 0 || last.Stats.TruncatedPackets == 0 {
					t.Errorf("-s 80: %d packets, %d truncated; want packets cut short", last.Stats.Packets, last.Stats.TruncatedPackets)
				}
			})
		})
	}
}

// regexpLine reports whether one line of out names iface and shows addr.
func regexpLine(out []byte, iface, addr string) bool {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && strings.HasSuffix(f[0], "."+iface) && strings.Contains(sc.Text(), " "+addr) {
			return true
		}
	}
	return false
}

// socketMapped is how many bytes of packet-socket rings process pid maps.
func socketMapped(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return 0
	}
	var n int64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 || !strings.HasPrefix(f[5], "socket:") {
			continue
		}
		from, to, ok := strings.Cut(f[0], "-")
		a, err1 := strconv.ParseInt(from, 16, 64)
		z, err2 := strconv.ParseInt(to, 16, 64)
		if ok && err1 == nil && err2 == nil {
			n += z - a
		}
	}
	return n
}

// bigCapture writes a capture of many short FTP sessions, long enough to
// read that a signal arrives while it is read.
func bigCapture(t *testing.T, sessions int) (path string, packets int) {
	t.Helper()
	c := pcaptest.New()
	for i := 0; i < sessions; i++ {
		k := c.Conn(fmt.Sprintf("10.%d.%d.%d:%d", i>>16&255, i>>8&255, i&255, 40000+i%20000), "203.0.113.20:21", uint32(i), uint32(7*i))
		k.Open()
		k.Line(false, "220 ready")
		k.Line(true, "USER anonymous")
		k.Line(false, "331 ok")
		k.Line(true, "QUIT")
		k.Line(false, "221 bye")
		k.Close()
	}
	path = filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, c.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, c.Packets
}

// TestBinarySIGINTOnFile: Ctrl-C while the built ftpscope reads a file
// stops the reading; the report of what was read comes out whole, says
// stats.interrupted, and the exit status is 130.
func TestBinarySIGINTOnFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large capture")
	}
	path, total := bigCapture(t, 40000)
	bin := buildBinary(t)
	cmd := exec.Command(bin, "-r", path, "-o", "json", "--user", "root")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// signal once it reads: the bytes it read so far, from /proc
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", cmd.Process.Pid)); err == nil {
			var rchar int64
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "rchar: "); ok {
					rchar, _ = strconv.ParseInt(v, 10, 64)
				}
			}
			if rchar > 2<<20 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("ftpscope read nothing in 10s")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := waitTimeout(cmd, 20*time.Second)
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v (want exit 130); stderr %s", err, stderr.String())
	}
	if msg := stderr.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "interrupted") {
		t.Errorf("stderr %q: want one line saying the report is partial", msg)
	}
	var r model.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("the partial report is not whole JSON: %v", err)
	}
	if !r.Stats.Interrupted || r.Stats.Packets == 0 || r.Stats.Packets >= uint64(total) {
		t.Errorf("interrupted %v, %d packets of %d: want a partial report that says so", r.Stats.Interrupted, r.Stats.Packets, total)
	}
}

// TestBinarySecondSIGINT: a read that nothing interrupts (a pipe whose
// writer stalls) ignores the first Ctrl-C, which only asks to stop; the
// second ends ftpscope at once.
func TestBinarySecondSIGINT(t *testing.T) {
	capture, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "-r", "-", "-o", "json", "--user", "root")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write(capture[:100]) // the header: ftpscope then waits for more
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	if st := procStatus(cmd.Process.Pid)["State"]; st == "" || strings.HasPrefix(st, "Z") {
		t.Fatal("the first SIGINT ended ftpscope: it must only ask it to stop")
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = waitTimeout(cmd, 5*time.Second)
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("after two SIGINT: %v, want the process ended by the signal", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("ended with %v, want by SIGINT", ee)
	}
}
