package analysis_test

// BenchmarkRun is the whole job of `ftpscope -o json` over a real capture
// file (issue 7): read, decode, dissect, diagnose, and (json) write the
// streamed JSON report to io.Discard. The capture comes from
// $FTPSCOPE_BENCH_PCAP, typically one that bench/gen/gen.sh made; without
// it the benchmark is skipped. A CPU profile of the job:
//
//	FTPSCOPE_BENCH_PCAP=/var/tmp/ftpscope-bench/mix-eth.pcap \
//	  go test -run XXX -bench 'Run/json' -benchtime 3x -cpuprofile cpu.out ./analysis/
//	go tool pprof -top analysis.test cpu.out
//
// MB/s is the file's size per second; pkts/s its packets per second;
// allocs/op and B/op are per whole file.

import (
	"context"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

type discardConsumer struct{}

func (discardConsumer) Session(*model.Session, []model.Finding) {}

func BenchmarkRun(b *testing.B) {
	path, size := analysis.BenchCapture(b)
	for _, out := range []string{"discard", "json"} {
		b.Run(out, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var packets, sessions uint64
			for b.Loop() {
				src, err := capture.OpenFile("", path, 0)
				if err != nil {
					b.Fatal(err)
				}
				cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
				var sum *analysis.Summary
				if out == "json" {
					jw := report.NewJSONWriter(io.Discard, model.Tool{Name: "ftpscope", Version: "bench"})
					sum, err = analysis.Run(context.Background(), []capture.Source{src}, cfg, jw)
					if err == nil {
						err = jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
					}
				} else {
					sum, err = analysis.Run(context.Background(), []capture.Source{src}, cfg, discardConsumer{})
				}
				src.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(sum.Errors) > 0 {
					b.Fatal(sum.Errors[0])
				}
				packets, sessions = sum.Stats.Packets, uint64(sum.Stats.ControlSessions)
			}
			b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
			b.ReportMetric(float64(sessions), "sessions")
		})
	}
}
