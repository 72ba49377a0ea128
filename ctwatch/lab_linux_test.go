//go:build linux

package ctwatch

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/ftpscope/ftpscope/model"
)

// The lab: three network namespaces made for the test (fs-ct-<pid>-<scenario>-c/g/s),
//
//	client 192.168.1.10 ── in0 192.168.1.1 [gateway] out0 203.0.113.1 ── server 203.0.113.20
//
// the gateway masquerading 192.168.1.0/24 and, per scenario, attaching the
// kernel FTP helper or dropping data connections. The watcher runs on the
// gateway's namespace; the FTP client and server are in this process, their
// sockets made in their namespaces (setns on a locked thread). Nothing
// touches the root namespace.

const (
	labClient  = "192.168.1.10"
	labGwIn    = "192.168.1.1"
	labGwOut   = "203.0.113.1"
	labServer  = "203.0.113.20"
	labPayload = "ftpscope conntrack lab: one line of the file\n"
)

// nft rule sets, as samples/lab/nft has them.
const (
	nftMasquerade = `table ip fs-ct-nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "out0" ip saddr 192.168.1.0/24 masquerade
	}
}
`
	nftHelper = `table inet fs-ct-helper {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 ct helper set "ftp-std"
	}
}
`
	nftDropData = `table inet fs-ct-drop {
	chain drop_data {
		type filter hook forward priority filter; policy accept;
		ct state { new, related } tcp dport != 21 drop
	}
}
`
)

// needLab skips (or, with FTPSCOPE_LAB set, fails) without root and nft.
func needLab(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root (network namespaces, nftables)"
	} else if _, err := exec.LookPath("nft"); err != nil {
		why = "needs nft (Debian package nftables; make deps installs it)"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "needs ip (iproute2)"
	}
	if why == "" {
		return
	}
	if os.Getenv("FTPSCOPE_LAB") != "" {
		t.Fatal("FTPSCOPE_LAB is set, but the conntrack lab " + why)
	}
	t.Skip("conntrack lab " + why + "; FTPSCOPE_LAB=1 makes this a failure")
}

