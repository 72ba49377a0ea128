package dissect

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

func findVerb(s *model.Session, verb string) *model.DialogEntry {
	for i := range s.Dialog {
		if s.Dialog[i].Verb == verb {
			return &s.Dialog[i]
		}
	}
	return nil
}

func findCode(s *model.Session, code int) *model.DialogEntry {
	for i := range s.Dialog {
		if s.Dialog[i].Kind == "reply" && s.Dialog[i].Code == code {
			return &s.Dialog[i]
		}
	}
	return nil
}

// A command in two IPv4 fragments is in the dialog, at the frame and time
// of the fragment that completed it, whichever order they came in.
func TestCommandInTwoIPv4Fragments(t *testing.T) {
	for name, order := range map[string][]int{"in order": {0, 1}, "reversed": {1, 0}} {
		t.Run(name, func(t *testing.T) {
			c := pcaptest.New()
			k := c.Login("192.168.1.10:40000", 100)
			// the TCP header and "RETR a-file-in-t" in the first fragment, the rest in the second
			k.SendFragmented(true, []byte("RETR a-file-in-two-fragments.iso\r\n"), 40, order...)
			lastFragment := uint64(c.Packets) - 1 // before the peer's ACK
			k.Line(false, "550 Failed to open file.")
			k.Close()
			ss, a := run(t, c.Bytes(), DefaultConfig())
			if len(ss) != 1 {
				t.Fatalf("%d sessions", len(ss))
			}
			retr := findVerb(ss[0], "RETR")
			if retr == nil || retr.Arg != "a-file-in-two-fragments.iso" || retr.LatencyMS == nil {
				t.Fatalf("RETR entry %+v; dialog %+v", retr, ss[0].Dialog)
			}
			if retr.Frame != lastFragment {
				t.Errorf("RETR at frame %d, want %d (the fragment that completed it)", retr.Frame, lastFragment)
			}
			st := a.Stats()
			if st.IPFragments != 2 || st.IPReassembled != 1 || st.IPFragmentsDropped != nil {
				t.Errorf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
			}
			if st.DecodeErrors != 0 || st.NonTCPPackets != 0 {
				t.Errorf("stats: %d decode errors, %d non-TCP packets", st.DecodeErrors, st.NonTCPPackets)
			}
		})
	}
}

// An IPv6 FTP session whose 229 reply and a long multi-line reply come in
// fragments (after a Fragment header) reads as if they had not been cut.
func TestIPv6SessionWithFragmentedReplies(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("[2001:db8::10]:40001", "[2001:db8::20]:21", 500, 9000)
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	k.Line(true, "USER anonymous")
	k.Line(false, "331 Please specify the password.")
	k.Line(true, "PASS x@y")
	k.Line(false, "230 Login successful.")
	k.Line(true, "FEAT")
	var feat strings.Builder
	feat.WriteString("211-Features:\r\n")
	for i := range 200 {
		feat.WriteString(" X-FEATURE-" + itoa(i) + "\r\n")
	}
	feat.WriteString("211 End\r\n")
	k.SendFragmented(false, []byte(feat.String()), 1000, 2, 0, 3, 1) // four fragments, out of order
	k.Line(true, "EPSV")
	k.SendFragmented(false, []byte("229 Entering Extended Passive Mode (|||30002|)\r\n"), 32)
	k.Line(true, "RETR f")
	d := c.Conn("[2001:db8::10]:40002", "[2001:db8::20]:30002", 5, 9)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection for f (10 bytes).")
	d.Send(false, []byte("0123456789"), 1448)
	d.Close()
	k.Line(false, "226 Transfer complete.")
	k.Close()
	ss, a := run(t, c.Bytes(), DefaultConfig())
	var s *model.Session
	for _, x := range ss {
		if strings.HasPrefix(x.Server, "[2001:db8::20]") {
			s = x
		}
	}
	if s == nil {
		t.Fatalf("no IPv6 session among %d", len(ss))
	}
	if r := findCode(s, 211); r == nil || r.Lines != 202 {
		t.Fatalf("FEAT reply %+v", r)
	}
	if r := findCode(s, 229); r == nil || r.Text != "Entering Extended Passive Mode (|||30002|)" {
		t.Fatalf("229 reply %+v", r)
	}
	if len(s.Channels) != 1 || s.Channels[0].Status != model.StatusOK || s.Channels[0].Connection == nil ||
		s.Channels[0].Connection.BytesToFTPClient != 10 {
		t.Fatalf("channels %+v", s.Channels)
	}
	st := a.Stats()
	if st.IPReassembled != 2 || st.IPFragmentsDropped != nil {
		t.Errorf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
	}
}

