package ctwatch

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// The constructed events below follow what a masquerading gateway with
// the FTP helper reports (see testdata/helper.nlmsg for a recorded one):
// the client 192.168.1.10 behind 203.0.113.1 talks to 203.0.113.20.

var (
	t0       = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ap       = netip.MustParseAddrPort
	inside   = TCP(ap("192.168.1.10:40312"), ap("203.0.113.20:21"))
	outside  = TCP(ap("203.0.113.1:40312"), ap("203.0.113.20:21"))
	portIn   = ap("192.168.1.10:40000")
	portOut  = ap("203.0.113.1:40001")
	fullMask = Tuple{Proto: protoTCP, Src: ap("255.255.255.255:0"), Dst: ap("255.255.255.255:65535")}
)

func at(d time.Duration) time.Time { return t0.Add(d) }

func controlFlow(kind EventKind, when time.Duration, helper string) Event {
	return Event{Kind: kind, Time: at(when), Flow: Flow{
		ID: 7, Orig: inside, Reply: outside.Reverse(), Helper: helper, Zone: 0, Mark: 0x10, Status: 0x198,
	}}
}

// portExpect is the expectation the helper makes for PORT portIn, which it
// rewrote to portOut.
func portExpect(kind EventKind, when time.Duration, id uint32, out netip.AddrPort, natPort uint16) Event {
	return Event{Kind: kind, Time: at(when), Expect: Expect{
		ID:      id,
		Master:  inside,
		Tuple:   TCP(netip.AddrPortFrom(inside.Dst.Addr(), 0), out),
		Mask:    fullMask,
		Helper:  "ftp",
		Timeout: 300 * time.Second,
		HasNAT:  true, NATPort: natPort, NATReply: true,
	}}
}

// dataFlow is the server's active-mode connection to out, set up through
// the expectation.
func dataFlow(when time.Duration, from uint16, out netip.AddrPort, master Tuple) Event {
	orig := TCP(netip.AddrPortFrom(inside.Dst.Addr(), from), out)
	return Event{Kind: FlowNew, Time: at(when), Flow: Flow{
		ID: 99, Orig: orig, Reply: TCP(portIn, orig.Src), Master: master, Status: StatusExpected | 0x188,
	}}
}

// fixedClock makes a tracker whose queries happen at *now.
func fixedClock(now *time.Time, opts TrackerOptions) *Tracker {
	opts.Now = func() time.Time { return *now }
	return NewTracker(opts)
}

func applyAll(tr *Tracker, evs ...Event) {
	for _, ev := range evs {
		tr.Apply(ev)
	}
}

func onlyExpectation(t *testing.T, tr *Tracker, tp Tuple) Expectation {
	t.Helper()
	xs := tr.Expectations(tp)
	if len(xs) != 1 {
		t.Fatalf("%d expectations, want 1: %+v", len(xs), xs)
	}
	return xs[0]
}

func TestControlLookupBothLegs(t *testing.T) {
	tr := NewTracker(TrackerOptions{})
	tr.Apply(controlFlow(FlowNew, 0, "ftp"))
	for name, tp := range map[string]Tuple{
		"inside": inside, "inside reversed": inside.Reverse(),
		"outside": outside, "outside reversed": outside.Reverse(),
		"v4-mapped": TCP(netip.AddrPortFrom(netip.AddrFrom16(inside.Src.Addr().As16()), inside.Src.Port()), inside.Dst),
	} {
		e := tr.Control(tp)
		if e == nil || e.ID != 7 || e.Helper != "ftp" || e.Mark != 0x10 || e.FromDump || !e.Seen.Equal(t0) {
			t.Errorf("%s %s: %+v", name, tp, e)
		}
	}
	if e := tr.Control(TCP(ap("192.168.1.11:40312"), ap("203.0.113.20:21"))); e != nil {
		t.Errorf("another client found %+v", e)
	}
	m := tr.Control(inside).Model()
	if *m.Helper != "ftp" || m.Tuple != "192.168.1.10:40312 → 203.0.113.20:21" ||
		m.ReplyTuple != "203.0.113.20:21 → 203.0.113.1:40312" || m.Mark != 0x10 {
		t.Errorf("model %+v", m)
	}
}

