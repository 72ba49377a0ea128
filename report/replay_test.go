package report_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"

	"context"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// Replaying the JSON lines of a sample (findings, their updates and
// withdrawals, NAT pairs as they form) gives the findings and pairs of its
// JSON report; a NAT pair is written as soon as its second leg concludes,
// before that leg's session, and the analysis keeps none for the end.
func TestJSONLinesReplayIsTheReport(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/*.pcap")
	pairsSeen := 0
	for _, path := range files {
		src, err := capture.OpenFile("", path, 0)
		if err != nil {
			t.Fatal(err)
		}
		var lines, doc bytes.Buffer
		jl := report.NewJSONLWriter(&lines)
		jw := report.NewJSONWriter(&doc, model.Tool{Name: "ftpscope", Version: "t"})
		cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
		sum, err := analysis.Run(context.Background(), []capture.Source{src}, cfg, tee{jl, jw})
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.NATPairs) != 0 {
			t.Errorf("%s: the analysis kept %d NAT pairs for consumers that took them", path, len(sum.NATPairs))
		}
		if err := jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
			t.Fatal(err)
		}
		if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
			t.Fatal(err)
		}
		findings := map[string]model.Finding{}
		var pairs []string
		sessionLine := map[string]int{}
		pairLine := map[string]int{} // by the pair's later leg
		sc := bufio.NewScanner(&lines)
		sc.Buffer(nil, 16<<20)
		for n := 0; sc.Scan(); n++ {
			var ev report.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatal(err)
			}
			switch ev.Event {
			case "finding", "finding_update":
				k := key(ev.Finding)
				if ev.Withdrawn {
					delete(findings, k)
				} else {
					findings[k] = *ev.Finding
				}
			case "nat_pair":
				b, _ := json.Marshal(ev.NATPair)
				pairs = append(pairs, string(b))
				later := ev.NATPair.Inside
				if _, done := sessionLine[later]; done {
					later = ev.NATPair.Outside
				}
				pairLine[later] = n
			case "session":
				sessionLine[ev.Session] = n
			}
		}
		for leg, n := range pairLine {
			if s, ok := sessionLine[leg]; !ok || s < n {
				t.Errorf("%s: the pair of %s was written after its session (line %d, session at %d)", path, leg, n, s)
			}
		}
		pairsSeen += len(pairs)
		var r model.Report
		if err := json.Unmarshal(doc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for i := range r.Findings {
			b, _ := json.Marshal(&r.Findings[i])
			want = append(want, string(b))
		}
		for _, f := range findings {
			b, _ := json.Marshal(&f)
			got = append(got, string(b))
		}
		sort.Strings(want)
		sort.Strings(got)
		if !equal(got, want) {
			t.Errorf("%s: replayed JSON lines give %d findings, the report %d:\n%v\n%v", path, len(got), len(want), got, want)
		}
		var wantPairs []string
		for i := range r.NATPairs {
			b, _ := json.Marshal(&r.NATPairs[i])
			wantPairs = append(wantPairs, string(b))
		}
		sort.Strings(pairs)
		sort.Strings(wantPairs)
		if !equal(pairs, wantPairs) {
			t.Errorf("%s: %d pairs in JSON lines, %d in the report", path, len(pairs), len(wantPairs))
		}
	}
	if pairsSeen == 0 {
		t.Fatal("no sample gave a NAT pair: the test does not test pairs")
	}
}

func key(f *model.Finding) string {
	return f.Rule + "\x00" + f.Session + "\x00" + f.Channel + "\x00" + f.Summary
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
