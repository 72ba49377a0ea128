package analysis

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// BenchmarkOutputStage is the output goroutine's work on concluded
// sessions, without the export that builds them: the Wireshark filter, the
// diagnosis and the streamed JSON, for every session of
// $FTPSCOPE_BENCH_PCAP (collected once, before the timer). ns/op is per
// pass over all the sessions; ns/session per session.
func BenchmarkOutputStage(b *testing.B) {
	path := os.Getenv("FTPSCOPE_BENCH_PCAP")
	if path == "" {
		b.Skip("set FTPSCOPE_BENCH_PCAP to a capture file (bench/gen/gen.sh makes them)")
	}
	src, err := capture.OpenFile("", path, 0)
	if err != nil {
		b.Fatal(err)
	}
	col := &report.Collector{}
	if _, err := Run(context.Background(), []capture.Source{src}, Config{Dissect: dissect.DefaultConfig()}, col); err != nil {
		b.Fatal(err)
	}
	src.Close()
	sessions := col.Sessions
	for i := range sessions {
		sessions[i].WiresharkFilter = ""
	}
	b.ReportAllocs()
	var s model.Session
	for b.Loop() {
		jw := report.NewJSONWriter(io.Discard, model.Tool{Name: "ftpscope", Version: "bench"})
		d := newDiagnoser(diagnose.Config{DataTimeout: dissect.DefaultConfig().DataTimeout}, nil, false, jw)
		for i := range sessions {
			s = sessions[i]
			d.Session(&s)
		}
		pairs, fs := d.finish()
		if err := jw.Close(nil, pairs, fs, model.Stats{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sessions)), "ns/session")
}
