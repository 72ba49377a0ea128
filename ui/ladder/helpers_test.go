package ladder

import (
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// sample is the path of a sample capture.
func sample(scenario, file string) string {
	return filepath.Join("..", "..", "samples", "captures", scenario, file)
}

// analysed is the model of files analysed as the UI's would be, without
// the end of the run (the sessions as they were delivered).
func analysed(t *testing.T, files ...string) *viewmodel.Model {
	t.Helper()
	srcs := analysistest.OpenSources(t, files...)
	m := viewmodel.NewModel(srcs[0].Info().Label)
	analysistest.Run(t, m, srcs...)
	return m
}
