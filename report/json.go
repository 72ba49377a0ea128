package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ftpscope/ftpscope/model"
)

// JSONWriter streams one report document (report.md): sessions are written
// as they conclude and not kept, so memory does not grow with the capture.
// The fields known only at the end (sources, findings, stats) follow the
// sessions; JSON objects are unordered, so the document is the same one.
// Findings wait for the end in a spill (spill.go), on disk past 1 MiB.
type JSONWriter struct {
	w        *bufio.Writer
	sessions int
	enc      enc
	findings *findingSpill
	pairs    *findingSpill // NAT pairs, by inside session
	err      error
}

// NewJSONWriter starts a report on w.
func NewJSONWriter(w io.Writer, tool model.Tool) *JSONWriter {
	j := &JSONWriter{w: bufio.NewWriterSize(w, 64<<10), findings: newFindingSpill(), pairs: newFindingSpill()}
	j.raw("{\n  \"schema\": ")
	j.value(model.Schema, "")
	j.raw(",\n  \"tool\": ")
	j.value(tool, "  ")
	j.raw(",\n  \"sessions\": [")
	return j
}

// Session implements analysis.Consumer; findings are written at Close,
// with those that span sessions.
func (j *JSONWriter) Session(s *model.Session, findings []model.Finding) {
	for i := range findings {
		j.findings.add(&findings[i])
	}
	if j.sessions > 0 {
		j.raw(",")
	}
	// One session per line: written by hand (encode.go), it costs
	// microseconds, where encoding/json took a third of a millisecond.
	j.raw("\n    ")
	j.enc.b = j.enc.b[:0]
	j.enc.session(s)
	if j.err == nil {
		_, j.err = j.w.Write(j.enc.b)
	}
	j.sessions++
}

// NATPair implements analysis.PairConsumer: pairs and their findings
// wait for the end with the others.
func (j *JSONWriter) NATPair(p *model.NATPair, findings []model.Finding) {
	j.pairs.addPair(p)
	for i := range findings {
		j.findings.add(&findings[i])
	}
}

// Revise implements analysis.Reviser.
func (j *JSONWriter) Revise(r *model.Revision) {
	j.findings.revise(r.Ref, &r.Finding, r.Withdrawn)
}

// StreamsSessions tells the analysis that a session is written out by the
// time Session returns, and not kept.
func (j *JSONWriter) StreamsSessions() {}

// Close writes the rest of the document and flushes it: pairs and
// findings are those that concluded only at the end (analysis.Summary),
// listed with the ones received before, in report order.
func (j *JSONWriter) Close(sources []model.Source, pairs []model.NATPair, findings []model.Finding, stats model.Stats) error {
	if j.sessions > 0 {
		j.raw("\n  ")
	}
	for i := range pairs {
		j.pairs.addPair(&pairs[i])
	}
	for i := range findings {
		j.findings.add(&findings[i])
	}
	if sources == nil {
		sources = []model.Source{}
	}
	j.raw("],\n  \"nat_pairs\": ")
	if j.err == nil {
		if err := j.pairs.writeArray(j.w); err != nil {
			j.err = fmt.Errorf("nat pairs: %w", err)
		}
	}
	j.pairs.close()
	j.raw(",\n  \"findings\": ")
	if j.err == nil {
		if err := j.findings.writeArray(j.w); err != nil {
			j.err = fmt.Errorf("findings: %w", err)
		}
	}
	j.findings.close()
	j.raw(",\n  \"sources\": ")
	j.value(sources, "  ")
	j.raw(",\n  \"stats\": ")
	j.value(stats, "  ")
	j.raw("\n}\n")
	if err := j.w.Flush(); err != nil && j.err == nil {
		j.err = err
	}
	return j.err
}

func (j *JSONWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *JSONWriter) value(v any, indent string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, indent, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// WriteJSON writes a whole in-memory report.
func WriteJSON(w io.Writer, r *model.Report) error {
	j := NewJSONWriter(w, r.Tool)
	for i := range r.Sessions {
		j.Session(&r.Sessions[i], nil)
	}
	return j.Close(r.Sources, r.NATPairs, r.Findings, r.Stats)
}
