package ladder

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// sample is the path of a sample capture.
func sample(scenario, file string) string {
	return filepath.Join("..", "..", "samples", "captures", scenario, file)
}

func openSources(t *testing.T, files ...string) []capture.Source {
	t.Helper()
	var out []capture.Source
	for i, f := range files {
		s, err := capture.OpenFile("", f, i)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

func analysisConfig(multi bool) analysis.Config {
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = multi
	return cfg
}

// analysed is the model of files analysed as the UI's would be, without
// the end of the run (the sessions as they were delivered).
func analysed(t *testing.T, files ...string) *viewmodel.Model {
	t.Helper()
	srcs := openSources(t, files...)
	m := viewmodel.NewModel(srcs[0].Info().Label)
	if _, err := analysis.Run(context.Background(), srcs, analysisConfig(len(srcs) > 1), m); err != nil {
		t.Fatal(err)
	}
	return m
}
