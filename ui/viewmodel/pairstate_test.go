package viewmodel

import (
	"testing"

	"github.com/ftpscope/ftpscope/ui/internal/uitest"

	"github.com/ftpscope/ftpscope/model"
)

var fakeSession = uitest.FakeSession

// A NAT pair told while its legs run shows at once: its findings on the
// legs' rows, kept across the running sessions' updates, taken back when
// withdrawn; Finish has the last word.
func TestModelLivePair(t *testing.T) {
	m := NewModel("any")
	in, _ := fakeSession(1, false)
	out, _ := fakeSession(2, false)
	m.Update(in, 0)
	m.Update(out, 0)
	pair := model.NATPair{Inside: "s1", Outside: "s2"}
	rewrite := model.Finding{Rule: "nat-rewrite", Severity: model.Info, Session: "s1", Summary: "NAT rewrote"}
	m.LivePair(&pair, []model.Finding{rewrite}, model.PairOpen)
	m.Update(in, 0) // the running session changed: the pair's finding stays
	if r := m.Row("s1"); r.Other != "s2" || len(r.Findings) != 1 || r.Findings[0].Rule != "nat-rewrite" {
		t.Errorf("s1 row: other %q, findings %+v", r.Other, r.Findings)
	}
	if r := m.Row("s2"); r.Other != "s1" || len(r.Findings) != 0 {
		t.Errorf("s2 row: other %q, findings %+v", r.Other, r.Findings)
	}
	if p, ok := m.Pair("s2"); !ok || p.Inside != "s1" {
		t.Errorf("Pair(s2) = %+v %v", p, ok)
	}
	m.LivePair(&pair, []model.Finding{rewrite}, model.PairOpen) // told again: counted once
	if s := m.Snapshot(); s.Counts[model.Info] != 1 {
		t.Errorf("info findings counted %d times", s.Counts[model.Info])
	}
	m.LivePair(&pair, nil, model.PairWithdrawn)
	if r := m.Row("s1"); r.Other != "" || len(r.Findings) != 0 {
		t.Errorf("withdrawn: s1 row other %q findings %+v", r.Other, r.Findings)
	}
	if _, ok := m.Pair("s1"); ok {
		t.Error("withdrawn pair still known")
	}
	m.Finish(&Outcome{NATPairs: []model.NATPair{pair}, Findings: []model.Finding{rewrite}}, nil)
	if r := m.Row("s2"); r.Other != "s1" {
		t.Errorf("after Finish: s2 row other %q", r.Other)
	}
}
