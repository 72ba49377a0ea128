package report

import (
	"github.com/ftpscope/ftpscope/model"
)

// A finding is written by hand too: the JSON report spills every finding
// and JSON lines writes one line for each, so reflection would be most of
// what they allocate. Same rules as encode.go: the document encoding/json
// gives (TestFindingEncoderMatches).

func (e *enc) finding(f *model.Finding) {
	e.b = append(e.b, '{')
	first := true
	p := &first
	e.str(p, `,"rule":`, f.Rule)
	e.str(p, `,"severity":`, f.Severity.String())
	e.strOmit(p, `,"session":`, f.Session)
	e.strOmit(p, `,"channel":`, f.Channel)
	e.timePtrOmit(p, `,"ts":`, f.TS)
	e.str(p, `,"summary":`, f.Summary)
	e.str(p, `,"explanation":`, f.Explanation)
	e.str(p, `,"remedy":`, f.Remedy)
	e.key(p, `,"evidence":`)
	e.evidence(&f.Evidence)
	e.b = append(e.b, '}')
}

func (e *enc) evidence(ev *model.Evidence) {
	e.b = append(e.b, '{')
	first := true
	p := &first
	e.strOmit(p, `,"source":`, ev.Source)
	e.key(p, `,"frames":`)
	list(e, ev.Frames, func(n *uint64) { e.b = appendUint(e.b, *n) })
	if len(ev.Timestamps) > 0 {
		e.key(p, `,"timestamps":`)
		list(e, ev.Timestamps, func(t *model.Time) { e.timeValue(*t) })
	}
	if len(ev.Wire) > 0 {
		e.key(p, `,"wire":`)
		list(e, ev.Wire, func(s *string) { e.quote(*s) })
	}
	e.strOmit(p, `,"vantage":`, ev.Vantage)
	if ev.Other != nil {
		e.key(p, `,"other":`)
		e.evidence(ev.Other)
	}
	e.b = append(e.b, '}')
}
