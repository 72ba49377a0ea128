package ladder

import (
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// helperSessions analyses the helper scenario's gateway capture (both NAT
// legs, "-i any") into a model, without the end of the run: the test
// pairs the legs itself.
func helperSessions(t *testing.T) *viewmodel.Model {
	t.Helper()
	return analysed(t, sample("active-helper", "gateway.pcap"))
}

// handPair pairs two legs of one control connection the way the analysis
// will: rewrites are the dialog lines whose text differs, channels pair in
// order.
func handPair(t *testing.T, in, out *model.Session) model.NATPair {
	t.Helper()
	if len(in.Dialog) != len(out.Dialog) || len(in.Channels) != len(out.Channels) {
		t.Fatalf("%s and %s are not two legs of one connection", in.ID, out.ID)
	}
	p := model.NATPair{Inside: in.ID, Outside: out.ID}
	for i := range in.Dialog {
		a, b := sessionview.EntryText(&in.Dialog[i]), sessionview.EntryText(&out.Dialog[i])
		if a != b {
			p.Rewrites = append(p.Rewrites, model.Rewrite{Kind: in.Dialog[i].Kind, Inside: a[len("→ "):], Outside: b[len("→ "):],
				LengthDelta: len(b) - len(a), InsideFrame: in.Dialog[i].Frame, OutsideFrame: out.Dialog[i].Frame})
		}
	}
	for i := range in.Channels {
		p.Channels = append(p.Channels, model.ChannelPair{Inside: in.Channels[i].ID, Outside: out.Channels[i].ID,
			InsideEndpoint: in.Channels[i].Announce.Endpoint, OutsideEndpoint: out.Channels[i].Announce.Endpoint})
	}
	return p
}

// The ladder across a NAT, on the real legs of the helper capture paired
// by hand (independent of the analysis' own pairing).
func TestLadderAcrossNAT(t *testing.T) {
	m := helperSessions(t)
	r, o := m.Row("s1").Session(), m.Row("s2").Session()
	p := handPair(t, r, o)
	sp := &Spec{Client: Leg{S: r}, Server: &Leg{S: o}, Pair: &p, Viewed: "s1"}
	txt := Text(sp, 120)
	t.Logf("\n%s", txt)
	for _, want := range []string{"client", "NAT gateway", "server", "192.168.1.10:", "⇄ 203.0.113.1:", "203.0.113.20:21"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ladder lacks %q", want)
		}
	}
	// The rewritten PORT: inside text left of the gateway, outside text
	// right of it, ✎ on the gateway's line between them.
	var portRow string
	for _, l := range strings.Split(txt, "\n") {
		if strings.Contains(l, "PORT 192,168,1,10") {
			portRow = l
		}
	}
	in, nat, out := strings.Index(portRow, "PORT 192,168,1,10"), strings.Index(portRow, "✎"), strings.Index(portRow, "PORT 203,0,113,1")
	if in < 0 || nat < 0 || out < 0 || !(in < nat && nat < out) {
		t.Errorf("rewritten PORT not drawn across the NAT: %q", portRow)
	}
	// The data connection crosses the gateway too, towards the client.
	if !strings.Contains(txt, "◀═") || !strings.Contains(txt, "c1 RETR 1,024 B") {
		t.Errorf("no data connection in the ladder")
	}
}

// In a narrow pane the endpoint labels stay whole and the gateway's label
// is cut to the gap between them, never written over them.
func TestLadderHeaderNarrow(t *testing.T) {
	m := helperSessions(t)
	r, o := m.Row("s1").Session(), m.Row("s2").Session()
	p := handPair(t, r, o)
	sp := &Spec{Client: Leg{S: r}, Server: &Leg{S: o}, Pair: &p, Viewed: "s1"}
	for _, w := range []int{48, 52, 54, 60, 70} {
		addrs := strings.Split(Text(sp, w), "\n")[1]
		c, s := strings.Index(addrs, r.Client), strings.Index(addrs, o.Server)
		if c < 0 || s < 0 || c+len(r.Client) >= s {
			t.Errorf("width %d: endpoints not both whole and apart: %q", w, addrs)
		}
		if c < 0 || s < 0 {
			continue
		}
		gw := strings.TrimSpace(addrs[c+len(r.Client) : s])
		label := natLabel(r, o)
		if gw != label && !(strings.HasSuffix(gw, "…") && strings.HasPrefix(label, strings.TrimSuffix(gw, "…"))) {
			t.Errorf("width %d: gateway label %q is not %q or its start: %q", w, gw, label, addrs)
		}
	}
}

func TestNATLegOrder(t *testing.T) {
	snatIn := &model.Session{ID: "s1", Client: "192.168.1.10:5000", Server: "203.0.113.20:21"}
	snatOut := &model.Session{ID: "s2", Client: "203.0.113.1:5000", Server: "203.0.113.20:21"}
	if c, s := NATLegs(&model.NATPair{}, snatIn, snatOut); c != snatIn || s != snatOut {
		t.Error("SNAT: the inside leg is the client's side")
	}
	dnatIn := &model.Session{ID: "s3", Client: "198.51.100.7:5000", Server: "10.0.0.5:21"}
	dnatOut := &model.Session{ID: "s4", Client: "198.51.100.7:5000", Server: "203.0.113.5:21"}
	if c, s := NATLegs(&model.NATPair{}, dnatIn, dnatOut); c != dnatOut || s != dnatIn {
		t.Error("DNAT: the inside leg is the server's side")
	}
}
