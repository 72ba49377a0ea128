package sessionview

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The statistics view (t) counts over the sessions the list shows: replies
// by class (RFC 959 §4.2: 1yz preliminary … 5yz permanent failure) and by
// code, commands, data channels by status, findings by rule. ⏎ on a rule
// or a status filters the list by it.

type codeCount struct {
	code, n int
}

type ruleCount struct {
	rule     string
	sev      model.Severity
	n        int
	sessions []string
}

// Stats are the counts of the statistics view.
type Stats struct {
	Sessions   int
	classes    [6]int // index code/100; 0: malformed lines
	codes      map[int]int
	commands   int
	verbs      map[string]int
	statuses   map[string]int
	rules      []ruleCount
	unpaired   int // replies no command asked for
	unanswered int // commands without a final reply
}

// ComputeStats counts over rows.
func ComputeStats(rows []*viewmodel.Row) *Stats {
	st := &Stats{Sessions: len(rows), codes: map[int]int{}, verbs: map[string]int{}, statuses: map[string]int{}}
	byRule := map[string]*ruleCount{}
	for _, r := range rows {
		dialog := r.Session().Dialog
		for i := range dialog {
			e := &dialog[i]
			switch {
			case e.Kind == "command":
				st.commands++
				st.verbs[e.Verb]++
				if e.Unanswered {
					st.unanswered++
				}
			case e.Malformed:
				st.classes[0]++
			default:
				if c := e.Code / 100; c >= 1 && c <= 5 {
					st.classes[c]++
				}
				st.codes[e.Code]++
				if e.Unsolicited {
					st.unpaired++
				}
			}
		}
		for _, ch := range r.S.Channels {
			st.statuses[ch.Status]++
		}
		for _, f := range r.Findings {
			k := f.Rule + "\x00" + f.Severity.String()
			rc := byRule[k]
			if rc == nil {
				rc = &ruleCount{rule: f.Rule, sev: f.Severity}
				byRule[k] = rc
			}
			rc.n++
			if n := len(rc.sessions); n == 0 || rc.sessions[n-1] != r.S.ID {
				rc.sessions = append(rc.sessions, r.S.ID)
			}
		}
	}
	for _, rc := range byRule {
		st.rules = append(st.rules, *rc)
	}
	sort.Slice(st.rules, func(i, j int) bool {
		a, b := &st.rules[i], &st.rules[j]
		if a.sev != b.sev {
			return a.sev > b.sev
		}
		if a.n != b.n {
			return a.n > b.n
		}
		return a.rule < b.rule
	})
	return st
}

