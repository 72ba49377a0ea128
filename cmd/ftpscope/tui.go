package main

import (
	"context"
	"io"
	"strings"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui"
)

// runTUI shows the analysis in the terminal UI: the analysis runs in a
// goroutine feeding the UI's model, the UI runs here until the user quits
// (which cancels the analysis). The summary is what was analysed by then.
func runTUI(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer) (*analysis.Summary, error) {
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
		m.SetLive(ui.LiveStatus{Interface: strings.Join(names, ",")})
	}
	u, err := ui.New(m, ui.Options{Tool: tool})
	if err != nil {
		return nil, err
	}
	return u.Run(ctx, sources, cfg)
}
