package main

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/memlimit"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// runTUI shows the analysis in the terminal UI: the analysis runs in a
// goroutine feeding the UI's model, the UI runs here until the user quits
// (which cancels the analysis). finished runs when the analysis has ended,
// the UI still shown. The summary is what was analysed by then.
func runTUI(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer,
	finished func(*analysis.Summary) (string, model.Severity)) (*analysis.Summary, error) {
	labels := make([]string, len(sources))
	for i, s := range sources {
		labels[i] = s.Info().Label
	}
	m := viewmodel.NewModel(labels...)
	if len(o.ifaces) > 0 {
		names := make([]string, len(o.ifaces))
		for i, a := range o.ifaces {
			names[i] = a.name
		}
		iface := strings.Join(names, ",")
		m.SetLive(viewmodel.LiveStatus{Interface: iface})
		stop := make(chan struct{})
		defer close(stop)
		go liveHeader(m, iface, sources, stop)
	}
	exporter := newTUIExporter(o, cfg, labels)
	frames := newTUIFrames(o, labels, &cfg)
	u, err := ui.New(m, ui.Options{Tool: tool, Exporter: exporter, Frames: frames})
	if err != nil {
		return nil, err
	}
	if len(o.ifaces) > 0 {
		stop := make(chan struct{})
		defer close(stop)
		go memlimit.Watch(stop, memoryWatchEvery, func(msg string) { u.Flash(model.Warning, msg) })
	}
	progress := cfg.Progress
	cfg.Progress = func(n uint64) {
		m.SetPackets(n)
		if progress != nil {
			progress(n)
		}
	}
	var sum *analysis.Summary
	err = u.Run(ctx, func(actx context.Context) (*viewmodel.Outcome, error) {
		var err error
		sum, err = analysis.Run(actx, sources, cfg, m)
		if sum == nil {
			return nil, err
		}
		if err == nil && finished != nil {
			if msg, sev := finished(sum); msg != "" {
				u.Flash(sev, msg)
			}
		}
		return &viewmodel.Outcome{Sources: sum.Sources, NATPairs: sum.NATPairs, Findings: sum.Findings, Stats: sum.Stats}, err
	})
	return sum, err
}

// liveHeader feeds the header's packets, packet rate and kernel drops of
// every live source, once a second, from the capture's own counters (safe
// to read while the capture runs).
func liveHeader(m *viewmodel.Model, iface string, sources []capture.Source, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := make([]uint64, len(sources))
	lastAt := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			m.SetLive(liveStatus(iface, sources, last, now.Sub(lastAt)))
			lastAt = now
		}
	}
}

// liveStatus sums the sources' counters; last holds each source's packets
// at the previous reading, elapsed ago, and is updated.
func liveStatus(iface string, sources []capture.Source, last []uint64, elapsed time.Duration) viewmodel.LiveStatus {
	st := viewmodel.LiveStatus{Interface: iface}
	for i, s := range sources {
		ks, ok := capture.KernelStatsOf(s)
		if !ok {
			continue
		}
		src := viewmodel.LiveSource{Name: s.Info().Label, Packets: ks.Captured, Dropped: ks.Dropped}
		if elapsed > 0 {
			src.Rate = float64(ks.Captured-min(last[i], ks.Captured)) / elapsed.Seconds()
		}
		last[i] = ks.Captured
		st.Packets += src.Packets
		st.Rate += src.Rate
		st.Dropped += src.Dropped
		st.Sources = append(st.Sources, src)
	}
	return st
}