// codesOfClass lists a class's codes, most frequent first.
func (st *Stats) codesOfClass(class int) []codeCount {
	var out []codeCount
	for c, n := range st.codes {
		if c/100 == class {
			out = append(out, codeCount{c, n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].code < out[j].code
	})
	return out
}

var classNames = [6]string{"not a reply", "1yz preliminary", "2yz completion", "3yz intermediate", "4yz transient failure", "5yz permanent failure"}

// StatsRef is what ⏎ on a statistics line does: filter the list.
type StatsRef struct{ Filter string }

// StatsItems renders the statistics.
func StatsItems(th *styled.Theme, st *Stats, scope string) []styled.Item {
	var items []styled.Item
	text := func(ls ...styled.Line) { items = append(items, styled.StaticLines(ls...)) }
	title := func(s string) { text(styled.Line{}, styled.Line{{Text: s, Style: th.Title}}) }
	count := func(n int) string { return styled.PadLeft(textfmt.Thousands(int64(n)), 8) }
	text(styled.Line{{Text: fmt.Sprintf("%d sessions · %s", st.Sessions, scope), Style: th.Bold}})

	title("Replies by class")
	total := 0
	for c := 1; c <= 5; c++ {
		total += st.classes[c]
	}
	for c := 1; c <= 5; c++ {
		var codes []string
		for i, cc := range st.codesOfClass(c) {
			if i == 8 {
				codes = append(codes, "…")
				break
			}
			codes = append(codes, fmt.Sprintf("%d ×%s", cc.code, textfmt.Thousands(int64(cc.n))))
		}
		sty := th.Base
		if c >= 4 && st.classes[c] > 0 {
			sty = th.SevStyle(model.Warning)
		}
		share := ""
		if total > 0 {
			share = fmt.Sprintf("%3.0f%%", 100*float64(st.classes[c])/float64(total))
		}
		text(styled.Line{{Text: "  " + styled.PadRight(classNames[c], 24), Style: sty}, {Text: count(st.classes[c]) + " " + share + "   ", Style: th.Base}, {Text: strings.Join(codes, ", "), Style: th.Dim}})
	}
	if st.classes[0] > 0 {
		text(styled.Line{{Text: "  " + styled.PadRight("server lines that are not replies", 24), Style: th.SevStyle(model.Warning)}, {Text: count(st.classes[0]), Style: th.Base}})
	}
	if st.unpaired > 0 {
		text(styled.Line{{Text: "  " + styled.PadRight("replies nothing asked for", 24), Style: th.Dim}, {Text: count(st.unpaired), Style: th.Base}})
	}

	title("Commands")
	names := make([]string, 0, len(st.verbs))
	for v := range st.verbs {
		names = append(names, v)
	}
	sort.Slice(names, func(i, j int) bool {
		if st.verbs[names[i]] != st.verbs[names[j]] {
			return st.verbs[names[i]] > st.verbs[names[j]]
		}
		return names[i] < names[j]
	})
	var top []string
	for i, v := range names {
		if i == 12 {
			top = append(top, "…")
			break
		}
		top = append(top, v+" ×"+textfmt.Thousands(int64(st.verbs[v])))
	}
	text(styled.Line{{Text: "  " + styled.PadRight("commands", 24), Style: th.Base}, {Text: count(st.commands) + "        ", Style: th.Base}, {Text: strings.Join(top, ", "), Style: th.Dim}})
	if st.unanswered > 0 {
		text(styled.Line{{Text: "  " + styled.PadRight("without a reply", 24), Style: th.SevStyle(model.Warning)}, {Text: count(st.unanswered), Style: th.Base}})
	}

	title("Data channels by status (⏎ filters the list)")
	statuses := make([]string, 0, len(st.statuses))
	for s := range st.statuses {
		statuses = append(statuses, s)
	}
	sort.Slice(statuses, func(i, j int) bool {
		if st.statuses[statuses[i]] != st.statuses[statuses[j]] {
			return st.statuses[statuses[i]] > st.statuses[statuses[j]]
		}
		return statuses[i] < statuses[j]
	})
	if len(statuses) == 0 {
		text(styled.Line{{Text: "  no data channel", Style: th.Dim}})
	}
	for _, s := range statuses {
		l := styled.Line{{Text: "  " + styled.StatusGlyph(s) + " " + styled.PadRight(styled.StatusWord(s), 22), Style: th.StatusStyle(s)}, {Text: count(st.statuses[s]), Style: th.Base}}
		items = append(items, styled.Item{Ref: StatsRef{Filter: "status:" + s}, Copy: l.Plain(), Render: func(int) []styled.Line { return []styled.Line{l} }})
	}

	title("Findings by rule (⏎ filters the list)")
	if len(st.rules) == 0 {
		text(styled.Line{{Text: "  no findings", Style: th.OK}})
	}
	for _, rc := range st.rules {
		where := model.LikeIt(rc.sessions, 6)
		l := styled.Line{{Text: "  " + styled.PadRight(styled.SevLabel(rc.sev), 10), Style: th.SevStyle(rc.sev)}, {Text: styled.PadRight(rc.rule, 28), Style: th.Bold}, {Text: count(rc.n) + "   ", Style: th.Base}, {Text: where, Style: th.Dim}}
		items = append(items, styled.Item{Ref: StatsRef{Filter: "rule:" + rc.rule}, Copy: l.Plain(), Render: func(w int) []styled.Line { return []styled.Line{l} }})
	}
	return items
}

// StatsText is the statistics as plain text (y, and the save dialog).
func StatsText(st *Stats, scope string) string {
	var out []string
	for _, it := range StatsItems(styled.NewTheme(true), st, scope) {
		for _, l := range it.Render(120) {
			out = append(out, strings.TrimRight(l.Plain(), " "))
		}
	}
	return strings.Join(out, "\n") + "\n"
}
