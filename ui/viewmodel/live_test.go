package viewmodel

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// longSession is one control connection with n commands, each answered.
func longSession(n int) []byte {
	c := pcaptest.New()
	k := c.Conn("192.0.2.10:40000", "203.0.113.20:21", 100, 7000)
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	k.Line(true, "USER anonymous")
	k.Line(false, "331 Please specify the password.")
	k.Line(true, "PASS x@y")
	k.Line(false, "230 Login successful.")
	for i := 0; i < n; i++ {
		k.Line(true, fmt.Sprintf("SIZE file-%d", i))
		k.Line(false, fmt.Sprintf("213 %d", i))
	}
	return c.Bytes()
}

// The live model receives a running session as deltas and rebuilds its
// whole dialog: the row equals the session the analysis concludes, and an
// update that only adds entries shares the earlier row's array instead of
// copying it.
func TestLiveUpdatesAreDeltas(t *testing.T) {
	for _, live := range []bool{false, true} {
		t.Run(fmt.Sprintf("live=%v", live), func(t *testing.T) {
			f, err := capture.OpenReader("t", "t.pcap", io.NopCloser(bytes.NewReader(longSession(400))), 0)
			if err != nil {
				t.Fatal(err)
			}
			cfg := dissect.DefaultConfig()
			cfg.Live = live
			cfg.MaxDialog = 300 // live: the analysis keeps the latest 300
			var final *model.Session
			a := dissect.New(cfg, []*capture.Info{f.Info()}, dissect.SinkFunc(func(s *model.Session) { final = s }))
			m := NewModel("t")
			m.SetLive(LiveStatus{Interface: "t"})
			var sent, shared, updates int
			var prev *Row
			for i := 0; ; i++ {
				p, err := f.Next()
				if err != nil {
					break
				}
				a.Packet(&p)
				if i%5 == 0 {
					a.Updates(false, func(s *model.Session, from int) {
						sent += len(s.Dialog)
						updates++
						m.Update(s, from)
					})
					r := m.Row("s1")
					if prev != nil && r != prev && len(prev.S.Dialog) > 0 && len(r.S.Dialog) > len(prev.S.Dialog) &&
						&r.S.Dialog[0] == &prev.S.Dialog[0] {
						shared++
					}
					prev = r
				}
			}
			a.Updates(false, m.Update)
			running := m.Row("s1")
			a.Finish()
			if final == nil || running == nil {
				t.Fatal("no session")
			}
			if live && final.DialogDropped == 0 {
				t.Fatal("the live analysis dropped nothing: the test does not test the ring")
			}
			// The view may keep more than the analysis: its dialog starts
			// earlier, and its answers references, indexes into it, differ
			// by as much. Both numbered in the whole session, the entries
			// the analysis kept must be the view's latest, references and
			// all.
			if end, wantEnd := running.S.DialogOffset+len(running.S.Dialog), final.DialogOffset+len(final.Dialog); end != wantEnd {
				t.Fatalf("the view's dialog ends at entry %d, the session's at %d", end, wantEnd)
			}
			want := wholeSessionRefs(final.Dialog, final.DialogOffset)
			got := wholeSessionRefs(running.S.Dialog, running.S.DialogOffset)
			if len(got) < len(want) {
				t.Fatalf("the view keeps %d entries, the analysis %d", len(got), len(want))
			}
			got = got[len(got)-len(want):]
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("dialog rebuilt from deltas (%d entries) differs from the session's (%d)", len(got), len(want))
			}
			answered := 0
			for i := range running.S.Dialog {
				e := &running.S.Dialog[i]
				if e.Kind != "reply" || e.Answers.IsZero() {
					continue
				}
				if c := running.S.Answered(e); c == nil || c.Kind != "command" || c.Frame > e.Frame {
					t.Fatalf("reply %d of the view (%q) answers %v, not an earlier command", i, e.Text, e.Answers)
				}
				answered++
			}
			if answered < len(running.S.Dialog)/2-1 {
				t.Errorf("%d replies of %d entries answer a command", answered, len(running.S.Dialog))
			}
			total := len(want)
			if live {
				total += final.DialogDropped
			}
			if sent > 3*total/2 {
				t.Errorf("%d dialog entries sent in %d updates for a dialog of %d: not deltas", sent, updates, total)
			}
			if shared == 0 {
				t.Errorf("no update appended in place: every update copied the dialog")
			}
		})
	}
}

// wholeSessionRefs returns a copy of d, a dialog whose first entry is the
// session's entry front, with its answers references numbered in the
// session's whole dialog: dialogs kept from different fronts compare.
func wholeSessionRefs(d []model.DialogEntry, front int) []model.DialogEntry {
	out := slices.Clone(d)
	for i := range out {
		if c, ok := out[i].Answers.Index(); ok {
			out[i].Answers = model.RefTo(c + front)
		}
	}
	return out
}

