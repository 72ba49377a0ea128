package ui

import (
	"context"
	"fmt"
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

// fileFrames reads frames back from sample files, by label.
type fileFrames map[string]*capture.FrameReader

func (f fileFrames) Frame(source string, n uint64) (capture.Packet, error) {
	r, ok := f[source]
	if !ok {
		return capture.Packet{}, fmt.Errorf("no source %q", source)
	}
	return r.Frame(n)
}

// ringFrames reads them from a ring, as live.
type ringFrames struct{ r *capture.FrameRing }

func (f ringFrames) Frame(_ string, n uint64) (capture.Packet, error) { return f.r.Frame(0, n) }

func startWithFrames(t *testing.T, w, h int, frames FrameSource, cfg analysis.Config, file string) *harness {
	t.Helper()
	sources := analysistest.OpenSources(t, file)
	m := viewmodel.NewModel(sources[0].Info().Label)
	sim := tcell.NewSimulationScreen("UTF-8")
	u, err := New(m, Options{Screen: sim, Refresh: 20 * time.Millisecond, Frames: frames})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetSize(w, h)
	ctx, cancel := context.WithCancel(context.Background())
	hs := &harness{t: t, u: u, sim: sim, done: make(chan error, 1), cancel: cancel}
	go func() {
		_, err := runAnalysis(ctx, u, sources, cfg)
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

// TestFrameView: x on a dialog line shows its frame — Ethernet, IPv4, TCP,
// the FTP line, the bytes — read back from the file; on a finding, its
// evidence frames, [ ] stepping; esc goes back. 80×24 and 200×50.
func TestFrameView(t *testing.T) {
	file := sample("active-nohelper", "client.pcap")
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			frames := fileFrames{filepath.Base(file): capture.NewFrameReader("client.pcap", file)}
			hs := startWithFrames(t, size[0], size[1], frames, analysistest.Config(false), file)
			hs.waitFor("■ file · done")
			hs.keys("enter")
			hs.waitFor("<s1> <dialog>")
			hs.keys("jjjjjjj")
			hs.waitSelected("→ EPRT")
			hs.keys("x")
			txt := hs.waitFor("Frame 16 of client.pcap · dialog line", "<frame 16>", "Ethernet II", "IPv4  192.168.1.10 → 203.0.113.20",
				"TCP  55874 → 21  [PSH, ACK]", "Payload", `"EPRT |1|192.168.1.10|49691|\r\n"`)
			hs.dump(fmt.Sprintf("frame-%dx%d", size[0], size[1]), txt)
			// The hex dump is the frame's bytes.
			p, err := frames.Frame("client.pcap", 16)
			if err != nil {
				t.Fatal(err)
			}
			hs.keys("G")
			last := (len(p.Data) - 1) / 16 * 16
			hs.waitSelected(fmt.Sprintf("%04x  %02x ", last, p.Data[last])) // the dump's last line: the frame's last bytes
			hs.keys("y")
			if got := hs.waitClipboard("Frame 16"); !strings.Contains(got, "0000  ") || !strings.Contains(got, "seq ") {
				t.Errorf("y copied %q", got)
			}
			hs.keys("esc")
			hs.waitFor("<s1> <dialog>")
			// A finding's evidence: frames 16 and 17.
			hs.keys("3", "x")
			hs.waitFor("Frame 16 of client.pcap · evidence of nat-not-rewritten, 1 of 2")
			hs.keys("]")
			hs.waitFor("Frame 17 of client.pcap", "2 of 2", `"500 Illegal EPRT command.\r\n"`)
			hs.keys("]")
			hs.waitFor("no more frames")
			hs.keys("[")
			hs.waitFor("1 of 2")
			hs.keys("q")
			hs.waitFor("<s1> <findings>")
			hs.quit(2)
		})
	}
}

// TestFrameViewFromRing: live, frames come from the ring of the latest
// control packets; one no longer there says so.
func TestFrameViewFromRing(t *testing.T) {
	file := sample("active-nohelper", "client.pcap")
	ring := capture.NewFrameRing(16, 1<<20) // the last 16 control packets only
	cfg := analysistest.Config(false)
	cfg.Dissect.ControlTap = ring.Add
	hs := startWithFrames(t, 80, 24, ringFrames{ring}, cfg, file)
	hs.waitFor("■ file · done")
	hs.keys("enter", "x")
	hs.waitFor("Frame 7 of client.pcap", "frame 7 is no longer in memory: live, the latest 16 control")
	hs.keys("esc", "G", "]") // the last session's last line
	hs.waitFor("<s2>")
	hs.keys("esc", "G")
	hs.keys("enter")
	hs.waitFor("<s6>")
	hs.keys("G", "x")
	hs.waitFor("Frame ", "TCP ", "Bytes")
	hs.quit(3)
}
