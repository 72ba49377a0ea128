package capture

import (
	"bytes"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
)

func ringPacket(n int, size int) Packet {
	data := bytes.Repeat([]byte{byte(n), byte(n >> 8)}, size/2)
	return Packet{Data: data, Frame: uint64(n), Source: n % 2,
		Info: gopacket.CaptureInfo{Timestamp: time.Unix(int64(n), 0), CaptureLength: len(data), Length: len(data)}}
}

func TestFrameRingKeepsTheLatest(t *testing.T) {
	r := NewFrameRing(16, 1000)
	for n := 1; n <= 100; n++ {
		p := ringPacket(n, 60+n%7*10)
		r.Add(p)
	}
	// The latest are there, whole; the oldest are gone (by count and by
	// bytes: 16 frames of 60-120 bytes do not fit in 1000).
	kept := 0
	for n := 1; n <= 100; n++ {
		want := ringPacket(n, 60+n%7*10)
		got, err := r.Frame(n%2, uint64(n))
		if err != nil {
			if n >= 95 {
				t.Errorf("frame %d, among the latest, is gone: %v", n, err)
			}
			continue
		}
		kept++
		if !bytes.Equal(got.Data, want.Data) || !got.Info.Timestamp.Equal(want.Info.Timestamp) {
			t.Errorf("frame %d read back differs", n)
		}
	}
	if kept == 0 || kept > 16 {
		t.Errorf("%d frames kept, want 1-16", kept)
	}
	if _, err := r.Frame(0, 99); err == nil {
		t.Error("frame 99 found under the wrong source")
	}
	big := ringPacket(101, 400)
	r.Add(big)
	if _, err := r.Frame(1, 101); err == nil {
		t.Error("a packet larger than a quarter of the ring was kept")
	}
}

func TestFrameRingAddAllocatesNothing(t *testing.T) {
	r := NewFrameRing(64, 1<<16)
	p := ringPacket(3, 200)
	if n := testing.AllocsPerRun(1000, func() { p.Frame++; r.Add(p) }); n != 0 {
		t.Errorf("Add allocates %v times", n)
	}
}
