package dissect

// Benchmarks of the engine's hot paths (issue 7) on synthetic in-memory
// packets: flow lookup, correlation, and the analyzer per packet
// and per session. The packets are built with gopacket.SerializeLayers;
// the comment beside each is what `tcpdump -nn -r` prints for it.
//
//	go test -run XXX -bench . -benchmem ./dissect/
//
// The decoder's benchmark is dissect/decode's.
//
// MB/s is frame bytes per second through the step measured, so the numbers
// compare with each other and with a capture's size; ns/op is per packet
// unless the benchmark says otherwise.

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/expect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

var (
	benchStart = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	benchCli4  = pcaptest.BenchClient4
	benchSrv4  = pcaptest.BenchServer4
	benchCli6  = pcaptest.BenchClient6
	benchSrv6  = pcaptest.BenchServer6
)

// benchFrame is pcaptest.LinuxFrame; the comment beside each use is what
// `tcpdump -nn -r` prints for it.
var benchFrame = pcaptest.LinuxFrame

func benchPacket(frame []byte, ts time.Time, n uint64) capture.Packet {
	return capture.Packet{
		Data:     frame,
		Info:     gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(frame), Length: len(frame)},
		LinkType: layers.LinkTypeEthernet,
		Frame:    n,
	}
}

var benchPayload = pcaptest.RandomPayload

