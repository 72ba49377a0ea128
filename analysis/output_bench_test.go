package analysis

import (
	"context"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// BenchmarkOutputStage is the output goroutine's work on concluded
// sessions, without the export that builds them, for every session of
// $FTPSCOPE_BENCH_PCAP (collected once, before the timers): all of it
// (the Wireshark filter, the diagnosis and the streamed JSON, as
// diagnoser.Session does them), and each part alone. ns/op is per pass
// over all the sessions; ns/session per session.
func BenchmarkOutputStage(b *testing.B) {
	path, _ := benchCapture(b)
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
	filters := make([]string, len(sessions)) // as written: the json part writes them
	for i := range sessions {
		filters[i], sessions[i].WiresharkFilter = sessions[i].WiresharkFilter, ""
	}
	cfg := diagnose.Config{DataTimeout: dissect.DefaultConfig().DataTimeout}
	run := func(name string, pass func()) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pass()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sessions)), "ns/session")
		})
	}
	var s model.Session
	run("all", func() {
		jw := report.NewJSONWriter(io.Discard, model.Tool{Name: "ftpscope", Version: "bench"})
		d := newDiagnoser(cfg, nil, false, jw)
		for i := range sessions {
			s = sessions[i]
			d.Session(&s)
		}
		pairs, fs := d.finish()
		if err := jw.Close(nil, pairs, fs, model.Stats{}); err != nil {
			b.Fatal(err)
		}
	})
	run("filter", func() {
		for i := range sessions {
			s.WiresharkFilter = model.WiresharkFilter(&sessions[i])
		}
	})
	run("diagnose", func() {
		d := diagnose.New(cfg)
		for i := range sessions {
			d.Session(&sessions[i])
		}
	})
	run("json", func() {
		jw := report.NewJSONWriter(io.Discard, model.Tool{Name: "ftpscope", Version: "bench"})
		for i := range sessions {
			s = sessions[i]
			s.WiresharkFilter = filters[i]
			jw.Session(&s, nil)
		}
		if err := jw.Close(nil, nil, nil, model.Stats{}); err != nil {
			b.Fatal(err)
		}
	})
}
