package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// frame is the root primitive: it lays the widgets out for the screen size
// and forwards input to the filter prompt and mouse events to what is under
// the pointer.
type frame struct {
	*tview.Box
	u       *UI
	visible []tview.Primitive
}

// HasFocus implements tview.Primitive: the root always has it.
func (f *frame) HasFocus() bool { return true }

// InputHandler implements tview.Primitive: keys reach the root only while
// the filter prompt is open (the key table handles the rest).
func (f *frame) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		if a := f.u.asking; a != nil {
			if h := a.field.InputHandler(); h != nil {
				h(event, setFocus)
			}
			return
		}
		if f.u.prompting {
			if h := f.u.prompt.InputHandler(); h != nil {
				h(event, setFocus)
			}
		}
	}
}

// MouseHandler implements tview.Primitive.
func (f *frame) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		for _, p := range f.visible {
			if h := p.MouseHandler(); h != nil {
				if ok, c := h(action, event, setFocus); ok {
					f.u.mouseFocus(p)
					return ok, c
				}
			}
		}
		return false, nil
	}
}

// mouseFocus keeps the UI's notion of focus in step with a click.
func (u *UI) mouseFocus(p tview.Primitive) {
	switch p {
	case u.table:
		u.listFocus = 0
	case u.overview:
		u.listFocus = 1
	}
	for i, q := range u.panes {
		if p == q {
			u.paneFocus = i
		}
	}
	u.syncFocus()
}

func (f *frame) place(screen tcell.Screen, p tview.Primitive, x, y, w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	p.SetRect(x, y, w, h)
	p.Draw(screen)
	f.visible = append(f.visible, p)
}

// Draw implements tview.Primitive.
func (f *frame) Draw(screen tcell.Screen) {
	u := f.u
	w, h := screen.Size()
	f.SetRect(0, 0, w, h)
	f.visible = f.visible[:0]
	if w < 20 || h < 5 {
		styled.DrawLine(screen, 0, 0, w, styled.Line{{Text: "ftpscope: terminal too small", Style: u.th.Bold}}, u.th.Base, false)
		return
	}
	styled.DrawLine(screen, 0, 0, w, u.headerLine(w), u.th.Base, false)
	bodyY, bodyH := 1, h-2
	switch {
	case u.asking != nil:
		f.place(screen, u.asking.field, 0, h-1, w, 1)
	case u.prompting:
		f.place(screen, u.prompt, 0, h-1, w, 1)
	default:
		styled.DrawLine(screen, 0, h-1, w, u.footerLine(w), u.th.Bar, false)
	}
	if u.helpOpen {
		f.place(screen, u.help, 0, bodyY, w, bodyH)
		return
	}
	switch u.view {
	case viewSessions:
		f.drawList(screen, bodyY, w, bodyH)
	case viewFlow, viewStats:
		f.place(screen, u.overlay, 0, bodyY, w, bodyH)
	case viewFrame:
		f.place(screen, u.framePane, 0, bodyY, w, bodyH)
	default:
		f.drawSession(screen, bodyY, w, bodyH)
	}
	if u.menu != nil {
		f.drawMenu(screen, bodyY, w, bodyH)
	}
}

func (f *frame) drawList(screen tcell.Screen, y, w, h int) {
	u := f.u
	idW := 4
	for _, r := range u.rows { // sorted, the longest id may be anywhere
		idW = max(idW, styled.Width(r.S.ID))
	}
	if u.snap != nil && len(u.snap.Pairs) > 0 {
		idW += 1 + styled.Width(sessionview.PairMark)
	}
	if len(u.picked) > 0 {
		idW += styled.Width(sessionview.PickMark) + 1
	}
	cols := sessionview.ChooseColumns(w-2, idW)
	u.content.Cols = cols
	if w >= wideListW && h+2 >= wideListH {
		th := max(6, h*11/20)
		if n := len(u.rows) + 3; n < th && n >= 6 {
			th = n
		}
		f.place(screen, u.table, 0, y, w, th)
		f.place(screen, u.overview, 0, y+th, w, h-th)
		return
	}
	// Narrow: one pane at a time; under the list, the selected session's
	// worst finding.
	if u.listFocus == 1 {
		f.place(screen, u.overview, 0, y, w, h)
		return
	}
	pv := 3
	f.place(screen, u.table, 0, y, w, h-pv)
	f.place(screen, u.preview, 0, y+h-pv, w, pv)
}

func (f *frame) drawSession(screen tcell.Screen, y, w, h int) {
	u := f.u
	r := u.openRow
	styled.DrawLine(screen, 0, y, w, u.sessionTitle(w), u.th.Base, false)
	styled.DrawLine(screen, 0, y+1, w, u.wiresharkLine(w), u.th.Base, false)
	y, h = y+2, h-2
	if w >= wideSessionW && h+3 >= wideSessionH {
		lw := w * 11 / 20
		th := h * 3 / 5
		f.place(screen, u.panes[paneDialog], 0, y, lw, th)
		f.place(screen, u.panes[paneData], 0, y+th, lw, h-th)
		f.place(screen, u.panes[paneLadder], lw, y, w-lw, th)
		f.place(screen, u.panes[paneFindings], lw, y+th, w-lw, h-th)
		return
	}
	// Narrow: a tab strip and the focused pane.
	var strip styled.Line
	for i, name := range paneNames {
		label := fmt.Sprintf(" %d %s ", i+1, name)
		if i == paneFindings && r != nil && len(r.Findings) > 0 {
			label = fmt.Sprintf(" %d %s %s%d ", i+1, name, r.Findings[0].Severity.Glyph(), len(r.Findings))
		}
		st := u.th.Base
		if i == u.paneFocus {
			label = "[" + strings.TrimSpace(label) + "]"
			st = u.th.Sel
		}
		strip = append(strip, styled.Seg{Text: label, Style: st}, styled.Seg{Text: " ", Style: u.th.Base})
	}
	styled.DrawLine(screen, 0, y, w, strip, u.th.Base, false)
	f.place(screen, u.panes[u.paneFocus], 0, y+1, w, h-1)
}
