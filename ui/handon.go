package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// Handing a diagnosis on from where it is seen: w writes a pcapng slice,
// e exports a session's files. Both ask for the path (with a default in
// the current directory), run on a goroutine of their own through the
// Exporter, and say in the status line what they did.

// sliceTarget is what w writes: the open session, or in the list the
// picked sessions, else the filtered ones; and the default file name.
func (u *UI) sliceTarget() ([]*viewmodel.Row, string) {
	if u.view == viewSession && u.openRow != nil {
		return []*viewmodel.Row{u.openRow}, u.openRow.S.ID + ".pcapng"
	}
	if p := u.pickedRows(); len(p) > 0 {
		if len(p) == 1 {
			return p, p[0].S.ID + ".pcapng"
		}
		return p, "picked-sessions.pcapng"
	}
	if len(u.rows) == 1 {
		return u.rows, u.rows[0].S.ID + ".pcapng"
	}
	return u.rows, "sessions.pcapng"
}

// withOtherLegs adds the other leg of each row's NAT pair, as
// -w --session does; each session once, in the order given.
func (u *UI) withOtherLegs(rows []*viewmodel.Row) []*viewmodel.Row {
	seen := map[string]bool{}
	var out []*viewmodel.Row
	add := func(r *viewmodel.Row) {
		if r != nil && !seen[r.S.ID] {
			seen[r.S.ID] = true
			out = append(out, r)
		}
	}
	for _, r := range rows {
		add(r)
		if p, ok := u.model.Pair(r.S.ID); ok {
			add(u.model.Row(p.Inside))
			add(u.model.Row(p.Outside))
		}
	}
	return out
}

// startWriteSlice is w.
func (u *UI) startWriteSlice() {
	rows, def := u.sliceTarget()
	if len(rows) == 0 {
		u.setFlash(0, "no session to write")
		return
	}
	u.askSlice(rows, def, "", false)
}

// askSlice asks where to write the slice of rows and of their other NAT
// legs; what names them in the status line ("" for their ids); control
// only leaves the data connections out.
func (u *UI) askSlice(rows []*viewmodel.Row, def, what string, controlOnly bool) {
	if !u.canExport() {
		return
	}
	legs := u.withOtherLegs(rows)
	if what == "" {
		what = describeRows(legs)
	}
	u.ask("write "+what+" to", def, "overwrites it", func(path string, exists bool) {
		req := SliceRequest{Path: path, Overwrite: exists, Pairs: u.snap.Pairs}
		for _, r := range legs {
			s := *r.Session()
			if controlOnly {
				s.Channels = nil // the selector then takes the control connection alone
			}
			req.Sessions = append(req.Sessions, s)
			req.Findings = append(req.Findings, r.Findings...)
		}
		u.background("writing "+path+"…", func() (string, model.Severity) {
			n, err := u.opt.Exporter.WriteSlice(req)
			if err != nil {
				return "not written: " + err.Error(), model.Error
			}
			return fmt.Sprintf("wrote %s packets of %s to %s", textfmt.Thousands(int64(n)), what, path), 0
		})
	})
}

// describeRows names sessions for the status line: "s3", "s3, s4",
// "12 sessions".
func describeRows(rows []*viewmodel.Row) string {
	if len(rows) > 3 {
		return fmt.Sprintf("%d sessions", len(rows))
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.S.ID
	}
	return strings.Join(ids, ", ")
}

// exportTarget is the session e exports: the open one, or the one
// selected in the list.
func (u *UI) exportTarget() *viewmodel.Row {
	if u.view == viewSession {
		return u.openRow
	}
	return u.selectedRow()
}

// transfersData says whether a session moved data that export would
// write.
func transfersData(s *model.Session) bool {
	for _, ch := range s.Channels {
		if c := ch.Connection; ch.Transfer != nil && c != nil && c.CapturedBytes > 0 {
			return true
		}
	}
	return false
}

// startExportFiles is e.
func (u *UI) startExportFiles() {
	r := u.exportTarget()
	if r == nil {
		u.setFlash(0, "no session selected")
		return
	}
	if !transfersData(r.S) {
		u.setFlash(0, "%s transferred no data: no file to export", r.S.ID)
		return
	}
	if !u.canExport() {
		return
	}
	s := r.S
	u.ask("export the files of "+s.ID+" into", s.ID+"-files"+string(filepath.Separator), "adds to it, replacing none", func(dir string, exists bool) {
		if exists {
			if st, err := os.Stat(dir); err == nil && !st.IsDir() {
				u.setFlash(model.Error, "not exported: %s is not a directory", dir)
				return
			}
		}
		u.background("exporting the files of "+s.ID+"…", func() (string, model.Severity) {
			files, err := u.opt.Exporter.ExportFiles(dir, s)
			if err != nil {
				return "not exported: " + err.Error(), model.Error
			}
			if len(files) == 0 {
				return s.ID + ": no file exported (no data in the capture)", model.Warning
			}
			names := make([]string, len(files))
			for i, f := range files {
				names[i] = f.Name
				if len(f.SHA256) >= 12 {
					names[i] += " (sha256 " + f.SHA256[:12] + "…)"
				}
			}
			what := "1 file"
			if len(files) > 1 {
				what = fmt.Sprintf("%d files", len(files))
			}
			return fmt.Sprintf("exported %s of %s into %s: %s", what, s.ID, dir, strings.Join(names, ", ")), 0
		})
	})
}

// canExport says whether the UI has an exporter, and flashes why not.
func (u *UI) canExport() bool {
	if u.opt.Exporter == nil {
		u.setFlash(0, "writing and exporting are not available here")
		return false
	}
	if u.jobBusy.Load() {
		u.setFlash(0, "still busy with the last write or export")
		return false
	}
	return true
}

// background runs job on a goroutine of its own and flashes its result;
// busy is flashed meanwhile.
func (u *UI) background(busy string, job func() (string, model.Severity)) {
	u.jobBusy.Store(true)
	u.setFlash(0, "%s", busy)
	go func() {
		msg, sev := job()
		u.jobBusy.Store(false)
		u.flashFromOutside(sev, msg)
	}()
}
