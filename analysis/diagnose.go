package analysis

import (
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"sort"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ctwatch"
	"github.com/ftpscope/ftpscope/diagnose"
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
	// liveMode: a live capture shows NAT pairs and cross-session findings
	// as soon as they are known, to a LivePairConsumer.
	liveMode bool
	pairs    LivePairConsumer
	// conntrack is the capturing host's conntrack (live, Linux), or nil.
	conntrack *ctwatch.Tracker
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
	d.liveMode = live
	d.pairs, _ = out.(LivePairConsumer)
	return d
}

// LivePairConsumer is implemented by a Consumer that shows NAT pairs as
// soon as they are known in a live capture (JSON lines, the terminal UI),
// before their legs conclude. A pair comes with the state model.PairOpen
// once the later leg's first announcement crossed, again whenever it
// shows more, and a last time as model.PairFinal once both legs concluded
// (after the second leg's Session) — or as model.PairWithdrawn when the
// concluded legs contradict it. findings are every finding drawn from the
// pair so far. (PairConsumer hears of final pairs only, files too.)
type LivePairConsumer interface {
	LivePair(p *model.NATPair, findings []model.Finding, state string)
}

// pairing reports whether a session may be a leg of a NAT.
func (d *diagnoser) pairing(s *model.Session) bool { return d.multiSource || s.Vantage != "" }

// Running offers a snapshot of a running session (live capture) to the
// NAT leg pairer.
func (d *diagnoser) Running(s *model.Session) {
	if d.pairing(s) {
		d.report(d.legs.Running(s))
	}
}

// report hands pair events to the consumer, in a live capture.
func (d *diagnoser) report(evs []diagnose.PairEvent) {
	if !d.liveMode || d.pairs == nil {
		return
	}
	for i := range evs {
		d.pairs.LivePair(&evs[i].Pair, evs[i].Findings, evs[i].State)
	}
}

// ChannelConsumer is implemented by a Consumer that wants each data
// channel as soon as it concludes, before its session (live JSON lines).
type ChannelConsumer interface {
	Channel(session string, ch *model.Channel)
}

// Session diagnoses one concluded session and hands it to the consumer.
func (d *diagnoser) Session(s *model.Session) {
	withConntrack(d.conntrack, s)
	s.WiresharkFilter = model.WiresharkFilter(s)
	fs := d.rules.Session(s)
	if f, ok := d.droppedDuring(s); ok {
		fs = append(fs, f)
	}
	d.findings = append(d.findings, fs...)
	var evs []diagnose.PairEvent
	if d.pairing(s) {
		evs = d.legs.Add(s)
		// A final pair comes just before its second leg (PairConsumer).
		for i := range evs {
			if pc, ok := d.out.(PairConsumer); ok && evs[i].State == diagnose.PairFinal {
				pc.NATPair(&evs[i].Pair, evs[i].Findings)
			}
		}
	}
	if d.liveMode {
		fs = d.rules.Escalate(s, fs)
	}
	if d.out != nil {
		d.out.Session(s, fs)
	}
	d.report(evs)
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