func TestWhichFlowsAreControls(t *testing.T) {
	tr := NewTracker(TrackerOptions{ControlPorts: []uint16{21, 990}})
	web := TCP(ap("192.168.1.10:40000"), ap("203.0.113.20:80"))
	other := TCP(ap("192.168.1.10:40001"), ap("203.0.113.20:2121"))
	implicit := TCP(ap("192.168.1.10:40002"), ap("203.0.113.20:990"))
	udp := Tuple{Proto: 17, Src: ap("192.168.1.10:40003"), Dst: ap("203.0.113.20:21")}
	applyAll(tr,
		Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: web, Reply: web.Reverse()}},
		Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: other, Reply: other.Reverse(), Helper: "ftp-2121"}},
		Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: implicit, Reply: implicit.Reverse()}},
		Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: udp, Reply: udp.Reverse()}},
		Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: inside, Reply: outside.Reverse()}},
	)
	if tr.Control(web) != nil || tr.Control(udp) != nil {
		t.Error("a web or UDP flow was kept")
	}
	if e := tr.Control(other); e == nil || !e.HasFTPHelper() {
		t.Errorf("helper ftp-2121 on port 2121: %+v", e)
	}
	if e := tr.Control(implicit); e == nil || e.HasFTPHelper() {
		t.Errorf("control port 990: %+v", e)
	}
	if e := tr.Control(inside); e == nil || e.Helper != "" || e.Model().Helper != nil {
		t.Errorf("port 21 without helper: %+v", e)
	}
	if s := tr.Stats(); s.Controls != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestExpectationUsed(t *testing.T) {
	now := at(time.Minute)
	tr := fixedClock(&now, TrackerOptions{})
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		// the kernel removes it as the SYN matches, then confirms the flow
		portExpect(ExpectDestroy, 2*time.Second, 1, portOut, portIn.Port()),
		dataFlow(2*time.Second+50*time.Microsecond, 20, portOut, inside),
	)
	x := onlyExpectation(t, tr, outside)
	if x.Outcome != model.ExpectationUsed || x.Data != TCP(ap("203.0.113.20:20"), portOut) {
		t.Errorf("outcome %q data %s", x.Outcome, x.Data)
	}
	if !x.Created.Equal(at(time.Second)) || !x.Removed.Equal(at(2*time.Second)) || x.NATTo != portIn {
		t.Errorf("created %v removed %v nat %s", x.Created, x.Removed, x.NATTo)
	}
	m := x.Model()
	if m.Tuple != "203.0.113.20 → 203.0.113.1:40001" || m.NATTo != "192.168.1.10:40000" || m.Outcome != "used" || m.Removed == nil {
		t.Errorf("model %+v", m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"helper":"ftp","tuple":"203.0.113.20 → 203.0.113.1:40001","nat_to":"192.168.1.10:40000",` +
		`"created":"2026-12-01T10:00:01.000000000Z","removed":"2026-12-01T10:00:02.000000000Z","outcome":"used"}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	// The same flow in a later dump claims nothing more.
	applyAll(tr,
		portExpect(ExpectNew, 3*time.Second, 2, portOut, portIn.Port()),
		Event{Kind: SyncStart, Time: at(4 * time.Second)},
		controlFlow(FlowDumped, 4*time.Second, "ftp"),
		func() Event { e := dataFlow(4*time.Second, 20, portOut, inside); e.Kind = FlowDumped; return e }(),
		portExpect(ExpectDumped, 4*time.Second, 2, portOut, portIn.Port()),
		Event{Kind: SyncDone, Time: at(4 * time.Second)},
	)
	if xs := tr.Expectations(inside); len(xs) != 2 || xs[1].Outcome != model.ExpectationPending {
		t.Errorf("after the dump: %+v", xs)
	}
}

