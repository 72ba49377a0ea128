package main

import (
	"context"
	"io"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// produce runs the analysis and writes the chosen output.
func produce(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout, stderr io.Writer) (*analysis.Summary, error) {
	if err := prepareExport(o, &cfg); err != nil {
		return nil, err
	}
	switch o.output {
	case "json":
		jw := report.NewJSONWriter(stdout, tool)
		sum, err := analysis.Run(ctx, sources, cfg, jw)
		if err != nil {
			return nil, err
		}
		return sum, jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	case "jsonl":
		jl := report.NewJSONLWriter(stdout)
		sum, err := analysis.Run(ctx, sources, cfg, jl)
		if err != nil {
			return nil, err
		}
		return sum, jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	case "tui":
		return runTUI(ctx, o, sources, cfg, tool, stdout)
	}
	col := &report.Collector{}
	sum, err := analysis.Run(ctx, sources, cfg, col)
	if err != nil {
		return nil, err
	}
	r := col.Report(tool, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	return sum, report.WriteText(stdout, r, report.TextOptions{})
}
