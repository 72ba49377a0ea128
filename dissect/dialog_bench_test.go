package dissect

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
)

// BenchmarkLiveDialogOverCap feeds NOOP exchanges (command, reply, ACK:
// three frames per op) to a live session whose dialog is at its cap, so
// every line drops the oldest entry: the cost of keeping the latest
// MaxDialog entries of an endless session.
func BenchmarkLiveDialogOverCap(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Live = true
	a := New(cfg, []*capture.Info{{Label: "bench", Kind: "live"}}, nil)
	frames := benchSession(b, 40000)
	frames = frames[:len(frames)-7] // up to "226 Transfer complete." and its ACK
	ts := benchStart
	for i, f := range frames {
		p := benchPacket(f, ts, uint64(i+1))
		a.Packet(&p)
		ts = ts.Add(100 * time.Microsecond)
	}
	cli := netip.AddrPortFrom(benchCli4, 40000)
	srv := netip.AddrPortFrom(benchSrv4, 21)
	pkts := []capture.Packet{
		// the login leaves the control connection at client seq 1115,
		// server seq 5448 (as in BenchmarkAnalyzerPacket's control-noop)
		benchPacket(benchFrame(b, cli, srv, 1115, 5448, "P.", []byte("NOOP\r\n")), ts, 0),
		benchPacket(benchFrame(b, srv, cli, 5448, 1121, "P.", []byte("200 NOOP ok.\r\n")), ts, 0),
		benchPacket(benchFrame(b, cli, srv, 1121, 5462, ".", nil), ts, 0),
	}
	const tcpOff = 14 + 20
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
	exchange := func() {
		pass(0, cseq, sseq)
		cseq += 6
		pass(1, sseq, cseq)
		sseq += 14
		pass(2, cseq, sseq)
	}
	for range cfg.MaxDialog / 2 { // fill the dialog to its cap
		exchange()
	}
	b.ReportAllocs()
	for b.Loop() {
		exchange()
	}
	b.StopTimer()
	var got *model.Session
	a.Updates(false, func(s *model.Session, _ int) { got = s })
	if got == nil || len(got.Dialog) != cfg.MaxDialog {
		b.Fatalf("the live dialog is not at its cap")
	}
	last := got.Dialog[len(got.Dialog)-1]
	if last.Kind != "reply" || last.Code != 200 || last.LatencyMS == nil {
		b.Fatalf("last entry %+v: want the latest 200 with its latency", last)
	}
}
