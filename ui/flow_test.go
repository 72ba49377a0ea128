package ui

import (
	"fmt"
	"strings"
	"testing"
)

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
