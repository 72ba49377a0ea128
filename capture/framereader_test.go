package capture

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// sequential reads every frame of a file in order.
func sequential(t *testing.T, path string) []Packet {
	t.Helper()
	f, err := OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Packet
	for {
		p, err := f.Next()
		if err != nil {
			return out
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}

// checkEveryFrame reads every frame back by number, in an order that
// jumps across checkpoints, and compares it with the sequential read.
func checkEveryFrame(t *testing.T, path string) int {
	t.Helper()
	want := sequential(t, path)
	if len(want) == 0 {
		t.Fatalf("%s: no frame", path)
	}
	r := NewFrameReader("x", path)
	for i := range want {
		n := uint64(len(want) - i) // backwards
		if i%2 == 1 {
			n = uint64(i) // and forwards, interleaved
		}
		// The reading of the whole file names a vantage point at its
		// interface's first packet (a file's only interface has none); read
		// back from a checkpoint, the frame names its interface block, and
		// must agree where the first reading named one.
		got, err := r.Frame(n)
		w := want[n-1]
		if err != nil {
			t.Fatalf("%s: frame %d: %v", path, n, err)
		}
		if got.Frame != n || !bytes.Equal(got.Data, w.Data) || !got.Info.Timestamp.Equal(w.Info.Timestamp) ||
			got.LinkType != w.LinkType || (w.Interface != "" && got.Interface != w.Interface) || got.Info.Length != w.Info.Length {
			t.Fatalf("%s: frame %d read back differs: %d bytes %v %v %q, want %d bytes %v %v %q", path, n,
				len(got.Data), got.Info.Timestamp, got.LinkType, got.Interface, len(w.Data), w.Info.Timestamp, w.LinkType, w.Interface)
		}
	}
	if _, err := r.Frame(uint64(len(want) + 1)); err == nil {
		t.Errorf("%s: a frame after the last one", path)
	}
	if _, err := r.Frame(0); err == nil {
		t.Errorf("%s: frame 0", path)
	}
	if r.Frames() != uint64(len(want)) && !r.gz {
		t.Errorf("%s: %d frames indexed, %d read", path, r.Frames(), len(want))
	}
	return len(want)
}

func TestFrameReaderSamples(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/gateway.pcap")
	files = append(files, "../samples/captures/baseline/client.pcap")
	for _, f := range files {
		checkEveryFrame(t, f)
	}
}

// TestFrameReaderPcapng: a pcapng file of two sections, the second in the
// other byte order, with an interface declared after packets of the
// first, read back frame by frame; and the same file gzip-compressed.
func TestFrameReaderPcapng(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	write := func(w *pcapgo.NgWriter, iface, n int) {
		for i := 0; i < n; i++ {
			data := bytes.Repeat([]byte{byte(i), byte(iface)}, 30+i%50)
			ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(buf.Len()) * time.Microsecond), CaptureLength: len(data), Length: len(data) + 4, InterfaceIndex: iface}
			if err := w.WritePacket(ci, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	write(w, 0, 100)
	id, err := w.AddInterface(pcapgo.NgInterface{Name: "lo", LinkType: layers.LinkTypeRaw, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	write(w, id, 70)
	write(w, 0, 5)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	first := buf.Bytes()
	// A second section, big-endian, written by hand: a header block, an
	// interface block and three enhanced packet blocks.
	second := bigEndianSection(t, 3)
	path := filepath.Join(dir, "two-sections.pcapng")
	if err := os.WriteFile(path, append(append([]byte(nil), first...), second...), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := checkEveryFrame(t, path); n != 100+70+5+3 {
		t.Errorf("%d frames in the two sections, want %d", n, 100+70+5+3)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(first)
	zw.Close()
	gzPath := filepath.Join(dir, "one.pcapng.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := checkEveryFrame(t, gzPath); n != 100+70+5 {
		t.Errorf("%d frames in the compressed file, want %d", n, 100+70+5)
	}
}

// bigEndianSection is a pcapng section in big-endian byte order with n
// enhanced packet blocks on one raw-IP interface.
func bigEndianSection(t *testing.T, n int) []byte {
	var b bytes.Buffer
	put32 := func(v uint32) { b.Write([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}) }
	put16 := func(v uint16) { b.Write([]byte{byte(v >> 8), byte(v)}) }
	// section header: type, length 28, magic, version 1.0, length -1
	put32(0x0A0D0D0A)
	put32(28)
	put32(0x1A2B3C4D)
	put16(1)
	put16(0)
	put32(0xffffffff)
	put32(0xffffffff)
	put32(28)
	// interface: raw IPv4 (101), snaplen 65535
	put32(1)
	put32(20)
	put16(101)
	put16(0)
	put32(65535)
	put32(20)
	for i := 0; i < n; i++ {
		data := []byte(fmt.Sprintf("be-packet-%d", i)) // 11 bytes, padded to 12
		put32(6)
		put32(uint32(32 + 12))
		put32(0)
		ts := uint64(time.Date(2026, 12, 2, 0, 0, i, 0, time.UTC).UnixMicro())
		put32(uint32(ts >> 32))
		put32(uint32(ts))
		put32(uint32(len(data)))
		put32(uint32(len(data)))
		b.Write(data)
		b.WriteByte(0)
		put32(uint32(32 + 12))
	}
	return b.Bytes()
}

// TestFrameReaderDamaged: the frames before a cut stay readable; those
// after it are refused, never made up.
func TestFrameReaderDamaged(t *testing.T) {
	src, err := os.ReadFile("../samples/captures/active-nohelper/client.pcap")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, src[:len(src)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	want := sequential(t, path)
	r := NewFrameReader("cut", path)
	last, err := r.Frame(uint64(len(want)))
	if err != nil || !bytes.Equal(last.Data, want[len(want)-1].Data) {
		t.Fatalf("the last whole frame: %v", err)
	}
	if _, err := r.Frame(uint64(len(want) + 1)); err == nil {
		t.Error("a frame past the cut was read")
	}
	if _, err := NewFrameReader("x", "/nonexistent/file.pcap").Frame(1); err == nil {
		t.Error("a missing file gave a frame")
	}
	if err := os.WriteFile(path, []byte("not a capture at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFrameReader("x", path).Frame(1); err == nil {
		t.Error("a file that is no capture gave a frame")
	}
}
