package capture

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// fakeHandle is a capture library that yields n packets, then times out;
// its kernel drops grow by 10 at every reading.
type fakeHandle struct {
	n, reads int
	drops    uint64
	closed   bool
}

func (f *fakeHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	if f.closed {
		return nil, gopacket.CaptureInfo{}, io.EOF
	}
	if f.reads >= f.n {
		time.Sleep(time.Millisecond)
		return nil, gopacket.CaptureInfo{}, ErrTimeout
	}
	f.reads++
	return []byte{1, 2, 3}, gopacket.CaptureInfo{Timestamp: time.Now(), CaptureLength: 3, Length: 3, InterfaceIndex: 7}, nil
}

func (f *fakeHandle) stats() (KernelStats, error) {
	f.drops += 10
	return KernelStats{Received: uint64(f.reads) + f.drops, Dropped: f.drops}, nil
}

func (f *fakeHandle) close() { f.closed = true }

func TestLiveCountersAndDropSpans(t *testing.T) {
	h := &fakeHandle{n: 5}
	l := newLive(LiveConfig{Interface: "eth9", Label: "gw", Index: 2}, h, layers.LinkTypeEthernet)
	for i := 1; i <= 5; i++ {
		p, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		if p.Frame != uint64(i) || p.Source != 2 || p.Info.InterfaceIndex != 0 || p.LinkType != layers.LinkTypeEthernet {
			t.Fatalf("packet %d: %+v", i, p)
		}
	}
	if _, err := l.Next(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("idle: %v", err)
	}
	before := time.Now()
	if err := l.UpdateStats(); err != nil {
		t.Fatal(err)
	}
	if st := l.KernelStats(); st.Dropped != 10 || st.Received != 15 || l.Info().Dropped != 10 || l.Info().Received != 15 {
		t.Errorf("after one reading: %+v, info %d/%d", st, l.Info().Received, l.Info().Dropped)
	}
	l.UpdateStats()
	spans := l.DropSpans()
	if len(spans) != 2 || spans[0].Count != 10 || spans[1].Count != 10 || spans[1].To.Before(before) || spans[1].From != spans[0].To {
		t.Errorf("drop spans %+v", spans)
	}
	l.Close()
	if !h.closed || l.Info().Dropped != 30 {
		t.Errorf("Close: closed %v, dropped %d (a last reading expected)", h.closed, l.Info().Dropped)
	}
	if _, err := l.Next(); err != io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
	if st, ok := KernelStatsOf(l); !ok || st.Dropped != 30 {
		t.Errorf("KernelStatsOf: %+v %v", st, ok)
	}
}
