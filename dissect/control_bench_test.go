package dissect

import (
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/dialog"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

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
		conns[i] = controlBenchSegments(pcaptest.MixDialog(i))
	}
	entries, lines := len(pcaptest.MixDialog(0)), 0
	for _, l := range pcaptest.MixDialog(0) {
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
