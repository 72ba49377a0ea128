package decode

// Benchmark of the decoder, a hot path of the engine (issue 7), on
// synthetic in-memory packets built with gopacket.SerializeLayers (benchFrame
// is a copy of the one dissect's benchmarks use); the comment beside each is
// what `tcpdump -nn -r` prints for it.
//
//	go test -run XXX -bench . -benchmem ./dissect/decode/
//
// MB/s is frame bytes per second through the step measured, so the numbers
// compare with each other and with a capture's size; ns/op is per packet
// unless the benchmark says otherwise.

import (
	"encoding/binary"
	"math/rand"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
)

var (
	benchStart  = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	benchMACCli = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
	benchMACSrv = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}
	benchCli4   = netip.MustParseAddr("198.18.99.2")
	benchSrv4   = netip.MustParseAddr("198.18.99.1")
	benchCli6   = netip.MustParseAddr("2001:db8:99::2")
	benchSrv6   = netip.MustParseAddr("2001:db8:99::1")
)

// benchFrame serializes one Ethernet/IP/TCP frame as a Linux host sends it
// (timestamp option, window 502, checksums). flags: S SYN, F FIN, R RST,
// P PSH, . ACK.
func benchFrame(tb testing.TB, src, dst netip.AddrPort, seq, ack uint32, flags string, payload []byte) []byte {
	tb.Helper()
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
		Seq: seq, Ack: ack, Window: 502,
	}
	for _, f := range flags {
		switch f {
		case 'S':
			tcp.SYN = true
		case 'F':
			tcp.FIN = true
		case 'R':
			tcp.RST = true
		case 'P':
			tcp.PSH = true
		case '.':
			tcp.ACK = true
		}
	}
	ts := make([]byte, 8)
	binary.BigEndian.PutUint32(ts, 3103775902+seq%1000)
	if tcp.ACK {
		binary.BigEndian.PutUint32(ts[4:], 3103775900)
	}
	if tcp.SYN {
		tcp.Window = 64240
		tcp.Options = []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
			{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: ts},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{10}},
		}
	} else {
		tcp.Options = []layers.TCPOption{
			{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: ts},
		}
	}
	srcMAC, dstMAC := benchMACCli, benchMACSrv
	if src.Addr() == benchSrv4 || src.Addr() == benchSrv6 {
		srcMAC, dstMAC = benchMACSrv, benchMACCli
	}
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeIPv4}
	var ip gopacket.SerializableLayer
	if src.Addr().Is6() {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip6)
		ip = ip6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		tb.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func benchPacket(frame []byte, ts time.Time, n uint64) capture.Packet {
	return capture.Packet{
		Data:     frame,
		Info:     gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(frame), Length: len(frame)},
		LinkType: layers.LinkTypeEthernet,
		Frame:    n,
	}
}

func benchPayload(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

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
