package sessionview

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// findingLines renders a finding with its explanation, remedy and evidence.
// others lists the sessions or channels where the same finding was made.
func findingLines(th *styled.Theme, f *model.Finding, others []string, w int) []styled.Line {
	st := th.SevStyle(f.Severity)
	label := styled.PadRight(styled.SevLabel(f.Severity), 10)
	indent := strings.Repeat(" ", 10)
	var out []styled.Line
	for i, x := range styled.Wrap(f.Summary, max(10, w-10)) {
		if i == 0 {
			out = append(out, styled.Line{{Text: label, Style: st}, {Text: x, Style: th.Bold}})
		} else {
			out = append(out, styled.Line{{Text: indent, Style: th.Base}, {Text: x, Style: th.Bold}})
		}
	}
	where := f.Where()
	meta := f.Rule + " · " + where
	if len(others) > 0 {
		meta += fmt.Sprintf(" · +%d more like it: %s", len(others), model.LikeIt(others, 8))
	}
	for _, x := range styled.Wrap(meta, max(10, w-10)) {
		out = append(out, styled.Line{{Text: indent, Style: th.Base}, {Text: x, Style: th.Dim}})
	}
	add := func(label, text string) {
		if text == "" {
			return
		}
		for i, x := range styled.Wrap(text, max(10, w-10)) {
			lab := indent
			if i == 0 {
				lab = styled.PadRight("  "+label, 10)
			}
			out = append(out, styled.Line{{Text: lab, Style: th.Dim}, {Text: x, Style: th.Base}})
		}
	}
	add("why", f.Explanation)
	add("fix", f.Remedy)
	add("see", f.Evidence.Describe(" · "))
	return append(out, styled.Line{})
}

func findingText(f *model.Finding, others []string) string {
	return styled.PlainLines(findingLines(styled.NewTheme(true), f, others, 100))
}

// SessionFindingItems renders one session's findings.
func SessionFindingItems(th *styled.Theme, id string, fs []model.Finding) []styled.Item {
	items := make([]styled.Item, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		items = append(items, styled.Item{
			Ref:    FindingRef{Session: id, Index: i, Frames: f.Evidence.Frames, Channel: f.Channel, Rule: f.Rule, Summary: f.Summary},
			Render: func(w int) []styled.Line { return findingLines(th, f, nil, w) },
			Copy:   findingText(f, nil),
		})
	}
	return items
}

// GroupItems renders the capture's findings, grouped.
func GroupItems(th *styled.Theme, groups []viewmodel.FindingGroup) []styled.Item {
	items := make([]styled.Item, 0, len(groups))
	for i := range groups {
		g := &groups[i]
		f := &g.First
		items = append(items, styled.Item{
			Ref:    FindingRef{Session: f.Session, Index: -1, Frames: f.Evidence.Frames, Channel: f.Channel, Rule: f.Rule, Summary: f.Summary},
			Render: func(w int) []styled.Line { return findingLines(th, f, g.Where, w) },
			Copy:   findingText(f, g.Where),
		})
	}
	return items
}
