package ui

import (
	"fmt"
	"io"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
	"github.com/ftpscope/ftpscope/ui/handoff"
	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The save dialog (s), after sngrep's: which sessions — all, picked,
// filtered, current — then how — a pcapng slice of control and data
// connections, of control connections only, or the text report; or what
// the screen shows — the sessions list or a ladder as text or CSV, the
// statistics as text. Then the path, as for w.

// sessionSet is a choice of sessions and its default file name.
type sessionSet struct {
	what string // for the status line
	name string // file name without extension
	rows []*viewmodel.Row
}

// saveSets are the session choices of the dialog.
func (u *UI) saveSets() (all, picked, filtered, current sessionSet) {
	// A few sessions are named by their ids, more by their number.
	name := func(rows []*viewmodel.Row, many string) string {
		if len(rows) <= 3 {
			return describeRows(rows)
		}
		return fmt.Sprintf(many, len(rows))
	}
	if u.snap != nil {
		all = sessionSet{name(u.snap.Rows, "all %d sessions"), "all-sessions", u.snap.Rows}
	}
	p := u.pickedRows()
	picked = sessionSet{name(p, "%d picked sessions"), "picked-sessions", p}
	filtered = sessionSet{name(u.rows, "%d filtered sessions"), "filtered-sessions", u.rows}
	if r := u.exportTarget(); r != nil {
		current = sessionSet{r.S.ID, r.S.ID, []*viewmodel.Row{r}}
	}
	return
}

// openSave is s.
func (u *UI) openSave() {
	all, picked, filtered, current := u.saveSets()
	set := func(label string, s sessionSet, off string) menuChoice {
		if len(s.rows) == 0 && off == "" {
			off = "none"
		}
		return menuChoice{label: label, note: s.what, off: off, do: func() { u.openSaveAs(s) }}
	}
	filteredOff := ""
	if u.filter.Empty() {
		filteredOff = "no filter: the same as all"
	}
	choices := []menuChoice{
		set("all sessions", all, ""),
		set("picked sessions", picked, map[bool]string{true: "none picked: space picks in the list"}[len(picked.rows) == 0]),
		set("filtered sessions", filtered, filteredOff),
		set("current session", current, ""),
	}
	switch u.view {
	case viewSessions:
		choices = append(choices,
			menuChoice{label: "the sessions list as text", note: fmt.Sprintf("%d rows, every column", len(u.rows)), do: func() { u.saveView("the sessions list", "sessions.txt", u.listWriter(false)) }},
			menuChoice{label: "the sessions list as CSV", note: fmt.Sprintf("%d rows", len(u.rows)), do: func() { u.saveView("the sessions list", "sessions.csv", u.listWriter(true)) }})
	case viewSession, viewFlow:
		name := "ladder"
		if u.view == viewSession && u.openRow != nil {
			name = u.openRow.S.ID + "-ladder"
		}
		choices = append(choices,
			menuChoice{label: "the ladder as text", note: "as drawn", do: func() { u.saveView("the ladder", name+".txt", u.ladderWriter(false)) }},
			menuChoice{label: "the ladder as CSV", note: "one row per line: time, session, from, to, kind, text, frame", do: func() { u.saveView("the ladder", name+".csv", u.ladderWriter(true)) }})
	case viewStats:
		st, scope := u.stats, u.statsScope()
		choices = append(choices, menuChoice{label: "the statistics as text", note: fmt.Sprintf("%d sessions", st.Sessions), do: func() {
			u.saveView("the statistics", "statistics.txt", func(w io.Writer) error {
				_, err := io.WriteString(w, sessionview.StatsText(st, scope))
				return err
			})
		}})
	}
	sel := 3 // the current session
	switch {
	case len(picked.rows) > 0:
		sel = 1
	case u.view == viewSessions && !u.filter.Empty():
		sel = 2
	case current.rows == nil:
		sel = 0
	}
	u.openMenu("Save which sessions?", choices, sel)
}

// openSaveAs is the dialog's second step for a set of sessions.
func (u *UI) openSaveAs(s sessionSet) {
	slice := func(controlOnly bool) func() {
		return func() {
			name, what := s.name+".pcapng", s.what
			if controlOnly {
				name, what = s.name+"-control.pcapng", s.what+" (control connections)"
			}
			u.askSlice(s.rows, name, what, controlOnly)
		}
	}
	u.openMenu("Save "+s.what+" as?", []menuChoice{
		{label: "pcapng: control and data connections", note: "both NAT legs, findings as packet comments", do: slice(false)},
		{label: "pcapng: control connections only", note: "the dialogs, without the transfers", do: slice(true)},
		{label: "text report", note: "as ftpscope -o text writes it", do: func() { u.saveView(s.what, s.name+".txt", u.reportWriter(s.rows)) }},
	}, 0)
}

// saveView asks for a path and writes a file the UI makes itself.
func (u *UI) saveView(what, def string, write func(io.Writer) error) {
	u.ask("save "+what+" to", def, "overwrites it", func(path string, exists bool) {
		if err := handoff.WriteFile(path, exists, write); err != nil {
			u.setFlash(model.Error, "not saved: %v", err)
			return
		}
		u.setFlash(0, "saved %s to %s", what, path)
	})
}

// listWriter writes the sessions list as the list shows it.
func (u *UI) listWriter(asCSV bool) func(io.Writer) error {
	rows, order := u.rows, u.order
	return func(w io.Writer) error {
		if asCSV {
			return handoff.WriteListCSV(w, rows, func(r *viewmodel.Row) string { f, _ := handoff.WiresharkFilter(u.model, r); return f })
		}
		return sessionview.WriteListText(w, rows, order)
	}
}

// ladderWriter writes the ladder on the screen: the open session's (with
// its other NAT leg) or the flow's.
func (u *UI) ladderWriter(asCSV bool) func(io.Writer) error {
	fl := u.flow
	var sp *ladder.Spec
	if u.view == viewSession && u.openRow != nil {
		sp = u.ladderSpec(u.openRow)
		fl = ladder.NewFlow(u.withOtherLegs([]*viewmodel.Row{u.openRow}))
	}
	return func(w io.Writer) error {
		switch {
		case asCSV:
			return ladder.WriteFlowCSV(w, fl)
		case sp != nil:
			_, err := io.WriteString(w, ladder.Text(sp, 120))
			return err
		}
		_, err := io.WriteString(w, ladder.FlowText(fl, 160))
		return err
	}
}

// reportWriter writes the text report of rows (and their NAT pairs).
func (u *UI) reportWriter(rows []*viewmodel.Row) func(io.Writer) error {
	r := &model.Report{Tool: u.opt.Tool}
	in := map[string]bool{}
	for _, row := range rows {
		r.Sessions = append(r.Sessions, *row.Session())
		r.Findings = append(r.Findings, row.Findings...)
		in[row.S.ID] = true
	}
	if u.snap != nil {
		for _, p := range u.snap.Pairs {
			if in[p.Inside] && in[p.Outside] {
				r.NATPairs = append(r.NATPairs, p)
			}
		}
		r.Stats = u.snap.Stats
	}
	model.SortFindings(r.Findings)
	return func(w io.Writer) error {
		return report.WriteText(w, r, report.TextOptions{ASCII: !textfmt.UTF8Locale()})
	}
}
