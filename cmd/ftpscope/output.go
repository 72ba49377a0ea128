package main

import (
	"context"
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"io"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// produce runs the analysis, writes the chosen output and, with -w, the
// packets of the selected sessions.
func produce(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout, stderr io.Writer) (*analysis.Summary, error) {
	if err := prepareExport(o, &cfg); err != nil {
		return nil, err
	}
	var keep *sessionKeeper
	wrap := func(c analysis.Consumer) analysis.Consumer {
		if o.write == "" {
			return c
		}
		keep = &sessionKeeper{next: c}
		return keep
	}
	sum, err := writeReport(ctx, o, sources, cfg, tool, stdout, wrap)
	if err != nil || o.write == "" || keep == nil {
		return sum, err
	}
	sel, err := selectSessions(o, keep.sessions, sum.NATPairs)
	if err != nil {
		return sum, err
	}
	labels := make([]string, len(sum.Sources))
	for i, s := range sum.Sources {
		labels[i] = s.Label
	}
	n, err := writeSelected(o, sel, labels, newSliceNotes(labels, sel, sum.Findings, sum.NATPairs))
	if err != nil {
		return sum, fmt.Errorf("-w %s: %v", o.write, err)
	}
	if !o.quiet && isTerminal(stderr) {
		fmt.Fprintf(stderr, "ftpscope: wrote %s packets of %d sessions to %s\n", textfmt.Thousands(int64(uint64(n))), len(sel), o.write)
	}
	return sum, nil
}

// writeReport runs the analysis into the output of -o.
func writeReport(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer, wrap func(analysis.Consumer) analysis.Consumer) (*analysis.Summary, error) {
	switch o.output {
	case "json":
		jw := report.NewJSONWriter(stdout, tool)
		sum, err := analysis.Run(ctx, sources, cfg, wrap(jw))
		if err != nil {
			return nil, err
		}
		return sum, jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	case "jsonl":
		jl := report.NewJSONLWriter(stdout)
		sum, err := analysis.Run(ctx, sources, cfg, wrap(jl))
		if err != nil {
			return nil, err
		}
		return sum, jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	case "tui":
		return runTUI(ctx, o, sources, cfg, tool, stdout)
	}
	col := &report.Collector{}
	sum, err := analysis.Run(ctx, sources, cfg, wrap(col))
	if err != nil {
		return nil, err
	}
	r := col.Report(tool, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	return sum, report.WriteText(stdout, r, report.TextOptions{ASCII: !textfmt.UTF8Locale()})
}
