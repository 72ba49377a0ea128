package dissect

import (
	"fmt"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// overCapCapture is a session whose client pipelines its commands three
// at a time ("NOOP i" in one segment), each answered ("200 ok i") after a
// delay of its own, ending with three commands of which only the first is
// answered. latency[i] is the latency of "NOOP i" in ms.
func overCapCapture(batches int) (pcap []byte, latency map[int]float64) {
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 100, 7000)
	k.Open()
	k.Line(false, "220 ready")
	latency = map[int]float64{}
	n := 0
	for b := range batches + 1 {
		sent := c.Now
		k.Send(true, []byte(fmt.Sprintf("NOOP %d\r\nNOOP %d\r\nNOOP %d\r\n", n, n+1, n+2)), 1460)
		answered := 3
		if b == batches {
			answered = 1
		}
		for i := n; i < n+answered; i++ {
			c.Now = c.Now.Add(time.Duration(i%7+1) * time.Millisecond)
			latency[i] = float64(c.Now.Sub(sent).Microseconds()) / 1000
			k.Line(false, fmt.Sprintf("200 ok %d", i))
		}
		n += 3
	}
	k.Close()
	return c.Bytes(), latency
}

// checkDialog asserts that every command kept carries the latency of its
// own reply and that exactly the commands never answered are marked so.
func checkDialog(t *testing.T, d []model.DialogEntry, latency map[int]float64) {
	t.Helper()
	for j := range d {
		e := &d[j]
		var i int
		if e.Kind != "command" {
			continue
		}
		if _, err := fmt.Sscanf(e.Arg, "%d", &i); err != nil {
			t.Fatalf("entry %d: %q", j, e.Arg)
		}
		want, answered := latency[i]
		if e.Unanswered == answered {
			t.Errorf("NOOP %d: unanswered %v", i, e.Unanswered)
		}
		if !answered {
			continue
		}
		if e.LatencyMS == nil || *e.LatencyMS != want {
			t.Errorf("NOOP %d: latency %v, want %v ms (its own reply's)", i, ptrVal(e.LatencyMS), want)
		}
	}
}

func ptrVal(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestLiveDialogOverCap: live, the dialog keeps its latest entries, and the
// latency and "unanswered" marks of the commands kept are their own.
func TestLiveDialogOverCap(t *testing.T) {
	const batches, limit = 14, 16
	cfg := DefaultConfig()
	cfg.Live, cfg.MaxDialog = true, limit
	pcap, latency := overCapCapture(batches)
	ss, _ := run(t, pcap, cfg)
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	s := ss[0]
	total := 1 + 6*batches + 4 // greeting, exchanges, the last three NOOPs and one reply
	if len(s.Dialog) != limit || s.DialogDropped != total-limit || s.DialogOffset != total-limit {
		t.Fatalf("kept %d, dropped %d, offset %d: want %d, %d, %d", len(s.Dialog), s.DialogDropped, s.DialogOffset, limit, total-limit, total-limit)
	}
	if last := &s.Dialog[limit-1]; last.Kind != "reply" || last.Text != fmt.Sprintf("ok %d", 3*batches) {
		t.Errorf("last entry %q %q: want the reply to the last batch's first NOOP", last.Kind, last.Text)
	}
	checkDialog(t, s.Dialog, latency)
}

// TestFileDialogOverCap: from a file, the dialog keeps its first entries.
func TestFileDialogOverCap(t *testing.T) {
	const batches, limit = 14, 16
	cfg := DefaultConfig()
	cfg.MaxDialog = limit
	pcap, latency := overCapCapture(batches)
	ss, _ := run(t, pcap, cfg)
	s := ss[0]
	total := 1 + 6*batches + 4
	if len(s.Dialog) != limit || s.DialogDropped != total-limit || s.DialogOffset != 0 {
		t.Fatalf("kept %d, dropped %d, offset %d: want %d, %d, 0", len(s.Dialog), s.DialogDropped, s.DialogOffset, limit, total-limit)
	}
	if e := &s.Dialog[0]; e.Code != 220 {
		t.Errorf("first entry %+v: want the greeting", e)
	}
	checkDialog(t, s.Dialog, latency)
}

// TestDialogRing: live over its cap, the ring addresses entries by
// absolute index, a snapshot shows the latest ones oldest first and leaves
// the ring intact, and final does the same in place.
func TestDialogRing(t *testing.T) {
	const limit = 8
	var r dialogRing
	for i := range 21 {
		r.add(model.DialogEntry{Kind: "command", Verb: "NOOP", Arg: fmt.Sprint(i)}, limit, true)
	}
	if got := r.at(12); got != nil {
		t.Errorf("entry 12 still kept: %+v", got)
	}
	if got := r.at(13); got == nil || got.Arg != "13" {
		t.Errorf("entry 13: %+v", got)
	}
	snap := r.snapshot()
	for i := range snap {
		if want := fmt.Sprint(13 + i); snap[i].Arg != want {
			t.Fatalf("snapshot %d: %q, want %q", i, snap[i].Arg, want)
		}
	}
	if got := r.at(20); got == nil || got.Arg != "20" {
		t.Errorf("after the snapshot, entry 20: %+v", got)
	}
	fin := r.final()
	for i := range fin {
		if want := fmt.Sprint(13 + i); fin[i].Arg != want {
			t.Fatalf("final %d: %q, want %q", i, fin[i].Arg, want)
		}
	}
	if r.dropped != 13 || r.base != 13 {
		t.Errorf("dropped %d, base %d: want 13, 13", r.dropped, r.base)
	}
}
