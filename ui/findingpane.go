package ui

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// findingLines renders a finding with its explanation, remedy and evidence.
// others lists the sessions or channels where the same finding was made.
func findingLines(th *theme, f *model.Finding, others []string, w int) []line {
	st := th.sevStyle(f.Severity)
	label := padRight(sevLabel(f.Severity), 10)
	indent := strings.Repeat(" ", 10)
	var out []line
	for i, x := range wrap(f.Summary, max(10, w-10)) {
		if i == 0 {
			out = append(out, line{{label, st}, {x, th.bold}})
		} else {
			out = append(out, line{{indent, th.base}, {x, th.bold}})
		}
	}
	where := f.Where()
	meta := f.Rule + " · " + where
	if len(others) > 0 {
		meta += fmt.Sprintf(" · +%d more like it: %s", len(others), model.LikeIt(others, 8))
	}
	for _, x := range wrap(meta, max(10, w-10)) {
		out = append(out, line{{indent, th.base}, {x, th.dim}})
	}
	add := func(label, text string) {
		if text == "" {
			return
		}
		for i, x := range wrap(text, max(10, w-10)) {
			lab := indent
			if i == 0 {
				lab = padRight("  "+label, 10)
			}
			out = append(out, line{{lab, th.dim}, {x, th.base}})
		}
	}
	add("why", f.Explanation)
	add("fix", f.Remedy)
	add("see", f.Evidence.Describe(" · "))
	return append(out, line{})
}

func findingText(f *model.Finding, others []string) string {
	return plainLines(findingLines(newTheme(true), f, others, 100))
}

// sessionFindingItems renders one session's findings.
func sessionFindingItems(th *theme, id string, fs []model.Finding) []item {
	items := make([]item, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		items = append(items, item{
			ref:    findingRef{session: id, index: i, frames: f.Evidence.Frames, channel: f.Channel, rule: f.Rule, summary: f.Summary},
			render: func(w int) []line { return findingLines(th, f, nil, w) },
			copy:   findingText(f, nil),
		})
	}
	return items
}

// groupItems renders the capture's findings, grouped.
func groupItems(th *theme, groups []viewmodel.FindingGroup) []item {
	items := make([]item, 0, len(groups))
	for i := range groups {
		g := &groups[i]
		f := &g.First
		items = append(items, item{
			ref:    findingRef{session: f.Session, index: -1, frames: f.Evidence.Frames, channel: f.Channel, rule: f.Rule, summary: f.Summary},
			render: func(w int) []line { return findingLines(th, f, g.Where, w) },
			copy:   findingText(f, g.Where),
		})
	}
	return items
}
