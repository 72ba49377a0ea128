package diagnose

import (
	"strconv"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// refusedLogin is one session whose login the server refused.
func refusedLogin(n int, client, server string) *model.Session {
	return &model.Session{ID: "s" + strconv.Itoa(n), Source: "cap", Client: client, Server: server, Start: at(n * 1000),
		Dialog: []model.DialogEntry{
			{TS: at(n*1000 + 1), Kind: "reply", Code: 220, Text: "ready", Frame: 1},
			{TS: at(n*1000 + 2), Kind: "command", Verb: "USER", Arg: "admin", Frame: 2},
			{TS: at(n*1000 + 3), Kind: "reply", Code: 331, Text: "password", Frame: 3, Answers: model.RefTo(1)},
			{TS: at(n*1000 + 4), Kind: "command", Verb: "PASS", Arg: "****", Frame: 4},
			{TS: at(n*1000 + 5), Kind: "reply", Code: 530, Text: "Login incorrect.", Frame: 5, Answers: model.RefTo(3)},
		}}
}

// Live, the repeated refused logins are told when the threshold is
// crossed, once per client and server; at the end Finish makes every one
// of them a warning, as in a capture file.
func TestEscalateOncePerClientAndServer(t *testing.T) {
	d := New(Config{})
	var all []model.Finding
	escalated := map[string]bool{}
	session := func(n int, server string) {
		s := refusedLogin(n, "198.51.100.7:4000"+strconv.Itoa(n), server)
		fs := d.Session(s)
		all = append(all, fs...)
		live := d.Escalate(s, fs)
		for i, f := range live {
			if f.Rule != RuleLoginFailed {
				continue
			}
			if f.Severity == model.Warning {
				escalated[s.ID] = true
			}
			if fs[i].Severity != model.Info {
				t.Errorf("%s: Escalate changed the finding Finish revisits", s.ID)
			}
		}
	}
	for n := 1; n <= 7; n++ {
		session(n, "203.0.113.20:21")
	}
	session(8, "203.0.113.21:21")
	if len(escalated) != 2 || !escalated["s5"] || !escalated["s8"] {
		t.Errorf("escalated live: %v, want s5 (the fifth failure) and s8 (another server)", escalated)
	}
	warnings := 0
	for _, f := range d.Finish(all, nil) {
		if f.Rule == RuleLoginFailed && f.Severity == model.Warning {
			warnings++
		}
	}
	if warnings != 8 {
		t.Errorf("%d login-failed warnings at the end, want 8", warnings)
	}
}
