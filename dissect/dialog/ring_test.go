package dialog

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// add keeps e in r as the dissector does, through Next, and returns its
// absolute index, or -1 when it was dropped.
func add(r *Ring, e model.DialogEntry, limit int, keepLatest bool) int {
	p, i := r.Next(limit, keepLatest)
	if p != nil {
		*p = e
	}
	return i
}

// TestRing: live over its cap, the ring addresses entries by
// absolute index, a snapshot shows the latest ones oldest first and leaves
// the ring intact, and final does the same in place.
func TestRing(t *testing.T) {
	const limit = 8
	var r Ring
	for i := range 21 {
		add(&r, model.DialogEntry{Kind: "command", Verb: "NOOP", Arg: fmt.Sprint(i)}, limit, true)
	}
	if got := r.At(12); got != nil {
		t.Errorf("entry 12 still kept: %+v", got)
	}
	if got := r.At(13); got == nil || got.Arg != "13" {
		t.Errorf("entry 13: %+v", got)
	}
	snap := r.Snapshot()
	for i := range snap {
		if want := fmt.Sprint(13 + i); snap[i].Arg != want {
			t.Fatalf("snapshot %d: %q, want %q", i, snap[i].Arg, want)
		}
	}
	if got := r.At(20); got == nil || got.Arg != "20" {
		t.Errorf("after the snapshot, entry 20: %+v", got)
	}
	fin := r.Final()
	for i := range fin {
		if want := fmt.Sprint(13 + i); fin[i].Arg != want {
			t.Fatalf("final %d: %q, want %q", i, fin[i].Arg, want)
		}
	}
	if r.dropped != 13 || r.base != 13 {
		t.Errorf("dropped %d, base %d: want 13, 13", r.dropped, r.base)
	}
}

// TestRingMatchesReference: whatever the bound and the number of
// entries, the ring keeps what a plain slice of every entry says it should
// (the first limit ones, or the latest limit ones live), addressed by
// absolute index, and the answers references survive the export.
func TestRingMatchesReference(t *testing.T) {
	for _, live := range []bool{false, true} {
		for limit := 1; limit <= 9; limit++ {
			for n := 0; n <= 3*limit+2; n++ {
				var r Ring
				for i := range n {
					e := model.DialogEntry{Kind: "reply", Frame: uint64(i), Answers: model.RefTo(i - 1)}
					want := i
					if !live && i >= limit {
						want = -1 // from a file, later entries are dropped
					}
					if got := add(&r, e, limit, live); got != want {
						t.Fatalf("live=%v limit %d: entry %d added at %d, want %d", live, limit, i, got, want)
					}
				}
				first, kept := 0, min(n, limit)
				if live {
					first = n - kept
				}
				for i := range n {
					e := r.At(i)
					if inRange := i >= first && i < first+kept; inRange != (e != nil) || e != nil && e.Frame != uint64(i) {
						t.Fatalf("live=%v limit %d n %d: At(%d) = %+v", live, limit, n, i, e)
					}
				}
				if r.dropped != n-kept {
					t.Fatalf("live=%v limit %d n %d: dropped %d", live, limit, n, r.dropped)
				}
				snap, fin := r.Snapshot(), r.Final()
				for _, d := range [][]model.DialogEntry{snap, fin} {
					if len(d) != kept {
						t.Fatalf("live=%v limit %d n %d: %d entries out", live, limit, n, len(d))
					}
					for j := range d {
						k, ok := d[j].Answers.Index()
						if d[j].Frame != uint64(first+j) || ok != (first+j-1 >= first) || ok && k != j-1 {
							t.Fatalf("live=%v limit %d n %d: entry %d = frame %d answers %d,%v", live, limit, n, j, d[j].Frame, k, ok)
						}
					}
				}
			}
		}
	}
}

// TestRingNextIsZero: the entry Next hands out is zero, whether it is
// new, in a recycled buffer or overwrites the oldest one live.
func TestRingNextIsZero(t *testing.T) {
	full := model.DialogEntry{Kind: "reply", Code: 226, Text: "done", TextLines: []string{"226 done"}, Frame: 9, Answers: model.RefTo(1), Truncated: true}
	for _, live := range []bool{false, true} {
		for round := range 3 { // the later rounds reuse recycled buffers
			var r Ring
			for i := range 2*firstDialogCap + 3 {
				e, idx := r.Next(firstDialogCap+1, live)
				if e == nil {
					if live || idx != -1 {
						t.Fatalf("live=%v round %d: entry %d dropped at %d", live, round, i, idx)
					}
					continue
				}
				if !reflect.DeepEqual(*e, model.DialogEntry{}) {
					t.Fatalf("live=%v round %d: entry %d not zero: %+v", live, round, i, *e)
				}
				if idx != i {
					t.Fatalf("live=%v round %d: entry %d at %d", live, round, i, idx)
				}
				*e = full
			}
			Recycle(r.Final())
		}
	}
}
