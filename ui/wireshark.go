package ui

import (
	"github.com/ftpscope/ftpscope/ui/handoff"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// wiresharkLine is the second line of the session header: the filter,
// clipped to the screen (Y copies it whole).
func (u *UI) wiresharkLine(w int) styled.Line {
	r := u.openRow
	if r == nil {
		return nil
	}
	th := u.th
	f, both := handoff.WiresharkFilter(u.model, r)
	label := " wireshark "
	if both {
		label = " wireshark (both NAT legs) "
	}
	l := styled.Line{{Text: label, Style: th.Dim}}
	hint := " · Y copies"
	room := w - l.Width() - styled.Width(hint)
	if room < 10 {
		return l
	}
	return append(l, styled.Seg{Text: styled.Clip(f, room), Style: th.Base}, styled.Seg{Text: hint, Style: th.Dim})
}

// copyWiresharkFilter puts a session's filter on the clipboard.
func (u *UI) copyWiresharkFilter(r *viewmodel.Row) {
	if r == nil {
		u.setFlash(0, "no session selected")
		return
	}
	f, both := handoff.WiresharkFilter(u.model, r)
	if f == "" {
		u.setFlash(0, "%s: no connection to filter on", r.S.ID)
		return
	}
	u.screen.SetClipboard([]byte(f))
	if both {
		u.setFlash(0, "copied the Wireshark filter of %s (both NAT legs)", r.S.ID)
		return
	}
	u.setFlash(0, "copied the Wireshark filter of %s", r.S.ID)
}
