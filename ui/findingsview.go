package ui

import (
	"fmt"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The Findings pane of the sessions list follows the list's filter: with
// a filter set it shows the findings of the sessions shown, and none of
// the others' or the capture's, grouped as the whole capture's are.

// updateOverview shows the findings of the sessions the filter shows.
func (u *UI) updateOverview() {
	s := u.snap
	sel := u.overview.sel // the pane keeps its selected group
	total := s.Counts[model.Error] + s.Counts[model.Warning] + s.Counts[model.Info]
	if u.filter.Empty() {
		u.overview.setItems(sessionview.GroupItems(u.th, s.Groups), sel)
		u.overview.SetTitle(fmt.Sprintf(" Findings (%d) ", total))
		return
	}
	n := 0
	for _, r := range u.rows {
		n += len(r.Findings)
	}
	u.overview.setItems(sessionview.GroupItems(u.th, viewmodel.GroupFindings(u.rows)), sel)
	u.overview.SetTitle(fmt.Sprintf(" Findings (%d of %d) · of the filtered sessions ", n, total))
}
