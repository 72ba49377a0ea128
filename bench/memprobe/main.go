// Command memprobe runs the analysis of one capture file into one output,
// as ftpscope does, and reports the memory it took: the peak resident set
// (VmHWM), the peak Go heap in use (sampled every 50 ms), and the live heap
// that the collector found after its cycles (median and largest; what the
// program holds, with what it allocated while the cycle ran). Outputs:
//
//	json   the streamed JSON report (-o json), written to /dev/null
//	jsonl  JSON lines (-o jsonl), written to /dev/null
//	tui    the terminal UI's model in live mode (ftpscope -i): the dissector
//	       in live mode feeding viewmodel.Model with running sessions every 250 ms,
//	       and a reader taking a snapshot every 250 ms as the screen does,
//	       under the soft memory limit of a live run (internal/memlimit)
//
// bench/memory.sh runs it over captures of 20,000 and 200,000 sessions.
//
//	memprobe -o json -r logins-200000.pcap [-heapprofile heap.pb.gz]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/memlimit"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

func main() {
	path := flag.String("r", "", "capture file")
	out := flag.String("o", "json", "json, jsonl or tui")
	heapProfile := flag.String("heapprofile", "", "write a heap profile here, -profile-after the start")
	flag.DurationVar(&profileAfter, "profile-after", 5*time.Second, "when to write the heap profile")
	flag.Uint64Var(&profileLive, "profile-live-mib", 0, "write the heap profile instead when the live heap first exceeds this")
	flag.BoolVar(&trace, "trace", false, "log the memory to standard error every 500 ms")
	limit := flag.Int("memory-limit", -1, "soft memory limit in MiB, 0 for none (default: as ftpscope, memlimit.DefaultLive for tui, a live run; none for json and jsonl, file runs)")
	flag.Parse()
	switch {
	case *limit >= 0:
		memlimit.Set(*limit)
	case *out == "tui":
		memlimit.Set(memlimit.DefaultLive)
	}
	if *heapProfile != "" {
		runtime.MemProfileRate = 4096 // fine enough to compare two runs
	}
	if err := probe(*path, *out, *heapProfile); err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
}

var (
	profileAfter time.Duration
	profileLive  uint64
	trace        bool
)

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func probe(path, out, heapProfile string) error {
	src, err := capture.OpenFile("", path, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	sink, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer sink.Close()
	var peakHeap atomic.Uint64
	var lives []uint64 // the live heap after each GC cycle
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		begin := time.Now()
		for n := 0; ; n++ {
			if trace && n%10 == 0 {
				rss, _ := statusKiB("VmRSS:")
				fmt.Fprintf(os.Stderr, "t=%.1fs rss=%dKiB heap_inuse=%dKiB heap_alloc=%dKiB heap_idle=%dKiB released=%dKiB live=%dKiB gc=%d\n",
					time.Since(begin).Seconds(), rss, ms.HeapInuse>>10, ms.HeapAlloc>>10, ms.HeapIdle>>10, ms.HeapReleased>>10, liveHeap()>>10, ms.NumGC)
			}
			if heapProfile != "" && (profileLive > 0 && liveHeap() > profileLive<<20 || profileLive == 0 && time.Since(begin) >= profileAfter) {
				writeHeapProfile(heapProfile)
				heapProfile = ""
			}
			gcs := ms.NumGC
			runtime.ReadMemStats(&ms)
			if ms.NumGC != gcs && ms.NumGC > 1 {
				lives = append(lives, liveHeap())
			}
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	tool := model.Tool{Name: "ftpscope", Version: "memprobe"}
	start := time.Now()
	var sum *analysis.Summary
	var sessions, kept int
	switch out {
	case "json":
		jw := report.NewJSONWriter(sink, tool)
		if sum, err = analysis.Run(context.Background(), []capture.Source{src}, cfg, jw); err == nil {
			err = jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
		}
	case "jsonl":
		jl := report.NewJSONLWriter(sink)
		if sum, err = analysis.Run(context.Background(), []capture.Source{src}, cfg, jl); err == nil {
			err = jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
		}
	case "tui":
		cfg.Dissect.Live = true
		m := viewmodel.NewModel(src.Info().Label)
		m.SetLive(viewmodel.LiveStatus{Interface: "memprobe"})
		done := make(chan struct{})
		screen := make(chan int)
		go func() { // the screen: a snapshot a few times a second
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					// the last frame: a short run may end before the first tick
					screen <- len(m.Snapshot().Rows)
					return
				case <-t.C:
					m.Snapshot() // a frame: what it costs is what is measured
				}
			}
		}()
		sum, err = analysis.Run(context.Background(), []capture.Source{src}, cfg, m)
		var outcome *viewmodel.Outcome
		if sum != nil {
			outcome = &viewmodel.Outcome{Sources: sum.Sources, NATPairs: sum.NATPairs, Findings: sum.Findings, Stats: sum.Stats}
		}
		m.Finish(outcome, err)
		close(done)
		<-screen
		kept = m.Len()
	default:
		return fmt.Errorf("-o %s: json, jsonl or tui", out)
	}
	close(stop)
	<-sampled
	if err != nil {
		return err
	}
	sessions = int(sum.Stats.ControlSessions)
	hwm, err := peakRSS()
	if err != nil {
		return err
	}
	slices.Sort(lives)
	var liveMedian, liveMax uint64
	if n := len(lives); n > 0 {
		liveMedian, liveMax = lives[n/2], lives[n-1]
	}
	fmt.Printf("output=%s sessions=%d seconds=%.2f peak_rss_kib=%d peak_heap_inuse_kib=%d live_heap_median_kib=%d live_heap_max_kib=%d gc_cycles=%d",
		out, sessions, time.Since(start).Seconds(), hwm, peakHeap.Load()>>10, liveMedian>>10, liveMax>>10, len(lives))
	if out == "tui" {
		fmt.Printf(" rows_kept=%d", kept)
	}
	fmt.Println()
	return nil
}

func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
	}
}

// peakRSS reads the process's peak resident set size in KiB (Linux).
func peakRSS() (int64, error) { return statusKiB("VmHWM:") }

// statusKiB reads one "Name: N kB" line of /proc/self/status.
func statusKiB(name string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return statusField(f, name)
}

func statusField(r io.Reader, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name); ok {
			var kib int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib); err != nil {
				return 0, fmt.Errorf("%s %q", name, v)
			}
			return kib, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", name)
}
