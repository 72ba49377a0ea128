package ui

import "github.com/ftpscope/ftpscope/ui/viewmodel"

// The sessions list shows the two legs of a NAT pair on adjacent rows,
// each marked with sessionview.PairMark: the later leg comes right after the earlier.

// groupLegs puts the other leg of each paired row right after it, in the
// list's order (the filter may have hidden a leg).
func groupLegs(rows []*viewmodel.Row) []*viewmodel.Row {
	idx := map[string]int{}
	for i, r := range rows {
		if r.Other != "" {
			idx[r.S.ID] = i
		}
	}
	if len(idx) == 0 {
		return rows
	}
	out := make([]*viewmodel.Row, 0, len(rows))
	placed := make([]bool, len(rows))
	for i, r := range rows {
		if placed[i] {
			continue
		}
		out = append(out, r)
		placed[i] = true
		if j, ok := idx[r.Other]; ok && !placed[j] && rows[j].Other == r.S.ID {
			out = append(out, rows[j])
			placed[j] = true
		}
	}
	return out
}