// In live mode the model keeps the rows changed last and, of the older
// ones, those with a warning or worse, up to their caps; the others are
// evicted and counted, while the finding counts stay those of the run.
func TestLiveRowsCapped(t *testing.T) {
	m := NewModel("t")
	m.SetLive(LiveStatus{Interface: "t"})
	const n = 20000
	warnings := 0
	for i := 1; i <= n; i++ {
		s := &model.Session{ID: fmt.Sprintf("s%d", i), Client: "192.0.2.10:40000", Server: "203.0.113.20:21",
			Dialog: []model.DialogEntry{{Kind: "command", Verb: "USER", Arg: "alice"}}}
		var fs []model.Finding
		if i%7 == 0 {
			fs = []model.Finding{{Rule: "login-failed", Severity: model.Warning, Session: s.ID, Summary: "refused"}}
			warnings++
		} else {
			fs = []model.Finding{{Rule: "cleartext-credentials", Severity: model.Info, Session: s.ID, Summary: "clear"}}
		}
		m.Session(s, fs)
		if l := m.Len(); l > LiveRows+LiveFlagged+pruneSlack {
			t.Fatalf("%d rows after %d sessions", l, i)
		}
	}
	snap := m.Snapshot()
	if uint64(len(snap.Rows))+snap.Evicted != n {
		t.Errorf("%d rows kept + %d evicted, want %d", len(snap.Rows), snap.Evicted, n)
	}
	if snap.Counts[model.Warning] != warnings || snap.Counts[model.Info] != n-warnings {
		t.Errorf("counts %v, want %d warnings and %d infos", snap.Counts, warnings, n-warnings)
	}
	if m.Row(fmt.Sprintf("s%d", n)) == nil {
		t.Error("the newest session was evicted")
	}
	// the rows older than the newest LiveRows kept are warnings, the latest
	// ones
	newest := n - LiveRows - pruneSlack
	old, oldWarn := 0, 0
	for _, r := range snap.Rows {
		if r.Num <= newest {
			old++
			if r.Worst >= model.Warning {
				oldWarn++
			}
		}
	}
	if old != oldWarn || old > LiveFlagged || old == 0 {
		t.Errorf("%d older rows kept, %d with a warning: want only warnings, at most %d", old, oldWarn, LiveFlagged)
	}
	// groups are drawn from the rows kept
	where := 0
	for _, g := range snap.Groups {
		where += 1 + len(g.Where)
	}
	if where != len(snap.Rows) {
		t.Errorf("groups cover %d findings, the rows kept hold %d", where, len(snap.Rows))
	}
}

// A file read to its end is never capped.
func TestFileRowsNotCapped(t *testing.T) {
	m := NewModel("t")
	for i := 1; i <= LiveRows+LiveFlagged+pruneSlack+100; i++ {
		m.Session(&model.Session{ID: fmt.Sprintf("s%d", i)}, nil)
	}
	if snap := m.Snapshot(); snap.Evicted != 0 || len(snap.Rows) != LiveRows+LiveFlagged+pruneSlack+100 {
		t.Errorf("%d rows, %d evicted: want all kept", len(snap.Rows), snap.Evicted)
	}
}

// retainedAfter is the heap the model holds after n concluded sessions fed
// in live mode, each with a dialog and a finding like a logging-in session
// of a real capture, one in five a warning.
func retainedAfter(n int) (uint64, *Model) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := NewModel("t")
	m.SetLive(LiveStatus{Interface: "t"})
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("s%d", i)
		user := "alice"
		s := &model.Session{ID: id, Source: "t", Client: fmt.Sprintf("10.%d.%d.%d:40000", i>>16&255, i>>8&255, i&255), Server: "203.0.113.20:21",
			User: &user, Closed: "fin"}
		for j, l := range []string{"220 (vsFTPd 3.0.3)", "USER alice", "331 Please specify the password.", "PASS ****", "230 Login successful.", "QUIT", "221 Goodbye."} {
			e := model.DialogEntry{Kind: "reply", Frame: uint64(i*10 + j), Text: l}
			if j%2 == 1 {
				e = model.DialogEntry{Kind: "command", Verb: l[:4], Arg: l[min(5, len(l)):], Frame: uint64(i*10 + j)}
			}
			s.Dialog = append(s.Dialog, e)
		}
		sev := model.Info
		if i%5 == 0 { // enough to fill LiveFlagged in both runs
			sev = model.Warning
		}
		m.Session(s, []model.Finding{{Rule: "cleartext-credentials", Severity: sev, Session: id,
			Summary: fmt.Sprintf("password of %q sent in clear text", user), Evidence: model.Evidence{Frames: []uint64{uint64(i * 10)}}}})
	}
	m.mu.Lock()
	m.prune() // both runs at the same point of the prune cycle
	m.mu.Unlock()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), m
}

