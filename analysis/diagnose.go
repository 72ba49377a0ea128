package analysis

import (
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"sort"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/diagnose"
	"github.com/ftpscope/ftpscope/model"
)

// diagnoser sits between the dissector and the consumer: it runs the
// per-session rules as each session concludes and the cross-session ones
// (NAT leg pairing, repeated failed logins) at the end.
type diagnoser struct {
	out      Consumer
	rules    *diagnose.Diagnoser
	findings []model.Finding
	// legs pairs the sessions that may be one side of a NAT: those of a run
	// over several sources, or of an interface of a multi-interface capture.
	multiSource bool
	legs        *diagnose.LegPairer
	// live sources by label, for the kernel's drops during a session
	live map[string]capture.LiveSource
}

// Legs wait for their other side this long (by session start): a gateway
// capture shows both within milliseconds; two files from two machines may
// add their clocks' offset. At most maxWaitingLegs wait at once.
const (
	pairWindowFiles = 2 * time.Minute
	pairWindowLive  = 30 * time.Second
	maxWaitingLegs  = 20000
)

func newDiagnoser(cfg diagnose.Config, sources []capture.Source, live bool, out Consumer) *diagnoser {
	d := &diagnoser{out: out, rules: diagnose.New(cfg), multiSource: len(sources) > 1, live: map[string]capture.LiveSource{}}
	for _, s := range sources {
		if l, ok := s.(capture.LiveSource); ok {
			d.live[s.Info().Label] = l
		}
	}
	window := pairWindowFiles
	if live {
		window = pairWindowLive
	}
	d.legs = d.rules.NewLegPairer(window, maxWaitingLegs)
	return d
}

// ChannelConsumer is implemented by a Consumer that wants each data
// channel as soon as it concludes, before its session (live JSON lines).
type ChannelConsumer interface {
	Channel(session string, ch *model.Channel)
}

// Session diagnoses one concluded session and hands it to the consumer.
func (d *diagnoser) Session(s *model.Session) {
	s.WiresharkFilter = model.WiresharkFilter(s)
	fs := d.rules.Session(s)
	if f, ok := d.droppedDuring(s); ok {
		fs = append(fs, f)
	}
	d.findings = append(d.findings, fs...)
	if d.multiSource || s.Vantage != "" {
		for _, ev := range d.legs.Add(s) {
			if pc, ok := d.out.(PairConsumer); ok && ev.State == diagnose.PairFinal {
				pc.NATPair(&ev.Pair, ev.Findings)
			}
		}
	}
	if d.out != nil {
		d.out.Session(s, fs)
	}
}

func (d *diagnoser) finish(extra ...model.Finding) ([]model.NATPair, []model.Finding) {
	pairs, pf := d.legs.Result()
	fs := d.rules.Finish(append(append(d.findings, pf...), extra...), pairs)
	sortFindings(fs)
	return pairs, fs
}

// droppedDuring says when the kernel dropped packets while a session ran on
// a live interface: its dialog or data connections may miss them.
func (d *diagnoser) droppedDuring(s *model.Session) (model.Finding, bool) {
	l := d.live[s.Source]
	if l == nil {
		return model.Finding{}, false
	}
	var n uint64
	for _, sp := range l.DropSpans() {
		if !sp.To.Before(s.Start.Time) && !sp.From.After(s.End.Time) {
			n += sp.Count
		}
	}
	if n == 0 {
		return model.Finding{}, false
	}
	ts := s.Start
	return model.Finding{Rule: diagnose.RuleCaptureGap, Severity: model.Warning, Session: s.ID, TS: &ts,
		Summary:     fmt.Sprintf("the kernel dropped %s packets on %s while this session ran", textfmt.Thousands(int64(n)), s.Source),
		Explanation: "The capture buffer overflowed during the session: a command, reply or data segment may be missing, so a working transfer can look broken and a failure can be hidden.",
		Remedy:      "Narrow the capture with a filter on the FTP hosts, or capture on a less loaded machine; repeat the transfer.",
		Evidence:    model.Evidence{Source: s.Source, Frames: []uint64{s.Frames.First, s.Frames.Last}}}, true
}

// sortFindings orders findings worst first, then by time, then by session.
func sortFindings(fs []model.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.TS != nil && b.TS != nil && !a.TS.Equal(b.TS.Time) {
			return a.TS.Before(b.TS.Time)
		}
		return a.Session < b.Session
	})
}
