package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// sample is the path of a sample capture.
func sample(scenario, file string) string {
	return filepath.Join("..", "samples", "captures", scenario, file)
}

// harness runs the real UI on a simulation screen.
type harness struct {
	t      *testing.T
	u      *UI
	sim    tcell.SimulationScreen
	done   chan error
	sum    *analysis.Summary
	cancel context.CancelFunc
}

// startUI runs the analysis of files and the UI at w×h.
func startUI(t *testing.T, w, h int, files ...string) *harness {
	t.Helper()
	sources := analysistest.OpenSources(t, files...)
	labels := make([]string, len(sources))
	for i, s := range sources {
		labels[i] = s.Info().Label
	}
	return startWith(t, w, h, viewmodel.NewModel(labels...), func(ctx context.Context, u *UI) (*analysis.Summary, error) {
		return runAnalysis(ctx, u, sources, analysistest.Config(len(sources) > 1))
	})
}

// runAnalysis runs the UI beside the analysis of sources, as the command
// does, and returns the analysis' summary.
func runAnalysis(ctx context.Context, u *UI, sources []capture.Source, cfg analysis.Config) (*analysis.Summary, error) {
	progress := cfg.Progress
	cfg.Progress = func(n uint64) {
		u.model.SetPackets(n)
		if progress != nil {
			progress(n)
		}
	}
	var sum *analysis.Summary
	err := u.Run(ctx, func(actx context.Context) (*viewmodel.Outcome, error) {
		var err error
		sum, err = analysis.Run(actx, sources, cfg, u.model)
		return outcomeOf(sum), err
	})
	return sum, err
}

// outcomeOf is what the UI shows of a summary.
func outcomeOf(sum *analysis.Summary) *viewmodel.Outcome {
	if sum == nil {
		return nil
	}
	return &viewmodel.Outcome{Sources: sum.Sources, NATPairs: sum.NATPairs, Findings: sum.Findings, Stats: sum.Stats}
}

// startModel runs the UI over a model filled by the test.
func startModel(t *testing.T, w, h int, m *viewmodel.Model) *harness {
	t.Helper()
	return startWith(t, w, h, m, func(ctx context.Context, u *UI) (*analysis.Summary, error) {
		return nil, u.RunApp(ctx)
	})
}

func startWith(t *testing.T, w, h int, m *viewmodel.Model, run func(context.Context, *UI) (*analysis.Summary, error)) *harness {
	t.Helper()
	sim := tcell.NewSimulationScreen("UTF-8")
	u, err := New(m, Options{Screen: sim, Refresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetSize(w, h) // after New: SetScreen initialises the screen at 80×25
	ctx, cancel := context.WithCancel(context.Background())
	hs := &harness{t: t, u: u, sim: sim, done: make(chan error, 1), cancel: cancel}
	go func() {
		sum, err := run(ctx, u)
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

// screen returns the screen's text, read on the event loop (GetContents
// shares the screen's buffer with drawing).
func (hs *harness) screen() string {
	var txt string
	hs.u.app.QueueUpdate(func() {
		cells, w, h := hs.sim.GetContents()
		var b strings.Builder
		for y := 0; y < h; y++ {
			var row strings.Builder
			for x := 0; x < w; x++ {
				if r := cells[y*w+x].Runes; len(r) > 0 {
					row.WriteString(string(r))
				} else {
					row.WriteByte(' ')
				}
			}
			b.WriteString(strings.TrimRight(row.String(), " "))
			b.WriteByte('\n')
		}
		txt = b.String()
	})
	return txt
}

// waitFor polls the screen until every want is on it.
func (hs *harness) waitFor(want ...string) string {
	hs.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		txt := hs.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(txt, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return txt
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("the screen never showed %q:\n%s", missing, txt)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitSelected polls the screen until the line with the selection mark
// "▶" contains s.
func (hs *harness) waitSelected(s string) string {
	hs.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		txt := hs.screen()
		for _, l := range strings.Split(txt, "\n") {
			if strings.Contains(l, "▶") && strings.Contains(l, s) {
				return l
			}
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("no selected line shows %q:\n%s", s, txt)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitClipboard polls the clipboard (OSC 52 on a terminal) until it
// starts with prefix.
func (hs *harness) waitClipboard(prefix string) string {
	hs.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got string
		hs.u.app.QueueUpdate(func() { got = string(hs.sim.GetClipboardData()) })
		if strings.HasPrefix(got, prefix) {
			return got
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("the clipboard holds %q, want %q…", got, prefix)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone polls the screen until s is no longer on it.
func (hs *harness) waitGone(s string) string {
	hs.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		txt := hs.screen()
		if !strings.Contains(txt, s) {
			return txt
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("the screen still shows %q:\n%s", s, txt)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// keys types runes and named keys ("enter", "esc", "tab", "down", "up").
func (hs *harness) keys(keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			hs.sim.InjectKey(tcell.KeyEnter, 0, tcell.ModNone)
		case "esc":
			hs.sim.InjectKey(tcell.KeyEscape, 0, tcell.ModNone)
		case "tab":
			hs.sim.InjectKey(tcell.KeyTab, 0, tcell.ModNone)
		case "down":
			hs.sim.InjectKey(tcell.KeyDown, 0, tcell.ModNone)
		case "up":
			hs.sim.InjectKey(tcell.KeyUp, 0, tcell.ModNone)
		default:
			for _, r := range k {
				hs.sim.InjectKey(tcell.KeyRune, r, tcell.ModNone)
			}
		}
	}
}

// resize changes the screen size the way a terminal does.
func (hs *harness) resize(w, h int) {
	hs.sim.SetSize(w, h)
	_ = hs.sim.PostEvent(tcell.NewEventResize(w, h))
}

// quit presses q until the UI ends and checks it ended cleanly.
func (hs *harness) quit(presses int) {
	hs.t.Helper()
	for i := 0; i < presses; i++ {
		hs.keys("q")
	}
	select {
	case err := <-hs.done:
		if err != nil {
			hs.t.Fatal(err)
		}
		hs.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		hs.t.Fatalf("q did not quit:\n%s", hs.screen())
	}
}

// dump writes the screen to $FTPSCOPE_UI_DUMP/name.txt when set (to look
// at screens while working on the layout).
func (hs *harness) dump(name, txt string) {
	if dir := os.Getenv("FTPSCOPE_UI_DUMP"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name+".txt"), []byte(txt), 0o644)
	}
}
