package model

import (
	"math"
	"sort"
	"strconv"
)

// SessionNumber returns the number in a session id ("s12" → 12), 0 when
// there is none. Sessions are numbered as they start.
func SessionNumber(id string) int {
	if len(id) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(id[1:])
	return n
}

// FindingOrder is a finding's place in every list of findings ftpscope
// shows: worst first, then by session (the order of time, as sessions are
// numbered when they start), then by time within the session, those about
// the session as a whole (no timestamp) first. It depends on nothing but
// the finding, so a report written as the capture is read and one
// assembled in memory list them alike.
type FindingOrder struct {
	Severity Severity
	Session  uint64
	TS       int64 // UnixNano; math.MinInt64 without a timestamp
}

// OrderOf returns f's FindingOrder.
func (f *Finding) OrderOf() FindingOrder {
	o := FindingOrder{Severity: f.Severity, Session: uint64(max(0, SessionNumber(f.Session))), TS: math.MinInt64}
	if f.TS != nil {
		o.TS = f.TS.UnixNano()
	}
	return o
}

// Before reports whether o comes before p (a strict weak order; equal
// places keep the order they were given in).
func (o FindingOrder) Before(p FindingOrder) bool {
	switch {
	case o.Severity != p.Severity:
		return o.Severity > p.Severity
	case o.Session != p.Session:
		return o.Session < p.Session
	}
	return o.TS < p.TS
}

// SortFindings puts findings in FindingOrder, ties in the order given.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].OrderOf().Before(fs[j].OrderOf()) })
}

// FindingGroupKey says which findings say the same thing about several
// places: the text report prints them once with the list of the others,
// and the terminal UI's overview groups them alike.
type FindingGroupKey struct {
	Rule, Remedy, Vantage, Source string
	Severity                      Severity
}

// GroupKey returns f's FindingGroupKey.
func (f *Finding) GroupKey() FindingGroupKey {
	return FindingGroupKey{f.Rule, f.Remedy, f.Evidence.Vantage, f.Evidence.Source, f.Severity}
}
