package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestLiveCapture captures on the loopback interface of a network namespace
// it creates (fs-live-t<pid>), where nothing else talks. It needs root and
// "ip netns add": without them it skips, unless FTPSCOPE_LAB=1 (make e2e),
// which makes it fail. The checks run in a child test process started
// inside the namespace (TestLiveInNamespace).
func TestLiveCapture(t *testing.T) {
	ns := "fs-live-t" + strconv.Itoa(os.Getpid())
	if err := makeNetns(ns); err != nil {
		if os.Getenv("FTPSCOPE_LAB") != "" {
			t.Fatalf("FTPSCOPE_LAB is set but no network namespace could be made: %v", err)
		}
		t.Skipf("live capture needs root and network namespaces (%v); FTPSCOPE_LAB=1 makes this a failure", err)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	args := []string{"netns", "exec", ns, os.Args[0], "-test.run", "^TestLiveInNamespace$", "-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command("ip", args...)
	cmd.Env = append(os.Environ(), "FTPSCOPE_LIVE_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("in namespace %s (%s):\n%s", ns, LiveBackend, out)
	if err != nil {
		t.Fatalf("live capture checks failed: %v", err)
	}
}

func makeNetns(ns string) error {
	if os.Geteuid() != 0 {
		return errors.New("not root")
	}
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add: %v: %s", err, out)
	}
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		exec.Command("ip", "netns", "del", ns).Run()
		return fmt.Errorf("lo up: %v: %s", err, out)
	}
	return nil
}

// TestLiveInNamespace is the child of TestLiveCapture.
func TestLiveInNamespace(t *testing.T) {
	if os.Getenv("FTPSCOPE_LIVE_CHILD") == "" {
		t.Skip("run by TestLiveCapture inside a namespace")
	}
	t.Run("lo", testLiveLoopback)
	t.Run("any", testLiveAny)
	t.Run("close-wakes-next", testLiveClose)
	t.Run("fan-in", testLiveFanIn)
	t.Run("errors", testLiveErrors)
}

// talk opens a TCP connection on 127.0.0.1, exchanges n lines and closes
// it; it returns the server's port.
func talk(t *testing.T, n int) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for i := 0; i < n; i++ {
		fmt.Fprintf(c, "line %d\r\n", i)
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// drain reads src until it has been idle for a while; it returns the TCP
// packets of port, decoded, and checks the frame numbers.
func drain(t *testing.T, src Source, port uint16) (tcp []layers.TCP, sll2 []layers.LinuxSLL2) {
	t.Helper()
	idle := 0
	var frame uint64
	for idle < 3 {
		p, err := src.Next()
		if errors.Is(err, ErrTimeout) {
			idle++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		idle = 0
		frame++
		if p.Frame != frame {
			t.Fatalf("frame %d, want %d", p.Frame, frame)
		}
		pkt := gopacket.NewPacket(p.Data, p.LinkType, gopacket.Default)
		l, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || (uint16(l.SrcPort) != port && uint16(l.DstPort) != port) {
			continue
		}
		tcp = append(tcp, *l)
		if s, ok := pkt.Layer(layers.LayerTypeLinuxSLL2).(*layers.LinuxSLL2); ok {
			sll2 = append(sll2, *s)
		}
	}
	return tcp, sll2
}

func syns(tcp []layers.TCP) int {
	n := 0
	for _, l := range tcp {
		if l.SYN && !l.ACK {
			n++
		}
	}
	return n
}

func testLiveLoopback(t *testing.T) {
	l, err := OpenLive(LiveConfig{Interface: "lo"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if in := l.Info(); in.Kind != "live" || in.Label != "lo" || in.Interfaces[0] != "lo" {
		t.Errorf("info: %+v", in)
	}
	port := talk(t, 20)
	tcp, _ := drain(t, l, port)
	// 3 handshake + 20 × (line, echo, acks) + close: each seen once, not
	// twice as AF_PACKET shows loopback traffic.
	if n := syns(tcp); n != 1 {
		t.Errorf("%d SYNs, want 1 (loopback duplicates?)", n)
	}
	if len(tcp) < 40 || len(tcp) > 100 {
		t.Errorf("%d packets of the connection", len(tcp))
	}
	if err := l.UpdateStats(); err != nil {
		t.Fatal(err)
	}
	st := l.KernelStats()
	if st.Received < uint64(len(tcp)) || st.Dropped != 0 {
		t.Errorf("kernel stats %+v for %d packets", st, len(tcp))
	}
	if in := l.Info(); in.Received != st.Received || in.Packets < uint64(len(tcp)) {
		t.Errorf("info %d received, %d packets; kernel %+v", in.Received, in.Packets, st)
	}
	t.Logf("lo: %d packets of the connection, kernel %+v, link type %s", len(tcp), st, l.Info().LinkTypeNames())
}

func testLiveAny(t *testing.T) {
	cfg := LiveConfig{Interface: "any", Label: "gw"}
	if HaveLibpcap {
		cfg.Filter = "tcp"
	}
	l, err := OpenLive(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if lt := l.Info().LinkTypes; len(lt) != 1 || lt[0] != layers.LinkTypeLinuxSLL2 {
		t.Fatalf("link types %v, want LINUX_SLL2 (set before the filter)", lt)
	}
	port := talk(t, 10)
	tcp, sll := drain(t, l, port)
	if n := syns(tcp); n != 1 {
		t.Errorf("%d SYNs, want 1", n)
	}
	lo, _ := net.InterfaceByName("lo")
	for _, h := range sll {
		if int(h.InterfaceIndex) != lo.Index || h.ARPHardwareType != layers.ARPHardwareType(arphrdLoopbackType) || h.ProtocolType != layers.EthernetTypeIPv4 {
			t.Fatalf("cooked header: ifindex %d hatype %d proto %v, want %d %d IPv4", h.InterfaceIndex, h.ARPHardwareType, h.ProtocolType, lo.Index, arphrdLoopbackType)
		}
	}
	if len(sll) != len(tcp) || len(tcp) == 0 {
		t.Errorf("%d cooked headers for %d packets", len(sll), len(tcp))
	}
	t.Logf("any: %d packets, filter %q", len(tcp), cfg.Filter)
}

const arphrdLoopbackType = 772

func testLiveClose(t *testing.T) {
	l, err := OpenLive(LiveConfig{Interface: "lo"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := l.Next(); !errors.Is(err, ErrTimeout) {
		t.Errorf("idle Next: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 3*DefaultReadTimeout {
		t.Errorf("ErrTimeout after %v", d)
	}
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := l.Next(); !errors.Is(err, ErrTimeout) {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("Next after Close: %v, want io.EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Next not woken by Close")
	}
	l.Close() // twice is harmless
}

func testLiveFanIn(t *testing.T) {
	a, err := OpenLive(LiveConfig{Interface: "lo", Label: "a", Index: 0})
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenLive(LiveConfig{Interface: "any", Label: "b", Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	fan := NewFanIn([]Source{a, b})
	defer fan.Close()
	port := talk(t, 10)
	per := map[int]int{}
	idle := 0
	for idle < 3 {
		p, err := fan.Next()
		if errors.Is(err, ErrTimeout) {
			idle++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		idle = 0
		pkt := gopacket.NewPacket(p.Data, p.LinkType, gopacket.Default)
		if l, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); ok && (uint16(l.SrcPort) == port || uint16(l.DstPort) == port) {
			per[p.Source]++
		}
	}
	fan.Stop()
	if per[0] == 0 || per[0] != per[1] {
		t.Errorf("packets per source %v: want the same non-zero count from lo and any", per)
	}
	for _, s := range []*Live{a, b} {
		if s.Info().Packets == 0 {
			t.Errorf("%s: no packets counted", s.Info().Label)
		}
	}
}

func testLiveErrors(t *testing.T) {
	if _, err := OpenLive(LiveConfig{Interface: "nonexistent0"}); err == nil {
		t.Error("no error for a missing interface")
	}
	_, err := OpenLive(LiveConfig{Interface: "lo", Filter: "tcp port"})
	var fe *FilterError
	if !errors.As(err, &fe) {
		t.Errorf("bad filter: %v, want a FilterError", err)
	}
	if !HaveLibpcap && (err == nil || !strings.Contains(err.Error(), "built without it")) {
		t.Errorf("filter without libpcap: %v", err)
	}
	if HaveLibpcap {
		if _, err := OpenLive(LiveConfig{Interface: "lo", Filter: "tcp port 21"}); err != nil {
			t.Errorf("good filter: %v", err)
		}
	}
}
