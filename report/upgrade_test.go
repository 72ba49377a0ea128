package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// refusedLogins is a capture of n sessions of one client whose login is
// refused, one after another.
func refusedLogins(n int) []byte {
	c := pcaptest.New()
	for i := 0; i < n; i++ {
		k := c.Conn(fmt.Sprintf("198.51.100.7:%d", 40000+i), "203.0.113.20:21", uint32(1000*i), uint32(7000*i))
		k.Open()
		k.Line(false, "220 (vsFTPd 3.0.3)")
		k.Line(true, "USER admin")
		k.Line(false, "331 Please specify the password.")
		k.Line(true, fmt.Sprintf("PASS guess%d", i))
		k.Line(false, "530 Login incorrect.")
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	return c.Bytes()
}

// Six refused logins of one client: the fifth reaches the brute-force
// threshold, so the JSON lines stream carries the first four as info
// findings, then a finding_update for each that raises it to a warning,
// and the fifth and sixth as warnings; replaying the stream gives the
// findings of the JSON report.
func TestBruteForceUpgradeInJSONLines(t *testing.T) {
	src, err := capture.OpenReader("refused.pcap", "refused.pcap", io.NopCloser(bytes.NewReader(refusedLogins(6))), 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines, doc bytes.Buffer
	jl := report.NewJSONLWriter(&lines)
	jw := report.NewJSONWriter(&doc, model.Tool{Name: "ftpscope", Version: "t"})
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: dissect.DefaultConfig()}, tee{jl, jw})
	if err != nil {
		t.Fatal(err)
	}
	if err := jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(doc.Bytes()); err != nil {
		t.Fatal(err)
	}
	if sum.Worst != model.Warning {
		t.Errorf("Summary.Worst %s, want warning", sum.Worst)
	}

	type key struct{ rule, session, channel, summary string }
	keyOf := func(f *model.Finding) key { return key{f.Rule, f.Session, f.Channel, f.Summary} }
	state := map[key]model.Finding{}
	var firstSeen []string // "s1 info", … as the finding events came
	var updates []string   // "s1 warning", … as the finding_update events came
	sc := bufio.NewScanner(&lines)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev report.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		if ev.Finding == nil || ev.Finding.Rule != "login-failed" {
			continue
		}
		k := keyOf(ev.Finding)
		switch ev.Event {
		case "finding":
			if _, dup := state[k]; dup {
				t.Errorf("finding %v written twice", k)
			}
			firstSeen = append(firstSeen, ev.Finding.Session+" "+ev.Finding.Severity.String())
		case "finding_update":
			if _, ok := state[k]; !ok {
				t.Errorf("finding_update %v before its finding", k)
			}
			if ev.Withdrawn {
				t.Errorf("finding_update %v withdraws it", k)
			}
			updates = append(updates, ev.Finding.Session+" "+ev.Finding.Severity.String())
		default:
			t.Errorf("login-failed finding in a %q event", ev.Event)
		}
		state[k] = *ev.Finding
	}
	if want := "s1 info,s2 info,s3 info,s4 info,s5 warning,s6 warning"; strings.Join(firstSeen, ",") != want {
		t.Errorf("finding events %v, want %s", firstSeen, want)
	}
	if want := "s1 warning,s2 warning,s3 warning,s4 warning"; strings.Join(updates, ",") != want {
		t.Errorf("finding_update events %v, want %s", updates, want)
	}

	var r model.Report
	if err := json.Unmarshal(doc.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Rule != "login-failed" {
			continue
		}
		n++
		if f.Severity != model.Warning || !strings.Contains(f.Explanation, "198.51.100.7 failed to log in at least") {
			t.Errorf("%s in the JSON report: %s %q, want the brute-force warning", f.Session, f.Severity, f.Explanation)
		}
		if got := state[keyOf(f)]; got.Severity != f.Severity || got.Explanation != f.Explanation || got.Remedy != f.Remedy {
			t.Errorf("%s: the JSON lines stream ends with %s %q, the report says %s %q", f.Session, got.Severity, got.Explanation, f.Severity, f.Explanation)
		}
	}
	if n != 6 {
		t.Errorf("%d login-failed findings in the JSON report, want 6", n)
	}
}
