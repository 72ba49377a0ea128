package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func at(ms int) model.Time { return model.At(t0.Add(time.Duration(ms) * time.Millisecond)) }

func code(c int) *int { return &c }

// activeSession is one PORT attempt as seen at one vantage: the control
// client, the PORT's endpoint and the server's reply.
func activeSession(client, server, port string, reply int, replyText string) *model.Session {
	return &model.Session{
		ID: "s1", Source: "cap", Client: client, Server: server, Start: at(0),
		Dialog: []model.DialogEntry{
			{TS: at(1), Kind: "command", Verb: "PORT", Arg: "x", Frame: 10},
			{TS: at(2), Kind: "reply", Code: reply, Text: replyText, Answers: model.RefTo(0), Frame: 11},
			{TS: at(3), Kind: "command", Verb: "RETR", Arg: "f", Frame: 12},
			{TS: at(4), Kind: "reply", Code: 425, Text: "Use PORT or PASV first.", Answers: model.RefTo(2), Frame: 13},
		},
		Channels: []model.Channel{{
			ID: "s1.c1", Mode: "active",
			Announce: &model.Announce{Verb: "PORT", TS: at(1), Endpoint: port, ReplyCode: code(reply), ReplyText: replyText, Raw: "PORT x", Frame: 10, ReplyFrame: 11},
			Transfer: &model.Transfer{Verb: "RETR", Arg: "f", TS: at(3), ReplyCodes: []int{425}, ReplyText: "Use PORT or PASV first.", Frame: 12, FinalFrame: 13},
			Status:   map[bool]string{true: model.StatusRejected, false: model.StatusOK}[reply >= 400],
		}},
	}
}

func rules(fs []model.Finding) map[string]model.Severity {
	m := map[string]model.Severity{}
	for _, f := range fs {
		if f.Severity > m[f.Rule] {
			m[f.Rule] = f.Severity
		}
	}
	return m
}

func TestActiveThroughNATWithoutHelper(t *testing.T) {
	tests := []struct {
		name    string
		s       *model.Session
		want    map[string]model.Severity
		explain string // words the main explanation must contain
	}{
		{"beyond the NAT (server side)",
			activeSession("203.0.113.1:40312", "203.0.113.20:21", "192.168.1.10:40000", 500, "Illegal PORT command."),
			map[string]model.Severity{RuleActiveAddressMismatch: model.Error, RuleNATNotRewritten: model.Error},
			"behind a NAT gateway"},
		{"inside the client's network",
			activeSession("192.168.1.10:40312", "203.0.113.20:21", "192.168.1.10:40000", 500, "Illegal PORT command."),
			map[string]model.Severity{RuleNATNotRewritten: model.Error},
			"taken on the client's side"},
		{"bounce to a third host",
			activeSession("203.0.113.30:40312", "203.0.113.20:21", "203.0.113.40:4000", 500, "Illegal PORT command."),
			map[string]model.Severity{RuleActiveAddressMismatch: model.Error},
			"third host"},
		{"pure-ftpd's wording",
			activeSession("203.0.113.1:40312", "203.0.113.21:21", "192.168.1.10:40000", 500, "I won't open a connection to 192.168.1.10 (only to 203.0.113.1)"),
			map[string]model.Severity{RuleActiveAddressMismatch: model.Error, RuleNATNotRewritten: model.Error},
			"won't open a connection"},
		{"working active mode: nothing to say",
			activeSession("192.168.1.10:40312", "203.0.113.20:21", "192.168.1.10:40000", 200, "PORT command successful."),
			map[string]model.Severity{RuleFailureReply: model.Error}, // the 425 in this hand-built dialog
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(Config{})
			fs := d.Session(tt.s)
			got := rules(fs)
			for rule, sev := range tt.want {
				if got[rule] != sev {
					t.Errorf("%s: got %v, want %s", rule, got, sev)
				}
			}
			for rule := range got {
				if _, ok := tt.want[rule]; !ok {
					t.Errorf("unexpected finding %s", rule)
				}
			}
			if tt.explain != "" && !strings.Contains(fs[0].Explanation, tt.explain) {
				t.Errorf("explanation %q lacks %q", fs[0].Explanation, tt.explain)
			}
			for _, f := range fs {
				if len(f.Evidence.Frames) == 0 || f.Summary == "" || f.Remedy == "" {
					t.Errorf("%s without evidence, summary or remedy: %+v", f.Rule, f)
				}
			}
		})
	}
}

