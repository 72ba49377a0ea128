package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// context says which bindings apply now.
func (u *UI) context() Context {
	switch {
	case u.prompting, u.asking != nil:
		return ctxPrompt
	case u.menu != nil:
		return ctxMenu
	case u.helpOpen:
		return ctxHelp
	case u.view == viewSession:
		return ctxSession
	case u.view == viewFlow, u.view == viewStats, u.view == viewFrame:
		return ctxFlow
	}
	return ctxSessions
}

// focused returns the widget that has the keyboard.
func (u *UI) focused() tview.Primitive {
	switch {
	case u.asking != nil:
		return u.asking.field
	case u.prompting:
		return u.prompt
	case u.menu != nil:
		return u.menu.pane
	case u.helpOpen:
		return u.help
	case u.view == viewSession:
		return u.panes[u.paneFocus]
	case u.view == viewFlow, u.view == viewStats:
		return u.overlay
	case u.view == viewFrame:
		return u.framePane
	case u.listFocus == 1:
		return u.overview
	}
	return u.table
}

func (u *UI) syncFocus() {
	if p := u.focused(); !p.HasFocus() {
		u.app.SetFocus(p)
	}
}

// onKey dispatches every key through the key table. It runs on the event
// loop: it changes widgets directly and never queues updates.
func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	ctx := u.context()
	cmd, idx := u.keys.Resolve(ctx, ev)
	if ctx == ctxPrompt && u.asking != nil {
		return u.askKey(cmd, ev)
	}
	if ctx == ctxMenu {
		u.menuCommand(cmd)
		u.syncFocus()
		return nil
	}
	if ctx == ctxPrompt {
		switch cmd {
		case cmdPromptAccept:
			u.prompting = false
		case cmdPromptCancel:
			u.prompting = false
			u.prompt.SetText(u.savedFilter)
			u.setFilter(u.savedFilter)
		default:
			if ev.Key() == tcell.KeyCtrlC {
				u.quit()
				return nil
			}
			return ev // typing goes to the input field
		}
		u.syncFocus()
		return nil
	}
	if cmd != cmdNone {
		u.do(cmd, idx)
		u.syncFocus()
	}
	return nil
}

// do carries out a command; it reports whether it knows the command.
func (u *UI) do(cmd Command, idx int) bool {
	switch cmd {
	case cmdQuitNow:
		u.quit()
	case cmdHelp:
		u.helpOpen = !u.helpOpen
	case cmdQuit:
		switch {
		case u.helpOpen:
			u.helpOpen = false
		case u.view == viewFrame:
			u.frameBack()
		case u.view == viewFlow, u.view == viewStats:
			u.overlayBack()
		case u.view == viewSession:
			u.back()
		default:
			u.quit()
		}
	case cmdBack:
		switch {
		case u.helpOpen:
			u.helpOpen = false
		case u.view == viewFrame:
			u.frameBack()
		case u.view == viewFlow, u.view == viewStats:
			u.overlayBack()
		case u.view == viewSession:
			u.back()
		case !u.filter.Empty():
			u.prompt.SetText("")
			u.setFilter("")
		case len(u.picked) > 0:
			u.clearPicks()
			u.setFlash(0, "picks cleared")
		case u.listFocus == 1:
			u.listFocus = 0
		default:
			u.setFlash(0, "q quits")
		}
	case cmdFilter:
		u.helpOpen = false
		u.prompting = true
		u.savedFilter = u.filter.Text()
		u.prompt.SetText(u.savedFilter)
	case cmdDown, cmdUp, cmdTop, cmdBottom, cmdPageDown, cmdPageUp:
		u.navigate(cmd)
	case cmdEnter:
		u.enter()
	case cmdNextPane, cmdPrevPane:
		d := 1
		if cmd == cmdPrevPane {
			d = -1
		}
		if u.view == viewSession {
			u.paneFocus = (u.paneFocus + d + numPanes) % numPanes
		} else {
			u.listFocus = 1 - u.listFocus
		}
	case cmdPane:
		if u.view == viewSessions {
			r := u.selectedRow()
			if r == nil {
				break
			}
			u.showSession(r, false)
		}
		u.paneFocus = idx
	case cmdPrevSession, cmdNextSession:
		d := 1
		if cmd == cmdPrevSession {
			d = -1
		}
		u.stepSession(d)
	case cmdFollow:
		u.follow = !u.follow
		if u.follow {
			u.paused = false
			u.refreshNow()
			u.setFlash(0, "following the newest session")
		} else {
			u.setFlash(0, "follow off")
		}
	case cmdPause:
		u.paused = !u.paused
		if !u.paused {
			u.refreshNow()
			u.setFlash(0, "resumed")
		} else {
			u.setFlash(0, "paused: the analysis goes on; p resumes")
		}
	case cmdCopy:
		u.copySelection()
	case cmdCopyFilter:
		u.copyWiresharkFilter(u.openRow)
	case cmdSort:
		u.order.Toggle(idx)
		u.applyFilter()
		c := viewmodel.SortColumns[idx]
		u.setFlash(0, "sorted by %s %s (%c again reverses)", c.Name, u.order.Arrow(), c.Key)
	case cmdPick:
		u.togglePick()
	case cmdFlow:
		u.openFlow()
	case cmdStats:
		u.openStats()
	case cmdSave:
		u.openSave()
	case cmdMenuChoose: // handled by the open menu
	case cmdFrame:
		u.openFrame()
	case cmdPrevFrame, cmdNextFrame:
		d := 1
		if cmd == cmdPrevFrame {
			d = -1
		}
		u.stepFrame(d)
	case cmdWriteSlice:
		u.startWriteSlice()
	case cmdExportFiles:
		u.startExportFiles()
	case cmdMouse:
		u.mouse = !u.mouse
		u.app.EnableMouse(u.mouse)
		if u.mouse {
			u.setFlash(0, "mouse on (m: off, to select text in the terminal)")
		} else {
			u.setFlash(0, "mouse off")
		}
	default:
		return false
	}
	return true
}