func TestExpectationUsedBeforeRemoval(t *testing.T) {
	// A permanent expectation (or events read out of order) sees its
	// connection before its removal.
	now := at(time.Minute)
	tr := fixedClock(&now, TrackerOptions{})
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		dataFlow(2*time.Second, 20, portOut, inside),
	)
	if x := onlyExpectation(t, tr, inside); x.Outcome != model.ExpectationUsed || !x.Removed.IsZero() {
		t.Errorf("before removal: %q removed %v", x.Outcome, x.Removed)
	}
	tr.Apply(portExpect(ExpectDestroy, 3*time.Second, 1, portOut, portIn.Port()))
	if x := onlyExpectation(t, tr, inside); x.Outcome != model.ExpectationUsed || !x.Removed.Equal(at(3*time.Second)) {
		t.Errorf("after removal: %q removed %v", x.Outcome, x.Removed)
	}
}

func TestExpectationNotClaimedByOthers(t *testing.T) {
	now := at(time.Minute)
	tr := fixedClock(&now, TrackerOptions{})
	otherMaster := TCP(ap("192.168.1.10:40999"), ap("203.0.113.20:21"))
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectDestroy, 2*time.Second, 1, portOut, portIn.Port()),
		dataFlow(2*time.Second, 20, ap("203.0.113.1:40002"), inside), // another port
		dataFlow(2*time.Second, 20, portOut, otherMaster),            // another control connection
		func() Event { e := dataFlow(2*time.Second, 20, portOut, inside); e.Kind = FlowUpdate; return e }(),
		func() Event { e := dataFlow(2*time.Second, 20, portOut, inside); e.Flow.Zone = 3; return e }(),
	)
	if x := onlyExpectation(t, tr, inside); x.Outcome != model.ExpectationDeleted || x.Data.IsValid() {
		t.Errorf("outcome %q data %s, want deleted", x.Outcome, x.Data)
	}
}

func TestExpectationTimeoutAndDeleted(t *testing.T) {
	now := at(0)
	tr := fixedClock(&now, TrackerOptions{Grace: time.Second})
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectNew, 2*time.Second, 2, ap("203.0.113.1:40003"), 40002),
		portExpect(ExpectDestroy, 301*time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectDestroy, 30*time.Second, 2, ap("203.0.113.1:40003"), 40002),
	)
	now = at(301*time.Second + 500*time.Millisecond) // within Grace of the first removal
	xs := tr.Expectations(inside)
	if len(xs) != 2 || xs[0].Outcome != model.ExpectationPending || xs[1].Outcome != model.ExpectationDeleted {
		t.Fatalf("within grace: %+v", xs)
	}
	now = at(303 * time.Second)
	xs = tr.Expectations(inside)
	if xs[0].Outcome != model.ExpectationTimeout || !xs[0].Expires.Equal(at(301*time.Second)) {
		t.Errorf("after grace: %q (expires %v)", xs[0].Outcome, xs[0].Expires)
	}
	if xs[1].NATTo != ap("192.168.1.10:40002") {
		t.Errorf("NAT target %s", xs[1].NATTo)
	}
}

func TestPassiveNATTarget(t *testing.T) {
	// A 227 crossing a gateway that translates the server (DNAT to
	// 10.0.0.5): the expectation's direction is the original one, and the
	// data connection goes to the master's reply source.
	server := TCP(ap("198.51.100.7:50000"), ap("203.0.113.2:21"))
	reply := TCP(ap("10.0.0.5:21"), ap("198.51.100.7:50000"))
	tr := NewTracker(TrackerOptions{})
	tr.Apply(Event{Kind: FlowNew, Time: t0, Flow: Flow{Orig: server, Reply: reply, Helper: "ftp"}})
	tr.Apply(Event{Kind: ExpectNew, Time: at(time.Second), Expect: Expect{
		ID: 5, Master: server, Tuple: TCP(ap("198.51.100.7:0"), ap("203.0.113.2:30010")), Mask: fullMask,
		Helper: "ftp", Timeout: 300 * time.Second, HasNAT: true, NATPort: 30010, NATReply: false,
	}})
	x := onlyExpectation(t, tr, reply)
	if x.NATTo != ap("10.0.0.5:30010") || !x.Announces(ap("10.0.0.5:30010")) || !x.Announces(ap("203.0.113.2:30010")) {
		t.Errorf("NAT to %s", x.NATTo)
	}
	if x.Announces(ap("203.0.113.2:30011")) {
		t.Error("another port announces it")
	}
}

