package ui

import (
	"strconv"

	"github.com/ftpscope/ftpscope/ui/sessionview"
)

// The statistics view (t): sessionview counts and renders; ⏎ on a rule or
// a status filters the list by it.

// statsScope says what the statistics count: "all sessions" or the
// filter.
func (u *UI) statsScope() string {
	if u.filter.Empty() {
		return "all sessions"
	}
	return "the filter /" + u.filter.Text()
}

// openStats is t.
func (u *UI) openStats() {
	st := sessionview.ComputeStats(u.rows)
	u.stats = st
	u.flowFrom = u.view
	u.overlay.setItems(sessionview.StatsItems(u.th, st, u.statsScope()), 0)
	u.overlay.SetTitle(" Statistics · " + strconv.Itoa(len(u.rows)) + " sessions · ⏎ on a status or a rule filters the list ")
	u.view = viewStats
}

// statsEnter filters the list by the selected status or rule.
func (u *UI) statsEnter() {
	it := u.overlay.selected()
	if it == nil {
		return
	}
	ref, ok := it.Ref.(sessionview.StatsRef)
	if !ok {
		return
	}
	u.overlayBack()
	u.view = viewSessions
	u.prompt.SetText(ref.Filter)
	u.setFilter(ref.Filter)
	u.setFlash(0, "filtered by %s", ref.Filter)
}
