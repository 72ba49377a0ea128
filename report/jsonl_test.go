package report_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// During a live capture the pairs and their findings are written as they
// are known, each finding once; the final pair is the one delivered
// (NATPair), its live echo writes nothing; stats lines say the capture is
// alive.
func TestJSONLinesLivePairsAndStats(t *testing.T) {
	var buf bytes.Buffer
	jl := report.NewJSONLWriter(&buf)
	jl.Live = true
	pair := model.NATPair{Inside: "s1", Outside: "s2", Rewrites: []model.Rewrite{{Kind: "command", Inside: "PORT 192,168,1,10,156,64", Outside: "PORT 203,0,113,1,156,64"}}}
	rewrite := model.Finding{Rule: "nat-rewrite", Session: "s1", Summary: "NAT rewrote"}
	seq := model.Finding{Rule: "nat-seq-not-adjusted", Session: "s1", Summary: "not shifted"}
	jl.LivePair(&pair, []model.Finding{rewrite}, model.PairOpen)
	jl.Stats([]model.Source{{Label: "any", Kind: "live", Name: "any", Packets: 12, Dropped: 0}}, model.Stats{Packets: 12})
	jl.NATPair(&pair, []model.Finding{rewrite, seq})
	jl.LivePair(&pair, []model.Finding{rewrite, seq}, model.PairFinal)
	if err := jl.Close(nil, nil, nil, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	var events []string
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var e struct {
			Event   string `json:"event"`
			State   string `json:"state"`
			Finding *struct {
				Rule string `json:"rule"`
			} `json:"finding"`
			Sources []model.Source `json:"sources"`
			Stats   *model.Stats   `json:"stats"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		w := e.Event
		switch {
		case e.State != "":
			w += ":" + e.State
		case e.Finding != nil:
			w += ":" + e.Finding.Rule
		case e.Event == "stats" && (len(e.Sources) != 1 || e.Sources[0].Packets != 12 || e.Stats == nil):
			t.Errorf("stats line %s", sc.Text())
		}
		events = append(events, w)
	}
	want := "nat_pair:open finding:nat-rewrite stats nat_pair:final finding:nat-seq-not-adjusted summary"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events\n %s\nwant\n %s", got, want)
	}
}