// labLock takes /tmp/ftpscope-lab.lock for the test's duration, so that
// two runs of it at once take turns; a namespace lab run by hand takes the
// same lock with flock(1), as make e2e does.
func labLock(t *testing.T) {
	f, err := os.OpenFile("/tmp/ftpscope-lab.lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() })
}

func run(t *testing.T, stdin string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

type lab struct {
	cli, gw, srv string
}

// buildLab makes the three namespaces; rules are nft rule sets for the
// gateway beside the masquerade.
func buildLab(t *testing.T, scenario string, rules ...string) lab {
	t.Helper()
	prefix := fmt.Sprintf("fs-ct-%d-%s-", os.Getpid(), scenario)
	l := lab{cli: prefix + "c", gw: prefix + "g", srv: prefix + "s"}
	for _, ns := range []string{l.cli, l.gw, l.srv} {
		run(t, "", "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		run(t, "", "ip", "-n", ns, "link", "set", "lo", "up")
	}
	// Each veth pair is made inside the gateway, its peer moved straight
	// into the other namespace: no end ever exists in the root namespace.
	run(t, "", "ip", "-n", l.gw, "link", "add", "in0", "type", "veth", "peer", "name", "eth0", "netns", l.cli)
	run(t, "", "ip", "-n", l.gw, "link", "add", "out0", "type", "veth", "peer", "name", "eth0", "netns", l.srv)
	run(t, "", "ip", "-n", l.cli, "addr", "add", labClient+"/24", "dev", "eth0")
	run(t, "", "ip", "-n", l.gw, "addr", "add", labGwIn+"/24", "dev", "in0")
	run(t, "", "ip", "-n", l.gw, "addr", "add", labGwOut+"/24", "dev", "out0")
	run(t, "", "ip", "-n", l.srv, "addr", "add", labServer+"/24", "dev", "eth0")
	for _, link := range [][2]string{{l.cli, "eth0"}, {l.gw, "in0"}, {l.gw, "out0"}, {l.srv, "eth0"}} {
		run(t, "", "ip", "-n", link[0], "link", "set", link[1], "up")
	}
	run(t, "", "ip", "-n", l.cli, "route", "add", "default", "via", labGwIn)
	run(t, "", "ip", "netns", "exec", l.gw, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	run(t, nftMasquerade+strings.Join(rules, ""), "ip", "netns", "exec", l.gw, "nft", "-f", "-")
	return l
}

// inNetns runs fn on a thread of its own that has joined namespace ns; the
// thread is never unlocked, so it ends with fn, namespace and all. Sockets
// fn makes stay in ns wherever they are used later.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

func listenIn(ns, addr string) (net.Listener, error) {
	var ln net.Listener
	err := inNetns(ns, func() (err error) { ln, err = net.Listen("tcp4", addr); return })
	return ln, err
}

func dialIn(ns, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := inNetns(ns, func() (err error) { c, err = net.DialTimeout("tcp4", addr, timeout); return })
	return c, err
}

// watchGateway opens the watcher on the gateway's namespace and feeds a
// tracker until the test ends. When FTPSCOPE_CT_RECORD names a directory,
// the event messages are written there for the replay tests.
func watchGateway(t *testing.T, l lab, record string) (*Tracker, func(clientLog, *serverLog)) {
	t.Helper()
	f, err := os.Open("/run/netns/" + l.gw)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(WatchOptions{NetNS: int(f.Fd())})
	f.Close() // the sockets keep their namespace
	if err != nil {
		t.Fatalf("Open on the gateway: %v", err)
	}
	var (
		mu    sync.Mutex
		lines []string
		start = time.Now()
	)
	if record != "" {
		w.raw = func(at time.Time, m netlink.Message) {
			b, err := m.MarshalBinary()
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, fmt.Sprintf("%d %s", at.Sub(start).Microseconds(), hex.EncodeToString(b)))
			mu.Unlock()
		}
	}
	tr := NewTracker(TrackerOptions{Grace: 500 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, tr.Apply) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watcher.Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Watcher.Run did not return after its context ended")
		}
	})
	save := func(cl clientLog, sl *serverLog) {
		if record == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		name := filepath.Join(record, t.Name()[strings.LastIndex(t.Name(), "/")+1:]+".nlmsg")
		body := recordHeader(cl, sl, start) + strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Errorf("recording: %v", err)
		}
	}
	return tr, save
}

// waitFor polls cond until it holds or 5 s have passed.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// recordHeader keeps, beside the messages, the facts the sockets saw, so
// that the replay test checks the tracker against them: the control
// connection on both legs, the announcement as each leg carried it and when,
// the data connection as it reached the gateway. Times are microseconds
// since the watcher started, as the messages'.
func recordHeader(cl clientLog, sl *serverLog, start time.Time) string {
	outside, data := sl.port, TCP(sl.dataFrom, sl.port)
	if sl.pasv.IsValid() {
		outside, data = sl.pasv, TCP(cl.dataLocal, sl.pasv)
	}
	return fmt.Sprintf("# recorded by TestLabConntrack (ctwatch/lab_linux_test.go): µs, netlink message in hex\n"+
		"# inside %s %s:21\n# outside %s %s:21\n# announce-inside %s\n# announce-outside %s\n# announce-at %d\n# data %s %s\n",
		cl.control, labServer, sl.peer, labServer, cl.announced, outside, cl.portAt.Sub(start).Microseconds(), data.Src, data.Dst)
}