// The live model holds as much after 60,000 sessions as after 10,000: its
// caps bound it, not the capture.
func TestLiveModelMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds 70,000 sessions")
	}
	small, m1 := retainedAfter(10000)
	large, m2 := retainedAfter(60000)
	t.Logf("retained: %d KiB after 10,000 sessions (%d rows), %d KiB after 60,000 (%d rows)", small>>10, m1.Len(), large>>10, m2.Len())
	if float64(large) > 1.1*float64(small) {
		t.Errorf("the model holds %d KiB after 60,000 sessions, %d KiB after 10,000: more than 10 %% growth", large>>10, small>>10)
	}
	runtime.KeepAlive(m1)
	runtime.KeepAlive(m2)
}

// syntheticDialog is a running session's whole dialog of n entries as the
// analysis numbers them: commands and their replies in turn, each reply
// answering the entry before it (an absolute reference), a command
// without its reply yet still waiting (no latency).
func syntheticDialog(n int) []model.DialogEntry {
	d := make([]model.DialogEntry, n)
	for i := range d {
		d[i].Frame = uint64(i + 1)
		if i%2 == 0 {
			d[i].Kind, d[i].Verb, d[i].Arg = "command", "SIZE", fmt.Sprintf("file-%d", i)
			if i+1 < n {
				ms := float64(i)
				d[i].LatencyMS = &ms
			}
		} else {
			d[i].Kind, d[i].Code, d[i].Text = "reply", 213, fmt.Sprintf("213 %d", i)
			d[i].Answers = model.RefTo(i - 1)
		}
	}
	return d
}

// liveSnapshot is what the analysis exports of that dialog with the latest
// window entries kept: DialogOffset and references into the snapshot.
func liveSnapshot(whole []model.DialogEntry, window int) *model.Session {
	front := max(0, len(whole)-window)
	s := &model.Session{ID: "s1", DialogOffset: front, DialogDropped: front,
		Dialog: wholeSessionRefs(whole[front:], -front)}
	return s
}

// A row's answers references index its own dialog whether the model got
// full snapshots or deltas, also once its dialog outgrew LiveDialog and
// dropped its front.
func TestDialogRefsSnapshotOrDeltas(t *testing.T) {
	const window, step = 300, 101 // odd: a command waits at every other update
	fromDeltas, fromSnapshots := NewModel("t"), NewModel("t")
	fromDeltas.SetLive(LiveStatus{Interface: "t"})
	fromSnapshots.SetLive(LiveStatus{Interface: "t"})
	settled := 0
	trimmed := false
	for n := step; n <= LiveDialog+LiveDialog/2; n += step {
		whole := syntheticDialog(n)
		full := liveSnapshot(whole, window)
		fromSnapshots.Update(full, full.DialogOffset)
		delta := liveSnapshot(whole, window)
		k := min(max(settled-delta.DialogOffset, 0), len(delta.Dialog))
		delta.Dialog = delta.Dialog[k:]
		fromDeltas.Update(delta, delta.DialogOffset+k)
		settled = n - n%2 // the last command waits when n is odd

		a, b := fromDeltas.Row("s1").S, fromSnapshots.Row("s1").S
		if a.DialogOffset != b.DialogOffset || !reflect.DeepEqual(a.Dialog, b.Dialog) {
			t.Fatalf("%d entries: the row from deltas (front %d, %d entries) differs from the row from snapshots (front %d, %d entries)",
				n, a.DialogOffset, len(a.Dialog), b.DialogOffset, len(b.Dialog))
		}
		if a.DialogOffset+len(a.Dialog) != n || len(a.Dialog) > LiveDialog {
			t.Fatalf("%d entries: the row keeps %d from entry %d", n, len(a.Dialog), a.DialogOffset)
		}
		trimmed = trimmed || a.DialogOffset > 0
		for i := range a.Dialog {
			e := &a.Dialog[i]
			if e.Kind != "reply" {
				continue
			}
			if c := a.Answered(e); i > 0 && (c == nil || c.Frame != e.Frame-1) {
				t.Fatalf("%d entries: reply %d (frame %d) answers %v", n, i, e.Frame, e.Answers)
			}
			if i == 0 && !e.Answers.IsZero() { // its command was trimmed
				t.Fatalf("%d entries: the first entry kept refers to %v", n, e.Answers)
			}
		}
	}
	if !trimmed {
		t.Fatal("the row never dropped its front: the test does not test the trim")
	}
}
