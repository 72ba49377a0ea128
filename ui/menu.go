package ui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/ui/styled"
)

// menu is a modal list of choices over the view (the steps of the save
// dialog): ↑↓ (j k) move, ⏎ chooses, esc or q closes it. A choice that
// cannot be taken now says why, and is skipped.
type menu struct {
	pane    *pane
	choices []menuChoice
}

type menuChoice struct {
	label string
	note  string // after the label, dim: what it holds ("12 sessions")
	off   string // why it cannot be chosen now; "" when it can
	do    func()
}

// openMenu shows a menu; sel is the choice selected first.
func (u *UI) openMenu(title string, choices []menuChoice, sel int) {
	m := &menu{pane: newPane(u.th, " "+title+" · ⏎ choose · esc cancel "), choices: choices}
	items := make([]styled.Item, len(choices))
	for i := range choices {
		c := &choices[i]
		items[i] = styled.Item{Static: c.off != "", Copy: c.label, Render: func(w int) []styled.Line {
			if c.off != "" {
				return []styled.Line{{{Text: c.label, Style: u.th.Dim}, {Text: "  (" + c.off + ")", Style: u.th.Dim}}}
			}
			return []styled.Line{{{Text: c.label, Style: u.th.Bold}, {Text: "  " + c.note, Style: u.th.Dim}}}
		}}
	}
	m.pane.setItems(items, sel)
	u.helpOpen = false
	u.menu = m
}

// menuCommand carries out a command while a menu is open; the others do
// nothing there.
func (u *UI) menuCommand(cmd Command) {
	m := u.menu
	switch cmd {
	case cmdDown:
		m.pane.move(1)
	case cmdUp:
		m.pane.move(-1)
	case cmdTop:
		m.pane.home()
	case cmdBottom:
		m.pane.end()
	case cmdBack, cmdQuit:
		u.menu = nil
		u.setFlash(0, "cancelled")
	case cmdQuitNow:
		u.quit()
	case cmdMenuChoose:
		if m.pane.selected() == nil {
			return
		}
		c := m.choices[m.pane.sel]
		u.menu = nil
		c.do()
	}
}

// drawMenu draws the open menu centred over the body.
func (f *frame) drawMenu(screen tcell.Screen, y, w, h int) {
	m := f.u.menu
	mw := min(w-2, 76)
	mh := min(h, len(m.choices)+2)
	f.place(screen, m.pane, (w-mw)/2, y+max(0, (h-mh)/3), mw, mh)
}
