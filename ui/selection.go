package ui

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// applyFilter recomputes the visible rows and puts the selection back on
// the selected session.
func (u *UI) applyFilter() {
	if u.snap == nil {
		return
	}
	u.rows = u.order.Apply(u.filter.Apply(u.snap.Rows))
	if u.order.Col == 0 {
		// In session order the two legs of a NAT pair sit together; a
		// column the user sorts by has the last word.
		u.rows = groupLegs(u.rows)
	}
	u.content.Rows, u.content.Order = u.rows, u.order
	title := fmt.Sprintf(" Sessions (%d)%s ", len(u.rows), u.listNote())
	if !u.filter.Empty() {
		title = fmt.Sprintf(" Sessions (%d of %d) · /%s%s ", len(u.rows), len(u.snap.Rows), u.filter.Text(), u.listNote())
	}
	u.table.SetTitle(title)
	u.updateOverview()
	switch {
	case u.follow && len(u.rows) > 0:
		u.selID = u.rows[len(u.rows)-1].S.ID
	case u.selID == "" && len(u.rows) > 0:
		u.selID = u.rows[0].S.ID
	}
	u.selectID(u.selID)
}

// setSel makes id the selected session (the user's choice, kept across
// filters and updates) and selects its row.
func (u *UI) setSel(id string) {
	u.selID = id
	u.selectID(id)
}

// selectID selects a session's row, or the nearest one after it when the
// filter hides it; the user's choice (selID) stays as it was.
func (u *UI) selectID(id string) {
	u.applying = true
	defer func() { u.applying = false }()
	if len(u.rows) == 0 {
		u.table.Select(0, 0)
		u.updatePreview()
		return
	}
	idx := u.rowIndex(id)
	if idx < 0 {
		idx = 0
		if id != "" {
			n := model.SessionNumber(id)
			for i, r := range u.rows {
				if r.Num >= n {
					idx = i
					break
				}
				idx = i
			}
		}
	}
	u.table.Select(idx+1, 0)
	u.updatePreview()
}

func (u *UI) rowIndex(id string) int {
	for i, r := range u.rows {
		if r.S.ID == id {
			return i
		}
	}
	return -1
}

func (u *UI) selectedRow() *viewmodel.Row {
	row, _ := u.table.GetSelection()
	if row >= 1 && row-1 < len(u.rows) {
		return u.rows[row-1]
	}
	return nil
}

// updatePreview shows the selected session's worst finding under the list
// in the narrow layout.
func (u *UI) updatePreview() {
	r := u.selectedRow()
	if r == nil {
		u.preview.setItems(nil, 0)
		return
	}
	var fs []model.Finding
	if len(r.Findings) > 0 {
		fs = r.Findings[:1]
	}
	th := u.th
	u.preview.setItems([]styled.Item{{Static: true, Render: func(w int) []styled.Line {
		if len(fs) == 0 {
			return []styled.Line{{{Text: r.S.ID + "  no findings · ⏎ open", Style: th.Dim}}}
		}
		f := &fs[0]
		ls := []styled.Line{}
		for i, x := range styled.Wrap(r.S.ID+" "+f.Summary, max(10, w-10)) {
			lab := strings.Repeat(" ", 10)
			if i == 0 {
				lab = styled.PadRight(styled.SevLabel(f.Severity), 10)
			}
			ls = append(ls, styled.Line{{Text: lab, Style: th.SevStyle(f.Severity)}, {Text: x, Style: th.Bold}})
		}
		return ls
	}}}, 0)
}

// setFilter applies a filter as the user types.
func (u *UI) setFilter(text string) {
	f, err := viewmodel.ParseFilter(text)
	if err != nil {
		u.prompt.SetLabel("/ (" + err.Error() + ") ")
		return
	}
	u.prompt.SetLabel("/")
	u.filter = f
	u.applyFilter()
}

