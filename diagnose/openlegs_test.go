package diagnose

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// running returns the snapshot of a concluded test session as the
// dissector shows it while only its first n dialog entries have crossed:
// the channels announced so far, the segments so far (SYN, SYN-ACK and one
// segment per entry), no end.
func running(s *model.Session, n int) *model.Session {
	r := *s
	r.Dialog = append([]model.DialogEntry(nil), s.Dialog[:n]...)
	last := r.Dialog[n-1].Frame
	r.Channels = nil
	for _, ch := range s.Channels {
		if ch.Announce != nil && ch.Announce.Frame <= last {
			c := ch
			if ch.Announce.ReplyFrame > last {
				// not answered yet: no outcome
				c.Status = model.StatusUnused
				a := *ch.Announce
				a.ReplyCode = nil
				c.Announce = &a
			}
			r.Channels = append(r.Channels, c)
		}
	}
	r.Segments = s.Segments[:min(len(s.Segments), 2+n)]
	r.End = model.Time{}
	return &r
}

func pairerForTest() *LegPairer {
	return New(Config{}).NewLegPairer(30*time.Second, 100)
}

func ruleSet(fs []model.Finding) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Rule] = true
	}
	return m
}

// Both legs of one connection fed as a live gateway shows them: the pair
// comes as soon as the outside leg's PORT crossed, with the rewrite; the
// sequence check follows the segments after it; the conclusion confirms
// the pair and gives what the capture file of the same traffic gives.
func TestRunningLegsPairAtTheSecondAnnouncement(t *testing.T) {
	for _, tt := range []struct {
		name  string
		shift int32
		adj   bool
	}{{"seqadj", -1, true}, {"no seqadj", 0, false}} {
		t.Run(tt.name, func(t *testing.T) {
			in, out := legs(tt.shift)
			p := pairerForTest()
			var evs []PairEvent
			feed := func(s *model.Session, n int) []PairEvent {
				e := p.Running(running(s, n))
				evs = append(evs, e...)
				return e
			}
			feed(in, 1)
			feed(out, 1)
			if e := feed(in, 2); len(e) != 0 {
				t.Fatalf("paired before the outside PORT crossed: %+v", e)
			}
			e := feed(out, 2)
			if len(e) != 1 || e[0].State != PairOpen {
				t.Fatalf("outside PORT crossed: events %+v, want one open pair", e)
			}
			pr := e[0].Pair
			if pr.Inside != "s1" || pr.Outside != "s2" || len(pr.Rewrites) != 1 || pr.Rewrites[0].Outside != "PORT 203,0,113,1,156,64" {
				t.Errorf("open pair %+v", pr)
			}
			if !ruleSet(e[0].Findings)[RuleNATRewrite] {
				t.Errorf("open pair without nat-rewrite: %+v", e[0].Findings)
			}
			for n := 3; n <= 5; n++ {
				feed(in, n)
				feed(out, n)
			}
			last := evs[len(evs)-1]
			if last.State != PairOpen || last.Pair.SeqAdjusted == nil || *last.Pair.SeqAdjusted != tt.adj {
				t.Fatalf("after the QUIT crossed: %+v, want seq_adjusted %v", last.Pair, tt.adj)
			}
			if got := ruleSet(last.Findings)[RuleNATSeqNotAdjusted]; got == tt.adj {
				t.Errorf("nat-seq-not-adjusted while running: %v, want %v", got, !tt.adj)
			}
			if e := p.Add(in, nil); len(e) != 0 {
				t.Errorf("first leg concluded: %+v", e)
			}
			e = p.Add(out, nil)
			if len(e) != 1 || e[0].State != PairFinal {
				t.Fatalf("second leg concluded: %+v, want the final pair alone", e)
			}
			in2, out2 := legs(tt.shift)
			want, wantF := New(Config{}).Pair([]*model.Session{in2, out2})
			if !reflect.DeepEqual(e[0].Pair, want[0]) || !reflect.DeepEqual(e[0].Findings, wantF) {
				t.Errorf("final pair differs from the file's:\n%+v\n%+v", e[0].Pair, want[0])
			}
			if pairs, _ := p.Result(); len(pairs) != 1 {
				t.Errorf("result: %d pairs", len(pairs))
			}
		})
	}
}

