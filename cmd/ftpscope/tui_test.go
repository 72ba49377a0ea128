package main

import (
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
)

// counting is a live source whose counters the test sets.
type counting struct {
	info capture.Info
	st   capture.KernelStats
}

func (c *counting) Next() (capture.Packet, error)    { return capture.Packet{}, capture.ErrTimeout }
func (c *counting) Info() *capture.Info              { return &c.info }
func (c *counting) Close() error                     { return nil }
func (c *counting) KernelStats() capture.KernelStats { return c.st }
func (c *counting) UpdateStats() error               { return nil }
func (c *counting) DropSpans() []capture.DropSpan    { return nil }

// The header counts each live source: packets, their rate since the last
// reading and the kernel's drops, and the sums.
func TestLiveStatus(t *testing.T) {
	a := &counting{info: capture.Info{Label: "eth0", Kind: "live"}}
	b := &counting{info: capture.Info{Label: "eth1", Kind: "live"}}
	sources := []capture.Source{a, b}
	last := make([]uint64, 2)
	a.st = capture.KernelStats{Captured: 100, Dropped: 1}
	b.st = capture.KernelStats{Captured: 50}
	liveStatus("eth0,eth1", sources, last, time.Second)
	a.st.Captured, b.st.Captured, b.st.Dropped = 300, 60, 4
	st := liveStatus("eth0,eth1", sources, last, 2*time.Second)
	if st.Packets != 360 || st.Rate != 105 || st.Dropped != 5 || len(st.Sources) != 2 {
		t.Fatalf("status %+v", st)
	}
	if s := st.Sources[0]; s.Name != "eth0" || s.Packets != 300 || s.Rate != 100 || s.Dropped != 1 {
		t.Errorf("eth0: %+v", s)
	}
	if s := st.Sources[1]; s.Name != "eth1" || s.Packets != 60 || s.Rate != 5 || s.Dropped != 4 {
		t.Errorf("eth1: %+v", s)
	}
}
