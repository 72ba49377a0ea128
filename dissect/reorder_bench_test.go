package dissect

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/capture"
)

// BenchmarkControlReordered feeds a control exchange whose reply arrives in
// two segments, the second first (NOOP, "200 " after "NOOP ok.", the first
// part, the ACK: four frames per op), so every op goes through the
// out-of-order path of the control stream.
func BenchmarkControlReordered(b *testing.B) {
	const tcpOff = 14 + 20
	a, ts := benchSetup(b, len(benchSession(b, 40000))-7)
	cli := netip.AddrPortFrom(benchCli4, 40000)
	srv := netip.AddrPortFrom(benchSrv4, 21)
	head, tail := []byte("200 "), []byte("NOOP ok.\r\n")
	frames := [][]byte{
		benchFrame(b, cli, srv, 1115, 5448, "P.", []byte("NOOP\r\n")),
		benchFrame(b, srv, cli, 5448+uint32(len(head)), 1121, "P.", tail),
		benchFrame(b, srv, cli, 5448, 1121, ".", head),
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
		pass(1, sseq+uint32(len(head)), cseq)
		pass(2, sseq, cseq)
		sseq += uint32(len(head) + len(tail))
		pass(3, cseq, sseq)
	}
	b.StopTimer()
	for s := range a.open {
		if s.gapBytes != 0 || s.repliesN < b.N {
			b.Fatalf("%d replies for %d ops, %d gap bytes: the reordered replies were not read", s.repliesN, b.N, s.gapBytes)
		}
	}
	a.Finish()
}
