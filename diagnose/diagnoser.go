package diagnose

import (
	"fmt"
	"net/netip"
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
}

// Diagnoser runs the rules. Feed it every session as it concludes, then
// call Finish for the rules that span sessions.
type Diagnoser struct {
	cfg           Config
	loginFailures map[netip.Addr]int
	clientOf      map[string]netip.Addr  // session id → client address, for sessions with refused logins
	escalated     map[[2]netip.Addr]bool // client and server told live of repeated refused logins
}

// New returns a Diagnoser.
func New(cfg Config) *Diagnoser {
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 30 * time.Second
	}
	if cfg.BruteForce <= 0 {
		cfg.BruteForce = 5
	}
	return &Diagnoser{cfg: cfg, loginFailures: map[netip.Addr]int{}, clientOf: map[string]netip.Addr{}, escalated: map[[2]netip.Addr]bool{}}
}

// Session returns the findings about one concluded session.
func (d *Diagnoser) Session(s *model.Session) []model.Finding {
	return d.sessionRules(s)
}

// Finish revisits all findings once every session is known: refused logins
// become warnings for a client that failed BruteForce times or more, and
// where the two legs of a NAT were paired, the finding drawn from both legs
// replaces what each leg alone said about an unrewritten announcement.
func (d *Diagnoser) Finish(all []model.Finding, pairs []model.NATPair) []model.Finding {
	covered := CoveredByPairs(all, pairs)
	kept := all[:0]
	for _, f := range all {
		if SupersededByPair(&f, covered) {
			continue
		}
		kept = append(kept, f)
	}
	all = kept
	for i := range all {
		f := &all[i]
		if f.Rule != RuleLoginFailed || f.Severity != model.Info {
			continue
		}
		client := d.clientOf[f.Session]
		if n := d.loginFailures[client]; n >= d.cfg.BruteForce {
			repeatedLogins(f, client, n)
		}
	}
	return all
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

// repeatedLogins makes a login-failed finding the warning of a client that
// failed n times.
func repeatedLogins(f *model.Finding, client netip.Addr, n int) {
	f.Severity = model.Warning
	f.Explanation += fmt.Sprintf(" %s failed to log in %d times in this capture: a password-guessing attempt, or a script with a wrong password.", client, n)
	f.Remedy = "Check the client's credentials; if the attempts are not yours, block the client and limit login attempts (vsftpd max_login_fails, delay_failed_login; fail2ban)."
}

// Escalate is the live view of the repeated-logins rule, for a session
// just diagnosed (fs are its findings): when its refused logins bring its
// client to BruteForce failures or more, its login-failed findings are
// warnings at once, once per client and server. It returns a copy when it
// changes anything; what Finish revisits at the end is left as it was.
func (d *Diagnoser) Escalate(s *model.Session, fs []model.Finding) []model.Finding {
	client, ok := d.clientOf[s.ID]
	if !ok {
		return fs
	}
	n := d.loginFailures[client]
	key := [2]netip.Addr{client, addrOf(s.Server)}
	if n < d.cfg.BruteForce || d.escalated[key] {
		return fs
	}
	d.escalated[key] = true
	out := append([]model.Finding(nil), fs...)
	for i := range out {
		if out[i].Rule == RuleLoginFailed && out[i].Severity == model.Info {
			repeatedLogins(&out[i], client, n)
		}
	}
	return out
}
