package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui"
)

func sessionOf(t *testing.T, r *model.Report, id string) *model.Session {
	t.Helper()
	for i := range r.Sessions {
		if r.Sessions[i].ID == id {
			return &r.Sessions[i]
		}
	}
	t.Fatalf("no session %s", id)
	return nil
}

func sampleExporter() *tuiExporter {
	o := &options{reads: []sourceArg{{label: "client.pcap", name: sample}}}
	return newTUIExporter(o, analysis.Config{Dissect: dissect.DefaultConfig()}, []string{"client.pcap"})
}

// TestTUIExporterSlice: the UI's w writes what -w --session writes, and
// never replaces a file it was not told to.
func TestTUIExporterSlice(t *testing.T) {
	r := jsonReport(t, "-r", sample)
	dir := t.TempDir()
	want := filepath.Join(dir, "cli.pcapng")
	if code, _, errs := ftpscope("-r", sample, "-o", "json", "-w", want, "--session", "s1"); code != 0 {
		t.Fatal(errs)
	}
	x := sampleExporter()
	s1 := sessionOf(t, r, "s1")
	req := ui.SliceRequest{Path: filepath.Join(dir, "s1.pcapng"), Sessions: []model.Session{*s1}, Findings: r.Findings}
	n, err := x.WriteSlice(req)
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, wantKeys := readKeys(t, req.Path), readKeys(t, want)
	if n == 0 || n != len(gotKeys) || !equalKeys(gotKeys, wantKeys) {
		t.Errorf("wrote %d packets (%d read back), -w --session s1 wrote %d", n, len(gotKeys), len(wantKeys))
	}
	if err := os.WriteFile(req.Path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := x.WriteSlice(req); !errors.Is(err, os.ErrExist) {
		t.Errorf("an existing file without Overwrite: %v, want it refused", err)
	}
	if b, _ := os.ReadFile(req.Path); string(b) != "keep me" {
		t.Error("the existing file was changed")
	}
	req.Overwrite = true
	if _, err := x.WriteSlice(req); err != nil || !equalKeys(readKeys(t, req.Path), wantKeys) {
		t.Errorf("overwrite: %v", err)
	}
}

func equalKeys(a, b map[uint64]string) bool {
	var x, y []string
	for _, k := range a {
		x = append(x, k)
	}
	for _, k := range b {
		y = append(y, k)
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// TestTUIExporterFiles: the UI's e exports one session's files with the
// names and SHA-256 that --export gives them, and nothing else.
func TestTUIExporterFiles(t *testing.T) {
	full := jsonReport(t, "-r", sample, "--export", t.TempDir())
	s5 := sessionOf(t, full, "s5")
	want := map[string]string{}
	for _, ch := range s5.Channels {
		if tr := ch.Transfer; tr != nil && tr.ExportPath != "" {
			want[tr.ExportPath] = tr.SHA256
		}
	}
	if len(want) == 0 {
		t.Fatal("s5 exports no file")
	}
	dir := filepath.Join(t.TempDir(), "s5-files")
	files, err := sampleExporter().ExportFiles(dir, s5)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = f.SHA256
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != want[f.Name] {
			t.Errorf("%s: %v, its content is not the file --export reports", f.Name, err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(want) {
		t.Errorf("%d entries in %s, want %d", len(entries), dir, len(want))
	}
}

func TestTUIExporterNeedsFiles(t *testing.T) {
	for _, x := range []*tuiExporter{
		newTUIExporter(&options{}, analysis.Config{}, nil),
		newTUIExporter(&options{reads: []sourceArg{{label: "stdin", name: "-"}}}, analysis.Config{}, []string{"stdin"}),
	} {
		if _, err := x.WriteSlice(ui.SliceRequest{Path: filepath.Join(t.TempDir(), "x.pcapng")}); err == nil {
			t.Error("a slice of a capture that cannot be read again")
		}
		if _, err := x.ExportFiles(t.TempDir(), &model.Session{ID: "s1"}); err == nil {
			t.Error("files of a capture that cannot be read again")
		}
	}
}

// TestTUIExporterSparesItsInput: w naming the capture it reads (even with
// the overwrite confirmed) is refused, as -w is, and the capture stays.
func TestTUIExporterSparesItsInput(t *testing.T) {
	input := filepath.Join(t.TempDir(), "in.pcap")
	orig, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	r := jsonReport(t, "-r", input)
	x := newTUIExporter(&options{reads: []sourceArg{{name: input}}}, analysis.Config{}, []string{r.Sessions[0].Source})
	_, err = x.WriteSlice(ui.SliceRequest{Path: input, Overwrite: true, Sessions: r.Sessions[:1]})
	if err == nil || !strings.Contains(err.Error(), "names the input") {
		t.Errorf("a slice written over its own input: %v, want it refused", err)
	}
	if got, _ := os.ReadFile(input); !bytes.Equal(got, orig) {
		t.Error("the input was changed")
	}
}