func TestPassiveServerBehindNAT(t *testing.T) {
	s := &model.Session{ID: "s1", Source: "cap", Client: "203.0.113.30:5000", Server: "203.0.113.2:21",
		Channels: []model.Channel{{ID: "s1.c1", Mode: "passive",
			Announce: &model.Announce{Verb: "PASV", TS: at(1), Endpoint: "10.0.0.5:30017", ReplyCode: code(227), Frame: 5, ReplyFrame: 5},
			Connection: &model.Connection{Initiator: "203.0.113.30:5001", Responder: "10.0.0.5:30017", Match: model.MatchExact,
				HandshakeSeen: true, SYNRetries: 2, FirstFrame: 6},
			Status: model.StatusFiltered}}}
	got := rules(New(Config{}).Session(s))
	want := map[string]model.Severity{RulePassiveAddressMismatch: model.Error, RuleNATNotRewritten: model.Error, RuleDataConnectionFailed: model.Error}
	for r, sev := range want {
		if got[r] != sev {
			t.Errorf("%s: got %v", r, got)
		}
	}
}

// TestPipelinedReplies: a client that sends several commands before the
// first reply (lftp: USER, PASS, PWD in one segment) gets each reply judged
// against the command it answers, not the latest command sent.
func TestPipelinedReplies(t *testing.T) {
	s := &model.Session{ID: "s1", Client: "192.168.56.1:5000", Server: "192.168.56.101:21",
		Dialog: []model.DialogEntry{
			{Kind: "command", Verb: "USER", Arg: "bro", Frame: 1},
			{Kind: "command", Verb: "PASS", Arg: "x", Frame: 1},
			{Kind: "command", Verb: "PWD", Frame: 1},
			{Kind: "reply", Code: 331, Answers: model.RefTo(0), Frame: 2},
			{Kind: "reply", Code: 530, Text: "Login incorrect.", Answers: model.RefTo(1), Frame: 3},
			{Kind: "reply", Code: 530, Text: "Please login with USER and PASS.", Answers: model.RefTo(2), Frame: 4},
			{Kind: "command", Verb: "EPSV", Frame: 5},
			{Kind: "command", Verb: "TYPE", Arg: "I", Frame: 5},
			{Kind: "reply", Code: 500, Text: "Unknown command.", Answers: model.RefTo(6), Frame: 6},
			{Kind: "reply", Code: 200, Text: "Switching to Binary mode.", Answers: model.RefTo(7), Frame: 6},
		}}
	var login, failure []model.Finding
	for _, f := range New(Config{}).Session(s) {
		switch f.Rule {
		case RuleLoginFailed:
			login = append(login, f)
		case RuleFailureReply:
			failure = append(failure, f)
		}
	}
	if len(login) != 1 || !strings.Contains(login[0].Explanation, "after PASS") || !strings.Contains(login[0].Summary, `"bro"`) {
		t.Errorf("login findings %+v: want one, for the 530 answering PASS", login)
	} else if fr := login[0].Evidence.Frames; len(fr) != 2 || fr[0] != 1 || fr[1] != 3 {
		t.Errorf("login evidence frames %v, want [1 3]", fr)
	}
	if len(failure) != 1 || !strings.Contains(failure[0].Summary, "to EPSV") || !strings.Contains(failure[0].Explanation, "rejected EPSV") {
		t.Errorf("failure-reply findings %+v: want the 500 judged as EPSV's", failure)
	}
}

func TestALGPrediction(t *testing.T) {
	mk := func(place *model.SegmentPlace, verb, family string) *model.Session {
		return &model.Session{ID: "s1", Client: "192.168.1.10:5000", Server: "203.0.113.20:21",
			Dialog: []model.DialogEntry{{Kind: "command", Verb: verb, Frame: 7, Segment: place}},
			Channels: []model.Channel{{ID: "s1.c1", Mode: "active", Status: model.StatusOK,
				Announce: &model.Announce{Verb: verb, Endpoint: "192.168.1.10:40000", ReplyCode: code(200), Frame: 7, Family: family}}}}
	}
	for _, tt := range []struct {
		name string
		s    *model.Session
		want bool
	}{
		{"alone in its segment", mk(&model.SegmentPlace{}, "PORT", "ipv4"), false},
		{"split across segments", mk(&model.SegmentPlace{Split: true, Segments: 2}, "PORT", "ipv4"), true},
		{"second line of a segment", mk(&model.SegmentPlace{Index: 1, Offset: 6}, "PORT", "ipv4"), true},
		{"EPRT of the other family", mk(&model.SegmentPlace{}, "EPRT", "ipv6"), true},
		{"LPRT", mk(&model.SegmentPlace{}, "LPRT", "ipv4"), true},
	} {
		got := rules(New(Config{}).Session(tt.s))[RuleALGUnparsable] != 0
		if got != tt.want {
			t.Errorf("%s: alg-unparsable %v, want %v", tt.name, got, tt.want)
		}
	}
}
