package diagnose

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// refusedSession is one session of client whose login is refused.
func refusedSession(n int, client string) *model.Session {
	return &model.Session{ID: fmt.Sprintf("s%d", n), Client: client, Server: "192.168.56.101:21",
		Dialog: []model.DialogEntry{
			{Kind: "command", Verb: "USER", Arg: "bro", Frame: 1},
			{Kind: "reply", Code: 331, Frame: 2},
			{Kind: "command", Verb: "PASS", Arg: "****", Frame: 3},
			{Kind: "reply", Code: 530, Text: "Login incorrect.", Frame: 4},
		}}
}

// deliver runs sessions through d as the analysis does, numbering the
// findings in delivery order, and applies the upgrades to what was
// delivered.
func deliver(d *Diagnoser, sessions ...*model.Session) []model.Finding {
	var all []model.Finding
	for _, s := range sessions {
		fs := d.Session(s)
		ref := uint64(len(all))
		all = append(all, fs...)
		d.Delivered(fs, ref)
		for _, u := range d.Upgrades() {
			all[u.Ref] = u.Finding
		}
	}
	return all
}

func loginFailed(fs []model.Finding) []model.Finding {
	var out []model.Finding
	for _, f := range fs {
		if f.Rule == RuleLoginFailed {
			out = append(out, f)
		}
	}
	return out
}

// The refusal that reaches the threshold upgrades the earlier ones of the
// same client, and the later ones are warnings at once; another client's
// stay info.
func TestLoginFailuresBecomeWarnings(t *testing.T) {
	d := New(Config{BruteForce: 3})
	var ss []*model.Session
	for i := 1; i <= 4; i++ {
		ss = append(ss, refusedSession(i, "192.168.56.1:5000"))
	}
	ss = append(ss, refusedSession(5, "192.168.56.2:5000"))
	got := loginFailed(deliver(d, ss...))
	if len(got) != 5 {
		t.Fatalf("%d login-failed findings, want 5", len(got))
	}
	for _, f := range got[:4] {
		if f.Severity != model.Warning || !strings.Contains(f.Explanation, "192.168.56.1 failed to log in at least") {
			t.Errorf("%s: %s %q, want the brute-force warning", f.Session, f.Severity, f.Explanation)
		}
	}
	if got[4].Severity != model.Info {
		t.Errorf("the other client's refusal: %s, want info", got[4].Severity)
	}
}

// Upgrades carry the number the finding was delivered with, and happen
// once: the session that reaches the threshold upgrades the earlier ones.
func TestUpgradesNameTheirFinding(t *testing.T) {
	d := New(Config{BruteForce: 3})
	for i := 1; i <= 2; i++ {
		fs := d.Session(refusedSession(i, "192.0.2.7:1"))
		d.Delivered(fs, uint64(100*i))
		if u := d.Upgrades(); len(u) != 0 {
			t.Fatalf("session %d: %d upgrades before the threshold", i, len(u))
		}
	}
	fs := d.Session(refusedSession(3, "192.0.2.7:1"))
	if f := loginFailed(fs); len(f) != 1 || f[0].Severity != model.Warning {
		t.Fatalf("the third refusal: %+v, want a warning", f)
	}
	d.Delivered(fs, 300)
	u := d.Upgrades()
	if len(u) != 2 || u[0].Ref != 100 || u[1].Ref != 200 || u[0].Finding.Session != "s1" || u[1].Finding.Severity != model.Warning {
		t.Fatalf("upgrades %+v, want refs 100 and 200 as warnings", u)
	}
	d.Delivered(d.Session(refusedSession(4, "192.0.2.7:1")), 400)
	if u := d.Upgrades(); len(u) != 0 {
		t.Fatalf("%d upgrades after the threshold, want none", len(u))
	}
}

// At most MaxFailingClients clients are counted: the least recently
// failing one is forgotten, with its refusals, and its pending findings
// are never upgraded.
func TestFailingClientsBounded(t *testing.T) {
	d := New(Config{BruteForce: 2, MaxFailingClients: 100})
	ref := uint64(0)
	run := func(n int, client string) []Upgrade {
		fs := d.Session(refusedSession(n, client))
		d.Delivered(fs, ref)
		ref += uint64(len(fs))
		return d.Upgrades()
	}
	run(1, "198.51.100.1:1")
	for i := 0; i < 1000; i++ {
		run(2+i, fmt.Sprintf("10.0.%d.%d:1", i/250, i%250+1))
	}
	if n := len(d.failing.byAddr); n != 100 {
		t.Errorf("%d failing clients remembered, want the capacity 100", n)
	}
	if d.ForgottenClients() != 901 {
		t.Errorf("%d clients forgotten, want 901", d.ForgottenClients())
	}
	if u := run(2000, "198.51.100.1:1"); len(u) != 0 {
		t.Errorf("a forgotten client's first refusal counted again: %d upgrades", len(u))
	}
	if u := run(2001, "198.51.100.1:1"); len(u) != 1 || u[0].Finding.Session != "s2000" {
		t.Errorf("upgrades %+v, want the refusal of s2000", u)
	}
	for k, c := range d.failing.byAddr {
		if c.pending >= 2 || c.pending < 0 {
			t.Errorf("%s: %d pending findings, want fewer than the threshold", netip.AddrFrom16(k).Unmap(), c.pending)
		}
	}
}

