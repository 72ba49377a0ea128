package main

import (
	"context"
	"io"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// runTUI shows the analysis in the terminal UI. Until the UI lands, a
// terminal gets the text report.
func runTUI(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer) (*analysis.Summary, error) {
	col := &report.Collector{}
	sum, err := analysis.Run(ctx, sources, cfg, col)
	if err != nil {
		return nil, err
	}
	r := col.Report(tool, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	return sum, report.WriteText(stdout, r, report.TextOptions{})
}
