package decode

import (
	"bytes"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// decodeAll decodes a capture's packets into frames, each packet's bytes
// copied out of the reader's buffer, as the analysis' read-ahead does.
func decodeAll(t testing.TB, pcap []byte) []Frame {
	t.Helper()
	f, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	dec := New()
	var frames []Frame
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		p.Data = bytes.Clone(p.Data)
		frames = append(frames, Frame{Packet: p})
		dec.Decode(&frames[len(frames)-1])
	}
	return frames
}

// BenchmarkDecodeFragments measures the fragment path: a 2,000-byte
// segment in two IPv4 fragments, held then reassembled (the copies are
// this path's allocations; unfragmented packets are BenchmarkDecode's).
func BenchmarkDecodeFragments(b *testing.B) {
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2)
	k.SendFragmented(true, make([]byte, 2000), 1480)
	frames := decodeAll(b, c.Bytes())[:2]
	d := New()
	var s Segment
	b.SetBytes(int64(len(frames[0].Packet.Data) + len(frames[1].Packet.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if d.DecodePacket(&frames[0].Packet, &s) != Fragment || d.DecodePacket(&frames[1].Packet, &s) != Reassembled {
			b.Fatal("not reassembled")
		}
	}
}
