package viewmodel

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/model"
)

// packChecker packs every dialog the analysis delivers and unpacks it
// again, before the analysis reuses the dialog's memory.
type packChecker struct {
	t                 *testing.T
	sessions, entries int
}

func (c *packChecker) StreamsSessions() {}

func (c *packChecker) Session(s *model.Session, _ []model.Finding) {
	c.sessions++
	c.entries += len(s.Dialog)
	p := packDialog(s.Dialog)
	if p == nil {
		c.t.Fatalf("%s: %d entries do not pack", s.ID, len(s.Dialog))
	}
	if got := p.unpack(); !reflect.DeepEqual(got, s.Dialog) {
		for i := range got {
			if !reflect.DeepEqual(got[i], s.Dialog[i]) {
				c.t.Fatalf("%s: entry %d unpacks as\n%+v\nnot\n%+v", s.ID, i, got[i], s.Dialog[i])
			}
		}
		c.t.Fatalf("%s: %d entries unpack as %d", s.ID, len(s.Dialog), len(got))
	}
}

// Every dialog of the samples, the NAT gateways' segment places and an
// FTPS session's decrypted lines included, unpacks as it was packed.
func TestPackedDialogRoundTrip(t *testing.T) {
	dirs, _ := filepath.Glob("../../samples/captures/*")
	if len(dirs) < 10 {
		t.Fatalf("%d sample folders", len(dirs))
	}
	c := &packChecker{t: t}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
		if len(files) > 0 {
			analysistest.RunFiles(t, c, files...)
		}
	}
	analysistest.RunFTPS(t, c)
	if c.sessions < 20 || c.entries < 200 {
		t.Fatalf("only %d sessions, %d entries", c.sessions, c.entries)
	}
}

// What lines rarely have, and what no capture of ours has (a kind read
// from someone else's report), survives packing too.
func TestPackedDialogRareParts(t *testing.T) {
	ms := 12.5
	at := model.At(time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC))
	d := []model.DialogEntry{
		{TS: at, Kind: "reply", Code: 220, Text: "ready", Lines: 3, TextLines: []string{"220-a", "b", "220 ready"}, TextLinesDropped: 2, Frame: 1, Preliminary: true, Unsolicited: true},
		{TS: at, Kind: "command", Verb: "USER", Arg: "caf\xe9", RawText: &model.RawText{ArgRaw: "Y2Fm6Q=="}, Frame: 2, Segment: &model.SegmentPlace{Offset: 4, Split: true, Index: 1, Segments: 2}, LatencyMS: &ms, Truncated: true, Cut: true},
		{TS: at, Kind: "reply", Code: 331, Text: "", Answers: model.RefTo(1), LatencyMS: &ms, Frame: 2, Decrypted: true},
		{Kind: "note", Text: "from elsewhere", Malformed: true, Unanswered: true},
		{},
	}
	got := packDialog(d).unpack()
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("unpacked\n%+v\nnot\n%+v", got, d)
	}
	if got[1].LatencyMS == d[1].LatencyMS {
		t.Error("an unpacked latency shares the packed dialog's float")
	}
}

// A concluded session's row keeps nothing of the dialog it was given: the
// analysis reuses that memory (the model is an analysis.Streamer).
func TestRowKeepsNoDialogMemory(t *testing.T) {
	s := rowSession("s1", 7)
	want := append([]model.DialogEntry(nil), s.Dialog...)
	buffer := s.Dialog
	m := NewModel("x")
	m.Session(s, nil)
	for i := range buffer { // the analysis reuses the buffer
		buffer[i] = model.DialogEntry{Kind: "reply", Code: 999, Text: "reused"}
	}
	r := m.Row("s1")
	if r.S.Dialog != nil {
		t.Errorf("the row's session holds %d dialog entries besides the packed ones", len(r.S.Dialog))
	}
	if r.DialogLen() != len(want) {
		t.Errorf("DialogLen %d, want %d", r.DialogLen(), len(want))
	}
	if got := r.Session().Dialog; !reflect.DeepEqual(got, want) {
		t.Fatalf("the row's dialog changed with the analysis' buffer:\n%+v", got)
	}
	if r.LastReply != "221 Goodbye." {
		t.Errorf("last reply %q", r.LastReply)
	}
	// A finding revised later remakes the row from its packed dialog.
	f := model.Finding{Session: "s1", Rule: "r", Summary: "x", Severity: model.Info}
	m.Session(withDialog(s, want), []model.Finding{f})
	was := f.Severity
	f.Severity = model.Warning
	m.Revise(&model.Revision{Finding: f, Was: was})
	r = m.Row("s1")
	if r.Worst != model.Warning || r.LastReply != "221 Goodbye." || !reflect.DeepEqual(r.Session().Dialog, want) {
		t.Errorf("after a revision: worst %v, last reply %q, dialog of %d", r.Worst, r.LastReply, r.DialogLen())
	}
}

// rowSession is a concluded login of n dialog entries, ending in 221.
func rowSession(id string, n int) *model.Session {
	s := &model.Session{ID: id, Client: "192.0.2.10:40000", Server: "198.51.100.20:21"}
	for i := 0; i < n-1; i++ {
		if i%2 == 0 {
			s.Dialog = append(s.Dialog, model.DialogEntry{Kind: "reply", Code: 220 + i, Text: "text", Frame: uint64(i + 1)})
		} else {
			s.Dialog = append(s.Dialog, model.DialogEntry{Kind: "command", Verb: "NOOP", Frame: uint64(i + 1)})
		}
	}
	s.Dialog = append(s.Dialog, model.DialogEntry{Kind: "reply", Code: 221, Text: "Goodbye.", Frame: uint64(n)})
	return s
}

// withDialog is s again with the dialog want, in a buffer of its own.
func withDialog(s *model.Session, want []model.DialogEntry) *model.Session {
	c := *s
	c.Dialog = append([]model.DialogEntry(nil), want...)
	return &c
}
