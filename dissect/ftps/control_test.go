package ftps

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// feedControl feeds a control connection's segments in capture order, one
// Feed per segment, or with coalesce one Feed per run of segments of a
// direction (the host's Place then splits them).
func feedControl(c *Control, conn *tcpConn, coalesce bool) {
	segs := conn.segs
	for i := 0; i < len(segs); {
		s := segs[i]
		p := append([]byte(nil), s.payload...)
		j := i + 1
		for coalesce && j < len(segs) && segs[j].dir == s.dir && segs[j].seq == s.seq+uint32(len(p)) {
			p = append(p, segs[j].payload...)
			j++
		}
		c.Feed(s.dir, p, s.seq)
		i = j
	}
}

// TestControlDecryptsImplicit: a Control fed the records of an implicit
// FTPS control connection hands its host the commands and replies as sent,
// dated by the segments that completed their records, and says once when
// both directions are readable.
func TestControlDecryptsImplicit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     uint16
		version string
	}{
		{"tls13", 0, "TLS 1.3"},
		{"tls12", tls.VersionTLS12, "TLS 1.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true, MaxVersion: tc.max})
			conn := only(t, connections(t, f.Pcap), 990)
			keys := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false)
			h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
			c := keys.NewControl(h)
			feedControl(c, conn, false)

			if got, want := string(h.got[0]), lines(f.Commands); got != want {
				t.Errorf("client plaintext\n%q\nwant\n%q", got, want)
			}
			if got, want := string(h.got[1]), lines(f.Replies); got != want {
				t.Errorf("server plaintext\n%q\nwant\n%q", got, want)
			}
			if !strings.HasPrefix(string(h.got[1]), "220 ") {
				t.Errorf("implicit FTPS: the greeting should come decrypted, got %q", h.got[1])
			}
			readable := 0
			seen := [2]bool{}
			frames := map[uint64]int{}
			for _, s := range conn.segs {
				frames[s.frame] = s.dir
			}
			var last uint64
			for i, call := range h.calls {
				seen[call.dir] = true
				if call.readable {
					readable++
					if !seen[0] || !seen[1] {
						t.Errorf("call %d: readable before both directions gave plaintext", i)
					}
				} else if readable == 0 && seen[0] && seen[1] {
					t.Errorf("call %d: both directions gave plaintext, readable not set", i)
				}
				if d, ok := frames[call.at.Frame]; !ok || d != call.dir {
					t.Errorf("call %d (direction %d) dated by frame %d, not a segment of its direction", i, call.dir, call.at.Frame)
				}
				if call.at.Frame < last {
					t.Errorf("call %d: frame %d before %d", i, call.at.Frame, last)
				}
				last = call.at.Frame
			}
			if readable != 1 {
				t.Errorf("readable set %d times, want once", readable)
			}
			if c.Feeding() {
				t.Error("Feeding outside a Plaintext call")
			}
			st := c.Status()
			if !st.Decrypted || st.Reason != "" || st.Version != tc.version || st.Cipher == "" {
				t.Errorf("status %+v, want %s decrypted", st, tc.version)
			}
			if why := c.End(); why != "" {
				t.Errorf("End %q for a decrypted connection", why)
			}
			if h.places == 0 {
				t.Error("Place never asked")
			}
		})
	}
}

// TestControlPlaceSplitsFeeds: bytes of several segments fed at once are
// split where the host's Place says each segment ends, so every line is
// dated by its own segment as when fed one segment at a time.
func TestControlPlaceSplitsFeeds(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true})
	conn := only(t, connections(t, f.Pcap), 990)
	run := func(coalesce bool) *fakeControl {
		h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
		feedControl(NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewControl(h), conn, coalesce)
		return h
	}
	one, many := run(false), run(true)
	if string(many.got[0]) != lines(f.Commands) || string(many.got[1]) != lines(f.Replies) {
		t.Fatalf("coalesced feeds decrypted %q / %q", many.got[0], many.got[1])
	}
	if len(one.calls) != len(many.calls) {
		t.Fatalf("%d plaintext calls coalesced, %d one segment at a time", len(many.calls), len(one.calls))
	}
	for i := range one.calls {
		if one.calls[i] != many.calls[i] {
			t.Errorf("call %d: coalesced %+v, one at a time %+v", i, many.calls[i], one.calls[i])
		}
	}
}

