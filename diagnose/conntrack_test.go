package diagnose

import (
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// gatewaySession is the inside leg of an active-mode RETR through a
// masquerading gateway, as conntrack saw it.
func gatewaySession(helper string, status string, x *model.Expectation, conn *model.Connection) *model.Session {
	s := activeSession("192.168.1.10:40312", "203.0.113.20:21", "192.168.1.10:40000", 200, "PORT command successful.")
	s.Dialog[3].Code, s.Dialog[3].Text = 150, "Opening BINARY mode data connection."
	s.Channels[0].Status = status
	s.Channels[0].Transfer.ReplyCodes = []int{150, 226}
	s.Channels[0].Expectation = x
	s.Channels[0].Connection = conn
	s.Conntrack = &model.Conntrack{Tuple: "192.168.1.10:40312 → 203.0.113.20:21", ReplyTuple: "203.0.113.20:21 → 203.0.113.1:40312", SNAT: true}
	if helper != "" {
		s.Conntrack.Helper = &helper
	}
	return s
}

func findingOf(fs []model.Finding, rule string) *model.Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

func TestHelperNotAttached(t *testing.T) {
	s := gatewaySession("", model.StatusNoConnection, nil, nil)
	f := findingOf(New(Config{}).Session(s), RuleHelperNotAttached)
	if f == nil || f.Severity != model.Error || f.Channel != "s1.c1" || !strings.Contains(f.Remedy, "tcp dport 21 ct helper set") ||
		!strings.Contains(f.Summary, "192.168.1.10:40312 → 203.0.113.20:21") {
		t.Fatalf("active PORT through SNAT without helper: %+v", f)
	}
	// a passive channel through SNAT needs no helper: a warning
	s = gatewaySession("", model.StatusOK, nil, nil)
	s.Channels[0].Mode = "passive"
	s.Channels[0].Announce.Verb = "PASV"
	if f := findingOf(New(Config{}).Session(s), RuleHelperNotAttached); f == nil || f.Severity != model.Warning {
		t.Errorf("passive through SNAT without helper: %+v", f)
	}
	// untranslated, or with the helper: nothing
	s = gatewaySession("", model.StatusOK, nil, nil)
	s.Conntrack.SNAT = false
	if f := findingOf(New(Config{}).Session(s), RuleHelperNotAttached); f != nil {
		t.Errorf("untranslated: %+v", f)
	}
	s = gatewaySession("ftp", model.StatusOK, &model.Expectation{Outcome: model.ExpectationUsed}, nil)
	if f := findingOf(New(Config{}).Session(s), RuleHelperNotAttached); f != nil {
		t.Errorf("helper attached: %+v", f)
	}
}

func TestExpectationMissing(t *testing.T) {
	s := gatewaySession("ftp", model.StatusNoConnection, nil, nil)
	f := findingOf(New(Config{}).Session(s), RuleExpectationMissing)
	if f == nil || f.Severity != model.Error || f.Channel != "s1.c1" {
		t.Fatalf("no expectation: %+v", f)
	}
	s = gatewaySession("ftp", model.StatusNoConnection, nil, nil)
	s.Dialog[0].Segment = &model.SegmentPlace{Split: true, Segments: 2}
	if f := findingOf(New(Config{}).Session(s), RuleExpectationMissing); f == nil || !strings.Contains(f.Explanation, "split across 2 TCP segments") {
		t.Errorf("split announcement: %+v", f)
	}
	// decrypted from TLS: the helper never saw it
	s = gatewaySession("ftp", model.StatusNoConnection, nil, nil)
	s.Dialog[0].Decrypted = true
	if f := findingOf(New(Config{}).Session(s), RuleExpectationMissing); f != nil {
		t.Errorf("announcement decrypted from TLS: %+v", f)
	}
	// a bounce: the helper refuses it on purpose
	s = gatewaySession("ftp", model.StatusNoConnection, nil, nil)
	s.Channels[0].Announce.Endpoint = "203.0.113.40:40000"
	if f := findingOf(New(Config{}).Session(s), RuleExpectationMissing); f != nil {
		t.Errorf("third-party address: %+v", f)
	}
	s = gatewaySession("ftp", model.StatusOK, &model.Expectation{Outcome: model.ExpectationUsed}, nil)
	if f := findingOf(New(Config{}).Session(s), RuleExpectationMissing); f != nil {
		t.Errorf("expectation there: %+v", f)
	}
}

func TestExpectationUnused(t *testing.T) {
	deleted := &model.Expectation{Helper: "ftp", Tuple: "203.0.113.20 → 203.0.113.1:39185", NATTo: "192.168.1.10:40000", Created: at(1), Outcome: model.ExpectationDeleted}
	syn := &model.Connection{Initiator: "203.0.113.20:20", Responder: "203.0.113.1:39185", FirstFrame: 20}
	s := gatewaySession("ftp", model.StatusFiltered, deleted, syn)
	f := findingOf(New(Config{}).Session(s), RuleExpectationUnused)
	if f == nil || f.Severity != model.Error || !strings.Contains(f.Explanation, "dropped before conntrack confirmed it") || !strings.Contains(f.Explanation, "192.168.1.10:40000") {
		t.Fatalf("deleted, the SYN in the capture: %+v", f)
	}
	timedOut := *deleted
	timedOut.Outcome = model.ExpectationTimeout
	s = gatewaySession("ftp", model.StatusOK, &timedOut, nil)
	if f := findingOf(New(Config{}).Session(s), RuleExpectationUnused); f == nil || f.Severity != model.Warning || !strings.Contains(f.Summary, "timed out") {
		t.Errorf("timed out, no connection seen: %+v", f)
	}
	for _, tt := range []struct{ outcome, status string }{
		{model.ExpectationUsed, model.StatusOK},
		{model.ExpectationPending, model.StatusUnknown},
		{model.ExpectationDeleted, model.StatusUnused},
		{model.ExpectationDeleted, model.StatusRejected},
	} {
		x := *deleted
		x.Outcome = tt.outcome
		if f := findingOf(New(Config{}).Session(gatewaySession("ftp", tt.status, &x, nil)), RuleExpectationUnused); f != nil {
			t.Errorf("%s, channel %s: %+v", tt.outcome, tt.status, f)
		}
	}
}
