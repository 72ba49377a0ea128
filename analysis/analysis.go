// Package analysis runs the whole job: it reads packet sources, filters
// them, feeds the dissector, diagnoses the sessions it concludes and hands
// everything to one consumer (a report writer or the terminal UI). It is
// the single analysis core behind every output.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ctwatch"
	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/fileexport"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// Config tunes a run.
type Config struct {
	Dissect dissect.Config
	// ExportDir, when set, receives the payload of every data connection
	// as a file (an existing directory; package fileexport).
	ExportDir string
	// ExportSession, when set, limits the export to that session's data
	// channels (the terminal UI exports one session's files by analysing
	// the capture again: the session keeps its id and its files their
	// names).
	ExportSession string
	// Filter is a tcpdump-syntax expression applied to file sources
	// (live sources filter in the kernel); nil for none.
	Filter *capture.Filter
	// Count stops after this many packets (0: no limit).
	Count uint64
	// Duration stops a live capture after this long (0: no limit).
	Duration time.Duration
	// Progress, if set, is called now and then with the packets read, from
	// the goroutine that reads the sources (it may read their Info).
	Progress func(packets uint64)
	// Observe, if set, sees each concluded session before the consumer
	// does, on the consumer's goroutine (-w keeps what finds its packets).
	// It must not keep s or anything s points to: their memory is reused.
	Observe func(s *model.Session)
	// ObserveFindings and ObservePair, if set, see each session's findings
	// as it is handed on, and each NAT pair as it is made, whatever the
	// consumer keeps (-w annotates its slice with them).
	ObserveFindings func(s *model.Session, fs []model.Finding)
	ObservePair     func(p *model.NATPair, fs []model.Finding)
	// StatsEvery is how often a live capture tells a StatsConsumer its
	// counters; DefaultStatsEvery when zero.
	StatsEvery time.Duration
	// UpdateEvery is how often running sessions are looked at, for an
	// Updater and, live, the NAT leg pairer; 250 ms when zero.
	UpdateEvery time.Duration
	// Conntrack, when set (a live capture on Linux), is the capturing
	// host's conntrack: each session gets its control connection's entry
	// and each announcement the expectation its helper created.
	Conntrack *ctwatch.Tracker
}

// DefaultStatsEvery is how often a live capture reports its counters.
const DefaultStatsEvery = 10 * time.Second

// StatsConsumer is implemented by a Consumer that tells, during a live
// capture, that the capture is alive (JSON lines' stats events): it
// receives every StatsEvery the sources' counters and the analysis'.
type StatsConsumer interface {
	Stats(sources []model.Source, stats model.Stats)
}

// Consumer receives the results of a run.
type Consumer interface {
	// Session receives each session as it concludes, with its findings.
	Session(s *model.Session, findings []model.Finding)
}

// Streamer is implemented by a Consumer that keeps nothing of a session's
// dialog (Session.Dialog) once Session returns: the report writers write
// it out, the terminal UI's model packs it. The analysis then reuses the
// dialog's memory for later sessions; a Consumer that keeps the dialog
// slice gets a copy of its own.
type Streamer interface {
	StreamsSessions()
}

// Updater is implemented by a Consumer that shows sessions while they run
// (the terminal UI): a few times a second it receives each running session
// that changed since, as a delta, and later the concluded session, whole,
// through Session. In an update, s.Dialog holds only the entries from
// dialogFrom on (counting from the session's first entry, those a live
// dialog dropped at its front included): the entries before were sent in
// earlier updates and have not changed since. Its answers references count
// from s.DialogOffset, as in a whole snapshot (an update from DialogOffset
// is one), not from s.Dialog[0].
type Updater interface {
	Update(s *model.Session, dialogFrom int)
}

// PairConsumer is implemented by a Consumer that takes each NAT pair as
// soon as its second leg concludes (just before that leg's Session from
// files, just after it live), with the findings drawn from it
// (numbered as delivered findings, after those of earlier calls): the
// analysis then keeps no pair, and Summary.NATPairs and Summary.Findings
// hold none. Without it, pairs and their findings come in the Summary.
type PairConsumer interface {
	NATPair(p *model.NATPair, findings []model.Finding)
}

// Reviser is implemented by a Consumer that keeps or has written the
// findings it received and must hear when one of them changes after
// delivery: a refused login that turned out to be part of a password-
// guessing attempt (upgraded to a warning), or the finding about one leg of
// a NAT that the finding drawn from both legs replaced (withdrawn; the
// replacement is in Summary.Findings).
type Reviser interface {
	Revise(r *model.Revision)
}

// updateEvery is how often an Updater hears of running sessions.
const updateEvery = 250 * time.Millisecond

