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

// streamHandle yields packets forever, one microsecond apart.
type streamHandle struct {
	ts   time.Time
	data []byte
}

func (s *streamHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	s.ts = s.ts.Add(time.Microsecond)
	return s.data, gopacket.CaptureInfo{Timestamp: s.ts, CaptureLength: len(s.data), Length: len(s.data)}, nil
}

func (s *streamHandle) stats() (KernelStats, error) { return KernelStats{}, nil }
func (s *streamHandle) close()                      {}

// BenchmarkLiveNext is the per-packet cost of a live source around the
// capture library: counters, the kernel statistics schedule.
func BenchmarkLiveNext(b *testing.B) {
	l := newLive(LiveConfig{Interface: "eth0"}, &streamHandle{ts: time.Now(), data: make([]byte, 64)}, layers.LinkTypeEthernet)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := l.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// flowHandle yields packets stamped with the wall clock, never a timeout,
// and counts its statistics readings.
type flowHandle struct {
	reads, statReads int
}

func (f *flowHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	f.reads++
	return []byte{1, 2, 3, 4}, gopacket.CaptureInfo{Timestamp: time.Now(), CaptureLength: 4, Length: 4}, nil
}

func (f *flowHandle) stats() (KernelStats, error) {
	f.statReads++
	return KernelStats{Received: uint64(f.reads)}, nil
}

func (f *flowHandle) close() {}

// While packets flow without a pause, other goroutines see the packets
// read (at most 100 ms old) and the kernel's counters (read every second),
// whatever the packet rate.
func TestLiveCountersWhilePacketsFlow(t *testing.T) {
	h := &flowHandle{}
	l := newLive(LiveConfig{Interface: "eth0"}, h, layers.LinkTypeEthernet)
	start := time.Now()
	for time.Since(start) < 1300*time.Millisecond {
		if _, err := l.Next(); err != nil {
			t.Fatal(err)
		}
		if h.reads%1000 == 0 {
			time.Sleep(time.Millisecond) // a few thousand packets a second
		}
	}
	st := l.KernelStats()
	read := l.Info().Packets
	if st.Captured == 0 || st.Captured > read || st.CapturedBytes != 4*st.Captured {
		t.Errorf("captured %d (%d bytes) of %d read", st.Captured, st.CapturedBytes, read)
	}
	if h.statReads == 0 || st.Received == 0 {
		t.Errorf("the kernel's counters were not read while packets flowed (%d readings, received %d)", h.statReads, st.Received)
	}
	l.UpdateStats()
	if st := l.KernelStats(); st.Captured != read {
		t.Errorf("after UpdateStats: captured %d, read %d", st.Captured, read)
	}
}
