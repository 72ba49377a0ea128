package viewmodel

import "github.com/ftpscope/ftpscope/model"

// pairedLocked reports whether a session's row shows a NAT pair: its other
// leg, or the findings of a pair told live.
func (m *Model) pairedLocked(id string) bool {
	_, paired := m.pairOf[id]
	return paired || len(m.pairFindings[id]) > 0
}

// otherLegLocked names the other leg of a session's NAT pair, or "".
func (m *Model) otherLegLocked(id string) string {
	i, ok := m.pairOf[id]
	if !ok {
		return ""
	}
	if p := &m.pairs[i]; p.Inside == id {
		return p.Outside
	} else if p.Outside == id {
		return p.Inside
	}
	return ""
}

// LivePair implements analysis.LivePairConsumer: during a live capture the
// pair is shown as soon as it is known — the two legs side by side in the
// sessions list, the ladder across the NAT — with its findings, and taken
// back if it is withdrawn. Its findings are counted apart until the pair is
// final, when NATPair delivers them.
func (m *Model) LivePair(p *model.NATPair, findings []model.Finding, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	switch state {
	case model.PairWithdrawn:
		m.removePairLocked(p)
		findings = nil
	case model.PairFinal:
		m.addPair(p) // NATPair has it already, with its findings
		findings = nil
	default:
		m.addPair(p)
	}
	bySession := map[string][]model.Finding{}
	for _, f := range findings {
		bySession[f.Session] = append(bySession[f.Session], f)
	}
	for _, id := range []string{p.Inside, p.Outside} {
		if fs := bySession[id]; len(fs) > 0 {
			m.pairFindings[id] = fs
		} else {
			delete(m.pairFindings, id)
		}
		// The leg's row is made again, also without new findings: an open
		// session view redraws its ladder across the NAT.
		if old := m.byID[id]; old != nil {
			m.remakeLocked(old, old.own)
		}
	}
}

// removePairLocked forgets a pair of these two legs, if known.
func (m *Model) removePairLocked(p *model.NATPair) {
	i, known := m.pairOf[p.Inside]
	if !known || m.pairs[i].Inside != p.Inside || m.pairs[i].Outside != p.Outside {
		return
	}
	// a new slice: snapshots share the old one
	m.pairs = append(append([]model.NATPair(nil), m.pairs[:i]...), m.pairs[i+1:]...)
	clear(m.pairOf)
	for j, q := range m.pairs {
		m.pairOf[q.Inside], m.pairOf[q.Outside] = j, j
	}
}

// NATPair implements analysis.PairConsumer: a pair shows as soon as its
// second leg concluded, its findings with its sessions (they replace what
// a live capture told of the pair before).
func (m *Model) NATPair(p *model.NATPair, findings []model.Finding) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	delete(m.pairFindings, p.Inside)
	delete(m.pairFindings, p.Outside)
	m.addPair(p)
	m.addLate(findings)
	m.showOtherLegs(p)
}

// showOtherLegs remakes the rows of a pair's legs that do not name the
// other leg yet.
func (m *Model) showOtherLegs(p *model.NATPair) {
	for _, id := range []string{p.Inside, p.Outside} {
		if r := m.byID[id]; r != nil && r.Other != m.otherLegLocked(id) {
			m.remakeLocked(r, r.own)
		}
	}
}

// addPair adds a pair, or replaces the one of the same legs (told live).
func (m *Model) addPair(p *model.NATPair) {
	if i, ok := m.pairOf[p.Inside]; ok && m.pairs[i].Inside == p.Inside && m.pairs[i].Outside == p.Outside {
		// a new slice: snapshots share the old one
		m.pairs = append([]model.NATPair(nil), m.pairs...)
		m.pairs[i] = *p
		return
	}
	m.pairs = append(m.pairs, *p)
	m.pairOf[p.Inside], m.pairOf[p.Outside] = len(m.pairs)-1, len(m.pairs)-1
}
