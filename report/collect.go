package report

import (
	"sort"

	"github.com/ftpscope/ftpscope/model"
)

// Collector keeps every session in memory, for outputs that need them all
// before writing (the text report puts findings first), with the findings
// as they were delivered and later revised.
type Collector struct {
	Sessions []model.Session
	pairs    []model.NATPair
	findings []model.Finding // by Ref
	dropped  []bool          // withdrawn, by Ref
}

// NATPair implements analysis.PairConsumer.
func (c *Collector) NATPair(p *model.NATPair, findings []model.Finding) {
	c.pairs = append(c.pairs, *p)
	c.findings = append(c.findings, findings...)
	c.dropped = append(c.dropped, make([]bool, len(findings))...)
}

// Session implements analysis.Consumer.
func (c *Collector) Session(s *model.Session, findings []model.Finding) {
	c.Sessions = append(c.Sessions, *s)
	c.findings = append(c.findings, findings...)
	c.dropped = append(c.dropped, make([]bool, len(findings))...)
}

// Revise implements analysis.Reviser.
func (c *Collector) Revise(r *model.Revision) {
	if r.Ref >= uint64(len(c.findings)) {
		return
	}
	c.findings[r.Ref] = r.Finding
	c.dropped[r.Ref] = r.Withdrawn
}

// Report assembles the whole report, sessions in id order; pairs and
// findings are those received and those concluded at the end (pairs and
// findings), in report order.
func (c *Collector) Report(tool model.Tool, sources []model.Source, pairs []model.NATPair, findings []model.Finding, stats model.Stats) *model.Report {
	SortSessions(c.Sessions)
	all := []model.Finding{}
	for i := range c.findings {
		if !c.dropped[i] {
			all = append(all, c.findings[i])
		}
	}
	all = append(all, findings...)
	OrderFindings(all)
	ps := append(append([]model.NATPair{}, c.pairs...), pairs...)
	sort.SliceStable(ps, func(i, j int) bool { return model.SessionNumber(ps[i].Inside) < model.SessionNumber(ps[j].Inside) })
	r := &model.Report{Schema: model.Schema, Tool: tool, Sources: sources, Sessions: c.Sessions, NATPairs: ps, Findings: all, Stats: stats}
	if r.Sessions == nil {
		r.Sessions = []model.Session{}
	}
	return r
}

// SortSessions orders sessions by their number ("s2" before "s10").
func SortSessions(ss []model.Session) {
	sort.SliceStable(ss, func(i, j int) bool { return model.SessionNumber(ss[i].ID) < model.SessionNumber(ss[j].ID) })
}