// A Fragment header behind other extension headers (Hop-by-Hop,
// Destination Options) is found, and their length counts toward the
// 65,535-byte bound.
func TestIPv6FragmentAfterOptions(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("[2001:db8::10]:40000", "[2001:db8::20]:21", 100, 7000)
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	a, b := k.Seq()
	seg := k.Segment(true, a, b, pcaptest.Flags{ACK: true, PSH: true}, []byte("USER anonymous\r\n"))
	k.FragmentAfterOptions(true, 1, 16, false, seg[16:])
	k.FragmentAfterOptions(true, 1, 0, true, seg[:16])
	// 16 bytes of options + 65512 + 8 > 65535
	k.FragmentAfterOptions(true, 2, 0, true, seg[:16])
	k.FragmentAfterOptions(true, 2, 65512, false, make([]byte, 8))
	ss, an := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	if u := findVerb(ss[0], "USER"); u == nil || u.Arg != "anonymous" {
		t.Fatalf("USER %+v in %+v", u, ss[0].Dialog)
	}
	st := an.Stats()
	if st.IPReassembled != 1 || st.IPFragmentsDropped == nil || st.IPFragmentsDropped.TooLarge != 2 {
		t.Fatalf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
	}
	if w := an.SourceWarnings(0); len(w) != 1 || !strings.Contains(w[0], "exceed 65535 bytes") {
		t.Errorf("warnings %q", w)
	}
}

// A non-first IPv6 fragment whose bytes look like a TCP SYN to port 21 is
// never decoded as TCP: no phantom connection, no session.
func TestLoneNonFirstIPv6FragmentIsNoConnection(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("[2001:db8::10]:40000", "[2001:db8::20]:21", 100, 200)
	fake := k.Segment(true, 1, 0, pcaptest.Flags{SYN: true}, []byte("USER root\r\n"))
	k.Fragment(true, 77, 1232, false, fake)
	ss, a := run(t, c.Bytes(), DefaultConfig())
	st := a.Stats()
	if len(ss) != 0 || st.TCPConnections != 0 || st.TCPPackets != 0 {
		t.Fatalf("%d sessions, %d connections, %d TCP packets from a lone fragment", len(ss), st.TCPConnections, st.TCPPackets)
	}
	if st.IPFragments != 1 || st.IPFragmentsDropped == nil || st.IPFragmentsDropped.Incomplete != 1 {
		t.Errorf("stats: %d fragments, dropped %+v", st.IPFragments, st.IPFragmentsDropped)
	}
}

// Overlapping fragments that disagree (the PORT evasion: one address for
// the IDS, another for the host) discard the datagram, with a warning and
// a count, and neither version makes a channel.
func TestOverlappingFragmentsRejected(t *testing.T) {
	for _, tc := range []struct{ name, client, server string }{
		{"IPv4", "192.168.1.10:40000", "203.0.113.20:21"},
		{"IPv6", "[2001:db8::10]:40000", "[2001:db8::20]:21"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := pcaptest.New()
			k := c.Conn(tc.client, tc.server, 100, 7000)
			k.Open()
			k.Line(false, "220 (vsFTPd 3.0.3)")
			k.Line(true, "USER anonymous")
			k.Line(false, "331 Please specify the password.")
			a, b := k.Seq()
			honest := k.Segment(true, a, b, pcaptest.Flags{ACK: true, PSH: true}, []byte("PORT 198,51,100,10,4,1\r\n"))
			forged := k.Segment(true, a, b, pcaptest.Flags{ACK: true, PSH: true}, []byte("PORT 192,168,111,1,4,1\r\n"))
			k.Fragment(true, 4242, 0, true, honest[:24])
			k.Fragment(true, 4242, 16, false, forged[16:]) // overlaps bytes 16..23 with others
			k.Fragment(true, 4242, 24, false, honest[24:])
			ss, an := run(t, c.Bytes(), DefaultConfig())
			if len(ss) != 1 {
				t.Fatalf("%d sessions", len(ss))
			}
			if p := findVerb(ss[0], "PORT"); p != nil {
				t.Fatalf("PORT from overlapping fragments: %+v", p)
			}
			if len(ss[0].Channels) != 0 {
				t.Fatalf("channels %+v", ss[0].Channels)
			}
			st := an.Stats()
			if st.IPFragmentsDropped == nil || st.IPFragmentsDropped.Overlap != 3 || st.IPReassembled != 0 {
				t.Fatalf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
			}
			w := an.SourceWarnings(0)
			if len(w) != 1 || !strings.Contains(w[0], "discarded: they overlap") || !strings.Contains(w[0], "id 0x1092") ||
				!strings.HasPrefix(w[0], "frame 11: ") {
				t.Fatalf("warnings %q", w)
			}
		})
	}
}