// noHelperLegs: the gateway translated the client but passed the PORT
// unchanged, and the server refused it.
func noHelperLegs() (*model.Session, *model.Session) {
	in, out := legs(-1)
	for _, s := range []*model.Session{in, out} {
		s.Dialog[1].Arg = "192,168,1,10,156,64"
		s.Dialog[2].Code, s.Dialog[2].Text = 500, "Illegal PORT command."
		code := 500
		s.Channels[0].Status = model.StatusRejected
		s.Channels[0].Announce = &model.Announce{Verb: "PORT", Endpoint: "192.168.1.10:40000", Raw: "PORT 192,168,1,10,156,64",
			Frame: 2, ReplyFrame: 3, ReplyCode: &code}
	}
	return in, out
}

// The failure that only the pair shows is told once the server's refusal
// crossed both legs, not before.
func TestRunningLegsNotRewrittenOnceRefused(t *testing.T) {
	in, out := noHelperLegs()
	p := pairerForTest()
	p.Running(running(in, 2))
	e := p.Running(running(out, 2))
	if len(e) != 1 || ruleSet(e[0].Findings)[RuleNATNotRewritten] {
		t.Fatalf("PORT crossed, no reply yet: %+v", e)
	}
	p.Running(running(in, 3))
	e = p.Running(running(out, 3))
	if len(e) != 1 || !ruleSet(e[0].Findings)[RuleNATNotRewritten] {
		t.Fatalf("500 crossed both legs: %+v, want nat-not-rewritten", e)
	}
}

// Two running sessions on the inside with the same dialog so far: the
// outside leg pairs with the one whose client sent the same initial
// sequence number, and waits when none can tell.
func TestRunningLegsAmbiguous(t *testing.T) {
	mk := func(isn bool) (*LegPairer, []PairEvent) {
		in, out := legs(-1)
		twin, _ := legs(-1)
		twin.ID = "s3"
		twin.Start = model.At(in.Start.Add(time.Millisecond))
		twin.Segments = append([]model.Segment(nil), twin.Segments...)
		twin.Segments[0].Seq = 7777
		out.Vantage = "out"
		in.Vantage, twin.Vantage = "in", "in"
		if !isn {
			for _, s := range []*model.Session{in, twin, out} {
				s.Segments = nil
			}
		}
		p := pairerForTest()
		p.Running(running(in, 2))
		p.Running(running(twin, 2))
		return p, p.Running(running(out, 2))
	}
	_, e := mk(false)
	if len(e) != 0 {
		t.Errorf("paired among two candidates with nothing to tell them apart: %+v", e)
	}
	_, e = mk(true)
	if len(e) != 1 || e[0].Pair.Inside != "s1" || e[0].Pair.Outside != "s2" {
		t.Errorf("with initial sequence numbers: %+v, want s1 ⇄ s2", e)
	}
}

// An outside leg is not taken for an inside leg's other side while another
// outside leg could be it as well.
func TestRunningLegsRival(t *testing.T) {
	in, out := legs(-1)
	_, other := legs(-1)
	other.ID = "s4"
	in.Vantage, out.Vantage, other.Vantage = "in", "out", "out"
	for _, s := range []*model.Session{in, out, other} {
		s.Segments = nil
	}
	p := pairerForTest()
	p.Running(running(in, 1))
	p.Running(running(out, 2))
	p.Running(running(other, 2))
	if e := p.Running(running(in, 2)); len(e) != 0 {
		t.Fatalf("inside leg among two outside candidates: %+v", e)
	}
	if e := p.Running(running(out, 3)); len(e) != 0 {
		t.Fatalf("paired though another outside leg matches the inside one: %+v", e)
	}
	// the other one's dialog goes another way: one candidate is left
	other.Dialog[2].Text = "PORT command successful, other server"
	p.Running(running(other, 3))
	e := p.Running(running(in, 3))
	if len(e) != 1 || e[0].Pair.Outside != "s2" {
		t.Fatalf("once the dialogs parted: %+v, want s1 ⇄ s2", e)
	}
}

