package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// fakeExporter records what the UI asks for.
type fakeExporter struct {
	mu     sync.Mutex
	slices []SliceRequest
	dirs   []string
	ids    []string
}

func (f *fakeExporter) WriteSlice(req SliceRequest) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slices = append(f.slices, req)
	if !req.Overwrite {
		if _, err := os.Stat(req.Path); err == nil {
			return 0, errors.New("exists")
		}
	}
	return 10 * len(req.Sessions), os.WriteFile(req.Path, []byte("slice"), 0o600)
}

func (f *fakeExporter) ExportFiles(dir string, s *model.Session) ([]ExportedFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dirs, f.ids = append(f.dirs, dir), append(f.ids, s.ID)
	return []ExportedFile{{Name: s.ID + ".c1-data-1k.txt", SHA256: strings.Repeat("ab", 32)}}, nil
}

func (f *fakeExporter) last() (SliceRequest, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.slices) == 0 {
		return SliceRequest{}, 0
	}
	return f.slices[len(f.slices)-1], len(f.slices)
}

// startExporting runs the UI over a capture with an exporter, in a
// directory of its own (the prompts' defaults are relative to it).
func startExporting(t *testing.T, w, h int, x Exporter, file string) *harness {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	sources := analysistest.OpenSources(t, abs)
	m := viewmodel.NewModel(sources[0].Info().Label)
	sim := tcell.NewSimulationScreen("UTF-8")
	u, err := New(m, Options{Screen: sim, Refresh: 20 * time.Millisecond, Exporter: x})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetSize(w, h)
	ctx, cancel := context.WithCancel(context.Background())
	hs := &harness{t: t, u: u, sim: sim, done: make(chan error, 1), cancel: cancel}
	go func() {
		var sum *analysis.Summary
		sum, err := runAnalysis(ctx, u, sources, analysistest.Config(false))
		hs.sum = sum
		hs.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-hs.done:
		case <-time.After(5 * time.Second):
			t.Error("UI did not stop")
		}
	})
	return hs
}

func sessionIDs(ss []model.Session) []string {
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestWriteSliceKey: w in the list writes the filtered sessions with their
// other NAT legs; in a session, that session; an existing file is taken
// only on a second ⏎; the status line says what was written.
func TestWriteSliceKey(t *testing.T) {
	x := &fakeExporter{}
	hs := startExporting(t, 80, 24, x, sample("passive-nat", "gateway.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("/", "ip:203.0.113.21")
	hs.keys("enter")
	hs.waitFor("Sessions (4 of 12)")
	hs.keys("w")
	hs.waitFor("write 4 sessions to: sessions.pcapng")
	hs.keys("enter")
	hs.waitFor("wrote 40 packets of 4 sessions to sessions.pcapng")
	req, _ := x.last()
	if got := strings.Join(sessionIDs(req.Sessions), " "); got != "s10 s11 s12 s9" || req.Overwrite {
		t.Errorf("w in the filtered list wrote %s (overwrite %v), want s9-s12", got, req.Overwrite)
	}
	if len(req.Findings) == 0 || len(req.Pairs) == 0 {
		t.Errorf("the slice request has %d findings, %d pairs: no comments to write", len(req.Findings), len(req.Pairs))
	}

	// In a session: that session and its other leg, s9.pcapng by default.
	hs.keys("enter")
	hs.waitFor("<s9>")
	hs.keys("w")
	hs.waitFor("write s9, s10 to: s9.pcapng")
	hs.keys("enter")
	hs.waitFor("wrote 20 packets of s9, s10 to s9.pcapng")
	// Again: the file exists now, a second ⏎ overwrites it, esc cancels.
	hs.keys("w")
	hs.waitFor("write s9, s10 to: s9.pcapng")
	hs.keys("enter")
	hs.waitFor("s9.pcapng exists: ⏎ overwrites it, esc cancels")
	if _, n := x.last(); n != 2 {
		t.Fatalf("an existing file was written without asking (%d writes)", n)
	}
	hs.keys("esc")
	hs.waitFor("cancelled")
	hs.keys("w", "enter")
	hs.waitFor("exists: ⏎ overwrites it")
	hs.keys("enter")
	hs.waitFor("wrote 20 packets of s9, s10 to s9.pcapng")
	if req, n := x.last(); n != 3 || !req.Overwrite {
		t.Errorf("the confirmed write: %d writes, overwrite %v", n, req.Overwrite)
	}
	// An edited path is asked about afresh.
	hs.keys("w")
	hs.waitFor("to: s9.pcapng")
	hs.sim.InjectKey(tcell.KeyBackspace2, 0, tcell.ModNone)
	hs.keys("x", "enter")
	hs.waitFor("wrote 20 packets of s9, s10 to s9.pcapnx")
	hs.quit(2)
}

// TestExportFilesKey: e asks for a directory (s9-files/ by default) and
// reports the files; a session without data says so at once.
func TestExportFilesKey(t *testing.T) {
	x := &fakeExporter{}
	hs := startExporting(t, 80, 24, x, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("e")
	hs.waitFor("s1 transferred no data: no file to export")
	hs.keys("jjjj") // s5, the transfer that worked
	hs.waitFor("s5  no findings")
	hs.keys("e")
	hs.waitFor("export the files of s5 into: s5-files/")
	hs.keys("enter")
	hs.waitFor("exported 1 file of s5 into s5-files/: s5.c1-data-1k")
	var flash string
	hs.u.app.QueueUpdate(func() { flash = hs.u.flash })
	if want := "exported 1 file of s5 into s5-files/: s5.c1-data-1k.txt (sha256 abababababab…)"; flash != want {
		t.Errorf("status line %q, want %q", flash, want)
	}
	x.mu.Lock()
	dirs, ids := x.dirs, x.ids
	x.mu.Unlock()
	if len(dirs) != 1 || dirs[0] != "s5-files/" || ids[0] != "s5" {
		t.Errorf("e exported %v into %v", ids, dirs)
	}
	// An existing directory is taken on a second ⏎ only.
	if err := os.Mkdir("s5-files", 0o755); err != nil {
		t.Fatal(err)
	}
	hs.keys("enter", "e", "enter")
	hs.waitFor("s5-files/ exists: ⏎ adds to it, replacing none, esc cancels")
	hs.keys("enter")
	hs.waitFor("exported 1 file of s5")
	// The keys are in the help page, generated from the key table.
	var help []string
	hs.u.app.QueueUpdate(func() {
		for _, it := range hs.u.help.items {
			help = append(help, it.Copy)
		}
	})
	for _, want := range []string{"w write a pcapng slice", "e export the files"} {
		if !strings.Contains(strings.Join(help, "\n"), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	hs.quit(2)
}
