//go:build linux

package ctwatch

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/netlink"

	"github.com/ftpscope/ftpscope/model"
)

// recording is a file of testdata/*.nlmsg: the netlink messages the
// gateway's watcher received during one lab transfer (TestLabConntrack
// with FTPSCOPE_CT_RECORD), and what the FTP client and server saw.
type recording struct {
	facts map[string][]string
	msgs  []recordedMsg
}

type recordedMsg struct {
	at  time.Duration
	msg netlink.Message
}

func readRecording(t testing.TB, name string) recording {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := recording{facts: map[string][]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			f := strings.Fields(rest)
			if len(f) > 1 {
				rec.facts[f[0]] = f[1:]
			}
			continue
		}
		us, hx, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(us, 10, 64)
		if !ok || err != nil {
			t.Fatalf("%s: bad line %q", name, line)
		}
		b, err := hex.DecodeString(hx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var m netlink.Message
		if err := m.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rec.msgs = append(rec.msgs, recordedMsg{at: time.Duration(n) * time.Microsecond, msg: m})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rec
}

func (r recording) endpoint(t *testing.T, key string, i int) netip.AddrPort {
	t.Helper()
	v := r.facts[key]
	if len(v) <= i {
		t.Fatalf("recording has no %q", key)
	}
	return netip.MustParseAddrPort(v[i])
}

func (r recording) tuple(t *testing.T, key string) Tuple {
	return TCP(r.endpoint(t, key, 0), r.endpoint(t, key, 1))
}

// replay decodes every message and feeds a tracker whose clock stands
// after the last one; it returns the tracker and the kinds seen in order.
func (r recording) replay(t *testing.T, base time.Time) (*Tracker, []EventKind) {
	t.Helper()
	var last time.Time
	tr := NewTracker(TrackerOptions{Now: func() time.Time { return last.Add(time.Hour) }})
	var kinds []EventKind
	for i, m := range r.msgs {
		at := base.Add(m.at)
		ev, err := decodeMessage(m.msg, at)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		kinds = append(kinds, ev.Kind)
		tr.Apply(ev)
		last = at
	}
	return tr, kinds
}

var replayBase = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func TestReplayHelperUsed(t *testing.T) {
	rec := readRecording(t, "helper.nlmsg")
	tr, kinds := rec.replay(t, replayBase)
	t.Logf("events: %v", kinds)
	inside, outside := rec.tuple(t, "inside"), rec.tuple(t, "outside")
	portIn, portOut := rec.endpoint(t, "announce-inside", 0), rec.endpoint(t, "announce-outside", 0)
	portAt := replayBase.Add(time.Duration(mustAtoi(t, rec.facts["announce-at"][0])) * time.Microsecond)

	e := tr.Control(inside)
	if e == nil {
		t.Fatalf("no entry for %s", inside)
	}
	if e.Helper != "ftp" || e.Orig != inside || e.Reply != outside.Reverse() {
		t.Errorf("entry %+v; want helper ftp, %s / %s", e, inside, outside.Reverse())
	}
	// The kernel shifts sequence numbers when the rewritten PORT has
	// another length.
	if grew := len(portArg(portIn)) != len(portArg(portOut)); e.SeqAdjusted != grew {
		t.Errorf("seq-adjusted %v for PORT %s → %s", e.SeqAdjusted, portArg(portIn), portArg(portOut))
	}
	if !e.Destroyed.IsZero() {
		// Its destroy comes after TIME_WAIT, long after the recording.
		t.Errorf("destroyed at %v", e.Destroyed)
	}
	if o := tr.Control(outside); o == nil || o.ID != e.ID {
		t.Errorf("outside leg: %+v", o)
	}
	if o := tr.Control(outside.Reverse()); o == nil || o.ID != e.ID {
		t.Errorf("outside leg, server to client: %+v", o)
	}

	xs := tr.Expectations(inside)
	if len(xs) != 1 {
		t.Fatalf("%d expectations, want the one of the PORT: %+v", len(xs), xs)
	}
	x := tr.ExpectationFor(inside, portIn, portAt)
	if x == nil || x.ID != xs[0].ID {
		t.Fatalf("PORT %s (inside) at %v: %+v", portIn, portAt, x)
	}
	if y := tr.ExpectationFor(outside, portOut, portAt); y == nil || y.ID != x.ID {
		t.Errorf("PORT %s (outside): %+v", portOut, y)
	}
	if y := tr.ExpectationFor(inside, portIn, portAt.Add(time.Minute)); y != nil {
		t.Errorf("an announcement a minute later claims it: %+v", y)
	}
	data := rec.tuple(t, "data")
	if x.Outcome != model.ExpectationUsed || x.Data != data {
		t.Errorf("outcome %q by %s; want used by %s", x.Outcome, x.Data, data)
	}
	if x.NATTo != portIn || x.Tuple.Dst != portOut || x.Master != inside {
		t.Errorf("expectation %s NAT to %s master %s", x.Tuple, x.NATTo, x.Master)
	}
	m := x.Model()
	want := model.Expectation{Helper: "ftp", Tuple: inside.Dst.Addr().String() + " → " + portOut.String(),
		NATTo: portIn.String(), Created: model.At(x.Created), Removed: m.Removed, Outcome: "used"}
	if m.Removed == nil || m.Created.IsZero() || m != want {
		t.Errorf("model %+v, want %+v", m, want)
	}
	if m := e.Model(); m.Helper == nil || *m.Helper != "ftp" || m.Tuple != inside.String() || m.ReplyTuple != outside.Reverse().String() {
		t.Errorf("entry model %+v", m)
	}
}

func TestReplayPassiveUsed(t *testing.T) {
	rec := readRecording(t, "passive.nlmsg")
	tr, kinds := rec.replay(t, replayBase)
	t.Logf("events: %v", kinds)
	inside, outside := rec.tuple(t, "inside"), rec.tuple(t, "outside")
	ann := rec.endpoint(t, "announce-inside", 0)
	if out := rec.endpoint(t, "announce-outside", 0); out != ann {
		t.Fatalf("the recording says the 227 changed, %s → %s: not the passive scenario", out, ann)
	}
	annAt := replayBase.Add(time.Duration(mustAtoi(t, rec.facts["announce-at"][0])) * time.Microsecond)
	x := tr.ExpectationFor(outside, ann, annAt)
	if x == nil {
		t.Fatalf("no expectation for 227 %s: %+v", ann, tr.Expectations(inside))
	}
	// A 227 makes an expectation in the original direction: its NAT target
	// is the master's reply source, the server itself.
	data := rec.tuple(t, "data")
	if x.Outcome != model.ExpectationUsed || x.Data != data || x.NATTo != ann || x.Tuple.Dst != ann {
		t.Errorf("expectation %s NAT to %s, %q by %s; want used by %s", x.Tuple, x.NATTo, x.Outcome, x.Data, data)
	}
	if m := x.Model(); m.Tuple != inside.Src.Addr().String()+" → "+ann.String() {
		t.Errorf("model tuple %q", m.Tuple)
	}
}

func TestReplayDroppedDeleted(t *testing.T) {
	rec := readRecording(t, "dropped.nlmsg")
	tr, kinds := rec.replay(t, replayBase)
	t.Logf("events: %v", kinds)
	inside := rec.tuple(t, "inside")
	portIn := rec.endpoint(t, "announce-inside", 0)
	portAt := replayBase.Add(time.Duration(mustAtoi(t, rec.facts["announce-at"][0])) * time.Microsecond)
	x := tr.ExpectationFor(inside, portIn, portAt)
	if x == nil {
		t.Fatalf("no expectation for PORT %s: %+v", portIn, tr.Expectations(inside))
	}
	// The server's SYN matched it (the kernel removed it) but was dropped
	// before it was confirmed: no data flow was ever reported.
	if x.Outcome != model.ExpectationDeleted || x.Removed.IsZero() || x.Data.IsValid() {
		t.Errorf("outcome %q removed %v data %s; want deleted", x.Outcome, x.Removed, x.Data)
	}
	if !x.Removed.Before(x.Expires) {
		t.Errorf("removed %v, not before it expired %v", x.Removed, x.Expires)
	}
}

func TestReplayNoHelper(t *testing.T) {
	rec := readRecording(t, "no-helper.nlmsg")
	tr, _ := rec.replay(t, replayBase)
	inside, outside := rec.tuple(t, "inside"), rec.tuple(t, "outside")
	e := tr.Control(outside)
	if e == nil || e.Orig != inside {
		t.Fatalf("entry %+v for %s", e, outside)
	}
	if e.Helper != "" || e.HasFTPHelper() || e.Model().Helper != nil {
		t.Errorf("helper %q, want none", e.Helper)
	}
	if xs := tr.Expectations(inside); xs != nil {
		t.Errorf("expectations %+v", xs)
	}
}

// TestDecodeDamaged: every cut of a recorded message either decodes or
// fails with an error, never a panic.
func TestDecodeDamaged(t *testing.T) {
	rec := readRecording(t, "helper.nlmsg")
	for i, m := range rec.msgs {
		for cut := 0; cut < len(m.msg.Data); cut++ {
			d := m.msg
			d.Data = d.Data[:cut]
			if _, err := decodeMessage(d, replayBase); err == nil && cut < 4 {
				t.Errorf("message %d cut to %d bytes decoded", i, cut)
			}
		}
	}
	if _, err := decodeMessage(netlink.Message{Header: netlink.Header{Type: 0x0301}}, replayBase); err == nil {
		t.Error("a message of another subsystem decoded")
	}
}

func FuzzDecodeMessage(f *testing.F) {
	rec := recording{}
	for _, name := range []string{"helper.nlmsg", "dropped.nlmsg"} {
		rec.msgs = append(rec.msgs, readRecording(f, name).msgs...)
	}
	for _, m := range rec.msgs {
		f.Add(uint16(m.msg.Header.Type), m.msg.Data)
	}
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ)}, Data: data}
		ev, err := decodeMessage(m, replayBase)
		if err != nil {
			return
		}
		tr := NewTracker(TrackerOptions{})
		tr.Apply(ev)
		tr.Expectations(ev.Flow.Orig)
	})
}

func portArg(ep netip.AddrPort) string {
	a := ep.Addr().As4()
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d", a[0], a[1], a[2], a[3], ep.Port()>>8, ep.Port()&0xff)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
