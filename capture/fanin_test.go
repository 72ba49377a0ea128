package capture

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// fakeLive is a live-like source: it yields n packets (a reused buffer, as
// zero-copy readers do), pausing every so often with ErrTimeout, then err.
type fakeLive struct {
	info   Info
	index  int
	n      int
	sent   int
	pause  int // ErrTimeout after every pause packets (0: never)
	delay  time.Duration
	err    error
	buf    []byte
	closed atomic.Bool
}

func newFake(index, n int, err error) *fakeLive {
	return &fakeLive{info: Info{Label: "f", Kind: "live", Interfaces: map[int]string{0: "f"}}, index: index, n: n, err: err, buf: make([]byte, 64)}
}

func (f *fakeLive) Next() (Packet, error) {
	if f.closed.Load() {
		return Packet{}, io.EOF
	}
	if f.sent >= f.n {
		if f.err == nil {
			time.Sleep(20 * time.Millisecond)
			return Packet{}, ErrTimeout
		}
		return Packet{}, f.err
	}
	if f.pause > 0 && f.sent > 0 && f.sent%f.pause == 0 && f.delay > 0 {
		f.delay, f.pause = 0, 0
		time.Sleep(30 * time.Millisecond)
		return Packet{}, ErrTimeout
	}
	f.sent++
	// the same buffer every time: the fan-in must copy
	for i := range f.buf {
		f.buf[i] = byte(f.index*16 + f.sent%16)
	}
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(int64(f.sent), 0), CaptureLength: len(f.buf), Length: len(f.buf)}
	f.info.count(&ci, layers.LinkTypeEthernet)
	return Packet{Data: f.buf, Info: ci, LinkType: layers.LinkTypeEthernet, Source: f.index, Frame: uint64(f.sent)}, nil
}

func (f *fakeLive) Info() *Info  { return &f.info }
func (f *fakeLive) Close() error { f.closed.Store(true); return nil }

func TestFanInDeliversEverySourceInOrder(t *testing.T) {
	a, b := newFake(0, 5000, io.EOF), newFake(1, 3000, io.EOF)
	a.pause, a.delay = 100, time.Millisecond
	fan := NewFanIn([]Source{a, b})
	defer fan.Close()
	next := map[int]uint64{0: 1, 1: 1}
	for {
		p, err := fan.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Frame != next[p.Source] {
			t.Fatalf("source %d: frame %d, want %d", p.Source, p.Frame, next[p.Source])
		}
		want := bytes.Repeat([]byte{byte(p.Source*16 + int(p.Frame)%16)}, 64)
		if !bytes.Equal(p.Data, want) {
			t.Fatalf("source %d frame %d: data not copied (%x)", p.Source, p.Frame, p.Data[:4])
		}
		next[p.Source]++
	}
	if next[0] != 5001 || next[1] != 3001 {
		t.Errorf("got %d and %d packets, want 5000 and 3000", next[0]-1, next[1]-1)
	}
}

func TestFanInErrorOnceThenOthers(t *testing.T) {
	boom := errors.New("boom")
	a, b := newFake(0, 10, boom), newFake(1, 1000, io.EOF)
	fan := NewFanIn([]Source{a, b})
	defer fan.Close()
	var n, errs int
	for {
		_, err := fan.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			if err != boom {
				t.Fatal(err)
			}
			errs++
			continue
		}
		n++
	}
	if n != 1010 || errs != 1 {
		t.Errorf("%d packets and %d errors, want 1010 and 1", n, errs)
	}
}

func TestFanInTimeoutAndStop(t *testing.T) {
	a, b := newFake(0, 3, nil), newFake(1, 0, nil) // quiet after 3 packets, never ending
	fan := NewFanIn([]Source{a, b})
	got := 0
	deadline := time.Now().Add(5 * time.Second)
	for got < 3 && time.Now().Before(deadline) {
		if _, err := fan.Next(); err == nil {
			got++
		}
	}
	start := time.Now()
	if _, err := fan.Next(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("idle fan-in: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 2*DefaultReadTimeout {
		t.Errorf("ErrTimeout after %v", d)
	}
	// Stop from another goroutine wakes a blocked Next (Ctrl-C path).
	done := make(chan error, 1)
	go func() {
		for {
			_, err := fan.Next()
			if !errors.Is(err, ErrTimeout) {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	stopped := time.Now()
	fan.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("Next after Close: %v, want io.EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Next still blocked 2s after Close")
	}
	if d := time.Since(stopped); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if !a.closed.Load() || !b.closed.Load() {
		t.Error("Close did not close the sources")
	}
}

// TestFanInBounded: a consumer that does not read leaves the readers
// blocked with a bounded number of batches queued.
func TestFanInBounded(t *testing.T) {
	a := newFake(0, 1<<30, io.EOF)
	fan := NewFanIn([]Source{a})
	time.Sleep(200 * time.Millisecond)
	queued := len(fan.out)
	fan.Close()
	read := a.sent // the reader has stopped
	if queued > fanInQueue {
		t.Errorf("%d batches queued, cap %d", queued, fanInQueue)
	}
	if max := (fanInQueue + 2) * fanInBatchPackets; read > max {
		t.Errorf("reader went %d packets ahead of the consumer, at most %d expected", read, max)
	}
}

func TestCounter32Wraps(t *testing.T) {
	var c counter32
	c.update(4294967000)
	if got := c.update(100); got != 4294967396 {
		t.Errorf("after wrap: %d", got)
	}
}

func TestIsPermission(t *testing.T) {
	for _, msg := range []string{"Permission Denied", "socket: Operation not permitted", "You don't have permission to capture on that device"} {
		if !isPermission(errors.New(msg)) {
			t.Errorf("%q not seen as a permission error", msg)
		}
	}
	if isPermission(errors.New("no such interface")) {
		t.Error("no such interface seen as a permission error")
	}
}
