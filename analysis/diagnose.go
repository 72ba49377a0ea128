package analysis

import (
	"fmt"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ctwatch"
	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/model"
)

// diagnoser sits between the dissector and the consumer: it runs the rules
// as each session concludes and hands the session on with its findings,
// keeping nothing of them but bounded state for the rules that span
// sessions (repeated refused logins, NAT legs waiting for their other
// side, running legs paired live). When such a rule changes a finding
// already handed on, a Reviser hears of it.
type diagnoser struct {
	out     Consumer
	reviser Reviser
	pairs   PairConsumer
	rules   *diagnose.Diagnoser
	// delivered counts the findings handed on: the next one's Ref
	delivered uint64
	worst     model.Severity
	// legs pairs the sessions that may be one side of a NAT: those of a run
	// over several sources, or of an interface of a multi-interface capture.
	multiSource bool
	legs        *diagnose.LegPairer
	// live sources by label, for the kernel's drops during a session
	live map[string]capture.LiveSource
	// observers of Config
	observeFindings func(s *model.Session, fs []model.Finding)
	observePair     func(p *model.NATPair, fs []model.Finding)
	// liveMode: a live capture shows NAT pairs as soon as they are known,
	// to a LivePairConsumer.
	liveMode  bool
	livePairs LivePairConsumer
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
	d.reviser, _ = out.(Reviser)
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
	labels := make([]string, len(sources))
	for i, s := range sources {
		labels[i] = s.Info().Label
	}
	d.legs.SourceOrder(labels...)
	d.pairs, _ = out.(PairConsumer)
	d.legs.Forget = d.pairs != nil
	d.liveMode = live
	d.livePairs, _ = out.(LivePairConsumer)
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

// pairing reports whether a session may be a leg of a NAT (the pairer
// also wants a dialog: diagnose.MayBeLeg).
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
	if !d.liveMode || d.livePairs == nil {
		return
	}
	for i := range evs {
		d.livePairs.LivePair(&evs[i].Pair, evs[i].Findings, evs[i].State)
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
	var evs []diagnose.PairEvent
	if d.pairing(s) {
		// Until its other leg comes, a leg keeps (bounded by the pairer)
		// the findings that the pair's may replace; numbered as they will
		// be delivered if it waits.
		evs = d.legs.Add(s, replaceable(fs, d.delivered))
		for i := range evs {
			if evs[i].State == diagnose.PairFinal {
				fs = d.settlePair(&evs[i], fs)
				if !d.liveMode {
					d.deliverPair(&evs[i])
				}
			}
		}
	}
	first := d.delivered
	d.delivered += uint64(len(fs))
	for i := range fs {
		d.worst = max(d.worst, fs[i].Severity)
	}
	d.rules.Delivered(fs, first)
	if d.observeFindings != nil {
		d.observeFindings(s, fs)
	}
	if d.out != nil {
		d.out.Session(s, fs)
	}
	if d.liveMode {
		// Live, the final pair comes after its second leg, as the pairs
		// told while the legs ran (LivePairConsumer) lead a reader to
		// expect.
		for i := range evs {
			if evs[i].State == diagnose.PairFinal {
				d.deliverPair(&evs[i])
			}
		}
	}
	for _, u := range d.rules.Upgrades() {
		d.worst = max(d.worst, u.Finding.Severity)
		d.revise(&model.Revision{Ref: u.Ref, Finding: u.Finding, Was: u.Was})
	}
	d.report(evs)
}

// settlePair withdraws what the findings of a final pair, whose second leg
// (with findings fs) just concluded, replace of the first leg's, and
// returns fs without what they replace.
func (d *diagnoser) settlePair(ev *diagnose.PairEvent, fs []model.Finding) []model.Finding {
	fs = withoutSuperseded(fs, &ev.Pair, ev.Findings)
	other, _ := ev.OtherTag.([]numbered)
	for i := range other {
		if diagnose.Superseded(&other[i].f, &ev.Pair, ev.Findings) {
			d.revise(&model.Revision{Ref: other[i].ref, Finding: other[i].f, Was: other[i].f.Severity, Withdrawn: true})
		}
	}
	return fs
}

// deliverPair hands a final pair and its findings on: to the observer, and
// to a PairConsumer, just before its second leg (files) or just after it
// (live).
func (d *diagnoser) deliverPair(ev *diagnose.PairEvent) {
	if d.observePair != nil {
		d.observePair(&ev.Pair, ev.Findings)
	}
	if d.pairs != nil {
		d.delivered += uint64(len(ev.Findings))
		for i := range ev.Findings {
			d.worst = max(d.worst, ev.Findings[i].Severity)
		}
		d.pairs.NATPair(&ev.Pair, ev.Findings)
	}
}

func (d *diagnoser) revise(r *model.Revision) {
	if d.reviser != nil {
		d.reviser.Revise(r)
	}
}

// numbered is a finding with the Ref it was delivered with.
type numbered struct {
	ref uint64
	f   model.Finding
}

// replaceable returns the findings of fs, numbered from first, that a NAT
// pair's findings may replace later.
func replaceable(fs []model.Finding, first uint64) any {
	var out []numbered
	for i := range fs {
		if fs[i].Rule == diagnose.RuleNATNotRewritten && fs[i].Evidence.Other == nil && fs[i].Channel != "" {
			out = append(out, numbered{first + uint64(i), fs[i]})
		}
	}
	if out == nil {
		return nil
	}
	return out
}

func withoutSuperseded(fs []model.Finding, pair *model.NATPair, pairFindings []model.Finding) []model.Finding {
	kept := fs[:0]
	for i := range fs {
		if !diagnose.Superseded(&fs[i], pair, pairFindings) {
			kept = append(kept, fs[i])
		}
	}
	return kept
}

// finish returns the NAT pairs and the findings concluded only at the end:
// those drawn from pairs, and extra.
func (d *diagnoser) finish(extra ...model.Finding) ([]model.NATPair, []model.Finding) {
	pairs, pf := d.legs.Result()
	fs := append(append([]model.Finding(nil), pf...), extra...)
	for i := range fs {
		d.worst = max(d.worst, fs[i].Severity)
	}
	model.SortFindings(fs)
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
