package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/ui/sessionview"
)

// rowIDs are the ids of the list's rows, in order (read on the event loop).
func (hs *harness) rowIDs() string {
	var ids []string
	hs.u.app.QueueUpdate(func() {
		for _, r := range hs.u.rows {
			ids = append(ids, r.S.ID)
		}
	})
	return strings.Join(ids, " ")
}

// screenOrder returns the ids in the order they appear at the start of
// the screen's lines.
func screenOrder(txt string, ids ...string) string {
	type at struct {
		id  string
		pos int
	}
	var found []at
	for _, id := range ids {
		if i := strings.Index(txt, "║"+id+" "); i >= 0 {
			found = append(found, at{id, i})
		}
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].pos < found[i].pos {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	var out []string
	for _, f := range found {
		out = append(out, f.id)
	}
	return strings.Join(out, " ")
}

// TestFindingsFollowTheFilter: filtered to one server, the list's Findings
// pane shows that server's sessions' findings only (2 of the capture's 7).
func TestFindingsFollowTheFilter(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			hs := startUI(t, size[0], size[1], sample("active-nohelper", "client.pcap"))
			hs.waitFor("■ file · done")
			hs.keys("/", "ip:203.0.113.21", "enter")
			hs.waitFor("Sessions (1 of 6)")
			if size[0] < wideListW {
				hs.keys("tab") // one pane at a time: the findings
			}
			txt := hs.waitFor("Findings (2 of 7) · of the filtered sessions")
			hs.dump(fmt.Sprintf("findings-filtered-%dx%d", size[0], size[1]), txt)
			// the session of each finding the pane shows
			var shown []string
			hs.u.app.QueueUpdate(func() {
				for _, it := range hs.u.overview.items {
					shown = append(shown, it.Ref.(sessionview.FindingRef).Session)
				}
			})
			if len(shown) != 2 {
				t.Fatalf("%d finding groups shown, want 2", len(shown))
			}
			for _, id := range shown {
				if id != "s6" {
					t.Errorf("a finding of %s is shown under a filter that selects s6 only", id)
				}
			}
			if strings.Contains(txt, "+5 more like it") {
				t.Error("the group still counts the hidden sessions' findings")
			}
			// Clearing the filter shows them all again.
			hs.keys("esc")
			hs.waitFor("Findings (7) ")
			hs.quit(1)
		})
	}
}

// TestSortByColumn: shift and a column's letter sorts the list, again
// reverses; the header and the title show it; ] follows the order.
func TestSortByColumn(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			hs := startUI(t, size[0], size[1], sample("passive-nat", "gateway.pcap"))
			hs.waitFor("■ file · done")
			ids := strings.Fields(hs.rowIDs())
			if len(ids) != 12 || ids[0] != "s1" || ids[11] != "s12" {
				t.Fatalf("unsorted rows %v", ids)
			}
			// C: by client address, then session order.
			hs.keys("C")
			txt := hs.waitFor("Sessions (12) · by client ↑", "CLIENT↑", "sorted by client ↑ (C again reverses)")
			hs.dump(fmt.Sprintf("sort-client-%dx%d", size[0], size[1]), txt)
			want := "s1 s3 s5 s7 s9 s11 s2 s4 s6 s8 s10 s12" // 192.168.1.10 before 203.0.113.1
			if got := hs.rowIDs(); got != want {
				t.Errorf("by client: %s, want %s", got, want)
			}
			if got := screenOrder(txt, strings.Fields(want)...); got != want {
				t.Errorf("the screen shows %s, want %s", got, want)
			}
			hs.keys("C")
			hs.waitFor("by client ↓", "CLIENT↓")
			if got := hs.rowIDs(); got != "s12 s10 s8 s6 s4 s2 s11 s9 s7 s5 s3 s1" {
				t.Errorf("by client, reversed: %s", got)
			}
			// B: bytes, largest first; shown in the title when the column
			// is not (80 columns).
			hs.keys("B")
			txt = hs.waitFor("by bytes ↓")
			if size[0] >= wideListW && !strings.Contains(txt, "BYTES↓") {
				t.Errorf("the BYTES header is not marked:\n%s", txt)
			}
			rows := strings.Fields(hs.rowIDs())
			var prev int64 = 1 << 62
			for _, id := range rows {
				b := hs.u.model.Row(id).Bytes
				if b > prev {
					t.Errorf("by bytes ↓: %s has %d bytes after %d", id, b, prev)
				}
				prev = b
			}
			// ] steps through the sorted list.
			hs.keys("g", "enter")
			hs.waitFor("<" + rows[0] + ">")
			hs.keys("]")
			hs.waitFor("<" + rows[1] + ">")
			hs.quit(2)
		})
	}
}
