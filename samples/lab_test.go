package samples

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// TestLab runs the namespace lab end to end: it brings the lab up, runs the
// active-mode scenarios through the NAT gateway without and with the kernel
// FTP helper while tcpdump captures, and checks what ftpscope makes of the
// fresh captures. It needs root and network namespaces; make test sets
// FTPSCOPE_LAB=1, and then a machine without them fails the test.
func TestLab(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("lab", "e2e.sh"))
	cmd.Env = append(os.Environ(), "E2E_OUT="+out)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("lab/e2e.sh: %v (it needs root and 'ip netns add')", err)
	}
	for _, vantage := range []string{"client", "gateway", "server"} {
		t.Run("active-nohelper/"+vantage, func(t *testing.T) {
			_, r := analyseJSON(t, filepath.Join(out, "active-nohelper", vantage+".pcap"))
			checkNoHelper(t, r, vantage)
		})
		t.Run("active-helper/"+vantage, func(t *testing.T) {
			_, r := analyseJSON(t, filepath.Join(out, "active-helper", vantage+".pcap"))
			checkWorking(t, r)
		})
	}
}

// checkNoHelper: every active announcement crossed the gateway untranslated
// and was refused, and the findings say why from where the capture was taken.
func checkNoHelper(t *testing.T, r *model.Report, vantage string) {
	t.Helper()
	if len(r.Sessions) == 0 {
		t.Fatal("no sessions")
	}
	active := 0
	for _, s := range r.Sessions {
		for _, ch := range s.Channels {
			if ch.Mode != "active" || ch.Announce == nil {
				continue
			}
			active++
			if ch.Status != model.StatusRejected {
				t.Errorf("%s %s %s: status %s, want rejected", ch.ID, ch.Announce.Verb, ch.Announce.Endpoint, ch.Status)
			}
			if ch.Announce.ReplyCode == nil || *ch.Announce.ReplyCode != 500 {
				t.Errorf("%s: reply %v, want 500", ch.ID, ch.Announce.ReplyCode)
			}
		}
	}
	if active == 0 {
		t.Fatal("no active-mode announcements")
	}
	rules := rulesBySeverity(r)
	if rules["nat-not-rewritten"] != model.Error {
		t.Errorf("nat-not-rewritten not raised as an error; findings: %v", rules)
	}
	if vantage != "client" && rules["active-address-mismatch"] != model.Error {
		t.Errorf("active-address-mismatch not raised beyond the NAT; findings: %v", rules)
	}
}

// checkWorking: every transfer worked and nothing above info was found.
func checkWorking(t *testing.T, r *model.Report) {
	t.Helper()
	n := 0
	for _, s := range r.Sessions {
		for _, ch := range s.Channels {
			n++
			if ch.Status != model.StatusOK {
				t.Errorf("%s: status %s, want ok", ch.ID, ch.Status)
			}
		}
	}
	if n == 0 {
		t.Fatal("no data channels")
	}
	for _, f := range r.Findings {
		if f.Severity > model.Info {
			t.Errorf("working transfer raised %s %s: %s", f.Severity, f.Rule, f.Summary)
		}
	}
}

func rulesBySeverity(r *model.Report) map[string]model.Severity {
	m := map[string]model.Severity{}
	for _, f := range r.Findings {
		if f.Severity > m[f.Rule] {
			m[f.Rule] = f.Severity
		}
	}
	return m
}