// A flood of first fragments that never complete, from many forged
// sources, stays within the reassembler's memory budget, and a session in
// the middle of it still reads its fragmented command.
func TestFragmentFloodBounded(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	junk := make([]byte, 1480)
	for i := range 20000 {
		f := c.Conn("10."+itoa(i>>16&255)+"."+itoa(i>>8&255)+"."+itoa(i&255)+":1", "203.0.113.20:21", 0, 0)
		f.Fragment(true, uint32(i), 0, true, junk)
		if i == 10000 {
			k.SendFragmented(true, []byte("STOR during-the-flood\r\n"), 24)
		}
	}
	k.Line(false, "553 Could not create file.")
	k.Close()
	ss, a := run(t, c.Bytes(), DefaultConfig())
	if _, mem := a.dec.FragmentsPending(); mem > 4<<20 {
		t.Fatalf("%d bytes held by the reassembler", mem)
	}
	if len(ss) != 1 || findVerb(ss[0], "STOR") == nil {
		t.Fatalf("the session's fragmented command was lost in the flood")
	}
	st := a.Stats()
	if st.IPFragments != 20002 || st.IPReassembled != 1 || st.IPFragmentsDropped == nil ||
		st.IPFragmentsDropped.Memory == 0 || st.IPFragmentsDropped.Memory+st.IPFragmentsDropped.Incomplete != 20000 {
		t.Fatalf("stats: %d fragments, %d reassembled, dropped %+v", st.IPFragments, st.IPReassembled, st.IPFragmentsDropped)
	}
}

// A reassembled segment decoded on the reader's goroutine (Decoder, Frame)
// stays valid while the frames of its batch wait for the analysis.
func TestFragmentsThroughDecoderFrames(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.SendFragmented(true, []byte("CWD /a/directory/name\r\n"), 16)
	k.Line(false, "250 Directory successfully changed.")
	k.Close()
	frames := decodeAll(t, c.Bytes())
	var out []*model.Session
	a := New(DefaultConfig(), nil, SinkFunc(func(s *model.Session) { out = append(out, s) }))
	for i := range frames {
		a.Frame(&frames[i])
	}
	a.Finish()
	if len(out) != 1 {
		t.Fatalf("%d sessions", len(out))
	}
	if e := findVerb(out[0], "CWD"); e == nil || e.Arg != "/a/directory/name" {
		t.Fatalf("CWD %+v", e)
	}
}

// decodeAll decodes a capture's packets into frames with a Decoder, each
// packet's bytes copied out of the reader's buffer, as the read-ahead does.
func decodeAll(t testing.TB, pcap []byte) []decode.Frame {
	t.Helper()
	f, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	dec := decode.New()
	var frames []decode.Frame
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		p.Data = bytes.Clone(p.Data)
		frames = append(frames, decode.Frame{Packet: p})
		dec.Decode(&frames[len(frames)-1])
	}
	return frames
}

// FuzzFragments cuts arbitrary datagram bytes into IPv4 or IPv6 fragments
// at arbitrary offsets (8-byte units), in any order, and runs them
// through the dissector: it must never panic, and the stats must account
// for every fragment.
func FuzzFragments(f *testing.F) {
	seg := pcaptest.New().Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2).Segment(true, 1, 2, pcaptest.Flags{ACK: true}, []byte("PORT 1,2,3,4,5,6\r\n"))
	f.Add(seg, []byte{0, 1, 3, 0}, false)
	f.Add(seg, []byte{2, 0, 0, 1, 3, 0}, true)
	f.Add(seg, []byte{0, 3, 1, 0, 3, 0, 1, 1}, false)
	f.Fuzz(func(t *testing.T, datagram, cuts []byte, v6 bool) {
		if len(datagram) > 1<<16 || len(cuts) > 256 {
			return
		}
		c := pcaptest.New()
		client := "192.168.1.10:40000"
		if v6 {
			client = "[2001:db8::10]:40000"
		}
		k := c.Conn(client, "203.0.113.20:21", 1, 2)
		if v6 {
			k = c.Conn(client, "[2001:db8::20]:21", 1, 2)
		}
		// each pair of cut bytes: an offset in 8-byte units, a length in 8-byte units and the M flag
		n, whole := 0, 0 // fragments; IPv4 packets at offset 0 without MF are no fragment
		for ; len(cuts) >= 2; cuts = cuts[2:] {
			off := int(cuts[0]) * 8
			end := min(off+int(cuts[1]>>1)*8, len(datagram))
			if off > end {
				off = end &^ 7
			}
			more := cuts[1]&1 == 0
			k.Fragment(true, 7, off, more, datagram[off:end])
			if off == 0 && !more && !v6 {
				whole++
			} else {
				n++
			}
		}
		_, a := run(t, c.Bytes(), DefaultConfig())
		st := a.Stats()
		if st.IPFragments != uint64(n) {
			t.Fatalf("%d fragments counted, %d written", st.IPFragments, n)
		}
		var dropped uint64
		if d := st.IPFragmentsDropped; d != nil {
			dropped = d.Timeout + d.Overlap + d.TooLarge + d.Malformed + d.Truncated + d.Memory + d.PerSource + d.TooManyFragments + d.Duplicate + d.Incomplete
		}
		if used := st.IPFragments - dropped; dropped > st.IPFragments || used < st.IPReassembled || st.TCPPackets > st.IPReassembled+uint64(whole) {
			t.Fatalf("stats: %d fragments, %d dropped, %d reassembled, %d TCP packets", st.IPFragments, dropped, st.IPReassembled, st.TCPPackets)
		}
	})
}