// Between two packets, the loop looks at the clock (updates, stats, the
// context) every checkFile packets of a file, every checkLive of a live
// capture: a live capture's packets may come slowly and steadily, without
// the read timeouts that run the housekeeping.
const (
	checkFile = 1024
	checkLive = 64
)

// Summary is what is known only at the end of a run.
type Summary struct {
	Sources  []model.Source
	NATPairs []model.NATPair
	// Findings are those concluded only at the end (drawn from NAT pairs
	// unless the Consumer took them as PairConsumer, the kernel's drops),
	// worst first; the sessions' own went to the Consumer with their
	// session.
	Findings []model.Finding
	// Worst is the highest severity of any finding of the run (0 without
	// findings), for --fail-on.
	Worst model.Severity
	Stats model.Stats
	// Errors are the sources' read errors (damaged files), one per source.
	Errors []error
}

// Run reads sources to their end (or until ctx is done, or Count packets)
// and returns the summary. A damaged source does not stop the others: its
// error is in Summary.Errors and the report covers what was read.
func Run(ctx context.Context, sources []capture.Source, cfg Config, out Consumer) (*Summary, error) {
	infos := make([]*capture.Info, len(sources))
	for i, s := range sources {
		infos[i] = s.Info()
	}
	diag := newDiagnoser(diagnose.Config{DataTimeout: cfg.Dissect.DataTimeout}, sources, cfg.Dissect.Live, out)
	diag.observeFindings, diag.observePair = cfg.ObserveFindings, cfg.ObservePair
	diag.conntrack = cfg.Conntrack
	stage := startOutput(diag, cfg.Observe)
	var files *fileexport.Exporter
	if cfg.ExportDir != "" {
		files = fileexport.New(cfg.ExportDir, cfg.ExportSession)
		defer files.Close()
		cfg.Dissect.Files = files
	}
	an := dissect.New(cfg.Dissect, infos, stage.sink(diag))
	var src interface {
		Next() (capture.Packet, error)
	}
	var fan *capture.FanIn
	live := anyLive(sources)
	switch {
	case len(sources) == 1:
		src = sources[0]
	case live:
		// Live interfaces are read at once, in arrival order: a merge by
		// timestamp would wait on a quiet interface.
		fan = capture.NewFanIn(sources)
		src = fan
	default:
		src = capture.NewMerge(sources)
	}
	rd := &reader{src: src, several: len(sources) > 1, filter: cfg.Filter, count: cfg.Count,
		progress: cfg.Progress, dec: decode.New()}
	var in feed
	if live {
		in = &inPlace{r: rd}
	} else {
		in = startReadAhead(ctx, rd)
	}
	sum := &Summary{}
	var deadline time.Time
	if cfg.Duration > 0 {
		deadline = time.Now().Add(cfg.Duration)
	}
	updater, _ := out.(Updater)
	every := cfg.UpdateEvery
	if every <= 0 {
		every = updateEvery
	}
	lastUpdate := time.Now()
	// Live, running sessions go to the NAT leg pairer too, when there may
	// be legs: several sources, or a source with several interfaces.
	pairRunning := func() bool { return live && (len(sources) > 1 || hasInterfaces(an.Vantages())) }
	update := func() {
		if time.Since(lastUpdate) < every {
			return
		}
		lastUpdate = time.Now()
		toPairer := pairRunning()
		if updater == nil && !toPairer {
			return
		}
		// The pairer reads running sessions from the start: whole
		// snapshots then, else deltas.
		an.Updates(toPairer, func(s *model.Session, dialogFrom int) {
			withConntrack(cfg.Conntrack, s)
			if toPairer {
				if updater != nil {
					// The updater rebases the dialog it is given, while
					// the pairer reads s on the output stage's goroutine.
					u := *s
					u.Dialog, u.Segments = slices.Clone(s.Dialog), nil
					updater.Update(&u, dialogFrom)
				}
				stage.Running(s)
			} else if updater != nil {
				updater.Update(s, dialogFrom)
			}
		})
	}
	statsOut, _ := out.(StatsConsumer)
	statsEvery := cfg.StatsEvery
	if statsEvery <= 0 {
		statsEvery = DefaultStatsEvery
	}
	nextStats := time.Now().Add(statsEvery)
	tellStats := func() {
		if !live || statsOut == nil || time.Now().Before(nextStats) {
			return
		}
		nextStats = time.Now().Add(statsEvery)
		srcs := make([]model.Source, len(sources))
		for i, s := range sources {
			srcs[i] = liveSourceModel(s, an.DecodeErrors(i))
		}
		st := an.Stats()
		st.Packets, st.FilteredPackets = rd.res.read, rd.res.filtered
		stage.Stats(srcs, st)
	}
	check := uint64(checkFile - 1)
	if live {
		check = checkLive - 1
	}
	for n := uint64(0); ; n++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		if n&check == 0 {
			if ctx.Err() != nil {
				break
			}
			update()
			tellStats()
		}
		f, tick := in.next()
		if f != nil {
			an.Frame(f)
			continue
		}
		if !tick {
			break
		}
		an.Tick(time.Now())
		update()
		tellStats()
		if ctx.Err() != nil {
			break
		}
	}
	res := in.close()
	if res.fatal != nil {
		stage.stop()
		return nil, res.fatal
	}
	sum.Errors = res.errs
	if fan != nil {
		fan.Stop() // the sources' Info is read below
	}
	for _, s := range sources {
		if l, ok := s.(capture.LiveSource); ok {
			l.UpdateStats() // the kernel's final counters, for the report
		}
	}
	an.Finish()
	stage.stop()
	sum.Stats = an.Stats()
	sum.Stats.FilteredPackets = res.filtered
	sum.Stats.Packets = res.read
	// a live capture ends when it is stopped; files end early when stopped
	sum.Stats.Interrupted = ctx.Err() != nil && !live
	for i, s := range sources {
		sum.Sources = append(sum.Sources, sourceModel(s.Info(), an.DecodeErrors(i)))
		last := &sum.Sources[len(sum.Sources)-1]
		last.Warnings = append(last.Warnings, an.SourceWarnings(i)...)
	}
	for _, err := range sum.Errors {
		var re *capture.ReadError
		if errors.As(err, &re) {
			for i := range sum.Sources {
				if sum.Sources[i].Name == re.Name {
					sum.Sources[i].Warnings = append(sum.Sources[i].Warnings, re.Error())
				}
			}
		}
	}
	if files != nil {
		if err := files.Close(); err != nil {
			sum.Errors = append(sum.Errors, err)
		}
	}
	sum.NATPairs, sum.Findings = diag.finish(droppedFindings(sum.Sources)...)
	sum.Worst = diag.worst
	return sum, nil
}

