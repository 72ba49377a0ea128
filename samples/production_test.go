package samples

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// TestGoldenProductionPath runs every capture the way ftpscope -o json
// does — the JSON writer alone as the consumer, so that the analysis
// streams sessions and reuses their dialogs (analysis.Streamer) — and
// compares the report with the golden. TestGolden wraps the writer with a
// collector, which turns that reuse off: without this test the goldens
// would not cover the production path, NAT gateway captures included.
func TestGoldenProductionPath(t *testing.T) {
	if *update {
		t.Skip("TestGolden writes the goldens")
	}
	var jw any = report.NewJSONWriter(io.Discard, model.Tool{})
	if _, ok := jw.(analysis.Streamer); !ok {
		t.Fatal("the JSON writer no longer streams: this test would not run the production path")
	}
	for _, f := range captures(t) {
		t.Run(f, func(t *testing.T) {
			sources, cfg := openScenario(t, f)
			var buf bytes.Buffer
			jw := report.NewJSONWriter(&buf, model.Tool{Name: "ftpscope", Version: "golden"})
			sum, err := analysis.Run(context.Background(), sources, cfg, jw)
			if err != nil {
				t.Fatal(err)
			}
			if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, buf.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(f, ".pcap") + ".golden.json"
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("the production path's report of %s differs from %s:\n%s", f, golden, firstDiff(want, got.Bytes()))
			}
		})
	}
}
