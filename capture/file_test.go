package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

func threePackets() []byte {
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2)
	k.Open()
	return c.Bytes()
}

func readAll(t *testing.T, data []byte) ([]Packet, *File, error) {
	t.Helper()
	f, err := OpenReader("t", "test", io.NopCloser(bytes.NewReader(data)), 0)
	if err != nil {
		return nil, nil, err
	}
	var ps []Packet
	for {
		p, err := f.Next()
		if err == io.EOF {
			return ps, f, nil
		}
		if err != nil {
			return ps, f, err
		}
		p.Data = bytes.Clone(p.Data)
		ps = append(ps, p)
	}
}

func TestFormatsByContent(t *testing.T) {
	plain := threePackets()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	ng := pcapngOf(t, plain)
	for name, data := range map[string][]byte{"pcap (ns)": plain, "pcap.gz": gz.Bytes(), "pcapng": ng} {
		ps, f, err := readAll(t, data)
		if err != nil || len(ps) != 3 {
			t.Errorf("%s: %d packets, %v", name, len(ps), err)
			continue
		}
		if ps[0].Frame != 1 || ps[2].Frame != 3 || ps[0].LinkType != layers.LinkTypeEthernet {
			t.Errorf("%s: frames %d..%d, link %v", name, ps[0].Frame, ps[2].Frame, ps[0].LinkType)
		}
		if f.Info().Packets != 3 || f.Info().LinkTypeNames() != "EN10MB" {
			t.Errorf("%s: info %+v", name, f.Info())
		}
	}
}

// pcapngOf rewrites a pcap as pcapng with one Ethernet interface.
func pcapngOf(t *testing.T, pcap []byte) []byte {
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func TestMixedLinkTypesYieldEveryPacket(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	sll, err := w.AddInterface(pcapgo.NgInterface{Name: "any", LinkType: layers.LinkTypeLinuxSLL2})
	if err != nil {
		t.Fatal(err)
	}
	eth := threePackets()
	r, _ := pcapgo.NewReader(bytes.NewReader(eth))
	data, ci, _ := r.ReadPacketData()
	w.WritePacket(ci, data)
	// a Linux cooked v2 frame: protocol IPv4, ifindex 3, then the same IP packet
	sll2 := append([]byte{0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, data[14:]...)
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ci.Timestamp.Add(time.Millisecond), CaptureLength: len(sll2), Length: len(sll2), InterfaceIndex: sll}, sll2)
	w.Flush()
	ps, f, err := readAll(t, buf.Bytes())
	if err != nil || len(ps) != 2 {
		t.Fatalf("%d packets, %v", len(ps), err)
	}
	if ps[1].LinkType != layers.LinkTypeLinuxSLL2 || ps[1].Info.InterfaceIndex != 1 {
		t.Errorf("second packet: link %v interface %d", ps[1].LinkType, ps[1].Info.InterfaceIndex)
	}
	if got := f.Info().LinkTypeNames(); got != "EN10MB,LINUX_SLL2" {
		t.Errorf("link types %q", got)
	}
	if f.Info().Interfaces[1] != "any" {
		t.Errorf("interfaces %v", f.Info().Interfaces)
	}
}

func TestTruncatedFileKeepsWhatWasRead(t *testing.T) {
	data := threePackets()
	cut := data[:len(data)-10] // in the middle of the last record
	ps, _, err := readAll(t, cut)
	var re *ReadError
	if len(ps) != 2 || !errors.As(err, &re) {
		t.Fatalf("%d packets, error %v", len(ps), err)
	}
	if !strings.HasPrefix(re.Error(), "truncated packet record at offset ") || re.Packets != 2 {
		t.Errorf("error %q, packets %d", re.Error(), re.Packets)
	}
	// offset of the third record: 24-byte header + two records
	want := int64(24)
	r, _ := pcapgo.NewReader(bytes.NewReader(data))
	for i := 0; i < 2; i++ {
		_, ci, _ := r.ReadPacketData()
		want += 16 + int64(ci.CaptureLength)
	}
	if re.Offset != want {
		t.Errorf("offset %d, want %d", re.Offset, want)
	}
}

func TestNotACapture(t *testing.T) {
	for name, data := range map[string][]byte{"empty": nil, "short": []byte("ab"), "text": []byte("hello world, not a pcap")} {
		if _, _, err := readAll(t, data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMergeOrdersByTime(t *testing.T) {
	a := pcaptest.New()
	b := pcaptest.New()
	b.Now = b.Now.Add(50 * time.Microsecond) // interleave with a
	a.Conn("192.168.1.10:1", "203.0.113.20:21", 1, 2).Open()
	b.Conn("203.0.113.1:1", "203.0.113.20:21", 1, 2).Open()
	fa, _ := OpenReader("inside", "a", io.NopCloser(bytes.NewReader(a.Bytes())), 0)
	fb, _ := OpenReader("outside", "b", io.NopCloser(bytes.NewReader(b.Bytes())), 1)
	m := NewMerge([]Source{fa, fb})
	var order []int
	var last time.Time
	for {
		p, err := m.Next()
		if err != nil {
			break
		}
		if p.Info.Timestamp.Before(last) {
			t.Fatalf("out of order at %v", p.Info.Timestamp)
		}
		last = p.Info.Timestamp
		order = append(order, p.Source)
	}
	if len(order) != 6 || order[0] != 0 || order[1] != 1 {
		t.Fatalf("order %v", order)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1022: "1,022", 1234567: "1,234,567"} {
		if got := textfmt.Thousands(int64(n)); got != want {
			t.Errorf("textfmt.Thousands(int64(%d)) = %q", n, got)
		}
	}
}

// TestLateInterfaceBlockKeepsVantages: an interface block that comes after
// packets of the first interface does not rename that interface's later
// packets (one vantage point stays one).
func TestLateInterfaceBlockKeepsVantages(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "inside", LinkType: layers.LinkTypeEthernet}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := pcapgo.NewReader(bytes.NewReader(threePackets()))
	data, ci, _ := r.ReadPacketData()
	w.WritePacket(ci, data)
	second, err := w.AddInterface(pcapgo.NgInterface{Name: "outside", LinkType: layers.LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	ci.InterfaceIndex = second
	w.WritePacket(ci, data)
	ci.InterfaceIndex = 0
	w.WritePacket(ci, data)
	w.Flush()
	ps, _, err := readAll(t, buf.Bytes())
	if err != nil || len(ps) != 3 {
		t.Fatalf("%d packets, %v", len(ps), err)
	}
	if ps[0].Interface != ps[2].Interface || ps[1].Interface != "outside" || ps[0].Interface == ps[1].Interface {
		t.Errorf("interfaces %q %q %q: the first interface's packets must keep one name, apart from the second's", ps[0].Interface, ps[1].Interface, ps[2].Interface)
	}
}
