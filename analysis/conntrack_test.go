package analysis_test

import (
	"context"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ctwatch"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// analyse runs a capture, with conntrack when tr is set, and returns its
// sessions by id and its summary with every NAT pair and finding of the
// report (delivered as they concluded, and at the end).
func analyse(t *testing.T, path string, tr *ctwatch.Tracker) (map[string]*model.Session, *analysis.Summary) {
	t.Helper()
	f, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg := analysis.Config{Dissect: dissect.DefaultConfig(), Conntrack: tr}
	cfg.Dissect.KeepSegments = true
	col := &report.Collector{}
	sum, err := analysis.Run(context.Background(), []capture.Source{f}, cfg, col)
	if err != nil {
		t.Fatal(err)
	}
	r := col.Report(model.Tool{}, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	sum.NATPairs, sum.Findings = r.NATPairs, r.Findings
	byID := map[string]*model.Session{}
	for i := range r.Sessions {
		byID[r.Sessions[i].ID] = &r.Sessions[i]
	}
	return byID, sum
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// gatewayEvents are the conntrack events a masquerading gateway with the
// given helper ("" for none) sent while the capture's NAT pairs crossed
// it: each control connection, and with a helper an expectation per
// active announcement, used by the data connection the outside leg shows
// (fate "used") or deleted when that connection's SYN came (fate
// "dropped": the gateway's firewall dropped it).
func gatewayEvents(t *testing.T, path, helper, fate string) []ctwatch.Event {
	t.Helper()
	sessions, sum := analyse(t, path, nil)
	var evs []ctwatch.Event
	id := uint32(0)
	for _, p := range sum.NATPairs {
		in, out := sessions[p.Inside], sessions[p.Outside]
		tr := p.Translation
		master := ctwatch.TCP(ap(tr.InsideClient), ap(tr.InsideServer))
		id++
		evs = append(evs, ctwatch.Event{Kind: ctwatch.FlowNew, Time: in.Start.Time, Flow: ctwatch.Flow{ID: id,
			Orig: master, Reply: ctwatch.TCP(ap(tr.OutsideServer), ap(tr.OutsideClient)), Helper: helper}})
		if helper == "" {
			continue
		}
		for i := range p.Channels {
			ci, co := &in.Channels[i], &out.Channels[i]
			if ci.Announce == nil || ci.Mode != "active" || co.Announce == nil {
				continue
			}
			inside, outside := ap(ci.Announce.Endpoint), ap(co.Announce.Endpoint)
			server := ap(tr.OutsideServer).Addr()
			id++
			x := ctwatch.Expect{ID: id, Master: master, Helper: helper, Timeout: 5 * time.Minute,
				Tuple:  ctwatch.TCP(netip.AddrPortFrom(server, 0), outside),
				Mask:   ctwatch.TCP(netip.AddrPortFrom(netip.MustParseAddr("255.255.255.255"), 0), netip.AddrPortFrom(netip.MustParseAddr("255.255.255.255"), 0xffff)),
				HasNAT: true, NATPort: inside.Port(), NATReply: true}
			created := co.Announce.TS.Add(10 * time.Microsecond)
			evs = append(evs, ctwatch.Event{Kind: ctwatch.ExpectNew, Time: created, Expect: x})
			if co.Connection == nil || co.Connection.SYN == nil {
				continue
			}
			syn := co.Connection.SYN.Time
			evs = append(evs, ctwatch.Event{Kind: ctwatch.ExpectDestroy, Time: syn, Expect: x})
			if fate == "used" {
				id++
				evs = append(evs, ctwatch.Event{Kind: ctwatch.FlowNew, Time: syn.Add(time.Microsecond), Flow: ctwatch.Flow{ID: id,
					Orig:   ctwatch.TCP(ap(co.Connection.Initiator), ap(co.Connection.Responder)),
					Reply:  ctwatch.TCP(ap(ci.Connection.Responder), ap(co.Connection.Initiator)),
					Master: master, Status: ctwatch.StatusExpected}})
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	return evs
}

func trackerOf(evs []ctwatch.Event) *ctwatch.Tracker {
	tr := ctwatch.NewTracker(ctwatch.TrackerOptions{})
	tr.Apply(ctwatch.Event{Kind: ctwatch.SyncStart, Time: evs[0].Time.Add(-time.Second)})
	tr.Apply(ctwatch.Event{Kind: ctwatch.SyncDone, Time: evs[0].Time.Add(-time.Second)})
	for _, ev := range evs {
		tr.Apply(ev)
	}
	return tr
}

func rulesOf(fs []model.Finding) map[string]model.Severity {
	m := map[string]model.Severity{}
	for _, f := range fs {
		if f.Severity > m[f.Rule] || m[f.Rule] == 0 {
			m[f.Rule] = f.Severity
		}
	}
	return m
}

// With the helper attached and working, every session of the gateway's
// capture has its conntrack entry and every announcement the expectation
// the data connection used, on both legs; nothing is found amiss.
func TestConntrackHelperUsed(t *testing.T) {
	path := "../samples/captures/active-helper/gateway.pcap"
	sessions, sum := analyse(t, path, trackerOf(gatewayEvents(t, path, "ftp", "used")))
	for _, s := range sessions {
		if s.Conntrack == nil || s.Conntrack.Helper == nil || *s.Conntrack.Helper != "ftp" || !strings.HasPrefix(s.Conntrack.Tuple, "192.168.1.10:") {
			t.Fatalf("%s: conntrack %+v", s.ID, s.Conntrack)
		}
		for _, ch := range s.Channels {
			x := ch.Expectation
			if x == nil || x.Outcome != model.ExpectationUsed || !strings.HasPrefix(x.NATTo, "192.168.1.10:") || x.Removed == nil {
				t.Errorf("%s: expectation %+v", ch.ID, x)
			}
		}
	}
	for _, rule := range []string{"helper-not-attached", "expectation-missing", "expectation-unused"} {
		if _, ok := rulesOf(sum.Findings)[rule]; ok {
			t.Errorf("%s with a working helper", rule)
		}
	}
}

// Without the helper, the gateway's entries say so: helper-not-attached,
// an error, on the sessions whose PORT needed it.
func TestConntrackNoHelper(t *testing.T) {
	path := "../samples/captures/active-nohelper/gateway.pcap"
	sessions, sum := analyse(t, path, trackerOf(gatewayEvents(t, path, "", "")))
	n := 0
	for _, f := range sum.Findings {
		if f.Rule != "helper-not-attached" {
			continue
		}
		n++
		s := sessions[f.Session]
		if f.Channel == "" || s.Conntrack == nil || s.Conntrack.Helper != nil {
			t.Errorf("%+v on %+v", f, s.Conntrack)
		}
	}
	if r := rulesOf(sum.Findings); r["helper-not-attached"] != model.Error || n < 10 {
		t.Errorf("%d helper-not-attached, rules %v", n, r)
	}
	if _, ok := rulesOf(sum.Findings)["expectation-missing"]; ok {
		t.Error("expectation-missing without a helper")
	}
}

// With the helper attached and the data connections dropped by the
// gateway's firewall, the expectations were deleted unused:
// expectation-unused, an error, which says where the connection got to.
func TestConntrackExpectationDeleted(t *testing.T) {
	path := "../samples/captures/data-dropped/gateway.pcap"
	sessions, sum := analyse(t, path, trackerOf(gatewayEvents(t, path, "ftp", "dropped")))
	seen := map[string]string{}
	for _, f := range sum.Findings {
		if f.Rule == "expectation-unused" {
			seen[f.Channel] = f.Explanation
			if f.Severity != model.Error {
				t.Errorf("%s: %s", f.Channel, f.Severity)
			}
		}
	}
	// s2 is the outside leg of the first session: the server's SYN is there
	if e := seen["s2.c1"]; !strings.Contains(e, "dropped before conntrack confirmed it") {
		t.Errorf("s2.c1: %q", e)
	}
	if e := seen["s1.c1"]; !strings.Contains(e, "No data connection for it shows on this side") {
		t.Errorf("s1.c1: %q", e)
	}
	if x := sessions["s1"].Channels[0].Expectation; x == nil || x.Outcome != model.ExpectationDeleted {
		t.Errorf("s1.c1 expectation %+v", x)
	}
}
