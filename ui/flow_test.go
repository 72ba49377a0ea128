package ui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// TestFlowOfNATLegs: the two legs of a NAT in one flow take three hosts
// (client, gateway's public address, server) and every line of both.
func TestFlowOfNATLegs(t *testing.T) {
	hs := startUI(t, 120, 40, sample("passive-nat", "gateway.pcap"))
	hs.waitFor("■ file · done")
	rows := []*viewmodel.Row{hs.u.model.Row("s1"), hs.u.model.Row("s2")}
	sp := newFlowSpec(rows)
	if got := strings.Join(sp.hosts, " "); got != "192.168.1.10 203.0.113.1 203.0.113.20" {
		t.Errorf("hosts %q", got)
	}
	evs := sp.events()
	want := 0
	for _, r := range rows {
		want += len(r.S.Dialog) + len(r.S.Channels)
	}
	if len(evs) != want {
		t.Errorf("%d events, want %d (every dialog line and channel of both)", len(evs), want)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ts.Before(evs[i-1].ts) {
			t.Errorf("event %d before the one above it", i)
		}
	}
	txt := flowText(sp, 120)
	for _, w := range []string{"192.168.1.10", "203.0.113.1", "203.0.113.20", "s1", "s2", "EPSV", "RETR"} {
		if !strings.Contains(txt, w) {
			t.Errorf("flow text lacks %q:\n%s", w, txt)
		}
	}
	var b bytes.Buffer
	if err := writeFlowCSV(&b, sp); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want+1 || strings.Join(recs[0], ",") != "time,session,from,to,kind,text,frame" {
		t.Fatalf("%d CSV records, header %v", len(recs), recs[0])
	}
	for _, rec := range recs[1:] {
		if rec[1] == "s2" && rec[4] == "command" && (rec[2] != "203.0.113.1" || rec[3] != "203.0.113.20") {
			t.Errorf("an outside command goes %s → %s", rec[2], rec[3])
		}
	}
	hs.quit(1)
}

// TestPickAndFlowKeys: space picks sessions, l shows them in one ladder
// (80×24 and 200×50), ⏎ opens a line's session, esc goes back.
func TestPickAndFlowKeys(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			hs := startUI(t, size[0], size[1], sample("active-nohelper", "client.pcap"))
			hs.waitFor("■ file · done")
			// The retries of one client: s1, s3 and s5.
			hs.keys(" ", "j", " ", "j", " ")
			txt := hs.waitFor("3 picked (space)", "● s1", "● s3", "● s5")
			if strings.Contains(txt, "● s2") || strings.Contains(txt, "● s4") {
				t.Errorf("an unpicked session is marked:\n%s", txt)
			}
			hs.keys("l")
			txt = hs.waitFor("Ladder of s1, s3, s5 · 2 hosts", "192.168.1.10", "203.0.113.20", "<ladder>")
			hs.dump(fmt.Sprintf("flow-%dx%d", size[0], size[1]), txt)
			for _, id := range []string{"s1", "s3", "s5"} {
				if !strings.Contains(txt, " "+id+" ") {
					t.Errorf("the ladder shows no line of %s", id)
				}
			}
			// y copies it whole.
			hs.keys("y")
			if got := hs.waitClipboard(" sessions "); !strings.Contains(got, "s5") {
				t.Errorf("y copied %q", got)
			}
			// ⏎ opens the session of the selected line at that line.
			hs.keys("j", "enter")
			hs.waitFor("<sessions> <s1> <dialog>")
			hs.waitSelected("→ ")
			hs.keys("esc")
			hs.waitFor("3 picked")
			hs.keys("l", "esc")
			hs.waitFor("3 picked")
			hs.keys("esc") // clears the picks
			hs.waitGone("picked")
			hs.quit(1)
		})
	}
}
