// Command heapprobe is "ftpscope -i IFACE -o jsonl" plus memory
// accounting, for the soak run of bench/live: it captures and analyses
// exactly as ftpscope does (same packages, same settings), writes the JSON
// lines to standard output, logs the Go heap every 10 s to standard error
// and writes heap profiles (pprof) into -heapdir every -every.
//
//	heapprobe -i eth0 -heapdir /tmp/heap -every 2m >events.jsonl 2>heap.log
//
// Compare two profiles with: go tool pprof -base heap-1.pb.gz -top heap-5.pb.gz
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/report"
)

func main() {
	iface := flag.String("i", "any", "interface")
	heapdir := flag.String("heapdir", "", "write heap profiles here")
	every := flag.Duration("every", 2*time.Minute, "profile period")
	flag.String("o", "jsonl", "ignored: always JSON lines")
	flag.Bool("q", false, "ignored")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	l, err := capture.OpenLive(capture.LiveConfig{Interface: *iface})
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapprobe:", err)
		os.Exit(1)
	}
	defer l.Close()
	// the settings of cmd/ftpscope for one live interface
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = true
	cfg.Dissect.Live = true

	start := time.Now()
	n := 0
	go func() {
		tick := time.NewTicker(10 * time.Second)
		var ms runtime.MemStats
		for range tick.C {
			runtime.ReadMemStats(&ms)
			fmt.Fprintf(os.Stderr, "%.0f,%d,%d,%d,%d\n", time.Since(start).Seconds(), ms.HeapInuse>>10, ms.HeapObjects, ms.Sys>>10, ms.NumGC)
			if *heapdir != "" && time.Since(start) >= time.Duration(n+1)**every {
				n++
				runtime.GC()
				if f, err := os.Create(filepath.Join(*heapdir, fmt.Sprintf("heap-%d.pb.gz", n))); err == nil {
					pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
		}
	}()
	jl := report.NewJSONLWriter(os.Stdout)
	sum, err := analysis.Run(ctx, []capture.Source{l}, cfg, jl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapprobe:", err)
		os.Exit(1)
	}
	jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
}