// TestControlStopsAtCCC: after CCC the record walk sees cleartext where a
// record header should be, and hands nothing more to the decryptor: the
// cleartext PWD is not plaintext of the TLS.
func TestControlStopsAtCCC(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true, CCC: true})
	conn := only(t, connections(t, f.Pcap), 990)
	h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
	c := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewControl(h)
	feedControl(c, conn, false)
	var inTLS []string
	for _, l := range f.Commands {
		inTLS = append(inTLS, l)
		if l == "CCC" {
			break
		}
	}
	if len(inTLS) == len(f.Commands) {
		t.Fatalf("no command after CCC in %q", f.Commands)
	}
	if got, want := string(h.got[0]), lines(inTLS); got != want {
		t.Errorf("client plaintext\n%q\nwant\n%q", got, want)
	}
	if bytes.Contains(h.got[0], []byte("PWD")) || bytes.Contains(h.got[1], []byte("257 ")) {
		t.Errorf("cleartext after CCC handed as plaintext: %q / %q", h.got[0], h.got[1])
	}
	if st := c.Status(); !st.Decrypted || st.Reason != "" {
		t.Errorf("status %+v", st)
	}
}

// TestControlLose: after a capture gap in one direction, that direction
// gives no more plaintext, the other goes on, and the status says why.
func TestControlLose(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true})
	conn := only(t, connections(t, f.Pcap), 990)
	h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
	c := NewKeys(pcaptest.KeyLog(t, f.KeyLog), false).NewControl(h)
	lost := false
	for _, s := range conn.segs {
		c.Feed(s.dir, s.payload, s.seq)
		if !lost && len(h.got[1]) > 0 {
			c.Lose(1)
			c.Lose(1) // twice is once
			lost = true
		}
	}
	replies := lines(f.Replies)
	if len(h.got[1]) == 0 || len(h.got[1]) >= len(replies) || !strings.HasPrefix(replies, string(h.got[1])) {
		t.Errorf("server plaintext %q: want a strict prefix of %q", h.got[1], replies)
	}
	if got, want := string(h.got[0]), lines(f.Commands); got != want {
		t.Errorf("client plaintext %q, want %q", got, want)
	}
	st := c.Status()
	if !st.Decrypted || st.Reason != "decryption stopped at a capture gap (server to client)" {
		t.Errorf("status %+v", st)
	}
	var nilControl *Control
	nilControl.Lose(0) // no key log: nothing to stop
	if nilControl.Status() != nil {
		t.Error("a nil Control has a status")
	}
}

// TestControlLiveReplay: live, records fed before the follower read their
// keys are kept, and replayed in capture order once the key log holds
// more secrets: the host then gets every line.
func TestControlLiveReplay(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true})
	conn := only(t, connections(t, f.Pcap), 990)
	kl := pcaptest.KeyLog(t, nil)
	keys := NewKeys(kl, true)
	h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
	c := keys.NewControl(h)
	feedControl(c, conn, false)
	if len(h.got[0])+len(h.got[1]) != 0 {
		t.Fatalf("plaintext without keys: %q / %q", h.got[0], h.got[1])
	}
	if !c.Waiting() {
		t.Error("not waiting for keys within the live wait")
	}
	if c.Retry(false) {
		t.Error("Retry decrypted with no new key")
	}
	if err := kl.Read(bytes.NewReader(f.ControlKeyLog)); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(time.Second)
	refreshed := false
	c.Tick(&refreshed)
	if !refreshed {
		t.Error("Tick did not note the key log refreshed")
	}
	if got, want := string(h.got[0]), lines(f.Commands); got != want {
		t.Errorf("client plaintext after the replay\n%q\nwant\n%q", got, want)
	}
	if got, want := string(h.got[1]), lines(f.Replies); got != want {
		t.Errorf("server plaintext after the replay\n%q\nwant\n%q", got, want)
	}
	if c.Waiting() || !c.Status().Decrypted || c.End() != "" {
		t.Errorf("after the replay: waiting %v, status %+v", c.Waiting(), c.Status())
	}
}

// TestControlLiveGivesUp: live, past the wait for keys nothing is kept to
// replay: keys that come later decrypt nothing and End says why, once.
func TestControlLiveGivesUp(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true})
	conn := only(t, connections(t, f.Pcap), 990)
	kl := pcaptest.KeyLog(t, nil)
	h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
	c := NewKeys(kl, true).NewControl(h)
	feedControl(c, conn, false)
	h.now = h.now.Add(liveKeyWait)
	if c.Waiting() {
		t.Error("still waiting past the live wait")
	}
	refreshed := true
	c.Tick(&refreshed)
	if err := kl.Read(bytes.NewReader(f.ControlKeyLog)); err != nil {
		t.Fatal(err)
	}
	if c.Retry(false) {
		t.Error("Retry after giving up")
	}
	if len(h.got[0])+len(h.got[1]) != 0 {
		t.Errorf("plaintext after giving up: %q / %q", h.got[0], h.got[1])
	}
	if why := c.End(); why != "no key for this ClientHello in the key log" {
		t.Errorf("End %q", why)
	}
	if why := c.End(); why != "" {
		t.Errorf("End gave its reason twice: %q", why)
	}
}
