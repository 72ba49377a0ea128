package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/pcapslice"
	"github.com/ftpscope/ftpscope/ui"
)

// tuiExporter is the terminal UI's ui.Exporter (w and e): it reads the
// capture files of the run again, as -w and --export do.
type tuiExporter struct {
	reads  []sourceArg
	cfg    analysis.Config // the run's, for the export's second analysis
	labels []string
	user   string // the user the run dropped root to, if it did
}

// newTUIExporter returns the exporter of a run over o's sources.
func newTUIExporter(o *options, cfg analysis.Config, labels []string) *tuiExporter {
	return &tuiExporter{reads: o.reads, cfg: cfg, labels: labels, user: o.droppedTo}
}

// readable says why the capture cannot be read again, if it cannot.
func (x *tuiExporter) readable() error {
	if len(x.reads) == 0 {
		return errors.New("a live capture cannot be read again: record it (tcpdump -w), then analyse the file")
	}
	for _, r := range x.reads {
		if r.name == "-" {
			return errors.New("standard input cannot be read again: save it to a file first")
		}
	}
	return nil
}

// writable says why path cannot take a slice of the run's inputs.
func (x *tuiExporter) writable(path string) error {
	if err := rereadable(x.reads, path); err != nil {
		return errors.New("the slice " + err.Error())
	}
	return nil
}

// WriteSlice implements ui.Exporter.
func (x *tuiExporter) WriteSlice(req ui.SliceRequest) (int, error) {
	if err := x.readable(); err != nil {
		return 0, err
	}
	if err := x.writable(req.Path); err != nil {
		return 0, err
	}
	// Claim the name first: without Overwrite an existing file is refused
	// here, not replaced (the UI asked before, but the file may have come
	// since). It holds passwords sent in clear: 0600.
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if req.Overwrite {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(req.Path, flag, 0o600)
	if err != nil {
		return 0, explainDenied(err, x.user)
	}
	defer f.Close()
	inputs := make([]*os.File, 0, len(x.reads))
	defer func() {
		for _, in := range inputs {
			in.Close()
		}
	}()
	for _, r := range x.reads {
		in, err := os.Open(r.name)
		if err != nil {
			return 0, err
		}
		inputs = append(inputs, in)
	}
	sel := pcapslice.NewSelector(req.Sessions, x.labels)
	n, err := writeSelected(x.reads, inputs, x.labels, nil, sel, newSliceNotes(x.labels, req.Sessions, req.Findings, req.Pairs), f)
	if err != nil {
		return n, err
	}
	return n, f.Close()
}

// ExportFiles implements ui.Exporter: the capture is analysed again with
// the export limited to the session, which keeps its id (the same files
// give the same ids), so its files get the names and hashes that
// --export gives them.
func (x *tuiExporter) ExportFiles(dir string, s *model.Session) ([]ui.ExportedFile, error) {
	if err := x.readable(); err != nil {
		return nil, err
	}
	o := &options{export: dir}
	cfg := x.cfg
	cfg.Progress, cfg.Dissect.ControlTap = nil, nil
	if err := prepareExport(o, &cfg); err != nil {
		return nil, explainDenied(err, x.user)
	}
	cfg.ExportSession = s.ID
	sources, err := openFiles(x.reads)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, src := range sources {
			src.Close()
		}
	}()
	found := &sessionFinder{id: s.ID, source: s.Source}
	sum, err := analysis.Run(context.Background(), sources, cfg, found)
	if err != nil {
		return nil, err
	}
	if found.s == nil {
		return nil, fmt.Errorf("%s was not found again in the capture", s.ID)
	}
	var files []ui.ExportedFile
	for _, ch := range found.s.Channels {
		if t := ch.Transfer; t != nil && t.ExportPath != "" {
			files = append(files, ui.ExportedFile{Name: t.ExportPath, SHA256: t.SHA256})
		}
	}
	if len(sum.Errors) > 0 { // a damaged file, a full disk: say what was written
		return files, fmt.Errorf("%d files written into %s, then: %v", len(files), filepath.Clean(dir), sum.Errors[0])
	}
	return files, nil
}

// sessionFinder keeps one session of a run, by id and source.
type sessionFinder struct {
	id, source string
	s          *model.Session
}

func (f *sessionFinder) Session(s *model.Session, _ []model.Finding) {
	if s.ID == f.id && s.Source == f.source {
		c := *s
		f.s = &c
	}
}
