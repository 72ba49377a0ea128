package decode

import (
	"errors"
	"io"
	"net/netip"
	"reflect"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/internal/testcorpus"
)

// checkFastPath fails t when the fast path reads p and the parser reads it
// otherwise. It reports whether the fast path took the frame.
func checkFastPath(t *testing.T, d *Decoder, p *capture.Packet) bool {
	t.Helper()
	var fast, slow Segment
	if !decodeFast(p, &fast) {
		if !reflect.DeepEqual(fast, Segment{}) {
			t.Fatalf("% x: the fast path declined the frame but wrote %+v", p.Data, fast)
		}
		return false
	}
	if r := d.decodeLayers(p, &slow); r != TCP {
		t.Fatalf("% x: the fast path read a TCP segment, the parser result %d", p.Data, r)
	}
	// The payloads must be the same bytes, not only equal ones.
	samePayload := len(fast.Payload) == len(slow.Payload) &&
		(len(fast.Payload) == 0 || &fast.Payload[0] == &slow.Payload[0])
	fp, sp := fast.Payload, slow.Payload
	fast.Payload, slow.Payload = nil, nil
	if !reflect.DeepEqual(fast, slow) || !samePayload {
		t.Fatalf("% x:\nfast path %+v payload % x\nparser    %+v payload % x", p.Data, fast, fp, slow, sp)
	}
	return true
}

func ethernetPacket(frame []byte) capture.Packet {
	return capture.Packet{Data: frame, LinkType: layers.LinkTypeEthernet,
		Info: gopacket.CaptureInfo{CaptureLength: len(frame), Length: len(frame)}}
}

// Every packet of the lab captures and of the corpus decodes the same on
// both paths.
func TestFastPathMatchesParser(t *testing.T) {
	files := testcorpus.Captures(1 << 30)
	if len(files) == 0 {
		t.Skip("no captures found")
	}
	d := New()
	var packets, fast int
	for _, path := range files {
		f, err := capture.OpenFile("", path, 0)
		if err != nil {
			continue // the corpus keeps a few captures no reader opens, on purpose
		}
		for {
			p, err := f.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: %v", path, err)
				}
				break
			}
			packets++
			if checkFastPath(t, d, &p) {
				fast++
			}
		}
		f.Close()
	}
	t.Logf("%d captures, %d packets, %d on the fast path", len(files), packets, fast)
	if fast == 0 {
		t.Fatal("no packet took the fast path")
	}
}

// Each header byte the fast path reads, changed, and each length the frame
// can be cut to: the fast path either declines or reads as the parser.
func TestFastPathEdges(t *testing.T) {
	d := New()
	for _, c := range []struct {
		name     string
		src, dst netip.AddrPort
		header   int // bytes of Ethernet, IP and TCP headers the fast path reads
	}{
		// IP 192.0.2.10.40000 > 198.51.100.20.21: Flags [P.], seq 1:11, ack 1, win 502, options [nop,nop,TS val … ecr …], length 10: FTP: USER anon
		{"IPv4", netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.20:21"), ethHeaderLen + ip4HeaderLen + 20},
		// IP6 2001:db8::10.40000 > 2001:db8::20.21: Flags [P.], seq 1:11, ack 1, win 502, options [nop,nop,TS val … ecr …], length 10: FTP: USER anon
		{"IPv6", netip.MustParseAddrPort("[2001:db8::10]:40000"), netip.MustParseAddrPort("[2001:db8::20]:21"), ethHeaderLen + ip6HeaderLen + 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			frame := pcaptest.LinuxFrame(t, c.src, c.dst, 1, 1, "P.", []byte("USER anon\n"))
			p := ethernetPacket(frame)
			if !checkFastPath(t, d, &p) {
				t.Fatal("a plain Ethernet/IP/TCP frame missed the fast path")
			}
			for n := 0; n <= len(frame); n++ {
				p := ethernetPacket(frame[:n])
				checkFastPath(t, d, &p)
			}
			// Ethernet padding after the IP packet: dropped from the payload.
			padded := ethernetPacket(append(append([]byte(nil), frame...), 0, 0, 0, 0))
			checkFastPath(t, d, &padded)
			for i := 0; i < c.header; i++ {
				for _, v := range []byte{0, 1, 4, 5, 0x06, 0x08, 0x11, 0x20, 0x28, 0x2c, 0x3a, 0x40, 0x45, 0x46, 0x50, 0x60, 0x86, 0xdd, 0xf0, 0xff, frame[i] ^ 1} {
					mutated := append([]byte(nil), frame...)
					mutated[i] = v
					p := ethernetPacket(mutated)
					checkFastPath(t, d, &p)
				}
			}
			// Other link types never take the fast path.
			p = ethernetPacket(frame)
			p.LinkType = layers.LinkTypeLinuxSLL
			if checkFastPath(t, d, &p) {
				t.Fatal("a Linux cooked frame took the Ethernet fast path")
			}
		})
	}
}

func FuzzFastPath(f *testing.F) {
	src := netip.MustParseAddrPort("192.0.2.10:40000")
	dst := netip.MustParseAddrPort("198.51.100.20:21")
	f.Add(pcaptest.LinuxFrame(f, src, dst, 1, 1, "P.", []byte("USER anon\n")))
	f.Add(pcaptest.LinuxFrame(f, src, dst, 1, 0, "S", nil))
	f.Add(pcaptest.LinuxFrame(f, netip.MustParseAddrPort("[2001:db8::10]:40000"), netip.MustParseAddrPort("[2001:db8::20]:21"), 1, 1, "P.", []byte("EPSV\r\n")))
	d := New()
	f.Fuzz(func(t *testing.T, frame []byte) {
		p := ethernetPacket(frame)
		checkFastPath(t, d, &p)
	})
}
