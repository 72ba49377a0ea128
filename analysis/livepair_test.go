package analysis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
)

// replayLive plays a gateway's capture file as a live "-i any" source:
// timestamps moved to now, and after every packet a read timeout, so that
// the analysis looks at its running sessions between any two packets.
type replayLive struct {
	capture.Source
	shift   time.Duration
	timeout bool
}

func newReplayLive(t *testing.T, path string) *replayLive {
	t.Helper()
	f, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	f.Info().Kind = "live"
	return &replayLive{Source: f}
}

// liveFindings records the findings each session came with, and the
// revisions of those.
type liveFindings struct {
	came    map[string][]model.Finding
	revised []model.Revision
}

func (l *liveFindings) Session(s *model.Session, fs []model.Finding) { l.came[s.ID] = fs }
func (l *liveFindings) Revise(r *model.Revision)                     { l.revised = append(l.revised, *r) }

// Live, the session whose refused login is the client's fifth comes with
// the warning at once; the earlier ones are revised to warnings then, as
// in a file: every one of them is a warning.
func TestLiveRepeatedLogins(t *testing.T) {
	src, err := capture.OpenReader("many.pcap", "many.pcap", nopCloser{bytes.NewReader(manySessions(15))}, 0)
	if err != nil {
		t.Fatal(err)
	}
	src.Info().Kind = "live"
	got := &liveFindings{came: map[string][]model.Finding{}}
	if _, err := analysis.Run(context.Background(), []capture.Source{&replayLive{Source: src}}, liveConfig(), got); err != nil {
		t.Fatal(err)
	}
	var live []string
	for id, fs := range got.came {
		for _, f := range fs {
			if f.Rule == "login-failed" && f.Severity == model.Warning {
				live = append(live, id)
			}
		}
	}
	// sessions s1, s4, s7, s10, s13 … are refused: s13 is the fifth
	if len(live) != 1 || live[0] != "s13" {
		t.Errorf("login-failed warnings told with their session: %v, want s13 alone", live)
	}
	var revised []string
	for _, r := range got.revised {
		if r.Finding.Rule == "login-failed" && r.Finding.Severity == model.Warning && r.Was == model.Info && !r.Withdrawn {
			revised = append(revised, r.Finding.Session)
		}
	}
	slices.Sort(revised)
	if want := []string{"s1", "s10", "s4", "s7"}; !slices.Equal(revised, want) {
		t.Errorf("login-failed findings revised to warnings: %v, want %v", revised, want)
	}
}

func (r *replayLive) Next() (capture.Packet, error) {
	if r.timeout {
		r.timeout = false
		time.Sleep(200 * time.Microsecond)
		return capture.Packet{}, capture.ErrTimeout
	}
	p, err := r.Source.Next()
	if err != nil {
		return p, err
	}
	if r.shift == 0 {
		r.shift = time.Since(p.Info.Timestamp)
	}
	p.Info.Timestamp = p.Info.Timestamp.Add(r.shift)
	r.timeout = true
	return p, nil
}

// pairWatch records the pair events and whether the legs had concluded
// when each came.
type pairWatch struct {
	concluded map[string]bool
	events    []pairSeen
}

type pairSeen struct {
	state         string
	pair          model.NATPair
	rules         []string
	legsConcluded int
}

func (w *pairWatch) Session(s *model.Session, _ []model.Finding) { w.concluded[s.ID] = true }

func (w *pairWatch) LivePair(p *model.NATPair, fs []model.Finding, state string) {
	ev := pairSeen{state: state, pair: *p}
	for _, f := range fs {
		ev.rules = append(ev.rules, f.Rule)
	}
	for _, id := range []string{p.Inside, p.Outside} {
		if w.concluded[id] {
			ev.legsConcluded++
		}
	}
	w.events = append(w.events, ev)
}

func liveConfig() analysis.Config {
	cfg := analysis.Config{Dissect: dissect.DefaultConfig(), UpdateEvery: time.Nanosecond}
	cfg.Dissect.Live, cfg.Dissect.KeepSegments = true, true
	return cfg
}

// In a live capture on the gateway each NAT pair is told while both legs
// still run — with its rewrite, once the outside leg's announcement
// crossed — and again, final, once both concluded; the pairs and findings
// at the end are those of the capture file.
func TestLivePairsBeforeTheSessionsEnd(t *testing.T) {
	for _, tt := range []struct {
		name     string
		rewrites bool
	}{{"active-helper", true}, {"passive-nat", false}} {
		t.Run(tt.name, func(t *testing.T) {
			path := "../samples/captures/" + tt.name + "/gateway.pcap"
			w := &pairWatch{concluded: map[string]bool{}}
			sum, err := analysis.Run(context.Background(), []capture.Source{newReplayLive(t, path)}, liveConfig(), w)
			if err != nil {
				t.Fatal(err)
			}
			file := fileSummary(t, path)
			if len(file.NATPairs) == 0 {
				t.Fatal("the capture has no NAT pair")
			}
			if a, b := asJSON(sum.NATPairs), asJSON(file.NATPairs); a != b {
				t.Errorf("live pairs differ from the file's:\n%s\n%s", a, b)
			}
			if a, b := asJSON(untimed(sum.Findings)), asJSON(untimed(file.Findings)); a != b {
				t.Errorf("live findings differ from the file's:\n%s\n%s", a, b)
			}
			for _, want := range file.NATPairs {
				var open, final *pairSeen
				for i := range w.events {
					ev := &w.events[i]
					if ev.pair.Inside != want.Inside || ev.pair.Outside != want.Outside {
						continue
					}
					switch ev.state {
					case model.PairOpen:
						if open == nil {
							open = ev
						}
					case model.PairFinal:
						final = ev
					default:
						t.Errorf("%s ⇄ %s: %s", want.Inside, want.Outside, ev.state)
					}
				}
				switch {
				case open == nil:
					t.Errorf("%s ⇄ %s: never told while running", want.Inside, want.Outside)
				case open.legsConcluded != 0:
					t.Errorf("%s ⇄ %s: first told after %d leg(s) concluded", want.Inside, want.Outside, open.legsConcluded)
				case tt.rewrites && (len(open.pair.Rewrites) == 0 || !slices.Contains(open.rules, "nat-rewrite")):
					t.Errorf("%s ⇄ %s: open pair without its rewrite: %+v %v", want.Inside, want.Outside, open.pair.Rewrites, open.rules)
				}
				if open != nil {
					t.Logf("%s ⇄ %s told open with %d rewrite(s) %v, then final", want.Inside, want.Outside, len(open.pair.Rewrites), open.rules)
				}
				if final == nil || final.legsConcluded != 2 || asJSON(final.pair) != asJSON(want) {
					t.Errorf("%s ⇄ %s: final event %+v, want the file's pair after both legs", want.Inside, want.Outside, final)
				}
			}
		})
	}
}

func fileSummary(t *testing.T, path string) *analysis.Summary {
	t.Helper()
	f, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = true
	sum, err := analysis.Run(context.Background(), []capture.Source{f}, cfg, &pairWatch{concluded: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// untimed leaves out the findings' timestamps: the replay moved them.
func untimed(fs []model.Finding) []model.Finding {
	out := append([]model.Finding(nil), fs...)
	for i := range out {
		out[i].TS = nil
	}
	return out
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
