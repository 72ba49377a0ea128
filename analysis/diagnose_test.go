package analysis

import (
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/model"
)

// fakeLive is a live source that dropped packets at given times.
type fakeLive struct {
	capture.Source
	spans []capture.DropSpan
}

func (f fakeLive) Info() *capture.Info              { return &capture.Info{Label: "eth0", Kind: "live"} }
func (f fakeLive) KernelStats() capture.KernelStats { return capture.KernelStats{} }
func (f fakeLive) UpdateStats() error               { return nil }
func (f fakeLive) DropSpans() []capture.DropSpan    { return f.spans }
func (f fakeLive) Next() (capture.Packet, error)    { return capture.Packet{}, nil }
func (f fakeLive) Close() error                     { return nil }

func TestDropsDuringASession(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	src := fakeLive{spans: []capture.DropSpan{{From: t0.Add(5 * time.Second), To: t0.Add(6 * time.Second), Count: 42}}}
	d := newDiagnoser(diagnose.Config{}, []capture.Source{src}, true, nil)
	during := &model.Session{ID: "s1", Source: "eth0", Start: model.At(t0), End: model.At(t0.Add(10 * time.Second))}
	before := &model.Session{ID: "s2", Source: "eth0", Start: model.At(t0), End: model.At(t0.Add(2 * time.Second))}
	if f, ok := d.droppedDuring(during); !ok || f.Rule != diagnose.RuleCaptureGap || f.Severity != model.Warning {
		t.Errorf("drops during s1: %v %+v", ok, f)
	}
	if _, ok := d.droppedDuring(before); ok {
		t.Error("drops after s2 ended were charged to it")
	}
}
