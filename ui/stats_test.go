package ui

import (
	"fmt"
	"strings"
	"testing"
)

// TestStatsCounts: the statistics add up to what the sessions hold.
func TestStatsCounts(t *testing.T) {
	hs := startUI(t, 120, 40, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	rows := hs.u.model.Snapshot().Rows
	st := computeStats(rows)
	replies, commands, findings, channels := 0, 0, 0, 0
	for _, r := range rows {
		replies += r.S.Replies
		commands += r.S.Commands
		findings += len(r.Findings)
		channels += len(r.S.Channels)
	}
	classes := 0
	for _, n := range st.classes {
		classes += n
	}
	if classes != replies || st.commands != commands {
		t.Errorf("%d replies by class, %d commands; the sessions count %d and %d", classes, st.commands, replies, commands)
	}
	byCode := 0
	for c := 1; c <= 5; c++ {
		for _, cc := range st.codesOfClass(c) {
			byCode += cc.n
			if cc.code/100 != c {
				t.Errorf("code %d in class %d", cc.code, c)
			}
		}
	}
	if byCode != classes-st.classes[0] {
		t.Errorf("%d replies by code, %d by class", byCode, classes-st.classes[0])
	}
	n := 0
	for _, rc := range st.rules {
		n += rc.n
	}
	s := 0
	for _, c := range st.statuses {
		s += c
	}
	if n != findings || s != channels {
		t.Errorf("%d findings by rule of %d, %d channels by status of %d", n, findings, s, channels)
	}
	if st.classes[5] == 0 || st.statuses["rejected"] == 0 {
		t.Errorf("the no-helper capture has refused PORTs: 5yz %d, rejected %d", st.classes[5], st.statuses["rejected"])
	}
	hs.quit(1)
}

// TestStatsView: t shows the statistics of the filtered sessions; ⏎ on a
// rule filters the list by it.
func TestStatsView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			hs := startUI(t, size[0], size[1], sample("active-nohelper", "client.pcap"))
			hs.waitFor("■ file · done")
			hs.keys("t")
			txt := hs.waitFor("Statistics · 6 sessions", "Replies by class", "5yz permanent failure", "<statistics>")
			hs.dump(fmt.Sprintf("stats-%dx%d", size[0], size[1]), txt)
			// The first selectable line is a status; the rules come after.
			hs.keys("G")
			sel := hs.waitSelected("cleartext-credentials")
			if !strings.Contains(sel, "info") {
				t.Errorf("rule line %q", sel)
			}
			hs.keys("k")
			hs.waitSelected("nat-not-rewritten")
			want := 0
			for _, r := range hs.u.model.Snapshot().Rows {
				for _, f := range r.Findings {
					if f.Rule == "nat-not-rewritten" {
						want++
						break
					}
				}
			}
			hs.keys("enter")
			hs.waitFor(fmt.Sprintf("Sessions (%d of 6) · /rule:nat-not-rewritten", want), "filtered by rule:nat-not-rewritten")
			// Under a filter it counts the filtered sessions.
			hs.keys("esc", "/", "!sev:error", "enter")
			hs.waitFor("Sessions (1 of 6)")
			hs.keys("t")
			hs.waitFor("Statistics · 1 sessions", "no findings")
			hs.quit(2)
		})
	}
}
