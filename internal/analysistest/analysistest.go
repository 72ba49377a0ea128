// Package analysistest runs the analysis on captures for the tests of its
// consumers (the terminal UI's packages), one copy of the set-up they all
// need: sources opened and closed, the configuration, the FTPS capture
// with its key log.
package analysistest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// OpenSources opens capture files as sources numbered in order, closed
// when the test ends.
func OpenSources(t testing.TB, files ...string) []capture.Source {
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

// Config is the analysis' default configuration; with several sources the
// segments are kept, as the command keeps them for the frame view.
func Config(multi bool) analysis.Config {
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = multi
	return cfg
}

// Run analyses sources into c with Config.
func Run(t testing.TB, c analysis.Consumer, sources ...capture.Source) *analysis.Summary {
	t.Helper()
	sum, err := analysis.Run(context.Background(), sources, Config(len(sources) > 1), c)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// RunFiles analyses capture files into c.
func RunFiles(t testing.TB, c analysis.Consumer, files ...string) *analysis.Summary {
	t.Helper()
	return Run(t, c, OpenSources(t, files...)...)
}

// RunFTPS analyses an FTPS session (pcaptest.FTPSCapture, a one-line file)
// into c, decrypted with its key log (source label "ftps").
func RunFTPS(t testing.TB, c analysis.Consumer) *analysis.Summary {
	t.Helper()
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{File: []byte("file\n")})
	src, err := capture.OpenReader("ftps", "ftps.pcap", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config(false)
	cfg.Dissect.TLSKeys = tlsdecrypt.NewKeyLog()
	cfg.Dissect.TLSKeys.Read(bytes.NewReader(f.KeyLog))
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
