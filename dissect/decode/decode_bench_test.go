package decode

// Benchmark of the decoder, a hot path of the engine (issue 7), on
// synthetic in-memory packets built with gopacket.SerializeLayers
// (pcaptest.LinuxFrame, which dissect's benchmarks use too); the comment
// beside each is what `tcpdump -nn -r` prints for it.
//
//	go test -run XXX -bench . -benchmem ./dissect/decode/
//
// MB/s is frame bytes per second through the step measured, so the numbers
// compare with each other and with a capture's size; ns/op is per packet
// unless the benchmark says otherwise.

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
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

// benchPackets are single frames of each kind a capture is made of.
func benchPackets(tb testing.TB) []struct {
	name  string
	frame []byte
} {
	c21 := netip.AddrPortFrom(benchCli4, 40001)
	s21 := netip.AddrPortFrom(benchSrv4, 21)
	cd := netip.AddrPortFrom(benchCli4, 40002)
	sd := netip.AddrPortFrom(benchSrv4, 30001)
	c6 := netip.AddrPortFrom(benchCli6, 40003)
	s6 := netip.AddrPortFrom(benchSrv6, 30002)
	s621 := netip.AddrPortFrom(benchSrv6, 21)
	return []struct {
		name  string
		frame []byte
	}{
		// IP 198.18.99.2.40001 > 198.18.99.1.21: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 3103775902 ecr 0,nop,wscale 10], length 0
		{"syn", benchFrame(tb, c21, s21, 1000, 0, "S", nil)},
		// IP 198.18.99.2.40001 > 198.18.99.1.21: Flags [P.], seq 1001:1015, ack 2035, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 14: FTP: RETR f01.bin
		{"ftp-command", benchFrame(tb, c21, s21, 1001, 2035, "P.", []byte("RETR f01.bin\r\n"))},
		// IP 198.18.99.1.21 > 198.18.99.2.40001: Flags [P.], seq 2035:2084, ack 1015, win 502, options [nop,nop,TS val 3103775937 ecr 3103775900], length 49: FTP: 227 Entering Passive Mode (198,18,99,1,117,49).
		{"ftp-reply", benchFrame(tb, s21, c21, 2035, 1015, "P.", []byte("227 Entering Passive Mode (198,18,99,1,117,49).\r\n"))},
		// IP 198.18.99.2.40002 > 198.18.99.1.30001: Flags [.], ack 1449, win 502, options [nop,nop,TS val 3103775902 ecr 3103775900], length 0
		{"ack", benchFrame(tb, cd, sd, 1000, 1449, ".", nil)},
		// IP 198.18.99.1.30001 > 198.18.99.2.40002: Flags [.], seq 1:1449, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1448
		{"data-1448", benchFrame(tb, sd, cd, 1, 1, ".", benchPayload(1448))},
		// IP6 2001:db8:99::1.30002 > 2001:db8:99::2.40003: Flags [.], seq 1:1429, ack 1, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1428
		{"data6-1428", benchFrame(tb, s6, c6, 1, 1, ".", benchPayload(1428))},
		// IP6 2001:db8:99::1.21 > 2001:db8:99::2.40003: Flags [P.], seq 500:548, ack 200, win 502, options [nop,nop,TS val 3103776402 ecr 3103775900], length 48: FTP: 229 Entering Extended Passive Mode (|||30002|)
		{"ftp6-reply", benchFrame(tb, s621, c6, 500, 200, "P.", []byte("229 Entering Extended Passive Mode (|||30002|)\r\n"))},
	}
}

// BenchmarkDecode measures the decoder alone: one preallocated
// DecodingLayerParser filling a segment.
func BenchmarkDecode(b *testing.B) {
	pkts := benchPackets(b)
	for _, p := range pkts {
		b.Run(p.name, func(b *testing.B) {
			d := New()
			var s Segment
			pk := benchPacket(p.frame, benchStart, 1)
			b.SetBytes(int64(len(p.frame)))
			b.ReportAllocs()
			for b.Loop() {
				if d.DecodePacket(&pk, &s) != TCP {
					b.Fatal("not decoded as TCP")
				}
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		d := New()
		var s Segment
		var all []capture.Packet
		var size int
		for _, p := range pkts {
			all = append(all, benchPacket(p.frame, benchStart, 1))
			size += len(p.frame)
		}
		b.SetBytes(int64(size / len(all)))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			d.DecodePacket(&all[i], &s)
			if i++; i == len(all) {
				i = 0
			}
		}
	})
}