// Evicting by sample forgets the least recently failing first: of 1,000
// clients that failed once each, in order, through a table of 100, the
// ones remembered are almost all among the latest.
func TestFailingClientsForgetTheOldest(t *testing.T) {
	l := newFailingClients(100)
	for i := 0; i < 1000; i++ {
		l.refused(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	recent := 0
	for k := range l.byAddr {
		if int(k[14])<<8|int(k[15]) >= 800 {
			recent++
		}
	}
	if len(l.byAddr) != 100 || l.evicted != 900 || recent < 90 {
		t.Errorf("%d remembered, %d forgotten, %d of them among the latest 200", len(l.byAddr), l.evicted, recent)
	}
	// A client that keeps failing is never forgotten.
	keep := netip.MustParseAddr("198.51.100.1")
	for i := 0; i < 1000; i++ {
		l.refused(keep)
		l.refused(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}))
	}
	if c, ok := l.byAddr[keyOf(keep)]; !ok || c.count != 1000 {
		t.Errorf("the client failing all along: %+v, remembered %v", c, ok)
	}
}

// The refusals waiting for a possible upgrade are the latest
// MaxPendingRefusals of the capture: an older one of a client that reaches
// the threshold later stays info, the recent ones are upgraded.
func TestPendingRefusalsBounded(t *testing.T) {
	d := New(Config{BruteForce: 3, MaxPendingRefusals: 10})
	ref := uint64(0)
	run := func(n int, client string) []Upgrade {
		fs := d.Session(refusedSession(n, client))
		d.Delivered(fs, ref)
		ref += uint64(len(fs))
		return d.Upgrades()
	}
	run(1, "198.51.100.1:1") // pushed out of the ring by the next ten
	for i := 0; i < 10; i++ {
		run(2+i, fmt.Sprintf("10.0.0.%d:1", i+1))
	}
	run(12, "198.51.100.1:1")
	u := run(13, "198.51.100.1:1")
	if len(u) != 1 || u[0].Finding.Session != "s12" || u[0].Was != model.Info {
		t.Fatalf("upgrades %+v, want s12's refusal only (s1's left the ring)", u)
	}
	n := 0
	for _, p := range d.pending.items {
		if p.client.seq != 0 {
			n++
		}
	}
	if n > 10 {
		t.Errorf("%d pending refusals, want at most 10", n)
	}
}

// The clocks wrap at 2³²: the least recently failing is still the one
// forgotten, and no client is counted with seq 0 (none).
func TestFailingClientsClockWraps(t *testing.T) {
	l := newFailingClients(2)
	l.clock = 1<<32 - 3
	old, recent, next := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	l.refused(old)    // clock 2³²-2
	l.refused(recent) // 2³²-1
	l.refused(recent) // 1: past the wrap, 0 skipped
	if _, ref := l.refused(recent); ref.seq == 0 || l.clock != 2 {
		t.Fatalf("seq %d at clock %d, want a seq and clock 2", ref.seq, l.clock)
	}
	l.refused(next) // evicts the least recently failing: old, though its clock is numerically larger
	if _, ok := l.byAddr[keyOf(old)]; ok {
		t.Error("the least recently failing client kept across the wrap")
	}
	if c, ok := l.byAddr[keyOf(recent)]; !ok || c.count != 3 {
		t.Errorf("the recent client: %+v, kept %v; want 3 refusals", c, ok)
	}
}

// An IPv4 client and its IPv4-mapped IPv6 form (a dual-stack server's view)
// are one client.
func TestFailingClientMappedIsSame(t *testing.T) {
	l := newFailingClients(10)
	l.refused(netip.MustParseAddr("198.51.100.7"))
	if c, _ := l.refused(netip.MustParseAddr("::ffff:198.51.100.7")); c.count != 2 || len(l.byAddr) != 1 {
		t.Errorf("count %d over %d clients, want 2 over 1", c.count, len(l.byAddr))
	}
}