// BenchmarkFlowLookup measures finding a packet's connection: the canonical
// key of its 4-tuple and the lookup in the connection table (one in ten
// IPv6), with that many connections open.
// MB/s counts the frames whose connection was looked up (mix-eth's average
// frame, 174 bytes).
func BenchmarkFlowLookup(b *testing.B) {
	for _, n := range []int{16, 16384, 262144} {
		b.Run(fmt.Sprintf("conns=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			conns := newConnTable()
			segs := make([]decode.Segment, 0, n)
			for conns.len() < n {
				var s decode.Segment
				s.V6 = rng.Intn(10) == 0
				if s.V6 {
					s.Src, s.Dst = benchCli6.As16(), benchSrv6.As16()
				} else {
					c4, s4 := benchCli4.As4(), benchSrv4.As4()
					copy(s.Src[:], c4[:])
					copy(s.Dst[:], s4[:])
				}
				s.SrcPort, s.DstPort = uint16(32768+rng.Intn(28000)), uint16(30000+rng.Intn(10000))
				if rng.Intn(2) == 0 { // either direction
					s.Src, s.Dst, s.SrcPort, s.DstPort = s.Dst, s.Src, s.DstPort, s.SrcPort
				}
				k, _ := keyOf(0, &s)
				if conns.get(&k) != nil {
					continue
				}
				conns.put(&k, &conn{key: k})
				segs = append(segs, s)
			}
			order := rng.Perm(len(segs))
			b.SetBytes(174)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if c, _ := conns.lookup(0, &segs[order[i]], nil); c == nil {
					b.Fatal("flow not found")
				}
				if i++; i == len(order) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkCorrelate measures one announcement and its data connection:
// register the expectation, match the new connection to it (exact), with
// a thousand other expectations waiting. ns/op is per data connection.
func BenchmarkCorrelate(b *testing.B) {
	const waiting, pool = 1000, 4096
	a := &Analyzer{exp: expect.New[*channel, *conn](30 * time.Second)}
	e := a.exp
	v := &vantage{id: 0}
	now := benchStart
	mk := func(i int) (*channel, *conn) {
		client := netip.AddrPortFrom(benchCli4, uint16(40000+i%15000))
		server := netip.AddrPortFrom(benchSrv4, 21)
		sess := &session{vantage: v, client: client, server: server, a: a}
		ep := netip.AddrPortFrom(benchSrv4, uint16(30000+i%10000))
		ch := &channel{sess: sess, mode: "passive", ann: &announce{verb: "PASV", endpoint: ep}}
		c := &conn{vantage: v, initiator: netip.AddrPortFrom(benchCli4, uint16(50000+i%10000)), responder: ep}
		return ch, c
	}
	for i := 0; i < waiting; i++ {
		ch, _ := mk(pool + i)
		ch.ann.ts = now.Add(time.Hour) // never expires, never matched
		a.expect(ch)
	}
	chans := make([]*channel, pool)
	conns := make([]*conn, pool)
	for i := range chans {
		chans[i], conns[i] = mk(i)
	}
	b.SetBytes(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ch, c := chans[i], conns[i]
		ch.conn = nil
		now = now.Add(time.Millisecond)
		ch.ann.ts, c.first = now, now
		a.expect(ch)
		got, how := e.Match(c)
		if got != ch || how != "exact" {
			b.Fatalf("matched %p %q", got, how)
		}
		if i++; i == pool {
			i = 0
			e.Expire(now)
		}
	}
}

// benchConv builds the frames of one TCP connection.
type benchConv struct {
	tb         testing.TB
	a, b       netip.AddrPort // a initiates
	seqA, seqB uint32
	frames     [][]byte
}

func (t *benchConv) add(fromA bool, flags string, payload []byte) {
	if fromA {
		t.frames = append(t.frames, benchFrame(t.tb, t.a, t.b, t.seqA, t.seqB, flags, payload))
		t.seqA += uint32(len(payload))
	} else {
		t.frames = append(t.frames, benchFrame(t.tb, t.b, t.a, t.seqB, t.seqA, flags, payload))
		t.seqB += uint32(len(payload))
	}
}

func (t *benchConv) open() {
	t.frames = append(t.frames, benchFrame(t.tb, t.a, t.b, t.seqA, 0, "S", nil))
	t.seqA++
	t.frames = append(t.frames, benchFrame(t.tb, t.b, t.a, t.seqB, t.seqA, "S.", nil))
	t.seqB++
	t.add(true, ".", nil)
}

// send sends data in segments of at most 1448 bytes, each acknowledged.
func (t *benchConv) send(fromA bool, data []byte) {
	for len(data) > 0 {
		n := min(len(data), 1448)
		flags := "."
		if n == len(data) {
			flags = "P."
		}
		t.add(fromA, flags, data[:n])
		t.add(!fromA, ".", nil)
		data = data[n:]
	}
}

func (t *benchConv) line(fromA bool, s string) { t.send(fromA, []byte(s+"\r\n")) }

// close: the sender of data closes first.
func (t *benchConv) close(aFirst bool) {
	t.add(aFirst, "F.", nil)
	if aFirst {
		t.seqA++
	} else {
		t.seqB++
	}
	t.add(!aFirst, "F.", nil)
	if aFirst {
		t.seqB++
	} else {
		t.seqA++
	}
	t.add(aFirst, ".", nil)
}

// benchSession returns the frames of one short session as the workload
// generator makes them (bench/gen), interleaved as a capture shows them:
// login, PWD, CWD, TYPE, a passive LIST, an active RETR from port 20, QUIT.
// port makes the client's ports distinct between sessions.
func benchSession(tb testing.TB, port uint16) [][]byte {
	cli := netip.AddrPortFrom(benchCli4, port)
	srv := netip.AddrPortFrom(benchSrv4, 21)
	ctl := &benchConv{tb: tb, a: cli, b: srv, seqA: 1000, seqB: 5000}
	var out [][]byte
	flush := func(t *benchConv) { out = append(out, t.frames...); t.frames = t.frames[:0] }
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 3103775902 ecr 0,nop,wscale 10], length 0
	ctl.open()
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 1:35, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 34: FTP: 220 ftpscope perf bench (vsftpd)
	ctl.line(false, "220 ftpscope perf bench (vsftpd)")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 1:17, ack 35, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 16: FTP: USER anonymous
	ctl.line(true, "USER anonymous")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 35:69, ack 17, win 502, options [nop,nop,TS val 3103775937 ecr 3103775900], length 34: FTP: 331 Please specify the password.
	ctl.line(false, "331 Please specify the password.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 17:41, ack 69, win 502, options [nop,nop,TS val 3103775919 ecr 3103775900], length 24: FTP: PASS bench@example.org
	ctl.line(true, "PASS bench@example.org")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 69:92, ack 41, win 502, options [nop,nop,TS val 3103775971 ecr 3103775900], length 23: FTP: 230 Login successful.
	ctl.line(false, "230 Login successful.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 41:46, ack 92, win 502, options [nop,nop,TS val 3103775943 ecr 3103775900], length 5: FTP: PWD
	ctl.line(true, "PWD")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 92:126, ack 46, win 502, options [nop,nop,TS val 3103775994 ecr 3103775900], length 34: FTP: 257 "/" is the current directory
	ctl.line(false, `257 "/" is the current directory`)
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 46:56, ack 126, win 502, options [nop,nop,TS val 3103775948 ecr 3103775900], length 10: FTP: CWD /pub
	ctl.line(true, "CWD /pub")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 126:163, ack 56, win 502, options [nop,nop,TS val 3103776028 ecr 3103775900], length 37: FTP: 250 Directory successfully changed.
	ctl.line(false, "250 Directory successfully changed.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 56:64, ack 163, win 502, options [nop,nop,TS val 3103775958 ecr 3103775900], length 8: FTP: TYPE I
	ctl.line(true, "TYPE I")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 163:194, ack 64, win 502, options [nop,nop,TS val 3103776065 ecr 3103775900], length 31: FTP: 200 Switching to Binary mode.
	ctl.line(false, "200 Switching to Binary mode.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 64:70, ack 194, win 502, options [nop,nop,TS val 3103775966 ecr 3103775900], length 6: FTP: PASV
	ctl.line(true, "PASV")
	pasvPort := 30000 + port%10000
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 194:243, ack 70, win 502, options [nop,nop,TS val 3103776096 ecr 3103775900], length 49: FTP: 227 Entering Passive Mode (198,18,99,1,117,48).
	ctl.line(false, fmt.Sprintf("227 Entering Passive Mode (198,18,99,1,%d,%d).", pasvPort>>8, pasvPort&255))
	flush(ctl)
	list := &benchConv{tb: tb, a: netip.AddrPortFrom(benchCli4, port+1), b: netip.AddrPortFrom(benchSrv4, pasvPort), seqA: 7000, seqB: 9000}
	// IP 198.18.99.2.40001 > 198.18.99.1.30000: Flags [S], seq 7000, win 64240, options [mss 1460,sackOK,TS val 3103775902 ecr 0,nop,wscale 10], length 0
	list.open()
	flush(list)
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 70:76, ack 243, win 502, options [nop,nop,TS val 3103775972 ecr 3103775900], length 6: FTP: LIST
	ctl.line(true, "LIST")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 243:282, ack 76, win 502, options [nop,nop,TS val 3103776145 ecr 3103775900], length 39: FTP: 150 Here comes the directory listing.
	ctl.line(false, "150 Here comes the directory listing.")
	flush(ctl)
	listing := make([]byte, 0, 1600)
	for i := 0; i < 24; i++ {
		listing = fmt.Appendf(listing, "-rw-r--r--    1 ftp      ftp          %4d Dec 01 18:46 f%02d.bin\r\n", 100*i, i)
	}
	// IP 198.18.99.1.30000 > 198.18.99.2.40001: Flags [.], seq 1:1449, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1448
	list.send(false, listing)
	// IP 198.18.99.1.30000 > 198.18.99.2.40001: Flags [F.], seq 1561, ack 1, win 502, options [nop,nop,TS val 3103776463 ecr 3103775900], length 0
	list.close(false)
	flush(list)
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 282:306, ack 76, win 502, options [nop,nop,TS val 3103776184 ecr 3103775900], length 24: FTP: 226 Directory send OK.
	ctl.line(false, "226 Directory send OK.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 76:101, ack 306, win 502, options [nop,nop,TS val 3103775978 ecr 3103775900], length 25: FTP: PORT 198,18,99,2,156,66
	ctl.line(true, fmt.Sprintf("PORT 198,18,99,2,%d,%d", (port+2)>>8, (port+2)&255))
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 306:357, ack 101, win 502, options [nop,nop,TS val 3103776208 ecr 3103775900], length 51: FTP: 200 PORT command successful. Consider using PASV.
	ctl.line(false, "200 PORT command successful. Consider using PASV.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 101:115, ack 357, win 502, options [nop,nop,TS val 3103776003 ecr 3103775900], length 14: FTP: RETR f01.bin
	ctl.line(true, "RETR f01.bin")
	flush(ctl)
	retr := &benchConv{tb: tb, a: netip.AddrPortFrom(benchSrv4, 20), b: netip.AddrPortFrom(benchCli4, port+2), seqA: 11000, seqB: 13000}
	// IP 198.18.99.1.20 > 198.18.99.2.40002: Flags [S], seq 11000, win 64240, options [mss 1460,sackOK,TS val 3103775902 ecr 0,nop,wscale 10], length 0
	retr.open()
	flush(retr)
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 357:424, ack 115, win 502, options [nop,nop,TS val 3103776259 ecr 3103775900], length 67: FTP: 150 Opening BINARY mode data connection for f01.bin (3000 bytes).
	ctl.line(false, "150 Opening BINARY mode data connection for f01.bin (3000 bytes).")
	flush(ctl)
	// IP 198.18.99.1.20 > 198.18.99.2.40002: Flags [.], seq 1:1449, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1448
	retr.send(true, benchPayload(3000))
	// IP 198.18.99.1.20 > 198.18.99.2.40002: Flags [F.], seq 3001, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 0
	retr.close(true)
	flush(retr)
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 424:448, ack 115, win 502, options [nop,nop,TS val 3103776326 ecr 3103775900], length 24: FTP: 226 Transfer complete.
	ctl.line(false, "226 Transfer complete.")
	// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 115:121, ack 448, win 502, options [nop,nop,TS val 3103776017 ecr 3103775900], length 6: FTP: QUIT
	ctl.line(true, "QUIT")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 448:462, ack 121, win 502, options [nop,nop,TS val 3103776350 ecr 3103775900], length 14: FTP: 221 Goodbye.
	ctl.line(false, "221 Goodbye.")
	// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [F.], seq 462, ack 121, win 502, options [nop,nop,TS val 3103776364 ecr 3103775900], length 0
	ctl.close(false)
	flush(ctl)
	return out
}

// BenchmarkAnalyzerSession feeds whole short sessions (74 frames each:
// control connection, a passive LIST, an active RETR from port 20) through
// Analyzer.Packet: decode, flow lookup, control reassembly, FTP parsing,
// correlation, data accounting and the export of the concluded session.
// ns/op and allocs/op are per session.
func BenchmarkAnalyzerSession(b *testing.B) {
	feed := newSessionFeed(func(i int) [][]byte { return benchSession(b, uint16(40000+3*i)) })
	var emitted int
	a := New(DefaultConfig(), []*capture.Info{{Label: "bench", Kind: "file"}}, SinkFunc(func(*model.Session) { emitted++ }))
	b.SetBytes(int64(feed.sessionBytes()))
	b.ReportAllocs()
	for b.Loop() {
		feed.next(a)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(feed.sessions[0])), "frames/session")
	a.Finish()
	if emitted != feed.n {
		b.Fatalf("%d sessions fed, %d emitted", feed.n, emitted)
	}
	if st := a.Stats(); st.DataConnections != uint64(2*feed.n) {
		b.Fatalf("%d data connections matched, want %d", st.DataConnections, 2*feed.n)
	}
}

// sessionFeed feeds whole sessions of frames to an Analyzer, cycling
// through sessionFeedDistinct of them that differ in their ports: session
// n starts 20 ms of capture time after session n-1 (20 s a cycle, past
// every timeout), its frames 100 µs apart, numbered on from the last.
type sessionFeed struct {
	sessions [][]capture.Packet
	frame    uint64
	n        int // sessions fed
}

const sessionFeedDistinct = 1024

// newSessionFeed builds the sessions from frames(i), the frames of
// distinct session i.
func newSessionFeed(frames func(i int) [][]byte) *sessionFeed {
	f := &sessionFeed{sessions: make([][]capture.Packet, sessionFeedDistinct)}
	for i := range f.sessions {
		for _, fr := range frames(i) {
			f.sessions[i] = append(f.sessions[i], benchPacket(fr, time.Time{}, 0))
		}
	}
	return f
}

// sessionBytes is the size of one session's frames.
func (f *sessionFeed) sessionBytes() int {
	n := 0
	for _, p := range f.sessions[0] {
		n += len(p.Data)
	}
	return n
}

// next feeds the next session through a.Packet.
func (f *sessionFeed) next(a *Analyzer) {
	base := benchStart.Add(time.Duration(f.n) * 20 * time.Millisecond)
	s := f.sessions[f.n%sessionFeedDistinct]
	for j := range s {
		f.frame++
		s[j].Info.Timestamp = base.Add(time.Duration(j) * 100 * time.Microsecond)
		s[j].Frame = f.frame
		a.Packet(&s[j])
	}
	f.n++
}

// benchSetup returns an analyzer fed with the first n frames of a session
// (all of them if n <= 0), and the capture time after them.
func benchSetup(b *testing.B, n int) (*Analyzer, time.Time) {
	return benchSetupConfig(b, n, DefaultConfig())
}

// benchSetupConfig is benchSetup with an analyzer configured by cfg.
func benchSetupConfig(b *testing.B, n int, cfg Config) (*Analyzer, time.Time) {
	frames := benchSession(b, 40000)
	if n <= 0 || n > len(frames) {
		n = len(frames)
	}
	a := New(cfg, []*capture.Info{{Label: "bench", Kind: "file"}}, nil)
	ts := benchStart
	for i, f := range frames[:n] {
		p := benchPacket(f, ts, uint64(i+1))
		a.Packet(&p)
		ts = ts.Add(100 * time.Microsecond)
	}
	return a, ts
}

// BenchmarkAnalyzerPacket feeds single packets of an established session
// through Analyzer.Packet, their sequence numbers advancing: a data segment
// of the active RETR (1448 bytes, counted in sequence space), the client's
// pure ACK on that data connection, and a control exchange (NOOP, its reply
// and the ACK: three frames per op).
func BenchmarkAnalyzerPacket(b *testing.B) {
	const tcpOff = 14 + 20
	// the session up to the RETR's handshake from port 20 (frames 1-54)
	const dataSetup = 54
	srv20 := netip.AddrPortFrom(benchSrv4, 20)
	cliData := netip.AddrPortFrom(benchCli4, 40002)
	// feed passes one frame per op, its sequence and acknowledgement
	// numbers advancing by dSeq and dAck each time.
	feed := func(b *testing.B, f []byte, seq, ack, dSeq, dAck uint32) {
		a, ts := benchSetup(b, dataSetup)
		p := benchPacket(f, ts, 0)
		b.SetBytes(int64(len(f)))
		b.ReportAllocs()
		var frame uint64 = 1000
		for b.Loop() {
			binary.BigEndian.PutUint32(f[tcpOff+4:], seq)
			binary.BigEndian.PutUint32(f[tcpOff+8:], ack)
			seq, ack = seq+dSeq, ack+dAck
			ts = ts.Add(10 * time.Microsecond)
			frame++
			p.Info.Timestamp, p.Frame = ts, frame
			a.Packet(&p)
		}
		if st := a.Stats(); st.DataConnections != 2 {
			b.Fatalf("%d data connections matched, want 2", st.DataConnections)
		}
	}
	b.Run("data-1448", func(b *testing.B) {
		// IP 198.18.99.1.20 > 198.18.99.2.40002: Flags [.], seq 11001:12449, ack 13001, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1448
		f := benchFrame(b, srv20, cliData, 11001, 13001, ".", benchPayload(1448))
		feed(b, f, 11001, 13001, 1448, 0)
	})
	b.Run("ack", func(b *testing.B) {
		// IP 198.18.99.2.40002 > 198.18.99.1.20: Flags [.], ack 12449, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 0
		f := benchFrame(b, cliData, srv20, 13001, 12449, ".", nil)
		feed(b, f, 13001, 12449, 0, 1448)
	})
	b.Run("control-noop", func(b *testing.B) {
		// the session up to "226 Transfer complete." and its ACK: the
		// control connection is idle at client seq 1115, server seq 5448
		a, ts := benchSetup(b, len(benchSession(b, 40000))-7)
		cli := netip.AddrPortFrom(benchCli4, 40000)
		srv := netip.AddrPortFrom(benchSrv4, 21)
		frames := [][]byte{
			// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [P.], seq 1115:1121, ack 5448, win 502, options [nop,nop,TS val 3103776018 ecr 3103775900], length 6: FTP: NOOP
			benchFrame(b, cli, srv, 1115, 5448, "P.", []byte("NOOP\r\n")),
			// IP 198.18.99.1.21 > 198.18.99.2.40000: Flags [P.], seq 5448:5462, ack 1121, win 502, options [nop,nop,TS val 3103776351 ecr 3103775900], length 14: FTP: 200 NOOP ok.
			benchFrame(b, srv, cli, 5448, 1121, "P.", []byte("200 NOOP ok.\r\n")),
			// IP 198.18.99.2.40000 > 198.18.99.1.21: Flags [.], ack 5462, win 502, options [nop,nop,TS val 3103776024 ecr 3103775900], length 0
			benchFrame(b, cli, srv, 1121, 5462, ".", nil),
		}
		pkts := make([]capture.Packet, len(frames))
		size := 0
		for i, f := range frames {
			pkts[i] = benchPacket(f, ts, 0)
			size += len(f)
		}
		cseq, sseq := uint32(1115), uint32(5448)
		var frame uint64 = 1000
		pass := func(i int, seq, ack uint32) {
			binary.BigEndian.PutUint32(pkts[i].Data[tcpOff+4:], seq)
			binary.BigEndian.PutUint32(pkts[i].Data[tcpOff+8:], ack)
			ts = ts.Add(10 * time.Microsecond)
			frame++
			pkts[i].Info.Timestamp, pkts[i].Frame = ts, frame
			a.Packet(&pkts[i])
		}
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			pass(0, cseq, sseq)
			cseq += 6
			pass(1, sseq, cseq)
			sseq += 14
			pass(2, cseq, sseq)
		}
	})
}
