package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
)

func TestExportDirCreatedPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "files")
	var cfg analysis.Config
	if err := prepareExport(&options{export: dir}, &cfg); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 || cfg.ExportDir != dir {
		t.Fatalf("mode %v, ExportDir %q", st.Mode().Perm(), cfg.ExportDir)
	}
}
