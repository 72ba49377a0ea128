package viewmodel

import (
	"sort"

	"github.com/ftpscope/ftpscope/model"
)

// prune keeps the LiveRows rows changed last and the LiveFlagged changed
// last among the others with a warning or worse, and evicts the rest.
func (m *Model) prune() {
	// the order and the set are reused: a long capture prunes every
	// pruneSlack sessions
	recent := append(m.pruneOrder[:0], m.rows...)
	sort.Slice(recent, func(i, j int) bool { return recent[i].touched > recent[j].touched })
	if m.pruneKeep == nil {
		m.pruneKeep = make(map[*Row]bool, LiveRows+LiveFlagged)
	}
	keep := m.pruneKeep
	defer func() {
		clear(keep)
		clear(recent)
		m.pruneOrder = recent[:0]
	}()
	flagged := 0
	for i, r := range recent {
		switch {
		case i < LiveRows:
			keep[r] = true
		case r.Worst >= model.Warning && flagged < LiveFlagged:
			keep[r] = true
			flagged++
		}
	}
	kept := m.rows[:0] // snapshots hold copies of the slice
	for _, r := range m.rows {
		if keep[r] {
			kept = append(kept, r)
			continue
		}
		delete(m.byID, r.S.ID)
		delete(m.pairFindings, r.S.ID)
		m.evicted++
	}
	clear(m.rows[len(kept):])
	m.rows = kept
	// NAT pairs go with the last of their two rows (a new slice: snapshots
	// share the old one)
	pairs := make([]model.NATPair, 0, len(m.pairs))
	clear(m.pairOf)
	for _, p := range m.pairs {
		if m.byID[p.Inside] != nil || m.byID[p.Outside] != nil {
			pairs = append(pairs, p)
			m.pairOf[p.Inside], m.pairOf[p.Outside] = len(pairs)-1, len(pairs)-1
		}
	}
	m.pairs = pairs
}

// Update implements analysis.Updater: a running session is shown, and
// replaced, until its concluded version arrives through Session. Its
// dialog is the one shown so far, up to dialogFrom, then the delta.
func (m *Model) Update(s *model.Session, dialogFrom int) {
	m.mu.Lock()
	old := m.byID[s.ID]
	m.mu.Unlock()
	// Rows never change once made, and updates of one session come from
	// one goroutine, in order: old can be read unlocked.
	later := s.DialogDropped - s.DialogOffset // a file's dialog drops its latest entries
	dialog, front := mergeDialog(old, s.Dialog, dialogFrom, s.DialogOffset)
	s.Dialog, s.DialogOffset, s.DialogDropped = dialog, front, front+later
	r := newRow(s, nil)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pairedLocked(s.ID) {
		r = m.newRowLocked(s, nil) // with the pair's findings told so far
	}
	r.running = true
	m.put(r)
	m.version.Add(1)
}

// mergeDialog returns the dialog of a running session: old's entries before
// from, then delta; and the number of its first entry. The answers
// references of delta count from refFront (the analysis' DialogOffset, as
// in a full snapshot); those of the result are indexes into it, as in any
// session, whether the row was built from one snapshot or from many
// deltas.
func mergeDialog(old *Row, delta []model.DialogEntry, from, refFront int) ([]model.DialogEntry, int) {
	if old == nil || !old.running {
		shiftRefs(delta, refFront-from)
		return delta, from
	}
	base := old.S.Dialog
	front := old.S.DialogOffset
	k := from - front
	if k < 0 || k > len(base) {
		shiftRefs(delta, refFront-from)
		return delta, from // what came before is not at hand
	}
	// The delta is the row's own (Updates shares nothing): rebased in place.
	shiftRefs(delta, refFront-front)
	var d []model.DialogEntry
	if k == len(base) {
		// Appending past the end of base writes nothing an earlier row
		// shows: they are all prefixes of it.
		d = append(base, delta...)
	} else {
		// An entry shown changed (its reply came): a new array, so that
		// the rows already handed out stay as they were.
		d = make([]model.DialogEntry, k, k+len(delta)+max(16, k/4))
		copy(d, base[:k])
		d = append(d, delta...)
		keepDroppedRefs(d[k:min(len(d), len(base))], base[k:], refFront-front)
	}
	if len(d) > LiveDialog {
		// The references of the entries kept change with the front: a new
		// array, rebased, with room for a quarter of LiveDialog more
		// entries appended in place before the next trim.
		keep := LiveDialog - LiveDialog/4
		n := len(d) - keep
		kept := make([]model.DialogEntry, keep, LiveDialog)
		copy(kept, d[n:])
		shiftRefs(kept, -n)
		d, front = kept, front+n
	}
	return d, front
}

// keepDroppedRefs gives the entries of d that refer to none the reference
// of the same entry in shown, an earlier version of them, when it refers
// to an entry before the analysis' front, dropped: the analysis can no
// longer say which command a reply answers, the row still can (a reply's
// command never changes once paired). front is the index in d's dialog of
// the analysis' first entry.
func keepDroppedRefs(d, shown []model.DialogEntry, front int) {
	for i := range d {
		if c, ok := shown[i].Answers.Index(); ok && c < front && d[i].Answers.IsZero() {
			d[i].Answers = shown[i].Answers
		}
	}
}

// shiftRefs adds by to the answers references of d; a reference that
// becomes negative, to an entry no longer kept, refers to none.
func shiftRefs(d []model.DialogEntry, by int) {
	if by == 0 {
		return
	}
	for i := range d {
		if c, ok := d[i].Answers.Index(); ok {
			d[i].Answers = model.RefTo(c + by)
		}
	}
}
