package samples

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

var update = flag.Bool("update", false, "rewrite the golden reports (make goldens)")

// captures lists the committed captures, "scenario/vantage.pcap".
func captures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("captures", "*", "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no captures under samples/captures")
	}
	return files
}

// analyseJSON runs the whole analysis on the given -r arguments and returns
// the JSON report, as "ftpscope -o json" writes it, and the report itself.
func analyseJSON(t *testing.T, files ...string) ([]byte, *model.Report) {
	t.Helper()
	var sources []capture.Source
	for i, f := range files {
		label, path := "", f
		if k := strings.IndexByte(f, '='); k > 0 {
			label, path = f[:k], f[k+1:]
		}
		s, err := capture.OpenFile(label, path, i)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		defer s.Close()
		sources = append(sources, s)
	}
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = len(sources) > 1
	var buf bytes.Buffer
	jw := report.NewJSONWriter(&buf, model.Tool{Name: "ftpscope", Version: "golden"})
	col := &report.Collector{}
	sum, err := analysis.Run(context.Background(), sources, cfg, both{jw, col})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sum.Errors {
		t.Errorf("%v: %v", files, e)
	}
	if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(buf.Bytes()); err != nil {
		t.Errorf("%v: report does not follow the schema: %v", files, err)
	}
	return buf.Bytes(), col.Report(model.Tool{}, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
}

type both struct {
	jw  *report.JSONWriter
	col *report.Collector
}

func (b both) Session(s *model.Session, f []model.Finding) {
	b.jw.Session(s)
	b.col.Session(s, f)
}

// TestGolden compares the JSON report of every capture with the one
// committed beside it (captures/x/client.golden.json).
func TestGolden(t *testing.T) {
	for _, f := range captures(t) {
		t.Run(f, func(t *testing.T) {
			got, _ := analyseJSON(t, f)
			golden := strings.TrimSuffix(f, ".pcap") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run 'make goldens' to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report of %s differs from %s (run 'make goldens' if the change is deliberate):\n%s", f, golden, firstDiff(want, got))
			}
		})
	}
}

// firstDiff shows the first differing line with some context.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + a + "\n  got  " + b
		}
	}
	return "(equal lines, different bytes)"
}
