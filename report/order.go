package report

import (
	"math"
	"sort"

	"github.com/ftpscope/ftpscope/model"
)

// Reports list findings worst first, then by session (sessions are
// numbered as they start, so this is the order of time), then by time
// within the session, those about the session as a whole (no timestamp)
// first; ties keep the order the findings were delivered in. The order
// depends on nothing but the findings, so a report written as the capture
// is read and one assembled in memory list them alike.

// order is a finding's place in a report.
type order struct {
	severity model.Severity
	session  uint64
	ts       int64 // UnixNano; math.MinInt64 without a timestamp
	ref      uint64
}

func orderOf(f *model.Finding, ref uint64) order {
	o := order{severity: f.Severity, session: uint64(max(0, SessionNumber(f.Session))), ts: math.MinInt64, ref: ref}
	if f.TS != nil {
		o.ts = f.TS.UnixNano()
	}
	return o
}

func (a order) less(b order) bool {
	switch {
	case a.severity != b.severity:
		return a.severity > b.severity
	case a.session != b.session:
		return a.session < b.session
	case a.ts != b.ts:
		return a.ts < b.ts
	}
	return a.ref < b.ref
}

// OrderFindings puts findings, given in the order they were delivered, in
// report order.
func OrderFindings(fs []model.Finding) {
	sort.Stable(byOrder(fs))
}

type byOrder []model.Finding

func (s byOrder) Len() int           { return len(s) }
func (s byOrder) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s byOrder) Less(i, j int) bool { return orderOf(&s[i], 0).less(orderOf(&s[j], 0)) }
