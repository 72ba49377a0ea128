package ui

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
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
	u.flow = ladder.NewFlow(rows)
	u.flowFrom = u.view
	u.overlay.setItems(ladder.FlowItems(u.th, u.flow), 2)
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.S.ID
	}
	u.overlay.SetTitle(fmt.Sprintf(" Ladder of %s · %d hosts · ⏎ opens a line's session ", styled.Clip(strings.Join(ids, ", "), 60), len(u.flow.Hosts)))
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
	ref, ok := it.Ref.(ladder.FlowRef)
	if !ok {
		return
	}
	r := u.model.Row(ref.Session)
	if r == nil {
		return
	}
	u.flow = nil
	u.setSel(r.S.ID)
	u.showSession(r, false)
	u.paneFocus = paneDialog
	if ref.Dialog >= 0 {
		u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(sessionview.DialogRef); return ok && d.Index == ref.Dialog })
	} else {
		u.selectFrames([]uint64{ref.Frame})
	}
}
