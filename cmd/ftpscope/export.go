package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ftpscope/ftpscope/analysis"
)

// prepareExport makes --export DIR usable: the directory is created if
// missing (readable by its owner only: the files may be confidential) and
// named by its absolute path, so that every exported file is checked
// against the directory the user meant. An existing directory keeps its
// mode.
func prepareExport(o *options, cfg *analysis.Config) error {
	if o.export == "" {
		return nil
	}
	dir, err := filepath.Abs(o.export)
	if err != nil {
		return fmt.Errorf("--export %s: %v", o.export, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--export: %v", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("--export %s: not a directory", o.export)
	}
	cfg.ExportDir = dir
	return nil
}