// droppedFindings says when the kernel dropped packets during a live
// capture: any conclusion may then miss what was dropped.
func droppedFindings(sources []model.Source) []model.Finding {
	var fs []model.Finding
	for _, s := range sources {
		if s.Dropped == 0 {
			continue
		}
		fs = append(fs, model.Finding{Rule: diagnose.RuleCaptureGap, Severity: model.Warning,
			Summary:     fmt.Sprintf("the kernel dropped %s packets while capturing on %s", textfmt.Thousands(int64(s.Dropped)), s.Name),
			Explanation: "The capture buffer overflowed: packets crossed the interface without reaching ftpscope. A missing command, reply or SYN can make a working transfer look broken, or hide a failure.",
			Remedy:      "Capture closer to the traffic, with a capture filter that keeps only the FTP hosts (ftpscope -i IF host 203.0.113.20), or on a less loaded machine.",
			Evidence:    model.Evidence{Source: s.Label, Frames: []uint64{}}})
	}
	return fs
}

// hasInterfaces reports vantage points within a source ("label/eth0"):
// one capture on several interfaces, such as a gateway's "-i any".
func hasInterfaces(vantages []string) bool {
	for _, v := range vantages {
		if strings.Contains(v, "/") {
			return true
		}
	}
	return false
}

// liveSourceModel describes a live source while it is read, from the
// counters that any goroutine may read (a fan-in reads each live source on
// a goroutine of its own).
func liveSourceModel(s capture.Source, decodeErrors uint64) model.Source {
	in := s.Info()
	m := model.Source{Label: in.Label, Kind: in.Kind, Name: in.Name, LinkType: in.LinkTypeNames(), DecodeErrors: decodeErrors}
	if st, ok := capture.KernelStatsOf(s); ok {
		m.Packets, m.Bytes, m.Dropped = st.Captured, st.CapturedBytes, st.Dropped
	}
	return m
}

func anyLive(sources []capture.Source) bool {
	for _, s := range sources {
		if s.Info().Kind == "live" {
			return true
		}
	}
	return false
}

func sourceModel(in *capture.Info, decodeErrors uint64) model.Source {
	s := model.Source{
		Label:        in.Label,
		Kind:         in.Kind,
		Name:         in.Name,
		LinkType:     in.LinkTypeNames(),
		Packets:      in.Packets,
		Bytes:        in.Bytes,
		Dropped:      in.Dropped,
		DecodeErrors: decodeErrors,
		Warnings:     append([]string(nil), in.Warnings...),
	}
	if !in.First.IsZero() {
		f, l := model.At(in.First), model.At(in.Last)
		s.First, s.Last = &f, &l
	}
	for i := 0; i < len(in.Interfaces); i++ {
		s.Interfaces = append(s.Interfaces, in.Interfaces[i])
	}
	return s
}