func TestExpectationFor(t *testing.T) {
	now := at(time.Hour)
	tr := fixedClock(&now, TrackerOptions{})
	// The client reuses one port for two PORTs a minute apart.
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectDestroy, 2*time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectNew, 61*time.Second, 2, portOut, portIn.Port()),
	)
	for _, c := range []struct {
		ep   netip.AddrPort
		when time.Duration
		want uint32
	}{
		{portIn, 999 * time.Millisecond, 1},
		{portOut, time.Second, 1},
		{portIn, 60*time.Second + 990*time.Millisecond, 2},
		{portOut, 61 * time.Second, 2},
		{portIn, 30 * time.Second, 0}, // no expectation near it
		{ap("192.168.1.10:40005"), time.Second, 0},
	} {
		x := tr.ExpectationFor(outside, c.ep, at(c.when))
		switch {
		case c.want == 0 && x != nil:
			t.Errorf("%s at %v: got %d, want none", c.ep, c.when, x.ID)
		case c.want != 0 && (x == nil || x.ID != c.want):
			t.Errorf("%s at %v: got %+v, want %d", c.ep, c.when, x, c.want)
		}
	}
	if x := tr.ExpectationFor(TCP(ap("192.168.1.11:1"), ap("203.0.113.20:21")), portIn, at(time.Second)); x != nil {
		t.Errorf("unknown control: %+v", x)
	}
}

func TestDumpedAtStart(t *testing.T) {
	now := at(time.Minute)
	tr := fixedClock(&now, TrackerOptions{})
	applyAll(tr,
		Event{Kind: SyncStart, Time: t0},
		controlFlow(FlowDumped, 0, "ftp"),
		portExpect(ExpectDumped, 0, 1, portOut, portIn.Port()),
		Event{Kind: SyncDone, Time: t0},
	)
	if e := tr.Control(inside); e == nil || !e.FromDump {
		t.Errorf("entry %+v", e)
	}
	x := onlyExpectation(t, tr, inside)
	if !x.Created.IsZero() || !x.Seen.Equal(t0) || x.Outcome != model.ExpectationPending {
		t.Errorf("dumped expectation %+v", x)
	}
	b, _ := json.Marshal(x.Model())
	if !strings.Contains(string(b), `"created":null`) || strings.Contains(string(b), "removed") {
		t.Errorf("JSON %s: created unknown must be null, removed absent", b)
	}
	// An announcement captured before the watcher started may be its own.
	if tr.ExpectationFor(inside, portIn, at(-30*time.Second)) == nil {
		t.Error("a dumped expectation is not found for an earlier announcement")
	}
}

