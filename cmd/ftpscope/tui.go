package main

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui"
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
	m := ui.NewModel(labels...)
	if len(o.ifaces) > 0 {
		names := make([]string, len(o.ifaces))
		for i, a := range o.ifaces {
			names[i] = a.name
		}
		iface := strings.Join(names, ",")
		m.SetLive(ui.LiveStatus{Interface: iface})
		stop := make(chan struct{})
		defer close(stop)
		go liveHeader(m, iface, sources, stop)
	}
	exporter := newTUIExporter(o, cfg, labels)
	frames := newTUIFrames(o, labels, &cfg)
	u, err := ui.New(m, ui.Options{Tool: tool, Finished: finished, Exporter: exporter, Frames: frames})
	if err != nil {
		return nil, err
	}
	return u.Run(ctx, sources, cfg)
}

// liveHeader feeds the header's packet rate and kernel drops, once a second,
// from the capture's own counters.
func liveHeader(m *ui.Model, iface string, sources []capture.Source, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last uint64
	lastAt := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			var received, dropped uint64
			for _, s := range sources {
				if st, ok := capture.KernelStatsOf(s); ok {
					received += st.Received
					dropped += st.Dropped
				}
			}
			rate := float64(received-min(last, received)) / now.Sub(lastAt).Seconds()
			last, lastAt = received, now
			m.SetLive(ui.LiveStatus{Interface: iface, Rate: rate, Dropped: dropped})
		}
	}
}
