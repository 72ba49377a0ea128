package ui

import (
	"fmt"
	"strings"
	"testing"
)

// TestWiresharkFilterInSessionHeader: the session header shows the
// Wireshark filter, both legs' for a NAT leg, and Y copies it whole.
func TestWiresharkFilterInSessionHeader(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			hs := startUI(t, size[0], size[1], sample("passive-nat", "gateway.pcap"))
			hs.waitFor("■ file · done")
			hs.keys("enter")
			txt := hs.waitFor(" wireshark (both NAT legs) (ip.addr==192.168.1.10 && tcp.port==53886", "Y copies")
			hs.dump(fmt.Sprintf("wireshark-%dx%d", size[0], size[1]), txt)
			p, ok := hs.u.model.Pair("s1")
			if !ok || p.WiresharkFilter == "" {
				t.Fatal("s1 has no NAT pair with a filter")
			}
			hs.keys("Y")
			if got := hs.waitClipboard("(ip.addr=="); got != p.WiresharkFilter {
				t.Errorf("Y copied %q, want the pair's filter %q", got, p.WiresharkFilter)
			}
			hs.waitFor("copied the Wireshark filter of s1 (both NAT legs)")
			if !strings.Contains(p.WiresharkFilter, "ip.addr==203.0.113.1 ") {
				t.Errorf("the pair's filter lacks the outside leg: %s", p.WiresharkFilter)
			}
			hs.quit(2)
		})
	}
}
