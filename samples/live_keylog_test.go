package samples

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// TestLabLiveKeyLog runs ftpscope live on the client-site gateway with
// --tls-keylog naming the key log the ftps-keylog scenario's clients are
// about to write (it does not exist yet): followed as it grows, it
// decrypts every session while the clients connect, ties the passive data
// connections exact, and says what the analysis of the same run's
// gateway capture with the finished key log says.
func TestLabLiveKeyLog(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("FTPSCOPE_LAB is set, but the lab needs root")
	}
	bin := buildFtpscope(t)
	t.Cleanup(func() { labCmd(t, nil, "lab.sh", "down") })
	labCmd(t, nil, "lab.sh", "up")
	out := t.TempDir()
	keys := filepath.Join(out, "ftps-keylog", "keys.txt")
	live := captureLive(t, bin, "fs-cgw", func() {
		labCmd(t, []string{"OUT=" + out}, "scenario.sh", "ftps-keylog")
	}, "--tls-keylog", keys)
	offline := ftpscopeJSON(t, bin, "-r", filepath.Join(out, "ftps-keylog", "gateway.pcap"), "--tls-keylog", keys)
	compareReports(t, offline, live)
	if len(live.Sessions) != 12 || len(live.NATPairs) != 6 {
		t.Fatalf("live: %d sessions, %d NAT pairs; want the 6 sessions on both legs, paired", len(live.Sessions), len(live.NATPairs))
	}
	for _, s := range live.Sessions {
		if d := s.TLSDecryption; d == nil || !d.Decrypted || d.Reason != "" {
			t.Errorf("%s %s: decryption %+v", s.ID, s.Vantage, d)
		}
		for _, ch := range s.Channels {
			if ch.Mode == "passive" && (ch.Connection == nil || ch.Connection.Match != model.MatchExact || ch.Transfer == nil || ch.Transfer.FileBytes == nil) {
				t.Errorf("%s: connection %+v, transfer %+v", ch.ID, ch.Connection, ch.Transfer)
			}
		}
	}
}
