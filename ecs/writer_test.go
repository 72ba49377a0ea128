package ecs

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/communityid"
	"github.com/ftpscope/ftpscope/model"
)

var t0 = time.Date(2026, 12, 1, 18, 45, 0, 0, time.UTC)

// leg builds a concluded session with one passive RETR channel.
func testSession(id, source, client, server, dataFrom, dataTo string, start time.Time) *model.Session {
	c, s := netip.MustParseAddrPort(client), netip.MustParseAddrPort(server)
	size := int64(1000)
	return &model.Session{
		ID: id, Source: source, Client: client, Server: server, CommunityID: communityid.TCP(c, s),
		Start: model.At(start), End: model.At(start.Add(time.Second)),
		Dialog: []model.DialogEntry{{Kind: "reply", Code: 220}, {Kind: "command", Verb: "USER", Arg: "ftp"}},
		Channels: []model.Channel{{ID: id + ".c1", Mode: "passive", Status: model.StatusOK,
			Transfer: &model.Transfer{Verb: "RETR", Arg: "/pub/dir/file.bin", TS: model.At(start), AnnouncedSize: &size, SHA256: strings.Repeat("ab", 32)},
			Connection: &model.Connection{Initiator: dataFrom, Responder: dataTo, BytesToFTPClient: 1000, Match: model.MatchExact, Packets: 5,
				CommunityID: communityid.TCP(netip.MustParseAddrPort(dataFrom), netip.MustParseAddrPort(dataTo))}}},
	}
}

func decodeAll(t *testing.T, out string) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		docs = append(docs, d)
	}
	return docs
}

