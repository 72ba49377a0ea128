package pcaptest

import (
	"encoding/binary"
	"math/rand"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The hosts of LinuxFrame's benchmark packets: a client and a server on
// each address family, with the MAC addresses their frames carry.
var (
	BenchClient4 = netip.MustParseAddr("198.18.99.2")
	BenchServer4 = netip.MustParseAddr("198.18.99.1")
	BenchClient6 = netip.MustParseAddr("2001:db8:99::2")
	BenchServer6 = netip.MustParseAddr("2001:db8:99::1")
	benchMACCli  = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
	benchMACSrv  = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}
)

// LinuxFrame serializes one Ethernet/IP/TCP frame as a Linux host sends it
// (timestamp option, window 502, checksums), for the benchmarks of the
// decoder and the dissector. flags: S SYN, F FIN, R RST, P PSH, . ACK.
func LinuxFrame(tb testing.TB, src, dst netip.AddrPort, seq, ack uint32, flags string, payload []byte) []byte {
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
	if src.Addr() == BenchServer4 || src.Addr() == BenchServer6 {
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

// RandomPayload returns n bytes of incompressible data, the same for the
// same n.
func RandomPayload(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}
