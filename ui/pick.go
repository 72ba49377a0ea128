package ui

import (
	"fmt"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// Sessions are picked in the list with space, as sngrep selects dialogs:
// the picked ones are shown in one ladder (l), written together (w) and
// offered by the save dialog (s). A pick stays while the filter hides its
// session.

// togglePick picks or unpicks the selected row and moves to the next.
func (u *UI) togglePick() {
	r := u.selectedRow()
	if r == nil {
		return
	}
	if u.picked == nil {
		u.picked = map[string]bool{}
	}
	if u.picked[r.S.ID] {
		delete(u.picked, r.S.ID)
	} else {
		u.picked[r.S.ID] = true
	}
	u.content.Picked = u.picked
	u.applyFilter() // the title counts them
	u.navigate(cmdDown)
}

// clearPicks unpicks every session.
func (u *UI) clearPicks() {
	u.picked = nil
	u.content.Picked = nil
	u.applyFilter()
}

// pickedRows are the picked sessions in session order, hidden ones too.
func (u *UI) pickedRows() []*viewmodel.Row {
	if len(u.picked) == 0 || u.snap == nil {
		return nil
	}
	var out []*viewmodel.Row
	for _, r := range u.snap.Rows {
		if u.picked[r.S.ID] {
			out = append(out, r)
		}
	}
	return out
}

// listNote is what the list's title adds: its order and the picks.
func (u *UI) listNote() string {
	n := u.order.Note()
	if len(u.picked) > 0 {
		n += fmt.Sprintf(" · %d picked (space)", len(u.picked))
	}
	return n
}
