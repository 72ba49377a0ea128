package analysis_test

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// keepConsumer keeps every session with its findings (it is no Streamer:
// each session keeps a dialog of its own).
type keepConsumer struct {
	sessions []*model.Session
	findings [][]model.Finding
}

func (k *keepConsumer) Session(s *model.Session, f []model.Finding) {
	k.sessions = append(k.sessions, s)
	k.findings = append(k.findings, f)
}

// BenchmarkJSONWriterAlone is the JSON report's writer alone over the
// sessions of $FTPSCOPE_BENCH_PCAP, analysed once beforehand and kept: the
// part of BenchmarkRun/json that no dissection can save, set against the
// decode loop's cost (bench/compare.sh). MB/s counts the JSON written.
func BenchmarkJSONWriterAlone(b *testing.B) {
	path := os.Getenv("FTPSCOPE_BENCH_PCAP")
	if path == "" {
		b.Skip("set FTPSCOPE_BENCH_PCAP to a capture file (bench/gen/gen.sh makes them)")
	}
	src, err := capture.OpenFile("", path, 0)
	if err != nil {
		b.Fatal(err)
	}
	var kept keepConsumer
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: dissect.DefaultConfig()}, &kept)
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	write := func(w io.Writer) {
		jw := report.NewJSONWriter(w, model.Tool{Name: "ftpscope", Version: "bench"})
		for i, s := range kept.sessions {
			jw.Session(s, kept.findings[i])
		}
		if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
			b.Fatal(err)
		}
	}
	var size countWriter
	write(&size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		write(io.Discard)
	}
	b.ReportMetric(float64(len(kept.sessions)), "sessions")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
