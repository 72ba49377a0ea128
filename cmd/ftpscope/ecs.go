package main

import (
	"context"
	"io"
	"os"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ecs"
	"github.com/ftpscope/ftpscope/model"
)

// writeECS runs the analysis into -o ecs: newline-delimited ECS documents
// (docs/ecs.md).
func writeECS(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer) (*analysis.Summary, error) {
	opt := ecs.Options{
		Observer:   o.observer,
		Version:    tool.Version,
		Interfaces: map[string]string{},
		PairLegs:   len(sources) > 1,
		Live:       cfg.Dissect.Live,
		Window:     analysis.PairWindow(cfg.Dissect.Live),
		Flat:       o.output == "ecs-flat",
	}
	for _, s := range sources {
		if in := s.Info(); in.Kind == "live" {
			opt.Interfaces[in.Label] = in.Name
		}
	}
	if opt.Observer == "" && cfg.Dissect.Live {
		// Live, the observer is this machine; a capture file's observer is
		// unknown unless --observer names it.
		opt.Observer, _ = os.Hostname()
	}
	w := ecs.NewWriter(stdout, opt)
	sum, err := analysis.Run(ctx, sources, cfg, w)
	if err != nil {
		return nil, err
	}
	return sum, w.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
}
