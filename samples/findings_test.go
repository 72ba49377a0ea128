package samples

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// expectation is what ftpscope must report on one capture of the lab.
type expectation struct {
	// rules that must fire, at this severity at least
	rules map[string]model.Severity
	// statuses that must appear among the data channels
	statuses []string
	// pairs is the number of NAT leg pairs (gateway captures)
	pairs int
	// clean: a working setup, so nothing above info may be found
	clean bool
}

const (
	W = model.Warning
	E = model.Error
	I = model.Info
)

// expectations, per capture, from what happened on the wire (README.md).
var expectations = map[string]expectation{
	// helper off: PORT/EPRT cross the NAT untranslated, vsftpd and
	// pure-ftpd refuse them; the client side sees no mismatch in the
	// headers, only the refusal.
	"active-nohelper/client":  {rules: map[string]model.Severity{"nat-not-rewritten": E}, statuses: []string{"rejected", "ok"}},
	"active-nohelper/server":  {rules: map[string]model.Severity{"active-address-mismatch": E, "nat-not-rewritten": E}, statuses: []string{"rejected"}},
	"active-nohelper/gateway": {rules: map[string]model.Severity{"active-address-mismatch": E, "nat-not-rewritten": E}, statuses: []string{"rejected"}, pairs: 6},
	// helper on: PORT/EPRT rewritten, every transfer works.
	"active-helper/client":  {clean: true, statuses: []string{"ok"}},
	"active-helper/server":  {clean: true, statuses: []string{"ok"}},
	"active-helper/gateway": {clean: true, rules: map[string]model.Severity{"nat-rewrite": I}, statuses: []string{"ok"}, pairs: 5},
	// helper on, two sessions announce one port: the helper moves the
	// second one's to another outside port; only that one transfers.
	"helper-remap/client":  {clean: true, statuses: []string{"ok", "unused"}},
	"helper-remap/server":  {clean: true, statuses: []string{"ok", "unused"}},
	"helper-remap/gateway": {clean: true, rules: map[string]model.Severity{"nat-rewrite": I}, statuses: []string{"ok", "unused"}, pairs: 2},
	"passive-nat/client":   {clean: true, statuses: []string{"ok"}},
	"passive-nat/server":   {clean: true, statuses: []string{"ok"}},
	"passive-nat/gateway":  {clean: true, statuses: []string{"ok"}, pairs: 6},
	"ipv6/client":          {clean: true, statuses: []string{"ok"}},
	"ipv6/server":          {clean: true, statuses: []string{"ok"}},
	"ipv6/gateway":         {clean: true, statuses: []string{"ok"}, pairs: 4},
	// server behind NAT announces 10.0.0.5: clients that substitute the
	// public address work, clients that trust it time out.
	"server-nat-pasv/client":  {rules: map[string]model.Severity{"passive-address-mismatch": E, "data-connection-elsewhere": W, "data-connection-failed": E, "nat-not-rewritten": E}, statuses: []string{"ok", "filtered"}},
	"server-nat-pasv/gateway": {rules: map[string]model.Severity{"passive-address-mismatch": W}, statuses: []string{"ok"}, pairs: 6},
	// seen from the server, the 227 names the server's own address
	"server-nat-pasv/server":    {clean: true, statuses: []string{"ok"}},
	"server-nat-helper/client":  {clean: true, statuses: []string{"ok"}},
	"server-nat-helper/server":  {clean: true, statuses: []string{"ok"}},
	"server-nat-helper/gateway": {clean: true, rules: map[string]model.Severity{"nat-rewrite": I}, statuses: []string{"ok"}, pairs: 2},
	// PORT/EPRT naming a third host
	"bounce/client": {rules: map[string]model.Severity{"active-address-mismatch": E}, statuses: []string{"rejected"}},
	"bounce/server": {rules: map[string]model.Severity{"active-address-mismatch": E}, statuses: []string{"rejected"}},
	// AUTH TLS/SSL: the helpers are blind; passive data connections work
	"ftps/client":  {rules: map[string]model.Severity{"tls-blinds-alg": W}, statuses: []string{"ok"}},
	"ftps/server":  {rules: map[string]model.Severity{"tls-blinds-alg": W}, statuses: []string{"ok"}},
	"ftps/gateway": {rules: map[string]model.Severity{"tls-blinds-alg": W}, statuses: []string{"ok"}, pairs: 5},
	// the same with the clients' key log (keys.txt): every dialog read, every
	// passive data connection tied exact; the encrypted PORTs carried the
	// client's private address, refused, and no helper could have fixed it
	"ftps-keylog/client":  {rules: map[string]model.Severity{"tls-blinds-alg": E, "nat-not-rewritten": E}, statuses: []string{"ok", "rejected"}},
	"ftps-keylog/server":  {rules: map[string]model.Severity{"tls-blinds-alg": E, "active-address-mismatch": E}, statuses: []string{"ok", "rejected"}},
	"ftps-keylog/gateway": {rules: map[string]model.Severity{"tls-blinds-alg": E, "nat-not-rewritten": E}, statuses: []string{"ok", "rejected"}, pairs: 6},
	// the gateway drops forwarded data connections
	"data-dropped/client":  {rules: map[string]model.Severity{"data-connection-missing": E, "data-connection-failed": E}, statuses: []string{"no-connection", "filtered"}},
	"data-dropped/server":  {rules: map[string]model.Severity{"data-connection-failed": E}, statuses: []string{"refused"}},
	"data-dropped/gateway": {rules: map[string]model.Severity{"data-connection-failed": E, "nat-rewrite": I}, statuses: []string{"refused"}, pairs: 3},
	"baseline/client":      {clean: true, statuses: []string{"ok"}},
}

