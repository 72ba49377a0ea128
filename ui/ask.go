package ui

import (
	"os"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// pathAsk is the prompt of w and e: a path with a default, typed in the
// bottom line. A path that exists is never taken silently: the prompt says
// so and takes it only on a second ⏎ (esc cancels, or edit the path).
type pathAsk struct {
	field *tview.InputField
	label string
	// exists says what taking an existing path does ("overwrites it").
	exists    string
	confirmed string // the existing path a second ⏎ takes
	accept    func(path string, exists bool)
}

// ask opens the path prompt.
func (u *UI) ask(label, def, exists string, accept func(path string, exists bool)) {
	u.helpOpen = false
	a := &pathAsk{label: label, exists: exists, accept: accept}
	a.field = tview.NewInputField().SetFieldStyle(tcell.StyleDefault).SetLabelStyle(tcell.StyleDefault.Bold(true))
	a.field.SetLabel(label + ": ").SetText(def)
	a.field.SetChangedFunc(func(string) {
		if a.confirmed != "" { // an edited path is asked about again
			a.confirmed = ""
			a.field.SetLabel(a.label + ": ")
		}
	})
	u.asking = a
}

// askKey handles a key while the path prompt is open; typing goes to the
// field.
func (u *UI) askKey(cmd Command, ev *tcell.EventKey) *tcell.EventKey {
	a := u.asking
	switch cmd {
	case cmdPromptAccept:
		path := strings.TrimSpace(a.field.GetText())
		if path == "" {
			u.asking = nil
			u.setFlash(0, "cancelled: no path")
			break
		}
		_, err := os.Stat(path)
		exists := err == nil
		if exists && a.confirmed != path {
			a.confirmed = path
			a.field.SetLabel(path + " exists: ⏎ " + a.exists + ", esc cancels: ")
			return nil
		}
		u.asking = nil
		a.accept(path, exists)
	case cmdPromptCancel:
		u.asking = nil
		u.setFlash(0, "cancelled")
	default:
		if ev.Key() == tcell.KeyCtrlC {
			u.quit()
		}
		return ev
	}
	u.syncFocus()
	return nil
}
