package ui

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// TestSaveDialog walks the save dialog at 80×24: which sessions, then
// how; the list and a ladder as text or CSV.
func TestSaveDialog(t *testing.T) {
	x := &fakeExporter{}
	hs := startExporting(t, 80, 24, x, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("/", "ip:203.0.113.21", "enter")
	hs.waitFor("Sessions (1 of 6)")

	// Filtered sessions (chosen first under a filter) → pcapng.
	hs.keys("s")
	txt := hs.waitFor("Save which sessions?", "all sessions", "none picked: space picks", "<save>")
	hs.dump("save-menu", txt)
	hs.keys("enter")
	hs.waitFor("Save s6 as?", "pcapng: control connections only", "text report")
	hs.keys("enter")
	hs.waitFor("write s6 to: filtered-sessions.pcapng")
	hs.keys("enter")
	hs.waitFor("wrote 10 packets of s6 to filtered-sessions.pcapng")
	if req, _ := x.last(); len(req.Sessions) != 1 || req.Sessions[0].ID != "s6" || len(req.Sessions[0].Channels) == 0 {
		t.Errorf("the slice request: %+v", req.Sessions)
	}

	// Control only: the sessions go without their data channels.
	hs.keys("s", "enter", "j", "enter")
	hs.waitFor("to: filtered-sessions-control.pcapng")
	hs.keys("enter")
	hs.waitFor("wrote 10 packets of s6 (control connections) to filtered-sess")
	if req, _ := x.last(); len(req.Sessions) != 1 || len(req.Sessions[0].Channels) != 0 {
		t.Errorf("a control-only slice asked for data channels: %+v", req.Sessions)
	}

	// The current session as the text report.
	hs.keys("s", "j", "enter")
	hs.waitFor("Save s6 as?")
	hs.keys("j", "j", "enter")
	hs.waitFor("save s6 to: s6.txt")
	hs.keys("enter")
	hs.waitFor("saved s6 to s6.txt")
	b, err := os.ReadFile("s6.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SESSION s6  192.168.1.10:43946 → 203.0.113.21:21", "wireshark: (ip.addr==", "FINDINGS"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the text report lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "SESSION s1 ") {
		t.Error("the text report of s6 holds s1")
	}

	// The sessions list as CSV: the filtered rows.
	hs.keys("s", "G", "enter")
	hs.waitFor("save the sessions list to: sessions.csv")
	hs.keys("enter")
	hs.waitFor("saved the sessions list to sessions.csv")
	f, err := os.Open("sessions.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 2 || recs[1][0] != "s6" || !strings.HasPrefix(recs[1][len(recs[1])-1], "(ip.addr==192.168.1.10") {
		t.Fatalf("sessions.csv: %v %q", err, recs)
	}
	// Again: the file exists, a second ⏎ replaces it.
	hs.keys("s", "G", "enter", "enter")
	hs.waitFor("sessions.csv exists: ⏎ overwrites it")
	hs.keys("esc")
	hs.waitFor("cancelled")

	// The list as text.
	hs.keys("s", "G", "k", "enter", "enter")
	hs.waitFor("saved the sessions list to sessions.txt")
	if b, _ := os.ReadFile("sessions.txt"); !strings.Contains(string(b), "ID   CLIENT") || !strings.Contains(string(b), "s6   192.168.1.10:43946") {
		t.Errorf("sessions.txt:\n%s", b)
	}

	// In a session: its ladder as CSV.
	hs.keys("enter")
	hs.waitFor("<s6>")
	hs.keys("s", "G", "enter")
	hs.waitFor("save the ladder to: s6-ladder.csv")
	hs.keys("enter")
	hs.waitFor("saved the ladder to s6-ladder.csv")
	f, err = os.Open("s6-ladder.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) < 10 || recs[1][1] != "s6" {
		t.Errorf("s6-ladder.csv: %v, %d records", err, len(recs))
	}
	// esc closes the dialog.
	hs.keys("s", "esc")
	hs.waitFor("cancelled")
	hs.waitGone("<save>")
	hs.quit(2)
}

// TestSaveControlOnlyOfNATLegs: a control-only slice of a paired session
// leaves the data connections of both legs out.
func TestSaveControlOnlyOfNATLegs(t *testing.T) {
	x := &fakeExporter{}
	hs := startExporting(t, 120, 30, x, sample("passive-nat", "gateway.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("s")
	hs.waitFor("Save which sessions?", "▶current session  s1")
	hs.keys("enter")
	hs.waitFor("Save s1 as?", "pcapng: control connections only")
	hs.keys("j", "enter")
	hs.waitFor("to: s1-control.pcapng")
	hs.keys("enter")
	hs.waitFor("wrote ", "(control connections) to s1-control.pcapng")
	req, _ := x.last()
	if len(req.Sessions) != 2 {
		t.Fatalf("the slice of a NAT leg holds %d sessions, want both legs", len(req.Sessions))
	}
	for _, s := range req.Sessions {
		if len(s.Channels) != 0 {
			t.Errorf("%s: %d data channels in a control-only slice", s.ID, len(s.Channels))
		}
	}
}