// TestLabConntrack runs one active-mode RETR through the lab's NAT per
// scenario and checks what the watcher on the gateway reports.
func TestLabConntrack(t *testing.T) {
	needLab(t)
	labLock(t)
	record := os.Getenv("FTPSCOPE_CT_RECORD")

	transfer := func(t *testing.T, l lab, passive bool) (clientLog, *serverLog) {
		ln, err := listenIn(l.srv, labServer+":21")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		sl := &serverLog{}
		served := make(chan struct{})
		go func() { serveFTP(l.srv, ln, sl); close(served) }()
		cl := retr(t, l, passive)
		<-served
		if sl.err != nil {
			t.Fatalf("server: %v", sl.err)
		}
		return cl, sl
	}

	t.Run("helper", func(t *testing.T) {
		l := buildLab(t, "h", nftHelper)
		tr, save := watchGateway(t, l, record)
		cl, sl := transfer(t, l, false)
		if !cl.gotData || cl.final != 226 || cl.received != 20*len(labPayload) {
			t.Fatalf("transfer: data %v, %d bytes, final %d", cl.gotData, cl.received, cl.final)
		}
		inside := TCP(cl.control, netip.MustParseAddrPort(labServer+":21"))
		outside := TCP(sl.peer, netip.MustParseAddrPort(labServer+":21"))
		if sl.port == cl.announced {
			t.Fatalf("the gateway did not rewrite PORT %s: is the helper attached?", cl.announced)
		}
		var x *Expectation
		ok := waitFor(func() bool {
			x = tr.ExpectationFor(inside, cl.announced, cl.portAt)
			return x != nil && x.Outcome != model.ExpectationPending
		})
		save(cl, sl)
		e := tr.Control(inside)
		if e == nil {
			t.Fatalf("no conntrack entry for %s", inside)
		}
		if e.Helper != "ftp" || !e.HasFTPHelper() || *e.Model().Helper != "ftp" {
			t.Errorf("helper %q, want ftp", e.Helper)
		}
		if e.Orig != inside || e.Reply != outside.Reverse() {
			t.Errorf("entry %s / %s, want %s / %s", e.Orig, e.Reply, inside, outside.Reverse())
		}
		if o := tr.Control(outside); o == nil || o.ID != e.ID {
			t.Errorf("the outside leg %s does not find the same entry: %+v", outside, o)
		}
		if !ok || x == nil {
			t.Fatalf("no settled expectation for PORT %s: %+v", cl.announced, tr.Expectations(inside))
		}
		if x.Outcome != model.ExpectationUsed {
			t.Errorf("outcome %q, want used: %+v", x.Outcome, x)
		}
		if x.Helper != "ftp" || x.Tuple.Dst != sl.port || x.NATTo != cl.announced {
			t.Errorf("expectation %s (helper %q) NAT to %s; want destination %s, NAT to %s", x.Tuple, x.Helper, x.NATTo, sl.port, cl.announced)
		}
		if x.Data != TCP(sl.dataFrom, sl.port) {
			t.Errorf("used by %s, want %s", x.Data, TCP(sl.dataFrom, sl.port))
		}
		if y := tr.ExpectationFor(outside, sl.port, cl.portAt); y == nil || y.ID != x.ID {
			t.Errorf("the outside PORT %s does not find the same expectation: %+v", sl.port, y)
		}
		if x.Created.IsZero() || x.Removed.Before(x.Created) {
			t.Errorf("created %v, removed %v", x.Created, x.Removed)
		}
		m := x.Model()
		if want := labServer + " → " + sl.port.String(); m.Tuple != want {
			t.Errorf("model tuple %q, want %q", m.Tuple, want)
		}
		t.Logf("control %s helper %q; expectation %s nat_to %s %s after %v",
			e.Orig, e.Helper, m.Tuple, m.NATTo, m.Outcome, x.Removed.Sub(x.Created))
	})

	t.Run("passive", func(t *testing.T) {
		l := buildLab(t, "p", nftHelper)
		tr, save := watchGateway(t, l, record)
		cl, sl := transfer(t, l, true)
		if !cl.gotData || cl.final != 226 || cl.received != 20*len(labPayload) {
			t.Fatalf("transfer: data %v, %d bytes, final %d", cl.gotData, cl.received, cl.final)
		}
		inside := TCP(cl.control, netip.MustParseAddrPort(labServer+":21"))
		var x *Expectation
		ok := waitFor(func() bool {
			x = tr.ExpectationFor(inside, cl.announced, cl.portAt)
			return x != nil && x.Outcome != model.ExpectationPending
		})
		save(cl, sl)
		if !ok || x == nil {
			t.Fatalf("no settled expectation for 227 %s: %+v", cl.announced, tr.Expectations(inside))
		}
		// The server is not translated: the 227 crosses unchanged, and the
		// expectation sends the client's connection where it says.
		if x.Outcome != model.ExpectationUsed || x.Tuple.Dst != sl.pasv || x.NATTo != sl.pasv ||
			x.Data != TCP(cl.dataLocal, sl.pasv) || x.Tuple.Src.Addr() != cl.dataLocal.Addr() {
			t.Errorf("expectation %s NAT to %s, %q by %s; want %s, used by %s",
				x.Tuple, x.NATTo, x.Outcome, x.Data, sl.pasv, TCP(cl.dataLocal, sl.pasv))
		}
		t.Logf("227 %s: expectation %s nat_to %s %s", cl.announced, x.Model().Tuple, x.Model().NATTo, x.Outcome)
	})

	t.Run("dropped", func(t *testing.T) {
		l := buildLab(t, "d", nftHelper, nftDropData)
		tr, save := watchGateway(t, l, record)
		cl, sl := transfer(t, l, false)
		if cl.gotData {
			t.Fatal("the data connection came through the drop rule")
		}
		inside := TCP(cl.control, netip.MustParseAddrPort(labServer+":21"))
		var x *Expectation
		ok := waitFor(func() bool {
			x = tr.ExpectationFor(inside, cl.announced, cl.portAt)
			return x != nil && x.Outcome != model.ExpectationPending
		})
		save(cl, sl)
		if !ok || x == nil {
			t.Fatalf("no settled expectation for PORT %s: %+v", cl.announced, tr.Expectations(inside))
		}
		// The server's SYN matched it and took it; the firewall dropped the
		// SYN before the kernel confirmed the connection.
		if x.Outcome != model.ExpectationDeleted || x.Removed.IsZero() || x.Data.IsValid() {
			t.Errorf("outcome %q removed %v data %s; want deleted, removed, no data", x.Outcome, x.Removed, x.Data)
		}
	})

	t.Run("no-helper", func(t *testing.T) {
		l := buildLab(t, "n")
		tr, save := watchGateway(t, l, record)
		cl, sl := transfer(t, l, false)
		if cl.gotData || sl.port != cl.announced {
			t.Fatalf("without the helper PORT went %s → %s and data came: %v", cl.announced, sl.port, cl.gotData)
		}
		inside := TCP(cl.control, netip.MustParseAddrPort(labServer+":21"))
		var e *Entry
		waitFor(func() bool { e = tr.Control(inside); return e != nil })
		save(cl, sl)
		if e == nil {
			t.Fatalf("no conntrack entry for %s", inside)
		}
		if e.Helper != "" || e.Model().Helper != nil {
			t.Errorf("helper %q, want none", e.Helper)
		}
		if xs := tr.Expectations(inside); len(xs) != 0 {
			t.Errorf("expectations without a helper: %+v", xs)
		}
	})
}

// TestOpenUnavailable: without CAP_NET_ADMIN over the namespace, Open says
// conntrack is unavailable and why. As root it checks that from a child
// process in a user namespace of its own: root's files are its own there,
// but its capabilities stop at that namespace, which owns no network.
func TestOpenUnavailable(t *testing.T) {
	if os.Getenv("FTPSCOPE_CT_UNPRIVILEGED") != "" || os.Geteuid() != 0 {
		w, err := Open(WatchOptions{})
		if err == nil {
			w.close()
			t.Fatal("Open succeeded without CAP_NET_ADMIN")
		}
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "CAP_NET_ADMIN") {
			t.Fatalf("Open: %v; want ErrUnavailable naming CAP_NET_ADMIN", err)
		}
		t.Logf("Open: %v", err)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestOpenUnavailable$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "FTPSCOPE_CT_UNPRIVILEGED=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("no user namespaces here: %v", err)
	}
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
}
