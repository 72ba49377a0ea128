package diagnose

import (
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// Config tunes the diagnosis.
type Config struct {
	// DataTimeout is the correlation window, quoted in explanations.
	DataTimeout time.Duration
	// BruteForce is how many refused logins from one client make the
	// login-failed findings warnings (findings.md: 5).
	BruteForce int
	// MaxFailingClients bounds the clients whose refusals are counted
	// (default MaxFailingClients).
	MaxFailingClients int
	// MaxPendingRefusals bounds the refusals kept for a later upgrade
	// (default MaxPendingRefusals).
	MaxPendingRefusals int
}

// Diagnoser runs the rules. Feed it every session as it concludes; the
// rules that span sessions (repeated refused logins, bruteforce.go) keep
// bounded state between calls.
type Diagnoser struct {
	cfg     Config
	failing *failingClients
	// lastFailing is the client whose refusals the last Session call left
	// as info, until Delivered numbers them
	lastFailing clientRef
	pending     pendingRing
	upgrades    []Upgrade
}

// New returns a Diagnoser.
func New(cfg Config) *Diagnoser {
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 30 * time.Second
	}
	if cfg.BruteForce <= 0 {
		cfg.BruteForce = 5
	}
	if cfg.MaxFailingClients <= 0 {
		cfg.MaxFailingClients = MaxFailingClients
	}
	if cfg.MaxPendingRefusals <= 0 {
		cfg.MaxPendingRefusals = MaxPendingRefusals
	}
	return &Diagnoser{cfg: cfg, failing: newFailingClients(cfg.MaxFailingClients),
		pending: pendingRing{items: make([]pendingRefusal, cfg.MaxPendingRefusals)}}
}

// Session returns the findings about one concluded session. A refused
// login is a warning when its client has failed BruteForce times by then;
// the earlier refusals of that client become warnings too, through
// Upgrades.
func (d *Diagnoser) Session(s *model.Session) []model.Finding {
	d.lastFailing, d.upgrades = clientRef{}, nil
	return d.sessionRules(s)
}

// Superseded reports whether f, a finding about one leg of a NAT, is
// replaced by the findings drawn from the pair (pairFindings): an
// unrewritten announcement is better judged from both legs.
func Superseded(f *model.Finding, pair *model.NATPair, pairFindings []model.Finding) bool {
	if f.Rule != RuleNATNotRewritten || f.Evidence.Other != nil || f.Channel == "" {
		return false
	}
	for i := range pairFindings {
		pf := &pairFindings[i]
		if pf.Rule != RuleNATNotRewritten || pf.Evidence.Other == nil {
			continue
		}
		for _, cp := range pair.Channels {
			if cp.Inside == pf.Channel && (cp.Inside == f.Channel || cp.Outside == f.Channel) {
				return true
			}
		}
	}
	return false
}

// CoveredByPairs returns the data channels, of both legs, that a
// nat-not-rewritten finding made of paired legs covers.
func CoveredByPairs(findings []model.Finding, pairs []model.NATPair) map[string]bool {
	covered := map[string]bool{}
	for _, f := range findings {
		if f.Rule == RuleNATNotRewritten && f.Evidence.Other != nil {
			for _, p := range pairs {
				for _, cp := range p.Channels {
					if cp.Inside == f.Channel {
						covered[cp.Inside], covered[cp.Outside] = true, true
					}
				}
			}
		}
	}
	return covered
}

// SupersededByPair says whether a one-leg nat-not-rewritten finding is
// replaced by the paired legs' finding about the same channel.
func SupersededByPair(f *model.Finding, covered map[string]bool) bool {
	return f.Rule == RuleNATNotRewritten && f.Evidence.Other == nil && covered[f.Channel]
}
