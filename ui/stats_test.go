package ui

import (
	"fmt"
	"strings"
	"testing"
)

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