// An open pair whose dialogs part is withdrawn; one that the concluded legs
// contradict is withdrawn at their conclusion.
func TestRunningLegsWithdrawn(t *testing.T) {
	t.Run("dialogs part", func(t *testing.T) {
		in, out := legs(-1)
		p := pairerForTest()
		p.Running(running(in, 2))
		if e := p.Running(running(out, 2)); len(e) != 1 {
			t.Fatalf("no open pair: %+v", e)
		}
		out.Dialog[2].Text = "something else"
		p.Running(running(in, 3))
		e := p.Running(running(out, 3))
		if len(e) != 1 || e[0].State != PairWithdrawn || e[0].Pair.Inside != "s1" {
			t.Fatalf("dialogs parted: %+v, want the pair withdrawn", e)
		}
	})
	t.Run("conclusion", func(t *testing.T) {
		in, out := legs(-1)
		p := pairerForTest()
		p.Running(running(in, 2))
		p.Running(running(out, 2))
		// the concluded outside leg says otherwise after the last running snapshot
		out.Dialog[4].Text = "see you"
		if e := p.Add(in, nil); len(e) != 0 {
			t.Fatalf("first leg: %+v", e)
		}
		e := p.Add(out, nil)
		if len(e) != 1 || e[0].State != PairWithdrawn {
			t.Fatalf("the concluded legs differ: %+v, want the open pair withdrawn", e)
		}
		if pairs, _ := p.Result(); len(pairs) != 0 {
			t.Errorf("result %+v", pairs)
		}
	})
}

// A session that ran for longer than the window still pairs when its legs
// conclude, though shorter sessions concluded meanwhile.
func TestLongSessionPairs(t *testing.T) {
	p := New(Config{}).NewLegPairer(30*time.Second, 100)
	in, out := legs(-1)
	for _, s := range []*model.Session{in, out} {
		s.End = model.At(t0.Add(10 * time.Minute))
	}
	for i := 0; i < 20; i++ {
		short, _ := legs(-1)
		short.ID = "s" + strconv.Itoa(100+i)
		short.Dialog[0].Text = "other server " + short.ID
		short.Start = model.At(t0.Add(time.Duration(i) * 30 * time.Second))
		short.End = model.At(short.Start.Add(time.Second))
		p.Add(short, nil)
	}
	p.Add(in, nil)
	if e := p.Add(out, nil); len(e) != 1 || e[0].State != PairFinal {
		t.Fatalf("a 10-minute session's legs: %+v, want a final pair", e)
	}
}

// The running legs are bounded: beyond maxOpenLegs the first unpaired one
// is forgotten.
func TestRunningLegsBounded(t *testing.T) {
	p := pairerForTest()
	for i := 0; i < maxOpenLegs+500; i++ {
		s, _ := legs(-1)
		s.ID = "s" + strconv.Itoa(i+1)
		s.Vantage = "in" // one vantage: none pairs
		p.Running(running(s, 2))
		if len(p.open.legs) > maxOpenLegs {
			t.Fatalf("%d running legs", len(p.open.legs))
		}
	}
	n := 0
	for _, l := range p.open.byKey {
		n += len(l)
	}
	if n > maxOpenLegs {
		t.Errorf("index holds %d legs", n)
	}
}

// BenchmarkRunningLegs is the cost of one running session's snapshot to
// the pairer, among 1,000 running pairs whose dialogs agree so far (one
// server, one login): the initial sequence numbers tell them apart.
func BenchmarkRunningLegs(b *testing.B) {
	p := pairerForTest()
	p.MaxWaiting = 1 << 20
	var snaps []*model.Session
	for i := 0; i < 1000; i++ {
		in, out := legs(-1)
		in.ID, out.ID = "s"+strconv.Itoa(2*i+1), "s"+strconv.Itoa(2*i+2)
		in.Vantage, out.Vantage = "in", "out"
		for _, s := range []*model.Session{in, out} {
			s.Segments = append([]model.Segment(nil), s.Segments...)
			s.Segments[0].Seq = uint32(1000 + 7*i)
			s.Start = model.At(t0.Add(time.Duration(i) * time.Millisecond))
		}
		snaps = append(snaps, running(in, 3), running(out, 3))
	}
	for _, s := range snaps {
		p.Running(s)
	}
	if len(p.open.pairOf) != 2000 {
		b.Fatalf("%d legs paired", len(p.open.pairOf))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Running(snaps[i%len(snaps)])
	}
}
