package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/ui/internal/uitest"
	"github.com/ftpscope/ftpscope/ui/sessionview"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The no-helper scenario from the client's side: every active-mode
// session fails, and the first screen says why.
func TestFailingSessionAndFinding(t *testing.T) {
	hs := startUI(t, 120, 40, sample("active-nohelper", "client.pcap"))
	txt := hs.waitFor("Sessions (6)", "■ file · done", "✖ 6 error")
	hs.dump("nohelper-list", txt)
	for _, want := range []string{
		"s1   192.168.1.10:", "203.0.113.20:21", "anonymous", // the failing session
		"✖ error", "left unchanged by the client's NAT: the server refused it (500)", // its finding, by glyph and word
		"nat-not-rewritten · s1.c1 · +5 more like it", "why", "fix", "passive mode",
		"s5", "✔ none", // the one that worked
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("sessions screen lacks %q", want)
		}
	}

	hs.keys("enter")
	txt = hs.waitFor("1 Dialog (13)", "2 Data channels (0 observed / 2)", "3 Findings (2)", "4 Ladder")
	hs.dump("nohelper-session", txt)
	for _, want := range []string{
		"→ EPRT |1|192.168.1.10|", "← 500 Illegal EPRT command.", "✖F1 ⇢c1", // finding mark and channel on the evidence line
		"REJECTED", "no connection seen", // announced → observed
		"c1 no data connection", // drawn as such in the ladder
		"<sessions> <s1> <dialog>",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("session screen lacks %q", want)
		}
	}

	// Enter on the announcement jumps to its data channel, and back.
	hs.keys("jjjjjjj")
	hs.waitSelected("→ EPRT")
	hs.keys("enter")
	hs.waitFor("<s1> <data channels>")
	hs.waitSelected("c1  REJECTED")
	hs.keys("j", "enter")
	hs.waitFor("<s1> <dialog>")
	hs.waitSelected("→ PORT 192,168,1,10")
	// Enter on a finding jumps to its evidence.
	hs.keys("3")
	hs.waitFor("<s1> <findings>")
	hs.keys("enter")
	hs.waitFor("<s1> <dialog>")
	hs.waitSelected("→ EPRT")
	// ] and [ step through the sessions; esc goes back with the list
	// selection on the session last shown.
	hs.keys("]")
	hs.waitFor(" s2  192.168.1.10:")
	hs.keys("esc")
	hs.waitFor("Sessions (6)")
	var sel string
	hs.u.app.QueueUpdate(func() { sel = hs.u.selID })
	if sel != "s2" {
		t.Errorf("back in the list, %s is selected, want s2", sel)
	}
	hs.quit(1)
}

