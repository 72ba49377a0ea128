package ui

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The flow and statistics views take the body of the screen over the
// sessions list (esc goes back to it): one pane, u.overlay, and a title.

// flowRows are the sessions l shows: the picked ones, else the selected
// session with the other leg of its NAT pair.
func (u *UI) flowRows() []*viewmodel.Row {
	if rows := u.pickedRows(); len(rows) > 0 {
		return rows
	}
	if r := u.exportTarget(); r != nil {
		return u.withOtherLegs([]*viewmodel.Row{r})
	}
	return nil
}

// openFlow is l: the ladder of several sessions.
func (u *UI) openFlow() {
	rows := u.flowRows()
	if len(rows) == 0 {
		u.setFlash(0, "no session to draw")
		return
	}
	u.flow = newFlowSpec(rows)
	u.flowFrom = u.view
	u.overlay.setItems(flowItems(u.th, u.flow), 2)
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.S.ID
	}
	u.overlay.SetTitle(fmt.Sprintf(" Ladder of %s · %d hosts · ⏎ opens a line's session ", clip(strings.Join(ids, ", "), 60), len(u.flow.hosts)))
	u.view = viewFlow
}

// overlayBack leaves the flow or statistics view for the view it came
// from.
func (u *UI) overlayBack() {
	u.view = u.flowFrom
	if u.view == viewSession && u.openRow == nil {
		u.view = viewSessions
	}
	u.flow, u.stats = nil, nil
}

// flowEnter opens the session of the selected flow line at that line.
func (u *UI) flowEnter() {
	it := u.overlay.selected()
	if it == nil {
		return
	}
	ref, ok := it.ref.(flowRef)
	if !ok {
		return
	}
	r := u.model.Row(ref.session)
	if r == nil {
		return
	}
	u.flow = nil
	u.setSel(r.S.ID)
	u.showSession(r, false)
	u.paneFocus = paneDialog
	if ref.dialog >= 0 {
		u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(dialogRef); return ok && d.index == ref.dialog })
	} else {
		u.selectFrames([]uint64{ref.frame})
	}
}
