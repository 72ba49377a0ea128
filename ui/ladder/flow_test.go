package ladder

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// TestFlowOfNATLegs: the two legs of a NAT in one flow take three hosts
// (client, gateway's public address, server) and every line of both.
func TestFlowOfNATLegs(t *testing.T) {
	m := analysed(t, sample("passive-nat", "gateway.pcap"))
	rows := []*viewmodel.Row{m.Row("s1"), m.Row("s2")}
	sp := NewFlow(rows)
	if got := strings.Join(sp.Hosts, " "); got != "192.168.1.10 203.0.113.1 203.0.113.20" {
		t.Errorf("hosts %q", got)
	}
	evs := sp.events()
	want := 0
	for _, r := range rows {
		want += r.DialogLen() + len(r.S.Channels)
	}
	if len(evs) != want {
		t.Errorf("%d events, want %d (every dialog line and channel of both)", len(evs), want)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ts.Before(evs[i-1].ts) {
			t.Errorf("event %d before the one above it", i)
		}
	}
	txt := FlowText(sp, 120)
	for _, w := range []string{"192.168.1.10", "203.0.113.1", "203.0.113.20", "s1", "s2", "EPSV", "RETR"} {
		if !strings.Contains(txt, w) {
			t.Errorf("flow text lacks %q:\n%s", w, txt)
		}
	}
	var b bytes.Buffer
	if err := WriteFlowCSV(&b, sp); err != nil {
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
}
