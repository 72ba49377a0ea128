package ui

import (
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// wiresharkFilter is the display filter of a session as the user hands it
// on: both legs' when it is one leg of a NAT pair (what w writes), else
// its own. A running session, shown before the analysis concluded it, has
// none in the model yet: it is computed from what is known.
func (u *UI) wiresharkFilter(r *viewmodel.Row) (filter string, bothLegs bool) {
	if p, ok := u.model.Pair(r.S.ID); ok {
		if p.WiresharkFilter != "" {
			return p.WiresharkFilter, true
		}
		in, out := u.model.Row(p.Inside), u.model.Row(p.Outside)
		if in != nil && out != nil {
			return model.WiresharkFilter(in.S, out.S), true
		}
	}
	if r.S.WiresharkFilter != "" {
		return r.S.WiresharkFilter, false
	}
	return model.WiresharkFilter(r.S), false
}

// wiresharkLine is the second line of the session header: the filter,
// clipped to the screen (Y copies it whole).
func (u *UI) wiresharkLine(w int) styled.Line {
	r := u.openRow
	if r == nil {
		return nil
	}
	th := u.th
	f, both := u.wiresharkFilter(r)
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
	f, both := u.wiresharkFilter(r)
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
