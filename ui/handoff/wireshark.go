package handoff

import (
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// WiresharkFilter is the display filter of a session of m as the user
// hands it on: both legs' when it is one leg of a NAT pair (what w
// writes), else its own. A running session, shown before the analysis
// concluded it, has none in the model yet: it is computed from what is
// known.
func WiresharkFilter(m *viewmodel.Model, r *viewmodel.Row) (filter string, bothLegs bool) {
	if p, ok := m.Pair(r.S.ID); ok {
		if p.WiresharkFilter != "" {
			return p.WiresharkFilter, true
		}
		in, out := m.Row(p.Inside), m.Row(p.Outside)
		if in != nil && out != nil {
			return model.WiresharkFilter(in.S, out.S), true
		}
	}
	if r.S.WiresharkFilter != "" {
		return r.S.WiresharkFilter, false
	}
	return model.WiresharkFilter(r.S), false
}
