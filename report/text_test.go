package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// A live capture on the gateway shows, in the text report, the host's
// conntrack entry of each session and the helper's expectation of each
// data channel.
func TestTextConntrack(t *testing.T) {
	helper := "ftp"
	r := &model.Report{Sessions: []model.Session{{ID: "s1", Source: "any", Vantage: "in0", Client: "192.168.1.10:40312", Server: "203.0.113.20:21",
		Conntrack: &model.Conntrack{Helper: &helper, Tuple: "192.168.1.10:40312 → 203.0.113.20:21", ReplyTuple: "203.0.113.20:21 → 203.0.113.1:40312", Mark: 16},
		Channels: []model.Channel{{ID: "s1.c1", Mode: "active", Status: model.StatusOK,
			Announce:    &model.Announce{Verb: "PORT", Endpoint: "192.168.1.10:39185"},
			Expectation: &model.Expectation{Helper: "ftp", Tuple: "203.0.113.20 → 203.0.113.1:39185", NATTo: "192.168.1.10:39185", Outcome: model.ExpectationUsed}}},
	}, {ID: "s2", Source: "any", Client: "192.168.1.10:40313", Server: "203.0.113.20:21",
		Conntrack: &model.Conntrack{Tuple: "192.168.1.10:40313 → 203.0.113.20:21", ReplyTuple: "203.0.113.20:21 → 203.0.113.1:40313"}}}}
	var buf bytes.Buffer
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  conntrack: helper ftp · 192.168.1.10:40312 → 203.0.113.20:21 · reply 203.0.113.20:21 → 203.0.113.1:40312 · zone 0, mark 0x10\n",
		"        expectation (ftp) 203.0.113.20 → 203.0.113.1:39185 → 192.168.1.10:39185: used\n",
		"  conntrack: no helper attached · 192.168.1.10:40313 → 203.0.113.20:21 · reply 203.0.113.20:21 → 203.0.113.1:40313\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}