func TestResyncAfterLost(t *testing.T) {
	now := at(time.Hour)
	tr := fixedClock(&now, TrackerOptions{})
	second := TCP(ap("192.168.1.10:40400"), ap("203.0.113.20:21"))
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		Event{Kind: FlowNew, Time: at(0), Flow: Flow{Orig: second, Reply: second.Reverse(), Helper: "ftp"}},
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		portExpect(ExpectNew, time.Second, 2, ap("203.0.113.1:40003"), 40002),
		portExpect(ExpectNew, time.Second, 3, ap("203.0.113.1:40005"), 40004),
		// Events are lost: expectation 1 was used, 2 removed, the second
		// control connection ended. The dump shows what is left.
		Event{Kind: Lost, Time: at(10 * time.Second)},
		Event{Kind: SyncStart, Time: at(10 * time.Second)},
		controlFlow(FlowDumped, 10*time.Second, "ftp"),
		func() Event { e := dataFlow(10*time.Second, 20, portOut, inside); e.Kind = FlowDumped; return e }(),
		portExpect(ExpectDumped, 10*time.Second, 3, ap("203.0.113.1:40005"), 40004),
		Event{Kind: SyncDone, Time: at(10 * time.Second)},
	)
	xs := tr.Expectations(inside)
	if len(xs) != 3 {
		t.Fatalf("%+v", xs)
	}
	if xs[0].Outcome != model.ExpectationUsed {
		t.Errorf("1: %q", xs[0].Outcome)
	}
	if xs[1].Outcome != model.ExpectationDeleted || !xs[1].Inferred || !xs[1].Removed.Equal(at(10*time.Second)) {
		t.Errorf("2: %q inferred %v removed %v", xs[1].Outcome, xs[1].Inferred, xs[1].Removed)
	}
	if xs[2].Outcome != model.ExpectationPending || !xs[2].Removed.IsZero() {
		t.Errorf("3: %q", xs[2].Outcome)
	}
	if e := tr.Control(second); e == nil || !e.Destroyed.Equal(at(10*time.Second)) {
		t.Errorf("the control connection gone during the loss: %+v", e)
	}
	if e := tr.Control(inside); e == nil || !e.Destroyed.IsZero() {
		t.Errorf("the live control connection: %+v", e)
	}
	if s := tr.Stats(); s.Lost != 1 || s.Expectations != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestBounds(t *testing.T) {
	tr := NewTracker(TrackerOptions{MaxControls: 3, MaxExpectations: 2})
	ctl := func(port uint16) Tuple {
		return TCP(netip.AddrPortFrom(inside.Src.Addr(), port), inside.Dst)
	}
	for i := uint16(0); i < 3; i++ {
		tp := ctl(1000 + i)
		tr.Apply(Event{Kind: FlowNew, Time: at(time.Duration(i) * time.Second), Flow: Flow{Orig: tp, Reply: tp.Reverse(), Helper: "ftp"}})
	}
	tr.Apply(Event{Kind: FlowDestroy, Time: at(5 * time.Second), Flow: Flow{Orig: ctl(1001), Reply: ctl(1001).Reverse()}})
	tp := ctl(1003)
	tr.Apply(Event{Kind: FlowNew, Time: at(6 * time.Second), Flow: Flow{Orig: tp, Reply: tp.Reverse(), Helper: "ftp"}})
	if tr.Control(ctl(1001)) != nil || tr.Control(ctl(1000)) == nil || tr.Control(ctl(1003)) == nil {
		t.Error("the destroyed entry was not the one evicted")
	}
	tp = ctl(1004)
	tr.Apply(Event{Kind: FlowNew, Time: at(7 * time.Second), Flow: Flow{Orig: tp, Reply: tp.Reverse(), Helper: "ftp"}})
	if tr.Control(ctl(1000)) != nil || tr.Control(ctl(1004)) == nil {
		t.Error("the oldest entry was not the one evicted")
	}
	// Expectations: three for one control, two kept; a settled one goes
	// before an older pending one.
	master := ctl(1004)
	for i := uint32(1); i <= 3; i++ {
		when := time.Duration(10*i) * time.Second
		ev := portExpect(ExpectNew, when, i, netip.AddrPortFrom(portOut.Addr(), uint16(41000+i)), uint16(41000+i))
		ev.Expect.Master = master
		tr.Apply(ev)
		if i == 2 {
			del := ev
			del.Kind, del.Time = ExpectDestroy, at(when+time.Second)
			tr.Apply(del)
		}
	}
	xs := tr.Expectations(master)
	if len(xs) != 2 || xs[0].ID != 1 || xs[1].ID != 3 {
		t.Errorf("kept %+v", xs)
	}
	ev := portExpect(ExpectNew, 40*time.Second, 4, ap("203.0.113.1:41004"), 41004)
	ev.Expect.Master = master
	tr.Apply(ev)
	if xs := tr.Expectations(master); len(xs) != 2 || xs[0].ID != 3 || xs[1].ID != 4 {
		t.Errorf("all pending, the oldest goes: kept %+v", xs)
	}
	if s := tr.Stats(); s.Controls != 3 || s.EvictedControls != 2 || s.DroppedExpectations != 2 || s.Expectations != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestRetentionAndReuse(t *testing.T) {
	tr := NewTracker(TrackerOptions{Retention: time.Minute})
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		controlFlow(FlowDestroy, 10*time.Second, ""),
	)
	e := tr.Control(inside)
	if e == nil || !e.Destroyed.Equal(at(10*time.Second)) || e.Helper != "ftp" {
		t.Fatalf("destroyed entry %+v (a destroy keeps the helper)", e)
	}
	// The same 5-tuple again: a new connection, without the old one's
	// expectations.
	tr.Apply(controlFlow(FlowNew, 20*time.Second, ""))
	if e := tr.Control(inside); e == nil || !e.Destroyed.IsZero() || e.Helper != "" || tr.Expectations(inside) != nil {
		t.Errorf("reused tuple: %+v %+v", e, tr.Expectations(inside))
	}
	applyAll(tr,
		controlFlow(FlowDestroy, 30*time.Second, ""),
		Event{Kind: Malformed, Time: at(2 * time.Minute)},
	)
	if e := tr.Control(inside); e != nil {
		t.Errorf("kept past retention: %+v", e)
	}
	if s := tr.Stats(); s.Controls != 0 || s.Malformed != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestOrphanAndIDReuse(t *testing.T) {
	now := at(time.Hour)
	tr := fixedClock(&now, TrackerOptions{})
	sip := TCP(ap("192.168.1.10:5060"), ap("203.0.113.20:5060"))
	ev := portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port())
	ev.Expect.Master = sip
	tr.Apply(ev)
	if s := tr.Stats(); s.Orphans != 1 || s.Expectations != 0 {
		t.Errorf("orphan: %+v", s)
	}
	applyAll(tr,
		controlFlow(FlowNew, 0, "ftp"),
		portExpect(ExpectNew, time.Second, 1, portOut, portIn.Port()),
		// Its removal was not seen, and the kernel gives its ID to a new one.
		portExpect(ExpectNew, 5*time.Second, 1, ap("203.0.113.1:40003"), 40002),
		portExpect(ExpectDestroy, 6*time.Second, 1, ap("203.0.113.1:40003"), 40002),
	)
	xs := tr.Expectations(inside)
	if len(xs) != 2 || !xs[0].Inferred || !xs[0].Removed.Equal(at(5*time.Second)) || !xs[1].Removed.Equal(at(6*time.Second)) {
		t.Errorf("%+v", xs)
	}
	// A removal of something never seen changes nothing.
	tr.Apply(portExpect(ExpectDestroy, 7*time.Second, 9, ap("203.0.113.1:40009"), 40009))
	if len(tr.Expectations(inside)) != 2 {
		t.Error("unknown removal added an expectation")
	}
}

func TestDumpRacesQueuedEvents(t *testing.T) {
	// Created after the watcher subscribed, but the first dump lists them
	// before their queued events are read.
	tr := NewTracker(TrackerOptions{})
	applyAll(tr,
		Event{Kind: SyncStart, Time: t0},
		controlFlow(FlowDumped, 0, "ftp"),
		portExpect(ExpectDumped, 0, 1, portOut, portIn.Port()),
		Event{Kind: SyncDone, Time: t0},
		controlFlow(FlowNew, time.Millisecond, "ftp"),
		portExpect(ExpectNew, time.Millisecond, 1, portOut, portIn.Port()),
	)
	if e := tr.Control(inside); e == nil || e.FromDump || !e.Seen.Equal(t0) {
		t.Errorf("entry %+v", e)
	}
	if x := onlyExpectation(t, tr, inside); !x.Created.Equal(t0) {
		t.Errorf("created %v, want the dump's time", x.Created)
	}
}