// showSession renders a session into the panes; keep keeps each pane's
// selection (the same session, updated).
func (u *UI) showSession(r *viewmodel.Row, keep bool) {
	u.view = viewSession
	u.openRow, u.openSession = r, r.Session()
	s := u.openSession
	sels := [numPanes]int{}
	if keep {
		for i, p := range u.panes {
			sels[i] = p.sel
		}
	}
	var nat *sessionview.NATLeg
	if p, ok := u.model.Pair(s.ID); ok {
		nat = sessionview.NATLegOf(&p, s.ID)
	}
	u.panes[paneDialog].setItems(sessionview.DialogItems(u.th, s, r.Findings, nat), sels[paneDialog])
	u.panes[paneData].setItems(sessionview.ChannelItems(u.th, s, nat), sels[paneData])
	u.panes[paneFindings].setItems(sessionview.SessionFindingItems(u.th, s.ID, r.Findings), sels[paneFindings])
	sp := u.ladderSpec(r)
	u.panes[paneLadder].setItems(ladder.Items(u.th, sp), max(sels[paneLadder], 3))
	obs := 0
	for _, ch := range s.Channels {
		if ch.Connection != nil {
			obs++
		}
	}
	u.panes[paneDialog].SetTitle(fmt.Sprintf(" 1 Dialog (%d) ", len(s.Dialog)))
	u.panes[paneData].SetTitle(fmt.Sprintf(" 2 Data channels (%d observed / %d) ", obs, len(s.Channels)))
	u.panes[paneFindings].SetTitle(fmt.Sprintf(" 3 Findings (%d) ", len(r.Findings)))
	lt := " 4 Ladder "
	if sp.Server != nil {
		lt = fmt.Sprintf(" 4 Ladder · across the NAT: %s ⇄ %s ", sp.Client.S.ID, sp.Server.S.ID)
	}
	u.panes[paneLadder].SetTitle(lt)
}

// Spec pairs the session with its other NAT leg when there is one.
func (u *UI) ladderSpec(r *viewmodel.Row) *ladder.Spec {
	rs := r.Session()
	if r == u.openRow {
		rs = u.openSession // as unpacked when opened: ladder references index its dialog
	}
	sp := &ladder.Spec{Client: ladder.Leg{S: rs, Marks: sessionview.MarksFor(r.Findings)}, Viewed: r.S.ID}
	u.openOther = nil
	p, ok := u.model.Pair(r.S.ID)
	if !ok {
		return sp
	}
	otherID := p.Outside
	if otherID == r.S.ID {
		otherID = p.Inside
	}
	o := u.model.Row(otherID)
	if o == nil {
		return sp
	}
	u.openOther = o
	other := o.Session()
	in, out := rs, other
	if p.Inside != r.S.ID {
		in, out = other, rs
	}
	cs, ss := ladder.NATLegs(&p, in, out)
	legOf := func(s *model.Session) ladder.Leg {
		if s == rs {
			return ladder.Leg{S: rs, Marks: sessionview.MarksFor(r.Findings)}
		}
		return ladder.Leg{S: other, Marks: sessionview.MarksFor(o.Findings)}
	}
	srv := legOf(ss)
	sp.Client, sp.Server, sp.Pair = legOf(cs), &srv, &p
	return sp
}

// selectFrames selects the first dialog line carried by one of frames.
func (u *UI) selectFrames(frames []uint64) bool {
	want := map[uint64]bool{}
	for _, f := range frames {
		if f != 0 {
			want[f] = true
		}
	}
	ok := u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(sessionview.DialogRef); return ok && want[d.Frame] })
	if ok {
		u.paneFocus = paneDialog
	}
	return ok
}

// copySelection puts the selected thing on the clipboard (OSC 52).
func (u *UI) copySelection() {
	var text string
	switch {
	case u.view == viewSessions && u.listFocus == 0:
		u.copyWiresharkFilter(u.selectedRow())
		return
	case u.view == viewSession && u.paneFocus == paneLadder && u.openRow != nil:
		text = ladder.Text(u.ladderSpec(u.openRow), 120)
	case u.view == viewFlow && u.flow != nil:
		text = ladder.FlowText(u.flow, 160)
	case u.view == viewStats:
		text = sessionview.StatsText(u.stats, u.statsScope())
	case u.view == viewFrame:
		text = u.frameText()
	default:
		p, ok := u.focused().(*pane)
		if ok {
			if it := p.selected(); it != nil {
				text = it.Copy
			}
		}
	}
	if text == "" {
		u.setFlash(0, "nothing to copy")
		return
	}
	u.screen.SetClipboard([]byte(text))
	u.setFlash(0, "copied %d bytes to the clipboard (OSC 52)", len(text))
}
