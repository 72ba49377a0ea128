package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/fuzzbound"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/internal/testcorpus"
	"github.com/ftpscope/ftpscope/model"
)

// pipelineAllocLimit bounds what analysing one input in the three output
// modes may allocate: the readers' and the analysis' fixed buffers (read
// ahead, output stage, about 8 MiB a run), and a few hundred times the
// input, whatever it holds (sessions, dialogs, findings, the reports).
func pipelineAllocLimit(input int) uint64 { return 64<<20 + 512*uint64(input) }

// FuzzPipeline runs file bytes through everything a file run does: the
// capture reader, the dissector, the diagnosis and each output, as
// "-r FILE -o json", "-o jsonl" with the bytes as two vantage points (NAT
// pairing) and "-o text". It must never panic, always write a report the
// contract's schema accepts (JSON) or whole JSON lines, and stay within
// bounded memory.
func FuzzPipeline(f *testing.F) {
	for _, path := range testcorpus.Captures(16 << 10) {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	tool := model.Tool{Name: "ftpscope", Version: "fuzz"}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := fuzzbound.Allocated()
		for _, c := range []struct {
			mode    string
			sources int
		}{{"json", 1}, {"jsonl", 2}, {"text", 1}} {
			var sources []capture.Source
			for i := 0; i < c.sources; i++ {
				s, err := capture.OpenReader([]string{"inside", "outside"}[i], "fuzz.pcap", io.NopCloser(bytes.NewReader(data)), i)
				if err != nil {
					return // not a capture: OpenFile's error, tested by the reader targets
				}
				defer s.Close()
				sources = append(sources, s)
			}
			o := &options{output: c.mode, dataTimeout: 30 * time.Second}
			cfg, err := analysisConfig(o)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Dissect.KeepSegments = c.sources > 1
			var out bytes.Buffer
			if _, err := writeReport(context.Background(), o, sources, cfg, tool, &out); err != nil {
				t.Fatalf("-o %s: %v", c.mode, err)
			}
			switch c.mode {
			case "json":
				if err := reporttest.Validate(out.Bytes()); err != nil {
					t.Fatalf("-o json: %v", err)
				}
			case "jsonl":
				sc := bufio.NewScanner(&out)
				sc.Buffer(nil, 64<<20)
				for sc.Scan() {
					if !json.Valid(sc.Bytes()) {
						t.Fatalf("-o jsonl: a line that is not JSON: %q", sc.Bytes())
					}
				}
			}
		}
		fuzzbound.Check(t, before, pipelineAllocLimit(len(data)))
	})
}