// refreshNow applies the model at once (on the UI goroutine).
func (u *UI) refreshNow() {
	u.apply(u.model.Snapshot())
}

func (u *UI) back() {
	u.view = viewSessions
	if u.openRow != nil {
		u.setSel(u.openRow.S.ID)
	}
}

func (u *UI) navigate(cmd Command) {
	if u.helpOpen || u.view != viewSessions || u.listFocus == 1 {
		p := u.focused().(*pane)
		switch cmd {
		case cmdDown:
			p.move(1)
		case cmdUp:
			p.move(-1)
		case cmdTop:
			p.home()
		case cmdBottom:
			p.end()
		case cmdPageDown:
			p.page(1)
		case cmdPageUp:
			p.page(-1)
		}
		return
	}
	if len(u.rows) == 0 {
		return
	}
	row, _ := u.table.GetSelection()
	_, _, _, h := u.table.GetInnerRect()
	page := max(1, h-2)
	switch cmd {
	case cmdDown:
		row++
	case cmdUp:
		row--
		u.follow = false
	case cmdTop:
		row = 1
		u.follow = false
	case cmdBottom:
		row = len(u.rows)
	case cmdPageDown:
		row += page
	case cmdPageUp:
		row -= page
		u.follow = false
	}
	row = max(1, min(row, len(u.rows)))
	u.setSel(u.rows[row-1].S.ID)
}

// stepSession opens the previous or next session of the filtered list.
func (u *UI) stepSession(d int) {
	if u.openRow == nil || len(u.rows) == 0 {
		return
	}
	i := u.rowIndex(u.openRow.S.ID)
	if i < 0 {
		u.selectID(u.openRow.S.ID) // the nearest one
		i = u.rowIndex(u.selectedRow().S.ID)
		if d > 0 {
			d = 0
		}
	}
	j := i + d
	if j < 0 || j >= len(u.rows) {
		u.setFlash(0, "no more sessions")
		return
	}
	u.setSel(u.rows[j].S.ID)
	u.showSession(u.rows[j], false)
}

// enter follows what the selection points at.
func (u *UI) enter() {
	switch {
	case u.helpOpen:
		return
	case u.view == viewFlow:
		u.flowEnter()
		return
	case u.view == viewStats:
		u.statsEnter()
		return
	}
	if u.view == viewSessions {
		if u.listFocus == 1 {
			it := u.overview.selected()
			if it == nil {
				return
			}
			ref := it.Ref.(sessionview.FindingRef)
			r := u.model.Row(ref.Session)
			if r == nil {
				u.setFlash(0, "this finding is about the whole capture")
				return
			}
			u.setSel(r.S.ID)
			u.showSession(r, false)
			u.paneFocus = paneFindings
			u.panes[paneFindings].selectRef(func(x any) bool {
				f := &r.Findings[x.(sessionview.FindingRef).Index]
				return f.Rule == ref.Rule && f.Channel == ref.Channel && f.Summary == ref.Summary
			})
			return
		}
		if r := u.selectedRow(); r != nil {
			u.showSession(r, false)
			u.paneFocus = paneDialog
		}
		return
	}
	it := u.panes[u.paneFocus].selected()
	if it == nil {
		return
	}
	switch ref := it.Ref.(type) {
	case sessionview.DialogRef:
		if ref.Channel == "" {
			u.setFlash(0, "no data channel on this line")
			return
		}
		u.paneFocus = paneData
		u.panes[paneData].selectRef(func(x any) bool { return x.(sessionview.ChannelRef).ID == ref.Channel })
	case sessionview.ChannelRef:
		u.paneFocus = paneDialog
		u.selectFrames(ref.Frames)
	case sessionview.FindingRef:
		if !u.selectFrames(ref.Frames) {
			if ref.Channel != "" {
				u.paneFocus = paneData
				u.panes[paneData].selectRef(func(x any) bool { return x.(sessionview.ChannelRef).ID == ref.Channel })
			}
			return
		}
		u.paneFocus = paneDialog
	case ladder.Ref:
		if ref.Dialog < 0 {
			return
		}
		u.paneFocus = paneDialog
		u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(sessionview.DialogRef); return ok && d.Index == ref.Dialog })
	}
}