func field(d map[string]any, dotted string) any {
	var v any = d
	for _, k := range strings.Split(dotted, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func find(docs []map[string]any, dataset, session string) map[string]any {
	for _, d := range docs {
		if field(d, "event.dataset") == dataset && field(d, "ftpscope.session.id") == session {
			return d
		}
	}
	return nil
}

func TestLegsOfANATCarryEachOthersAddresses(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, Options{PairLegs: true, Window: time.Minute})
	inside := testSession("s1", "inside", "192.168.1.10:40000", "203.0.113.20:21", "192.168.1.10:40001", "203.0.113.20:30000", t0)
	outside := testSession("s2", "outside", "203.0.113.1:50000", "203.0.113.20:21", "203.0.113.1:50001", "203.0.113.20:30000", t0)
	w.Session(inside, nil)
	if out.Len() != 0 {
		t.Fatalf("a leg awaiting its other leg was written: %s", out.String())
	}
	w.NATPair(&model.NATPair{Inside: "s1", Outside: "s2",
		Channels:    []model.ChannelPair{{Inside: "s1.c1", Outside: "s2.c1"}},
		Translation: &model.TranslationMap{InsideClient: inside.Client, InsideServer: inside.Server, OutsideClient: outside.Client, OutsideServer: outside.Server}}, nil)
	w.Session(outside, nil)
	if err := w.Close(nil, nil, nil, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	docs := decodeAll(t, out.String())
	if len(docs) != 4 {
		t.Fatalf("%d documents, want 2 sessions and 2 channels:\n%s", len(docs), out.String())
	}
	for _, c := range []struct {
		dataset, session, field string
		want                    any
	}{
		{DatasetSession, "s1", "source.nat.ip", "203.0.113.1"},
		{DatasetSession, "s1", "source.nat.port", 50000.0},
		{DatasetSession, "s2", "source.nat.ip", "192.168.1.10"},
		{DatasetSession, "s1", "destination.nat", nil}, // the server is not translated
		{DatasetChannel, "s1", "source.nat.port", 50001.0},
		{DatasetChannel, "s2", "source.nat.ip", "192.168.1.10"},
		{DatasetChannel, "s2", "ftpscope.control.community_id", outside.CommunityID},
		{DatasetChannel, "s2", "network.community_id", outside.Channels[0].Connection.CommunityID},
		{DatasetChannel, "s1", "file.name", "file.bin"},
		{DatasetChannel, "s1", "file.path", "/pub/dir/file.bin"},
		{DatasetChannel, "s1", "file.size", 1000.0},
		{DatasetChannel, "s1", "file.hash.sha256", strings.Repeat("ab", 32)},
		{DatasetChannel, "s1", "event.outcome", "success"},
		{DatasetChannel, "s1", "source.bytes", 0.0}, // passive: the client initiates, the server sends
		{DatasetChannel, "s1", "destination.bytes", 1000.0},
	} {
		d := find(docs, c.dataset, c.session)
		if d == nil {
			t.Fatalf("no %s document of %s", c.dataset, c.session)
		}
		if got := field(d, c.field); got != c.want {
			t.Errorf("%s %s: %s = %v, want %v", c.dataset, c.session, c.field, got, c.want)
		}
	}
}

// Live the final pair comes after its second leg: both legs, held, are
// written when it comes, with each other's addresses.
func TestLivePairAfterItsSecondLeg(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, Options{PairLegs: true, Window: time.Minute, Live: true})
	inside := testSession("s1", "inside", "192.168.1.10:40000", "203.0.113.20:21", "192.168.1.10:40001", "203.0.113.20:30000", t0)
	outside := testSession("s2", "outside", "203.0.113.1:50000", "203.0.113.20:21", "203.0.113.1:50001", "203.0.113.20:30000", t0)
	w.Session(inside, nil)
	w.Session(outside, nil)
	if out.Len() != 0 {
		t.Fatalf("legs awaiting their pair were written: %s", out.String())
	}
	w.NATPair(&model.NATPair{Inside: "s1", Outside: "s2",
		Channels:    []model.ChannelPair{{Inside: "s1.c1", Outside: "s2.c1"}},
		Translation: &model.TranslationMap{InsideClient: inside.Client, InsideServer: inside.Server, OutsideClient: outside.Client, OutsideServer: outside.Server}}, nil)
	docs := decodeAll(t, out.String())
	if len(docs) != 4 {
		t.Fatalf("%d documents when the pair came, want 2 sessions and 2 channels:\n%s", len(docs), out.String())
	}
	if got := field(find(docs, DatasetSession, "s1"), "source.nat.ip"); got != "203.0.113.1" {
		t.Errorf("s1 source.nat.ip = %v, want 203.0.113.1", got)
	}
	if got := field(find(docs, DatasetSession, "s2"), "source.nat.ip"); got != "192.168.1.10" {
		t.Errorf("s2 source.nat.ip = %v, want 192.168.1.10", got)
	}
	if err := w.Close(nil, nil, nil, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	if n := len(decodeAll(t, out.String())); n != 4 {
		t.Errorf("%d documents after Close, want the 4 (no leg written twice)", n)
	}
}

func TestUnpairedLegIsWrittenOnceItsWindowPassed(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, Options{PairLegs: true, Window: time.Minute})
	w.Session(testSession("s1", "a", "192.168.1.10:40000", "203.0.113.20:21", "192.168.1.10:40001", "203.0.113.20:30000", t0), nil)
	w.Session(testSession("s2", "a", "192.168.1.11:40000", "203.0.113.20:21", "192.168.1.11:40001", "203.0.113.20:30001", t0.Add(2*time.Minute)), nil)
	docs := decodeAll(t, out.String())
	if find(docs, DatasetSession, "s1") == nil || find(docs, DatasetSession, "s2") != nil {
		t.Fatalf("after the window: want s1 written, s2 held; got\n%s", out.String())
	}
	if field(find(docs, DatasetSession, "s1"), "source.nat") != nil {
		t.Error("an unpaired leg has a nat object")
	}
	if err := w.Close(nil, nil, nil, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	if find(decodeAll(t, out.String()), DatasetSession, "s2") == nil {
		t.Error("Close did not write the held leg")
	}
}

// syncBuffer is a bytes.Buffer the writer's timer may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLiveLegIsWrittenWhenNoOtherLegCame(t *testing.T) {
	var out syncBuffer
	w := NewWriter(&out, Options{PairLegs: true, Live: true, Window: 20 * time.Millisecond})
	w.Session(testSession("s1", "eth0", "192.168.1.10:40000", "203.0.113.20:21", "192.168.1.10:40001", "203.0.113.20:30000", t0), nil)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), `"dataset":"ftpscope.session"`) {
		if time.Now().After(deadline) {
			t.Fatal("a live leg without its other leg was never written")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.Close(nil, nil, nil, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), `"dataset":"ftpscope.session"`); n != 1 {
		t.Errorf("the session was written %d times", n)
	}
}

func TestFindingsOfTheEndAreWrittenOnce(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, Options{})
	s := testSession("s1", "a", "192.168.1.10:40000", "203.0.113.20:21", "192.168.1.10:40001", "203.0.113.20:30000", t0)
	own := model.Finding{Rule: "failure-reply", Severity: model.Error, Session: "s1", Summary: "425"}
	w.Session(s, []model.Finding{own})
	late := model.Finding{Rule: "login-failed", Severity: model.Warning, Session: "s1", Summary: "5 failures"}
	if err := w.Close(nil, nil, []model.Finding{own, late}, model.Stats{}); err != nil {
		t.Fatal(err)
	}
	var findings []map[string]any
	for _, d := range decodeAll(t, out.String()) {
		if field(d, "event.dataset") == DatasetFinding {
			findings = append(findings, d)
		}
	}
	if len(findings) != 2 {
		t.Fatalf("%d finding documents, want 2", len(findings))
	}
	last := findings[1]
	for f, want := range map[string]any{"rule.id": "login-failed", "event.kind": "alert", "event.severity": 2.0,
		"source.ip": "192.168.1.10", "network.community_id": s.CommunityID, "message": "5 failures"} {
		if got := field(last, f); got != want {
			t.Errorf("late finding: %s = %v, want %v", f, got, want)
		}
	}
}