func TestSampleFindings(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range captures(t) {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "captures/"), ".pcap")
		want, ok := expectations[name]
		if !ok {
			t.Errorf("%s: no expectation written for this capture", name)
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			_, r := analyseJSON(t, f)
			got := rulesBySeverity(r)
			for rule, sev := range want.rules {
				if got[rule] < sev {
					t.Errorf("%s: want at least %s, have %v", rule, sev, got)
				}
			}
			if want.clean {
				for _, fd := range r.Findings {
					if fd.Severity > model.Info {
						t.Errorf("working setup raised %s %s: %s", fd.Severity, fd.Rule, fd.Summary)
					}
				}
			}
			statuses := map[string]bool{}
			for _, s := range r.Sessions {
				for _, ch := range s.Channels {
					statuses[ch.Status] = true
				}
			}
			for _, st := range want.statuses {
				if !statuses[st] {
					t.Errorf("no channel with status %s (have %v)", st, statuses)
				}
			}
			if len(r.NATPairs) != want.pairs {
				t.Errorf("%d NAT pairs, want %d", len(r.NATPairs), want.pairs)
			}
		})
	}
	for name := range expectations {
		if !seen[name] {
			t.Errorf("%s: expected capture is missing", name)
		}
	}
}

// TestTwoFilePairing pairs the legs across a client-side and a
// server-side capture of the same run, with and without the helper.
func TestTwoFilePairing(t *testing.T) {
	for _, tt := range []struct {
		scenario string
		inside   string
		rewrites bool
		rule     string
	}{
		{"active-helper", "client", true, "nat-rewrite"},
		{"active-nohelper", "client", false, "nat-not-rewritten"},
		{"server-nat-helper", "server", true, "nat-rewrite"},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			outside := map[string]string{"client": "server", "server": "client"}[tt.inside]
			_, r := analyseJSON(t,
				"inside="+filepath.Join("captures", tt.scenario, tt.inside+".pcap"),
				"outside="+filepath.Join("captures", tt.scenario, outside+".pcap"))
			if len(r.NATPairs) == 0 {
				t.Fatal("no pairs")
			}
			for _, p := range r.NATPairs {
				if (len(p.Rewrites) > 0) != tt.rewrites {
					t.Errorf("%s/%s: rewrites %+v", p.Inside, p.Outside, p.Rewrites)
				}
				if tt.rewrites && (p.SeqAdjusted == nil || !*p.SeqAdjusted) {
					t.Errorf("%s/%s: seq_adjusted %v", p.Inside, p.Outside, p.SeqAdjusted)
				}
				for _, rw := range p.Rewrites {
					if rw.LengthDelta == 0 && strings.HasPrefix(rw.Inside, "PORT") {
						t.Errorf("rewrite without length change: %+v", rw)
					}
				}
			}
			if rulesBySeverity(r)[tt.rule] == 0 {
				t.Errorf("%s not raised", tt.rule)
			}
		})
	}
}

// The helper moved the second session's PORT to another outside port:
// the pairing says so, ties the data connection on both sides to the
// session that transferred (not to the first session, which announced
// the same inside endpoint and never used it), and finds nothing wrong.
// On the gateway's "-i any" capture and on the two end captures alike.
func TestHelperRemappedPort(t *testing.T) {
	for name, files := range map[string][]string{
		"gateway":   {filepath.Join("captures", "helper-remap", "gateway.pcap")},
		"two files": {"inside=" + filepath.Join("captures", "helper-remap", "client.pcap"), "outside=" + filepath.Join("captures", "helper-remap", "server.pcap")},
	} {
		t.Run(name, func(t *testing.T) {
			_, r := analyseJSON(t, files...)
			channels := map[string]*model.Channel{}
			for i := range r.Sessions {
				for j := range r.Sessions[i].Channels {
					ch := &r.Sessions[i].Channels[j]
					channels[ch.ID] = ch
				}
			}
			remapped := 0
			for _, p := range r.NATPairs {
				for _, cp := range p.Channels {
					if !cp.PortRemapped {
						continue
					}
					remapped++
					in, out := channels[cp.Inside], channels[cp.Outside]
					if cp.InsideEndpoint == cp.OutsideEndpoint || in == nil || out == nil {
						t.Fatalf("remapped pair %+v", cp)
					}
					for _, ch := range []*model.Channel{in, out} {
						if ch.Status != "ok" || ch.Connection == nil || ch.Transfer == nil {
							t.Errorf("%s: status %s, connection %v, transfer %v; want the transfer's data connection", ch.ID, ch.Status, ch.Connection, ch.Transfer)
						}
					}
				}
			}
			if remapped != 1 {
				t.Errorf("%d channel pairs with a remapped port, want 1: %+v", remapped, r.NATPairs)
			}
			for _, f := range r.Findings {
				if f.Severity > model.Info {
					t.Errorf("finding %s: %s", f.Rule, f.Summary)
				}
			}
		})
	}
}
