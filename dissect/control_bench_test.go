package dissect

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/dialog"
)

// controlBenchDialog is session n of the mix workload (bench/gen) as
// vsftpd answers it, client lines (">") and server lines ("<") in wire
// order, each element one TCP segment: a login, a listing, transfers in
// the four modes, a refused RETR. Its ports and upload name are its own,
// as each session's are.
func controlBenchDialog(n int) []string {
	port := func(k int) int { return 20000 + (4*n+k)%40000 }
	hostPort := func(k int) string { return fmt.Sprintf("%d,%d", port(k)>>8, port(k)&0xff) }
	return []string{
		"<220 ftpscope perf bench (vsftpd)\r\n",
		">USER anonymous\r\n",
		"<331 Please specify the password.\r\n",
		">PASS bench@example.org\r\n",
		"<230 Login successful.\r\n",
		">PWD\r\n",
		"<257 \"/\" is the current directory\r\n",
		">SYST\r\n",
		"<215 UNIX Type: L8\r\n",
		">FEAT\r\n",
		"<211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n",
		">CWD /pub\r\n",
		"<250 Directory successfully changed.\r\n",
		">TYPE I\r\n",
		"<200 Switching to Binary mode.\r\n",
		">PASV\r\n",
		"<227 Entering Passive Mode (198,18,99,1," + hostPort(0) + ").\r\n",
		">LIST\r\n",
		"<150 Here comes the directory listing.\r\n",
		"<226 Directory send OK.\r\n",
		">EPSV\r\n",
		fmt.Sprintf("<229 Entering Extended Passive Mode (|||%d|)\r\n", port(1)),
		">RETR f01.bin\r\n",
		"<150 Opening BINARY mode data connection for f01.bin (8192 bytes).\r\n",
		"<226 Transfer complete.\r\n",
		">PORT 198,18,99,2," + hostPort(2) + "\r\n",
		"<200 PORT command successful. Consider using PASV.\r\n",
		fmt.Sprintf(">STOR /incoming/s%d-0.bin\r\n", n),
		"<150 Ok to send data.\r\n",
		"<226 Transfer complete.\r\n",
		fmt.Sprintf(">EPRT |1|198.18.99.2|%d|\r\n", port(3)),
		"<200 EPRT command successful. Consider using EPSV.\r\n",
		">RETR missing-17.bin\r\n",
		"<550 Failed to open file.\r\n",
		fmt.Sprintf(">DELE /incoming/s%d-0.bin\r\n", n),
		"<250 Delete operation successful.\r\n",
		">QUIT\r\n",
		"<221 Goodbye.\r\n",
	}
}

// controlBenchSegment is one segment of a control connection and its
// direction.
type controlBenchSegment struct {
	dir int
	seg decode.Segment
}

// controlBenchSegments returns a control connection carrying dialog: the
// handshake, each line's segment and the peer's bare ACK of it, the FINs.
func controlBenchSegments(dialog []string) []controlBenchSegment {
	const cliISN, srvISN = 1000, 5000
	cseq, sseq := uint32(cliISN+1), uint32(srvISN+1)
	out := []controlBenchSegment{
		{fromInitiator, decode.Segment{Seq: cliISN, SYN: true}},
		{fromResponder, decode.Segment{Seq: srvISN, Ack: cseq, SYN: true, HasACK: true}},
		{fromInitiator, decode.Segment{Seq: cseq, Ack: sseq, HasACK: true}},
	}
	for _, l := range dialog {
		data := []byte(l[1:])
		if l[0] == '>' {
			out = append(out, controlBenchSegment{fromInitiator, decode.Segment{Seq: cseq, Ack: sseq, HasACK: true, Payload: data, PayloadLen: len(data)}})
			cseq += uint32(len(data))
			out = append(out, controlBenchSegment{fromResponder, decode.Segment{Seq: sseq, Ack: cseq, HasACK: true}})
		} else {
			out = append(out, controlBenchSegment{fromResponder, decode.Segment{Seq: sseq, Ack: cseq, HasACK: true, Payload: data, PayloadLen: len(data)}})
			sseq += uint32(len(data))
			out = append(out, controlBenchSegment{fromInitiator, decode.Segment{Seq: cseq, Ack: sseq, HasACK: true}})
		}
	}
	return append(out,
		controlBenchSegment{fromResponder, decode.Segment{Seq: sseq, Ack: cseq, HasACK: true, FIN: true}},
		controlBenchSegment{fromInitiator, decode.Segment{Seq: cseq, Ack: sseq + 1, HasACK: true, FIN: true}},
	)
}

// BenchmarkControlLines measures the dissector's control-line path alone:
// whole control connections of controlBenchDialog (256 distinct ones) handed segment by
// segment to the control stream the way Analyzer.control does (ordering,
// record keeping, line splitting, command and reply handling, pairing,
// latency, the dialog, announcements registered for correlation), without
// decoding, connection lookup or export. ns/op and allocs/op are per
// session; ns/line and allocs/line per control line (a multi-line reply's
// every line counted).
func BenchmarkControlLines(b *testing.B) {
	const distinct = 256 // a batch's sessions announce distinct endpoints
	conns := make([][]controlBenchSegment, distinct)
	for i := range conns {
		conns[i] = controlBenchSegments(controlBenchDialog(i))
	}
	entries, lines := len(controlBenchDialog(0)), 0
	for _, l := range controlBenchDialog(0) {
		lines += strings.Count(l, "\n")
	}
	a := New(DefaultConfig(), []*capture.Info{{Label: "bench", Kind: "file"}}, nil)
	v := a.vantageOf(0, 0, "", -1)
	server := netip.AddrPortFrom(benchSrv4, 21)
	ts := benchStart
	var frame uint64
	var batch []*session
	// release drops the sessions of a batch, as their conclusion and
	// export would: their waiters, their dialogs, the analyzer's lists.
	release := func() {
		for _, s := range batch {
			if s.dialog.End() != entries {
				b.Fatalf("session %s: %d dialog entries, want %d", s.id, s.dialog.End(), entries)
			}
			for _, ch := range s.channels {
				a.exp.Unregister(ch)
			}
			dialog.Recycle(s.dialog.Final())
			a.lru.remove(s.c)
			a.countFTPHosts(s.c, -1)
			delete(a.open, s)
		}
		clear(batch)
		batch = batch[:0]
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		segs := conns[n%distinct]
		client := netip.AddrPortFrom(benchCli4, uint16(1024+n%60000))
		c := &conn{id: uint64(n), vantage: v, initiator: client, responder: server, handshake: true, synSeq: segs[0].seg.Seq, first: ts, firstFrame: frame + 1}
		a.lru.add(c)
		a.promote(c)
		for i := range segs {
			frame++
			ts = ts.Add(50 * time.Microsecond)
			a.now, a.nowNS = ts, ts.UnixNano()
			c.lastFrame = frame
			cs := &segs[i]
			if p := &cs.seg; p.PayloadLen == 0 && !p.SYN && !p.FIN {
				c.ctl.ackOnly(cs.dir, p.Ack)
			} else {
				c.ctl.segment(cs.dir, p, frame, ts)
			}
		}
		batch = append(batch, c.ctl.sess)
		if n++; len(batch) == distinct {
			b.StopTimer()
			release()
			b.StartTimer()
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	release()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*lines), "ns/line")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*lines), "allocs/line")
}
