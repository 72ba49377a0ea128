package main

import (
	"errors"
	"fmt"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
)

// The terminal UI's frame view reads frames back: from the capture files
// by offset, or — live, or from standard input, which cannot be read again
// — from a ring of the latest control packets the analysis kept.

// Ring bounds: about the last minutes of a busy gateway's control traffic.
const (
	ringFrames = 8192
	ringBytes  = 8 << 20
)

// tuiFrames is the UI's ui.FrameSource.
type tuiFrames struct {
	files map[string]*capture.FrameReader // by source label
	ring  *capture.FrameRing
	index map[string]int // source label → index, for the ring
}

// newTUIFrames reads back the frames of sources; when some cannot be read
// again it makes the analysis keep their control packets (cfg's tap).
func newTUIFrames(o *options, labels []string, cfg *analysis.Config) *tuiFrames {
	f := &tuiFrames{files: map[string]*capture.FrameReader{}, index: map[string]int{}}
	for i, l := range labels {
		f.index[l] = i
	}
	needRing := len(o.ifaces) > 0
	for i, r := range o.reads {
		if r.name == "-" {
			needRing = true
			continue
		}
		if i < len(labels) {
			f.files[labels[i]] = capture.NewFrameReader(labels[i], r.name)
		}
	}
	if needRing {
		f.ring = capture.NewFrameRing(ringFrames, ringBytes)
		cfg.Dissect.ControlTap = f.ring.Add
	}
	return f
}

// Frame implements ui.FrameSource.
func (f *tuiFrames) Frame(source string, n uint64) (capture.Packet, error) {
	if r, ok := f.files[source]; ok {
		return r.Frame(n)
	}
	i, ok := f.index[source]
	if !ok {
		return capture.Packet{}, fmt.Errorf("no source %q", source)
	}
	if f.ring == nil {
		return capture.Packet{}, errors.New("this source cannot be read again")
	}
	return f.ring.Frame(i, n)
}
