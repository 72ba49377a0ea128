package model

import (
	"testing"
	"time"
)

func TestSessionNumber(t *testing.T) {
	for id, want := range map[string]int{"s12": 12, "s2": 2, "s": 0, "": 0, "sx": 0} {
		if got := SessionNumber(id); got != want {
			t.Errorf("SessionNumber(%q) = %d, want %d", id, got, want)
		}
	}
}

// The order: worst first, then session number (s2 before s10), then time,
// a finding without a time first; equal places keep their order.
func TestSortFindings(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *Time { x := At(t0.Add(d)); return &x }
	fs := []Finding{
		{Rule: "a", Severity: Info, Session: "s1", TS: at(0)},
		{Rule: "b", Severity: Warning, Session: "s10", TS: at(0)},
		{Rule: "c", Severity: Warning, Session: "s2", TS: at(time.Second)},
		{Rule: "d", Severity: Warning, Session: "s2"},
		{Rule: "e", Severity: Error, Session: "s3", TS: at(0)},
		{Rule: "f", Severity: Warning, Session: "s2", TS: at(time.Second)},
	}
	SortFindings(fs)
	got := ""
	for _, f := range fs {
		got += f.Rule
	}
	if got != "edcfba" {
		t.Errorf("order %s, want edcfba", got)
	}
}
