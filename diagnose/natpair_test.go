package diagnose

import (
	"strconv"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// legs builds the two legs of a control connection whose PORT the gateway
// rewrote from "PORT 192,168,1,10,156,64" (24 bytes) to
// "PORT 203,0,113,1,156,64" (23 bytes). shift is how the outside leg's
// later client sequence numbers moved: -1 when the gateway adjusted them.
func legs(shift int32) (*model.Session, *model.Session) {
	mk := func(id, client, port string, portLen int, seqShift int32, ackShift int32) *model.Session {
		s := &model.Session{ID: id, Source: "gw", Vantage: id, Client: client, Server: "203.0.113.20:21", Start: at(0),
			Dialog: []model.DialogEntry{
				{Kind: "reply", Code: 220, Text: "ready", Frame: 1},
				{Kind: "command", Verb: "PORT", Arg: port, Frame: 2},
				{Kind: "reply", Code: 200, Text: "ok", Frame: 3},
				{Kind: "command", Verb: "QUIT", Frame: 4},
				{Kind: "reply", Code: 221, Text: "bye", Frame: 5},
			},
			Channels: []model.Channel{{ID: id + ".c1", Mode: "active", Status: model.StatusOK,
				Announce: &model.Announce{Verb: "PORT", Endpoint: "x", Raw: "PORT " + port, Frame: 2}}},
		}
		// client ISN 1000 (first byte 1001), server ISN 5000 (first byte 5001)
		s.Segments = []model.Segment{
			{FromClient: true, SYN: true, Seq: 1000, Frame: 10},
			{FromClient: false, SYN: true, HasAck: true, Seq: 5000, Ack: 1001, Frame: 11},
			{FromClient: false, HasAck: true, Seq: 5001, Ack: 1001, Len: 11, Frame: 12},         // 220
			{FromClient: true, HasAck: true, Seq: 1001, Ack: 5012, Len: portLen + 2, Frame: 13}, // PORT
			{FromClient: false, HasAck: true, Seq: 5012, Ack: uint32(int32(1001+portLen+2) + ackShift), Len: 8, Frame: 14},
			{FromClient: true, HasAck: true, Seq: uint32(int32(1001+portLen+2) + seqShift), Ack: 5020, Len: 6, Frame: 15}, // QUIT
		}
		return s
	}
	in := mk("s1", "192.168.1.10:40312", "192,168,1,10,156,64", 24, 0, 0)
	// On the outside the PORT is one byte shorter; the server acknowledges
	// what it received; the QUIT after it must be shifted by -1.
	out := mk("s2", "203.0.113.1:40312", "203,0,113,1,156,64", 23, shift+1, 0)
	return in, out
}

func TestPairRewriteAndSequenceCheck(t *testing.T) {
	for _, tt := range []struct {
		name    string
		shift   int32
		wantAdj bool
	}{
		{"gateway adjusted sequence numbers", -1, true},
		{"gateway forgot seqadj", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, out := legs(tt.shift)
			d := New(Config{})
			pairs, fs := d.Pair([]*model.Session{out, in})
			if len(pairs) != 1 {
				t.Fatalf("%d pairs", len(pairs))
			}
			p := pairs[0]
			if p.Inside != "s1" || p.Outside != "s2" {
				t.Errorf("inside %s outside %s", p.Inside, p.Outside)
			}
			if len(p.Rewrites) != 1 || p.Rewrites[0].LengthDelta != -1 || p.Rewrites[0].Outside != "PORT 203,0,113,1,156,64" {
				t.Errorf("rewrites %+v", p.Rewrites)
			}
			if p.SeqAdjusted == nil || *p.SeqAdjusted != tt.wantAdj {
				t.Errorf("seq_adjusted %v, want %v (%+v)", p.SeqAdjusted, tt.wantAdj, p.SeqCheck)
			}
			r := rules(fs)
			if r[RuleNATRewrite] != model.Info {
				t.Errorf("no nat-rewrite: %v", r)
			}
			if (r[RuleNATSeqNotAdjusted] == model.Error) == tt.wantAdj {
				t.Errorf("nat-seq-not-adjusted: %v", r)
			}
		})
	}
}

func TestPairNeedsTwoVantages(t *testing.T) {
	in, out := legs(-1)
	out.Vantage = in.Vantage
	if pairs, _ := New(Config{}).Pair([]*model.Session{in, out}); len(pairs) != 0 {
		t.Fatalf("paired two sessions of one vantage: %+v", pairs)
	}
}

func TestLegPairerBounded(t *testing.T) {
	d := New(Config{})
	p := d.NewLegPairer(time.Minute, 100)
	// 10,000 single legs, one a second: none has a partner
	for i := 0; i < 10000; i++ {
		in, _ := legs(-1)
		in.ID = "s" + strconv.Itoa(i+1)
		in.Start = model.At(t0.Add(time.Duration(i) * time.Second))
		p.Add(in, nil)
		if p.count > 100 || len(p.queue) > 200 {
			t.Fatalf("%d waiting, queue %d", p.count, len(p.queue))
		}
	}
	// a pair still forms within the window
	in, out := legs(-1)
	in.Start = model.At(t0.Add(20000 * time.Second))
	out.Start = in.Start
	p.Add(in, nil)
	p.Add(out, nil)
	if pairs, _ := p.Result(); len(pairs) != 1 {
		t.Fatalf("%d pairs", len(pairs))
	}
}
