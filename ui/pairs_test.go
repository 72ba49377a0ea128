package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

func TestGroupLegs(t *testing.T) {
	row := func(id, other string) *viewmodel.Row { return &viewmodel.Row{S: &model.Session{ID: id}, Other: other} }
	rows := []*viewmodel.Row{row("s1", "s4"), row("s2", ""), row("s3", "s5"), row("s4", "s1"), row("s5", "s3"), row("s6", "s9")}
	var got []string
	for _, r := range groupLegs(rows) {
		got = append(got, r.S.ID)
	}
	// s6's other leg is hidden (filtered out): s6 stays where it is
	if strings.Join(got, " ") != "s1 s4 s2 s3 s5 s6" {
		t.Errorf("rows %v", got)
	}
}

// heldLive replays a gateway's capture as a live source up to a packet,
// then only times out: the sessions it started stay open.
type heldLive struct {
	capture.Source
	upTo, read int
	shift      time.Duration
	timeout    bool
}

func (h *heldLive) Next() (capture.Packet, error) {
	if h.timeout || h.read >= h.upTo {
		h.timeout = false
		time.Sleep(time.Millisecond)
		return capture.Packet{}, capture.ErrTimeout
	}
	p, err := h.Source.Next()
	if err != nil {
		return p, err
	}
	if h.shift == 0 {
		h.shift = time.Since(p.Info.Timestamp)
	}
	p.Info.Timestamp = p.Info.Timestamp.Add(h.shift)
	h.read++
	h.timeout = true
	return p, nil
}

// Live on the gateway, the two legs of a session whose PORT crossed are
// side by side in the list, marked, and the session's ladder spans the
// NAT with the rewrite, while the session still runs.
func TestLivePairedLadderWhileRunning(t *testing.T) {
	f, err := capture.OpenFile("", sample("active-helper", "gateway.pcap"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	f.Info().Kind = "live"
	// frames 25 and 26 are the inside and outside PORT of the first session
	src := &heldLive{Source: f, upTo: 30}
	m := viewmodel.NewModel("any")
	m.SetLive(viewmodel.LiveStatus{Interface: "any"})
	cfg := analysis.Config{Dissect: dissect.DefaultConfig(), UpdateEvery: time.Millisecond}
	cfg.Dissect.Live, cfg.Dissect.KeepSegments = true, true
	hs := startWith(t, 200, 50, m, func(ctx context.Context, u *UI) (*analysis.Summary, error) {
		return runAnalysis(ctx, u, []capture.Source{src}, cfg)
	})
	txt := hs.waitFor("Sessions (2)", "● LIVE any", "s1 ⇄", "s2 ⇄")
	hs.dump("live-pair-list", txt)
	if i, j := strings.Index(txt, "s1 ⇄"), strings.Index(txt, "s2 ⇄"); i > j {
		t.Errorf("legs not in order:\n%s", txt)
	}
	hs.keys("g", "enter", "4") // the first row: s1, the inside leg
	txt = hs.waitFor("4 Ladder · across the NAT: s1 ⇄ s2", "NAT gateway", "✎", "NAT inside leg, other leg s2")
	hs.dump("live-pair-ladder", txt)
	if !strings.Contains(txt, "PORT 203,0,113,1") {
		t.Errorf("the ladder lacks the outside PORT:\n%s", txt)
	}
	if st := m.Snapshot().State; st != viewmodel.Live {
		t.Errorf("state %v: the capture should still run", st)
	}
	hs.quit(2)
}

// collect keeps the concluded sessions.
type collect struct{ got []*model.Session }

func (c *collect) Session(s *model.Session, _ []model.Finding) { c.got = append(c.got, s) }

// The gateway's conntrack shows in the session view: the helper in the
// title, each channel's expectation in the data channels pane, and its
// outcome on the gateway's line of the ladder.
func TestConntrackInSessionView(t *testing.T) {
	f, err := capture.OpenFile("", sample("active-helper", "gateway.pcap"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	col := &collect{}
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = true
	sum, err := analysis.Run(context.Background(), []capture.Source{f}, cfg, col)
	if err != nil {
		t.Fatal(err)
	}
	helper := "ftp"
	m := viewmodel.NewModel("gateway.pcap")
	for _, s := range col.got {
		s.Conntrack = &model.Conntrack{Helper: &helper, Tuple: "192.168.1.10:53846 → 203.0.113.20:21", ReplyTuple: "203.0.113.20:21 → 203.0.113.1:53846", SNAT: true}
		for i := range s.Channels {
			s.Channels[i].Expectation = &model.Expectation{Helper: "ftp", Tuple: "203.0.113.20 → 203.0.113.1:39185", NATTo: "192.168.1.10:39185", Outcome: model.ExpectationUsed}
		}
		m.Session(s, nil)
	}
	m.Finish(outcomeOf(sum), nil)
	hs := startModel(t, 200, 50, m)
	hs.waitFor("Sessions (10)")
	hs.keys("enter", "4")
	txt := hs.waitFor("conntrack: helper ftp", "ct    expectation 203.0.113.20 → 203.0.113.1:39185 → 192.168.1.10:39185 (ftp): used",
		"the gateway's expectation used")
	row := ""
	for _, l := range strings.Split(txt, "\n") {
		if strings.Contains(l, "c1 RETR") {
			row = l
		}
	}
	if !strings.Contains(row, "✓") {
		t.Errorf("the data connection's ladder row has no ✓ on the gateway's line:\n%s", txt)
	}
	hs.quit(2)
}
