package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/ftpscope/ftpscope/model"
)

// JSONLWriter writes one JSON object per line as each thing concludes, for
// live use and log shippers: every channel of a session, its findings, then
// the session itself; a finding_update when a finding already written
// changes (a refused login that became part of a password-guessing
// attempt); each NAT pair and the findings drawn from it as soon as its
// second leg concludes; a summary at the end. In a live capture (Live) NAT
// pairs also come, with their state, as soon as they are known, before
// their legs conclude, and a stats line now and then. Each line is flushed
// at once; nothing is kept of what was written but the ids of channels
// written before their session and the findings of the pairs told live
// that are not final yet.
type JSONLWriter struct {
	// Live: the analysis reads a live capture; NAT pairs carry their state
	// (open, final, withdrawn), the final one after its legs' sessions.
	Live bool

	w        *bufio.Writer
	enc      *json.Encoder
	hand     enc             // sessions and channels, written by hand (encode.go)
	channels map[string]bool // channels written before their session
	// told has the keys of the findings written of each pair told live and
	// not final yet, by inside leg: each is written once
	told map[string]map[string]bool
	err  error
}

// Event is one line of JSON-lines output.
type Event struct {
	Event   string         `json:"event"`           // "channel", "finding", "finding_update", "session", "nat_pair", "stats", "summary"
	State   string         `json:"state,omitempty"` // of a nat_pair told during a live capture: "open", "final", "withdrawn"
	Session string         `json:"session,omitempty"`
	Channel *model.Channel `json:"channel,omitempty"`
	Finding *model.Finding `json:"finding,omitempty"`
	// Withdrawn (finding_update): the finding no longer stands; one drawn
	// from a NAT pair replaces it.
	Withdrawn bool           `json:"withdrawn,omitempty"`
	Data      *model.Session `json:"data,omitempty"`
	NATPair   *model.NATPair `json:"nat_pair,omitempty"`
	Sources   []model.Source `json:"sources,omitempty"`
	Stats     *model.Stats   `json:"stats,omitempty"`
}

// NewJSONLWriter writes events to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriter(w)
	return &JSONLWriter{w: bw, enc: json.NewEncoder(bw), channels: map[string]bool{}, told: map[string]map[string]bool{}}
}

// writeHand writes the line encoding/json gives for an Event with only
// Event, Session (omitted when empty) and one object field set, the object
// written by body with the hand encoder: sessions are most of the stream,
// and reflection most of its cost.
func (j *JSONLWriter) writeHand(event, session, field string, body func(*enc)) {
	if j.err != nil {
		return
	}
	e := &j.hand
	e.b = e.b[:0]
	e.raw(`{"event":`)
	e.quote(event)
	if session != "" {
		e.raw(`,"session":`)
		e.quote(session)
	}
	e.raw(`,"` + field + `":`)
	body(e)
	e.raw("}\n")
	if _, j.err = j.w.Write(e.b); j.err == nil {
		j.err = j.w.Flush()
	}
}

func (j *JSONLWriter) channel(session string, ch *model.Channel) {
	j.writeHand("channel", session, "channel", func(e *enc) { e.channel(ch) })
}

func (j *JSONLWriter) write(e *Event) {
	if j.err != nil {
		return
	}
	if j.err = j.enc.Encode(e); j.err == nil {
		j.err = j.w.Flush()
	}
}

// Channel implements analysis.ChannelConsumer: a channel is written as
// soon as it concludes.
func (j *JSONLWriter) Channel(session string, ch *model.Channel) {
	j.channels[ch.ID] = true
	j.channel(session, ch)
}

// Session implements analysis.Consumer.
func (j *JSONLWriter) Session(s *model.Session, findings []model.Finding) {
	for i := range s.Channels {
		if j.channels[s.Channels[i].ID] {
			delete(j.channels, s.Channels[i].ID)
			continue
		}
		j.channel(s.ID, &s.Channels[i])
	}
	for i := range findings {
		j.writeHand("finding", s.ID, "finding", func(e *enc) { e.finding(&findings[i]) })
	}
	j.writeHand("session", s.ID, "data", func(e *enc) { e.session(s) })
}

// NATPair implements analysis.PairConsumer: a pair is written as soon as
// its second leg concludes, then the findings drawn from it (live, those
// not written while it was open).
func (j *JSONLWriter) NATPair(p *model.NATPair, findings []model.Finding) {
	e := &Event{Event: "nat_pair", NATPair: p}
	if j.Live {
		e.State = model.PairFinal
	}
	j.write(e)
	told := j.told[p.Inside]
	delete(j.told, p.Inside)
	for i := range findings {
		if !told[findings[i].Key()] {
			j.writeHand("finding", findings[i].Session, "finding", func(e *enc) { e.finding(&findings[i]) })
		}
	}
}

// LivePair implements analysis.LivePairConsumer: during a live capture a
// pair is written when it is known and again when it shows more, each time
// followed by those of its findings not written yet, or when it is
// withdrawn. The final pair is NATPair's.
func (j *JSONLWriter) LivePair(p *model.NATPair, findings []model.Finding, state string) {
	switch state {
	case model.PairFinal:
		return
	case model.PairWithdrawn:
		delete(j.told, p.Inside)
		j.write(&Event{Event: "nat_pair", State: state, NATPair: p})
		return
	}
	j.write(&Event{Event: "nat_pair", State: state, NATPair: p})
	told := j.told[p.Inside]
	if told == nil {
		told = map[string]bool{}
		j.told[p.Inside] = told
	}
	for i := range findings {
		if k := findings[i].Key(); !told[k] {
			told[k] = true
			j.writeHand("finding", findings[i].Session, "finding", func(e *enc) { e.finding(&findings[i]) })
		}
	}
}

// Stats implements analysis.StatsConsumer: a live capture's counters, so
// that a log shipper sees it is alive.
func (j *JSONLWriter) Stats(sources []model.Source, stats model.Stats) {
	j.write(&Event{Event: "stats", Sources: sources, Stats: &stats})
}

// Revise implements analysis.Reviser: the finding, identified by its rule,
// session, channel and summary (which a revision keeps), as it now stands.
func (j *JSONLWriter) Revise(r *model.Revision) {
	j.write(&Event{Event: "finding_update", Session: r.Finding.Session, Finding: &r.Finding, Withdrawn: r.Withdrawn})
}

// StreamsSessions tells the analysis that a session is written out by the
// time Session returns, and not kept.
func (j *JSONLWriter) StreamsSessions() {}

// Close writes what concludes only at the end (findings: those of
// analysis.Summary.Findings).
func (j *JSONLWriter) Close(sources []model.Source, pairs []model.NATPair, findings []model.Finding, stats model.Stats) error {
	for i := range pairs {
		j.write(&Event{Event: "nat_pair", NATPair: &pairs[i]})
	}
	for i := range findings {
		j.write(&Event{Event: "finding", Session: findings[i].Session, Finding: &findings[i]})
	}
	j.write(&Event{Event: "summary", Sources: sources, Stats: &stats})
	return j.err
}
