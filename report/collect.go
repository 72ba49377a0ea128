package report

import (
	"sort"
	"strconv"

	"github.com/ftpscope/ftpscope/model"
)

// Collector keeps every session in memory, for outputs that need them all
// before writing (the text report puts findings first).
type Collector struct {
	Sessions []model.Session
}

// Session implements analysis.Consumer.
func (c *Collector) Session(s *model.Session, _ []model.Finding) {
	c.Sessions = append(c.Sessions, *s)
}

// Report assembles the whole report, sessions in id order.
func (c *Collector) Report(tool model.Tool, sources []model.Source, pairs []model.NATPair, findings []model.Finding, stats model.Stats) *model.Report {
	SortSessions(c.Sessions)
	r := &model.Report{Schema: model.Schema, Tool: tool, Sources: sources, Sessions: c.Sessions, NATPairs: pairs, Findings: findings, Stats: stats}
	if r.Sessions == nil {
		r.Sessions = []model.Session{}
	}
	if r.NATPairs == nil {
		r.NATPairs = []model.NATPair{}
	}
	if r.Findings == nil {
		r.Findings = []model.Finding{}
	}
	return r
}

// SortSessions orders sessions by their number ("s2" before "s10").
func SortSessions(ss []model.Session) {
	sort.SliceStable(ss, func(i, j int) bool { return SessionNumber(ss[i].ID) < SessionNumber(ss[j].ID) })
}

// SessionNumber returns the number in a session id ("s12" → 12).
func SessionNumber(id string) int {
	if len(id) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(id[1:])
	return n
}
