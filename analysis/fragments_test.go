package analysis_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// fragmentedSession writes a session whose STOR comes in IPv4 fragments,
// then a datagram whose fragments overlap with different bytes.
func fragmentedSession() []byte {
	c := pcaptest.New()
	k := c.Conn("192.0.2.10:41000", "198.51.100.20:21", 1000, 9000)
	k.Open()
	k.Line(false, "220 ready")
	k.Line(true, "USER anonymous")
	k.Line(false, "230 Login successful.")
	k.SendFragmented(true, []byte("STOR a-name-in-fragments.txt\r\n"), 16, 3, 1, 0, 2) // four fragments, out of order
	k.Line(false, "553 Could not create file.")
	a, b := k.Seq()
	honest := k.Segment(true, a, b, pcaptest.Flags{ACK: true, PSH: true}, []byte("NOOP\r\n"))
	k.Fragment(true, 1, 0, true, honest[:16])
	k.Fragment(true, 1, 8, false, append([]byte("forged!!"), honest[16:]...))
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	return c.Bytes()
}

// Through the read-ahead: the reassembled command is in the dialog, the
// overlap is a warning on its source, and the counts are in the stats;
// the same capture read as two vantages is reassembled at each.
func TestFragmentsThroughRun(t *testing.T) {
	b := fragmentedSession()
	var col sessions
	sum, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "inside", b, 0), openPcap(t, "outside", b, 1)},
		analysis.Config{Dissect: dissect.DefaultConfig()}, &col)
	if err != nil {
		t.Fatal(err)
	}
	if len(col.got) != 2 {
		t.Fatalf("%d sessions, want one per vantage", len(col.got))
	}
	for _, s := range col.got {
		found := false
		for _, e := range s.Dialog {
			found = found || e.Verb == "STOR" && e.Arg == "a-name-in-fragments.txt"
		}
		if !found {
			t.Errorf("%s: no STOR in %+v", s.Source, s.Dialog)
		}
	}
	st := sum.Stats
	if st.IPFragments != 2*6 || st.IPReassembled != 2 || st.IPFragmentsDropped == nil || st.IPFragmentsDropped.Overlap != 2*2 {
		t.Fatalf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
	}
	for _, src := range sum.Sources {
		if len(src.Warnings) != 1 || !strings.Contains(src.Warnings[0], "192.0.2.10 > 198.51.100.20 id 0x1 proto 6 discarded: they overlap with different bytes") {
			t.Errorf("%s: warnings %q", src.Label, src.Warnings)
		}
	}
}
