// Live view: snapshots of the sessions still running, for a live capture's
// consumers (the terminal UI, the leg pairer).

package dissect

import (
	"sort"

	"github.com/ftpscope/ftpscope/model"
)

// Updates calls fn with every session still open that changed since the
// last call, oldest first: a live view shows sessions while they run, and
// a live capture pairs NAT legs while they run. The dialog is a delta
// unless whole is set: m.Dialog holds the entries from dialogFrom on
// (counting from the first entry of the session, those a live dialog
// dropped at its front included); the entries before were sent by earlier
// calls and have not changed since (an entry can change only while its
// command waits for a reply). With whole, m.Dialog is all the analysis
// keeps (dialogFrom is m.DialogOffset), and m.Segments the control
// segments when KeepSegments is set: what the leg pairer reads. The
// answers references of m.Dialog count from m.DialogOffset, as in the
// whole snapshot it was cut from, so that they mean the same entry in
// every update. What fn receives shares nothing with the analysis.
func (a *Analyzer) Updates(whole bool, fn func(m *model.Session, dialogFrom int)) {
	var changed []*session
	for s := range a.open {
		if s.dirty && !s.attempt() {
			changed = append(changed, s)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].n < changed[j].n })
	for _, s := range changed {
		s.dirty = false
		m := a.export(s)        // a snapshot of the dialog: the session runs on
		front := m.DialogOffset // entries a live dialog dropped at its front
		from := 0
		if !whole {
			from = min(max(a.open[s]-front, 0), len(m.Dialog))
			m.Dialog = m.Dialog[from:]
		}
		m.Anomalies = append([]string(nil), m.Anomalies...)
		m.RetransmissionConflicts = append([]model.RetransmissionConflict(nil), m.RetransmissionConflicts...)
		if m.SnaplenCut != nil {
			c := *m.SnaplenCut
			m.SnaplenCut = &c
		}
		m.Segments = nil
		if whole && a.cfg.Live && a.cfg.KeepSegments {
			m.Segments = append([]model.Segment(nil), s.segments...)
		}
		if m.Greeting != nil {
			g := *m.Greeting
			m.Greeting = &g
		}
		a.open[s] = settledDialog(s)
		fn(m, front+from)
	}
}

// settledDialog is how many entries at the start of s's dialog can no
// longer change: those before the entry of the oldest command still
// waiting for its reply (a reply sets its command's latency; a command
// given up is marked unanswered).
func settledDialog(s *session) int {
	n := s.dialog.End() // absolute, as the commands' indexes
	for _, id := range s.pairer.Pending() {
		if d := s.cmds.at(id).dialog; d >= 0 && d < n {
			n = d
		}
	}
	return n
}
