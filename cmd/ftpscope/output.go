package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/memlimit"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// produce runs the analysis into the output of -o and, with -w, writes the
// packets of the selected sessions once the analysis is done (while the
// terminal UI is still shown, when it is the output).
func produce(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, slice *sliceWriter, stdout, stderr io.Writer) (*analysis.Summary, error) {
	var wrote string
	var writeErr error
	finish := func(*analysis.Summary) (string, model.Severity) { return "", model.Info }
	if slice != nil {
		cfg.Observe, cfg.ObserveFindings, cfg.ObservePair = slice.observe, slice.observeFindings, slice.observePair
		finish = func(sum *analysis.Summary) (string, model.Severity) {
			wrote, writeErr = slice.finish(sum, sources)
			if writeErr != nil {
				return writeErr.Error(), model.Error
			}
			return wrote, model.Info
		}
	}
	var sum *analysis.Summary
	var err error
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	if o.output != "tui" && len(o.ifaces) > 0 {
		go memlimit.Watch(stopWatch, memoryWatchEvery, func(msg string) { fmt.Fprintf(stderr, "ftpscope: %s\n", msg) })
	}
	if o.output == "tui" {
		sum, err = runTUI(ctx, o, sources, cfg, tool, stdout, finish)
	} else {
		sum, err = writeReport(ctx, o, sources, cfg, tool, stdout)
		if err == nil && slice != nil {
			finish(sum)
		}
	}
	if err != nil {
		return sum, err
	}
	if writeErr != nil {
		return sum, writeErr
	}
	if wrote != "" && !o.quiet && isTerminal(stderr) {
		fmt.Fprintf(stderr, "ftpscope: %s\n", wrote)
	}
	return sum, nil
}

// memoryWatchEvery is how often a live capture checks its soft memory limit.
const memoryWatchEvery = 5 * time.Second

// writeReport runs the analysis into the output of -o.
func writeReport(ctx context.Context, o *options, sources []capture.Source, cfg analysis.Config, tool model.Tool, stdout io.Writer) (*analysis.Summary, error) {
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
		jl.Live = cfg.Dissect.Live
		sum, err := analysis.Run(ctx, sources, cfg, jl)
		if err != nil {
			return nil, err
		}
		return sum, jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	case "ecs", "ecs-flat":
		return writeECS(ctx, o, sources, cfg, tool, stdout)
	}
	col := &report.Collector{}
	sum, err := analysis.Run(ctx, sources, cfg, col)
	if err != nil {
		return nil, err
	}
	r := col.Report(tool, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	return sum, report.WriteText(stdout, r, report.TextOptions{ASCII: !textfmt.UTF8Locale()})
}
