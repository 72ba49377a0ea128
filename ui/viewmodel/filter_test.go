package viewmodel

import (
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

func TestFilterMatch(t *testing.T) {
	user := "alice"
	ok := newRow(&model.Session{ID: "s1", Client: "192.168.1.10:4000", Server: "203.0.113.20:21", User: &user,
		Dialog:   []model.DialogEntry{{Kind: "command", Verb: "RETR", Arg: "report.pdf"}, {Kind: "reply", Code: 226, Text: "Transfer complete."}},
		Channels: []model.Channel{{ID: "s1.c1", Status: model.StatusOK, Announce: &model.Announce{Verb: "PASV", Endpoint: "10.0.0.5:30000"}}}}, nil)
	bad := newRow(&model.Session{ID: "s2", Client: "[2001:db8::10]:4000", Server: "[2001:db8::20]:21",
		Channels: []model.Channel{{ID: "s2.c1", Status: model.StatusRefused}}},
		[]model.Finding{{Rule: "data-connection-failed", Severity: model.Error, Summary: "refused"}})
	for _, c := range []struct {
		filter  string
		ok, bad bool
	}{
		{"", true, true},
		{"ip:192.168.1.10", true, false},
		{"ip:192.168", true, false},
		{"ip:10.0.0.5", true, false}, // an announced address
		{"ip:2001:db8::20", false, true},
		{"user:ali", true, false},
		{"user:–", false, true},
		{"rule:connection-failed", false, true},
		{"status:ref", false, true},
		{"status:ok", true, false},
		{"sev:warning", false, true},
		{"sev:info", false, true},
		{"report.pdf", true, false},
		{"REPORT", true, false},
		{"!report", false, true},
		{"ip:192.168 report", true, false},
		{"ip:192.168 refused", false, false},
	} {
		f, err := ParseFilter(c.filter)
		if err != nil {
			t.Errorf("%q: %v", c.filter, err)
			continue
		}
		if got := f.Match(ok); got != c.ok {
			t.Errorf("%q on s1: %v, want %v", c.filter, got, c.ok)
		}
		if got := f.Match(bad); got != c.bad {
			t.Errorf("%q on s2: %v, want %v", c.filter, got, c.bad)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	for _, bad := range []string{"foo:bar", "ip:", "sev:loud"} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
	// An IPv6 address or a time is text, not a field.
	for _, text := range []string{"fe80::1", "12:30"} {
		if _, err := ParseFilter(text); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}
