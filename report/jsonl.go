package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/ftpscope/ftpscope/model"
)

// JSONLWriter writes one JSON object per line as each thing concludes, for
// live use and log shippers: every channel of a session, its findings, then
// the session itself; at the end the NAT pairs, the findings that span
// sessions and a summary. In a live capture NAT pairs and their findings
// come as soon as they are known, and a stats line now and then. Each line
// is flushed at once.
type JSONLWriter struct {
	w        *bufio.Writer
	enc      *json.Encoder
	seen     map[string]bool // findings already written, by rule+session+channel+summary
	channels map[string]bool // channels written before their session
	// pairsLive: the NAT pairs were written as they were known (live), the
	// end does not repeat them
	pairsLive bool
	err       error
}

// Event is one line of JSON-lines output.
type Event struct {
	Event   string         `json:"event"`           // "channel", "finding", "session", "nat_pair", "stats", "summary"
	State   string         `json:"state,omitempty"` // of a nat_pair told during a live capture: "open", "final", "withdrawn"
	Session string         `json:"session,omitempty"`
	Channel *model.Channel `json:"channel,omitempty"`
	Finding *model.Finding `json:"finding,omitempty"`
	Data    *model.Session `json:"data,omitempty"`
	NATPair *model.NATPair `json:"nat_pair,omitempty"`
	Sources []model.Source `json:"sources,omitempty"`
	Stats   *model.Stats   `json:"stats,omitempty"`
}

// NewJSONLWriter writes events to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriter(w)
	return &JSONLWriter{w: bw, enc: json.NewEncoder(bw), seen: map[string]bool{}, channels: map[string]bool{}}
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
	j.write(&Event{Event: "channel", Session: session, Channel: ch})
}

// Session implements analysis.Consumer.
func (j *JSONLWriter) Session(s *model.Session, findings []model.Finding) {
	for i := range s.Channels {
		if j.channels[s.Channels[i].ID] {
			delete(j.channels, s.Channels[i].ID)
			continue
		}
		j.write(&Event{Event: "channel", Session: s.ID, Channel: &s.Channels[i]})
	}
	for i := range findings {
		j.seen[findings[i].Key()] = true
		j.write(&Event{Event: "finding", Session: s.ID, Finding: &findings[i]})
	}
	j.write(&Event{Event: "session", Session: s.ID, Data: s})
}

// LivePair implements analysis.LivePairConsumer: during a live capture a pair
// is written when it is known, again when it shows more and once final,
// each time followed by those of its findings not written yet.
func (j *JSONLWriter) LivePair(p *model.NATPair, findings []model.Finding, state string) {
	j.pairsLive = true
	j.write(&Event{Event: "nat_pair", State: state, NATPair: p})
	j.findings(findings)
}

// Stats implements analysis.StatsConsumer: a live capture's counters, so
// that a log shipper sees it is alive.
func (j *JSONLWriter) Stats(sources []model.Source, stats model.Stats) {
	j.write(&Event{Event: "stats", Sources: sources, Stats: &stats})
}

// findings writes the findings not written yet.
func (j *JSONLWriter) findings(fs []model.Finding) {
	for i := range fs {
		if k := fs[i].Key(); !j.seen[k] {
			j.seen[k] = true
			j.write(&Event{Event: "finding", Session: fs[i].Session, Finding: &fs[i]})
		}
	}
}

// StreamsSessions tells the analysis that a session is written out by the
// time Session returns, and not kept.
func (j *JSONLWriter) StreamsSessions() {}

// Close writes what concludes only at the end.
func (j *JSONLWriter) Close(sources []model.Source, pairs []model.NATPair, findings []model.Finding, stats model.Stats) error {
	for i := range pairs {
		if j.pairsLive {
			break
		}
		j.write(&Event{Event: "nat_pair", NATPair: &pairs[i]})
	}
	for i := range findings {
		if !j.seen[findings[i].Key()] {
			j.write(&Event{Event: "finding", Session: findings[i].Session, Finding: &findings[i]})
		}
	}
	j.write(&Event{Event: "summary", Sources: sources, Stats: &stats})
	return j.err
}
