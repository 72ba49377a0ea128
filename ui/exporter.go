package ui

import "github.com/ftpscope/ftpscope/model"

// Exporter hands sessions on from the UI: a pcapng slice of their packets,
// the files they transferred. The command implements it over the capture
// files of the run; the UI reads no capture itself. Its methods run on a
// goroutine of their own, one call at a time, and may take as long as
// reading the capture again.
type Exporter interface {
	// WriteSlice writes the packets of req.Sessions (control and data
	// connections, as the sessions list them) to a pcapng file annotated
	// with req.Findings, and returns how many packets it wrote. Without
	// req.Overwrite an existing file is an error, never replaced.
	WriteSlice(req SliceRequest) (packets int, err error)
	// ExportFiles writes the files session s transferred (RETR, STOR,
	// listings…) into dir, created if missing; files already there are
	// never replaced (a new one gets a "-2" name).
	ExportFiles(dir string, s *model.Session) ([]ExportedFile, error)
}

// SliceRequest is what to write to a slice.
type SliceRequest struct {
	Path      string
	Sessions  []model.Session // with the other legs of their NAT pairs
	Findings  []model.Finding // theirs, for the packet comments
	Pairs     []model.NATPair
	Overwrite bool
}

// ExportedFile is one file written by ExportFiles: its name in the
// directory and its SHA-256 (empty when bytes were missing: a ".partial"
// file).
type ExportedFile struct {
	Name   string
	SHA256 string
}