func TestHelpFromKeyTable(t *testing.T) {
	hs := startUI(t, 200, 50, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("?")
	txt := hs.waitFor("Help · esc or ? to close", "<help>")
	hs.dump("help", txt)
	// The help is longer than a screen: page through it.
	for i := 0; i < 3; i++ {
		hs.sim.InjectKey(tcell.KeyPgDn, 0, tcell.ModNone)
		time.Sleep(50 * time.Millisecond)
		txt += hs.screen()
	}
	for _, b := range DefaultKeymap() {
		if !strings.Contains(txt, b.Help) {
			t.Errorf("help lacks %q (%s)", b.Help, b.Names())
		}
	}
	for _, f := range viewmodel.FilterFields {
		if !strings.Contains(txt, f.Name+":") {
			t.Errorf("help lacks the filter field %s:", f.Name)
		}
	}
	hs.keys("esc")
	hs.waitGone("Help · esc")
	// The footer shows the hints of the key table.
	txt = hs.waitFor("Sessions (6)")
	for _, h := range DefaultKeymap().Hints(ctxSessions) {
		if !strings.Contains(txt, h) {
			t.Errorf("footer lacks hint %q", h)
		}
	}
	hs.quit(1)
}

func TestFilter(t *testing.T) {
	hs := startUI(t, 120, 40, sample("active-nohelper", "client.pcap"))
	hs.waitFor("Sessions (6)", "■ file · done")
	hs.keys("jj") // s3 selected
	hs.keys("/")
	hs.waitGone("<sessions>") // the prompt replaces the footer and its breadcrumbs
	hs.keys("rule:cleartext")
	txt := hs.waitFor("Sessions (1 of 6) · /rule:cleartext")
	if !strings.Contains(txt, "s6   192.168.1.10:") || strings.Contains(txt, "s1   192.168.1.10:") {
		t.Errorf("rule:cleartext should leave s6 only:\n%s", txt)
	}
	hs.keys("enter")
	hs.waitFor("│ /rule:cleartext") // the header shows the active filter
	// An unknown field is reported, the last good filter stays.
	hs.keys("/", " foo:bar")
	hs.waitFor(`unknown field "foo:"`)
	hs.keys("esc")
	hs.waitFor("Sessions (1 of 6) · /rule:cleartext ")
	// Field filters: status and ip, negation, plain text.
	for _, c := range []struct {
		filter string
		want   string
	}{
		{"status:ok", "Sessions (1 of 6)"},
		{"ip:203.0.113.21", "Sessions (1 of 6)"},
		{"!ip:203.0.113.21", "Sessions (5 of 6)"},
		{"status:rej user:anon", "Sessions (4 of 6)"},
		{"eprt", "Sessions (1 of 6)"},
	} {
		hs.keys("/")
		hs.waitGone("? help")                              // the prompt replaced the footer
		hs.sim.InjectKey(tcell.KeyCtrlU, 0, tcell.ModNone) // clear the field
		hs.keys(c.filter, "enter")
		hs.waitFor(c.want, "/"+c.filter)
	}
	// Esc clears the filter; the selection is still on s3.
	hs.keys("esc")
	hs.waitFor("Sessions (6)")
	var sel string
	hs.u.app.QueueUpdate(func() { sel = hs.u.selID })
	if sel != "s3" {
		t.Errorf("selection is on %s after filtering, want s3 (it follows the id)", sel)
	}
	hs.quit(1)
}

func TestNarrowTerminal(t *testing.T) {
	hs := startUI(t, 80, 24, sample("active-nohelper", "client.pcap"))
	txt := hs.waitFor("Sessions (6)", "■ file · done")
	hs.dump("narrow-list", txt)
	for _, want := range []string{"✖ 6 error", "s1   192.168.1.10:", "s6", "✖ error", "✔ none",
		"s1 EPRT 192.168.1.10:", "left unchanged by", "? help"} {
		if !strings.Contains(txt, want) {
			t.Errorf("80×24 list lacks %q:\n%s", want, txt)
		}
	}
	hs.keys("enter")
	txt = hs.waitFor("[1 Dialog]", "→ EPRT |1|")
	hs.dump("narrow-dialog", txt)
	hs.keys("3")
	txt = hs.waitFor("[3 Findings ✖2]", "why", "fix")
	hs.dump("narrow-findings", txt)
	hs.keys("tab")
	txt = hs.waitFor("[4 Ladder]", "client", "server", "c1 no data connection (REJECTED)")
	hs.dump("narrow-ladder", txt)
	// One pane at a time: the dialog is not drawn beside the ladder.
	if strings.Contains(txt, "1 Dialog (13)") {
		t.Errorf("80×24 shows more than one pane:\n%s", txt)
	}
	// Growing the terminal brings the four panes back.
	hs.resize(200, 50)
	txt = hs.waitFor("1 Dialog (13)", "2 Data channels", "3 Findings (2)", "4 Ladder")
	hs.dump("wide-session", txt)
	hs.quit(2)
}

// The real analysis of the helper scenario's gateway capture pairs the two
// legs of each control connection; the ladder draws them across the NAT.
func TestLadderOfNATPairedCapture(t *testing.T) {
	hs := startUI(t, 200, 50, sample("active-helper", "gateway.pcap"))
	hs.waitFor("Sessions (10)", "■ file · done")
	hs.keys("enter", "4")
	txt := hs.waitFor("4 Ladder · across the NAT: s1 ⇄ s2", "NAT gateway", "✎")
	hs.dump("nat-ladder", txt)
	row := ""
	for _, l := range strings.Split(txt, "\n") {
		if strings.Contains(l, "PORT 192,168,1,10") && strings.Contains(l, "✎") {
			row = l
		}
	}
	if !strings.Contains(row, "PORT 203,0,113,1") {
		t.Errorf("no row shows the PORT on both sides of the NAT:\n%s", txt)
	}
	for _, want := range []string{
		"NAT inside leg, other leg s2",             // the session title names the pair
		"✎NAT",                                     // the dialog marks the rewritten line
		"⇄ s2.c1 203.0.113.1:",                     // the channel names its outside twin
		"ok            active  PORT 192.168.1.10:", // announced → observed
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("paired session screen lacks %q:\n%s", want, txt)
		}
	}
	// The outside leg draws the same ladder.
	hs.keys("]")
	hs.waitFor(" s2  203.0.113.1:", "4 Ladder · across the NAT: s1 ⇄ s2", "NAT outside leg")
	// Enter on a ladder row jumps to the dialog line.
	hs.keys("g", "enter")
	hs.waitFor("<s2> <dialog>")
	hs.waitSelected("← 220")
	hs.quit(2)
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	hs := startUI(t, 120, 40, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	hs.keys("enter")
	hs.waitFor("1 Dialog (13)")
	hs.u.app.QueueUpdate(func() {
		cells, _, _ := hs.sim.GetContents()
		for i, c := range cells {
			fg, bg, _ := c.Style.Decompose()
			if fg != tcell.ColorDefault || bg != tcell.ColorDefault {
				t.Errorf("cell %d (%q) has colour %v on %v under NO_COLOR", i, string(c.Runes), fg, bg)
				return
			}
		}
	})
	hs.quit(2)
}

func TestCopyAndMouse(t *testing.T) {
	hs := startUI(t, 120, 40, sample("active-nohelper", "client.pcap"))
	hs.waitFor("■ file · done")
	// y on a session of the list copies its Wireshark filter.
	hs.keys("y")
	want := hs.u.model.Row("s1").S.WiresharkFilter
	if got := hs.waitClipboard("(ip.addr==192.168.1.10 && tcp.port=="); got != want || want == "" {
		t.Errorf("y copied %q, want the session's filter %q", got, want)
	}
	hs.waitFor("copied the Wireshark filter of s1")
	hs.keys("enter", "3", "y")
	if got := hs.waitClipboard("✖ error   EPRT"); !strings.Contains(got, "why") || !strings.Contains(got, "fix") {
		t.Errorf("y on a finding copied %q", got)
	}
	hs.keys("m")
	hs.waitFor("mouse on")
	// A click on the data channels pane focuses it.
	hs.u.app.QueueUpdate(func() {})
	var x, y int
	hs.u.app.QueueUpdate(func() { x, y, _, _ = hs.u.panes[paneData].GetInnerRect() })
	hs.sim.InjectMouse(x+3, y+1, tcell.Button1, tcell.ModNone)
	hs.sim.InjectMouse(x+3, y+1, tcell.ButtonNone, tcell.ModNone)
	hs.waitFor("<s1> <data channels>")
	hs.keys("m")
	hs.waitFor("mouse off")
	hs.quit(2)
}

var fakeSession = uitest.FakeSession

// While the analysis runs, the first sessions show; the selection follows
// the session id when others sort in above it; pause freezes the view and
// counts what came in; follow keeps the newest selected.
func TestLoadingPauseFollow(t *testing.T) {
	m := viewmodel.NewModel("big.pcap")
	s, f := fakeSession(5, true)
	m.Session(s, f)
	m.SetPackets(4096)
	hs := startModel(t, 120, 30, m)
	hs.waitFor("◐ loading · 4,096 packets", "Sessions (1)", "s5")
	// s2 concludes later but sorts first: the selection stays on s5.
	s, f = fakeSession(2, false)
	m.Session(s, f)
	hs.waitFor("Sessions (2)")
	var sel string
	hs.u.app.QueueUpdate(func() { sel = hs.u.selID })
	if sel != "s5" {
		t.Errorf("selection moved to %s when s2 arrived, want s5", sel)
	}
	hs.keys("p")
	hs.waitFor("‖ PAUSED +0 new")
	for i := 6; i < 9; i++ {
		s, f = fakeSession(i, i%2 == 0)
		m.Session(s, f)
	}
	hs.waitFor("‖ PAUSED +3 new", "Sessions (2)")
	hs.keys("p")
	hs.waitFor("Sessions (5)")
	hs.keys("f")
	hs.waitFor("⇣ follow")
	s, f = fakeSession(9, true)
	m.Session(s, f)
	hs.waitFor("Sessions (6)")
	hs.u.app.QueueUpdate(func() { sel = hs.u.selID })
	if sel != "s9" {
		t.Errorf("follow: selection on %s, want the newest s9", sel)
	}
	// The live hooks: mode, packets, rate and drops in the header, of
	// every source when there are several.
	m.SetLive(viewmodel.LiveStatus{Interface: "eth0", Packets: 56789, Rate: 1234, Dropped: 7})
	hs.waitFor("● LIVE eth0 · 1234 pkt/s · 7 dropped", "big.pcap · 56,789 packets")
	hs.keys("f") // follow off: room for the sources
	m.SetLive(viewmodel.LiveStatus{Interface: "eth0,eth1", Packets: 30, Rate: 3, Dropped: 2, Sources: []viewmodel.LiveSource{
		{Name: "eth0", Packets: 10, Rate: 1, Dropped: 0}, {Name: "eth1", Packets: 20, Rate: 2, Dropped: 2}}})
	hs.waitFor("● LIVE eth0 10 pkts 1/s 0 drop · eth1 20 pkts 2/s 2 drop")
	hs.quit(1)
}

// The sessions table is virtual: drawing it asks only for the cells of the
// rows on screen, however many sessions there are.
func TestVirtualTable(t *testing.T) {
	const n = 100000
	m := viewmodel.NewModel("big.pcap")
	for i := 1; i <= n; i++ {
		s, f := fakeSession(i, i%1000 == 0)
		m.Session(s, f)
	}
	hs := startModel(t, 120, 30, m)
	hs.waitFor(fmt.Sprintf("Sessions (%d)", n))
	counter := &countingContent{SessionsContent: hs.u.content}
	var asked int
	hs.u.app.QueueUpdate(func() {
		hs.u.table.SetContent(counter)
		hs.u.table.Draw(hs.sim)
		asked = counter.rows
		hs.u.table.SetContent(hs.u.content)
	})
	if asked > 30*20 {
		t.Errorf("drawing the table asked for %d cells", asked)
	}
	hs.keys("G")
	hs.waitFor(fmt.Sprintf("s%d ", n))
	hs.keys("/", "sev:error", "enter")
	hs.waitFor(fmt.Sprintf("Sessions (%d of %d)", n/1000, n))
	hs.quit(1)
}

type countingContent struct {
	*sessionview.SessionsContent
	rows int
}

func (c *countingContent) GetCell(row, col int) *tview.TableCell {
	c.rows++
	return c.SessionsContent.GetCell(row, col)
}

// A session at the dialog bound (10,000 lines) opens and scrolls at once:
// the dialog and ladder panes render only the lines on screen.
func TestLongDialog(t *testing.T) {
	s, _ := fakeSession(1, false)
	t0 := s.Start
	for i := 0; len(s.Dialog) < 10000; i++ {
		ts := model.At(t0.Add(time.Duration(i) * time.Millisecond))
		s.Dialog = append(s.Dialog,
			model.DialogEntry{TS: ts, Kind: "command", Verb: "NOOP", Frame: uint64(2*i + 10)},
			model.DialogEntry{TS: ts, Kind: "reply", Code: 200, Text: fmt.Sprintf("NOOP ok %d", i), Frame: uint64(2*i + 11)})
	}
	m := viewmodel.NewModel("long.pcap")
	m.Session(s, nil)
	hs := startModel(t, 120, 40, m)
	hs.waitFor("Sessions (1)")
	start := time.Now()
	hs.keys("enter", "G")
	hs.waitFor("1 Dialog (10001)", "NOOP ok 4998")
	hs.keys("4", "G")
	hs.waitSelected("200 NOOP ok 4998")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("opening and scrolling a 10,000-line session took %v", d)
	}
	hs.quit(2)
}

// TestWireControlsDrawnVisibly checks the terminal never receives the
// controls a hostile user name or reply carries.
func TestWireControlsDrawnVisibly(t *testing.T) {
	s, _ := fakeSession(1, false)
	user := "eve\x1b]2;owned\a"
	s.User = &user
	s.Dialog = append(s.Dialog, model.DialogEntry{TS: s.Start, Kind: "reply", Code: 425, Text: "Can't open\x1b[2J\u009b31m\u202eok", Frame: 99})
	m := viewmodel.NewModel("hostile.pcap")
	m.Session(s, nil)
	hs := startModel(t, 160, 40, m)
	hs.waitFor("Sessions (1)")
	hs.keys("enter")
	scr := hs.waitFor(`Can't open\x1b[2J\u009b31m\u202eok`)
	for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e"} {
		if strings.Contains(scr, bad) {
			t.Errorf("the screen holds %q raw", bad)
		}
	}
	hs.quit(2)
}
