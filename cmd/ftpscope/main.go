// Command ftpscope explains FTP traffic in capture files and on live
// interfaces: every control session, data channel and transfer, and in plain
// words what broke them (NAT gateways without an FTP helper, servers behind
// NAT announcing private addresses, data connections that never came).
//
// The command line is described in ../shared/spec/cli.md and by -h.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/memlimit"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

// Exit statuses (cli.md).
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
	exitFailOn  = 3
)

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, minus the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		fmt.Fprintf(stderr, "Try 'ftpscope -h' for more information.\n")
		return exitUsage
	}
	if o.help {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if o.version {
		fmt.Fprintf(stdout, "ftpscope %s (libpcap: %v)\n", version, capture.HaveLibpcap)
		return exitOK
	}
	if o.man || o.completion != "" {
		return writeDocs(o, stdout, stderr)
	}
	if o.listIfaces {
		if err := listInterfaces(stdout); err != nil {
			fmt.Fprintf(stderr, "ftpscope: listing the interfaces: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	if o.output == "" {
		o.output = "text"
		if isTerminal(stdout) {
			o.output = "tui"
		}
	}

	if err := checkWrite(o); err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitUsage
	}

	cfg, err := analysisConfig(o)
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitUsage
	}
	sources, err := openSources(o)
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()
	keys, stopKeys, err := openKeyLog(o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	defer stopKeys()
	cfg.Dissect.TLSKeys = keys
	var slice *sliceWriter
	if o.write != "" {
		if slice, err = openSliceWriter(o, sources); err != nil {
			fmt.Fprintf(stderr, "ftpscope: %v\n", err)
			return exitRuntime
		}
		defer slice.close()
	}
	var createdDirs []string
	if o.export != "" {
		createdDirs = missingDirs(o.export)
	}
	if err := prepareExport(o, &cfg); err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	if len(o.ifaces) > 0 {
		// The conntrack socket needs CAP_NET_ADMIN: opened before it goes.
		ctctx, stopConntrack := context.WithCancel(ctx)
		defer stopConntrack()
		cfg.Conntrack = openConntrack(ctctx, o, cfg.Dissect.ControlPorts, stderr)
	}
	// Everything that needs root is open: the rest runs unprivileged.
	if err := dropPrivileges(o, createdDirs, cfg.ExportDir, stderr); err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	cfg.Dissect.KeepSegments = len(sources) > 1 || len(o.ifaces) > 0
	if len(o.ifaces) > 0 {
		cfg.Dissect.Live = true
	}
	memlimit.Set(memoryLimitMiB(o))

	var prog *progress
	if !o.quiet && o.output != "tui" && len(o.reads) > 0 && isTerminal(stderr) {
		prog = newProgress(stderr, sources, o.reads)
		cfg.Progress = prog.update
	}
	tool := model.Tool{Name: "ftpscope", Version: version}
	sum, err := produce(ctx, o, sources, cfg, tool, slice, stdout, stderr)
	if prog != nil {
		prog.done()
	}
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	code := exitOK
	if sig, ok := interruptedBy(ctx); ok && sum.Stats.Interrupted {
		// a file run stopped before the end: a partial report, said so
		fmt.Fprintf(stderr, "ftpscope: %v: the report covers the first %s packets\n", sig, textfmt.Thousands(int64(sum.Stats.Packets)))
		code = sig.exitCode()
	}
	for _, e := range sum.Errors {
		var re *capture.ReadError
		if errors.As(e, &re) {
			fmt.Fprintf(stderr, "ftpscope: %s: %v\n", re.Name, re)
		} else {
			fmt.Fprintf(stderr, "ftpscope: %v\n", e)
		}
		if code == exitOK {
			code = exitRuntime
		}
	}
	if o.failOn != 0 && code == exitOK && sum.Worst >= o.failOn {
		return exitFailOn
	}
	return code
}

// memoryLimitMiB is the soft memory limit of the run: --memory-limit, or
// by default memlimit.DefaultLive for a live capture (bounded state, for
// days) and none for files (the terminal UI keeps every session of a file).
func memoryLimitMiB(o *options) int {
	switch {
	case o.memoryLimit >= 0:
		return o.memoryLimit
	case len(o.ifaces) > 0:
		return memlimit.DefaultLive
	}
	return 0
}

// analysisConfig is the analysis the flags ask for; the error is a filter
// expression that does not compile.
func analysisConfig(o *options) (analysis.Config, error) {
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.ControlPorts = append(cfg.Dissect.ControlPorts, o.controlPorts...)
	cfg.Dissect.DataTimeout = o.dataTimeout
	cfg.Dissect.ShowPasswords = o.showPasswords
	cfg.Count = o.count
	cfg.Duration = o.duration
	if o.filter != "" {
		f, err := capture.NewFilter(o.filter)
		if err != nil {
			return cfg, err
		}
		if len(o.ifaces) == 0 { // live captures filter in the kernel (openLive)
			cfg.Filter = f
		}
	}
	return cfg, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
