// Package pcaptest writes small synthetic captures for tests: TCP
// conversations with consistent sequence numbers, over Ethernet, built with
// gopacket's serializer and written as classic pcap. Real traffic lives in
// samples/; these are for the cases a lab cannot produce on demand (a 10 MB
// line, a damaged file, a million flows).
package pcaptest

import (
	"bytes"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Start is the timestamp of the first packet.
var Start = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// Capture accumulates packets and writes them as a pcap file.
type Capture struct {
	buf     bytes.Buffer
	w       *pcapgo.Writer
	Now     time.Time
	Step    time.Duration // clock advance per packet
	Snaplen int           // cut frames to this many bytes (0: no cut)
	Packets int
}

// New starts a capture with link type Ethernet.
func New() *Capture {
	c := &Capture{Now: Start, Step: 100 * time.Microsecond}
	c.w = pcapgo.NewWriterNanos(&c.buf)
	if err := c.w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		panic(err)
	}
	return c
}

// NewTo starts a capture written straight to w, for captures too large to
// keep in memory (Bytes is then empty).
func NewTo(w io.Writer) *Capture {
	c := &Capture{Now: Start, Step: 100 * time.Microsecond}
	c.w = pcapgo.NewWriterNanos(w)
	if err := c.w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		panic(err)
	}
	return c
}

// Bytes returns the pcap file.
func (c *Capture) Bytes() []byte { return c.buf.Bytes() }

// Conn is one TCP connection; A is the initiator.
type Conn struct {
	c          *Capture
	A, B       netip.AddrPort
	seqA, seqB uint32
}

// Conn creates a connection between a and b (not yet opened).
func (c *Capture) Conn(a, b string, isnA, isnB uint32) *Conn {
	return &Conn{c: c, A: netip.MustParseAddrPort(a), B: netip.MustParseAddrPort(b), seqA: isnA, seqB: isnB}
}

// Flags of a segment.
type Flags struct{ SYN, ACK, FIN, RST, PSH bool }

// Packet writes one segment from a (fromA) or from b with the given
// sequence and acknowledgement numbers and payload.
func (k *Conn) Packet(fromA bool, seq, ack uint32, f Flags, payload []byte) {
	src, dst := k.ends(fromA)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq, Ack: ack,
		SYN: f.SYN, ACK: f.ACK, FIN: f.FIN, RST: f.RST, PSH: f.PSH, Window: 65535}
	eth := &layers.Ethernet{SrcMAC: []byte{2, 0, 0, 0, 0, 1}, DstMAC: []byte{2, 0, 0, 0, 0, 2}}
	var ip gopacket.SerializableLayer
	if src.Addr().Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip6)
		ip = ip6
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	k.c.writeFrame(buf.Bytes())
}

// Open writes the three-way handshake.
func (k *Conn) Open() {
	k.Packet(true, k.seqA, 0, Flags{SYN: true}, nil)
	k.Packet(false, k.seqB, k.seqA+1, Flags{SYN: true, ACK: true}, nil)
	k.seqA++
	k.seqB++
	k.Packet(true, k.seqA, k.seqB, Flags{ACK: true}, nil)
}

// Send writes payload from a or b in segments of at most mss bytes, each
// acknowledged by the peer.
func (k *Conn) Send(fromA bool, payload []byte, mss int) {
	for len(payload) > 0 {
		n := min(len(payload), mss)
		if fromA {
			k.Packet(true, k.seqA, k.seqB, Flags{ACK: true, PSH: true}, payload[:n])
			k.seqA += uint32(n)
			k.Packet(false, k.seqB, k.seqA, Flags{ACK: true}, nil)
		} else {
			k.Packet(false, k.seqB, k.seqA, Flags{ACK: true, PSH: true}, payload[:n])
			k.seqB += uint32(n)
			k.Packet(true, k.seqA, k.seqB, Flags{ACK: true}, nil)
		}
		payload = payload[n:]
	}
}

// Lost stands for payload sent from a or b that the capture lost: the
// sequence numbers advance and nothing is written, but the peer's
// acknowledgement of it is.
func (k *Conn) Lost(fromA bool, payload []byte) {
	if fromA {
		k.seqA += uint32(len(payload))
		k.Packet(false, k.seqB, k.seqA, Flags{ACK: true}, nil)
	} else {
		k.seqB += uint32(len(payload))
		k.Packet(true, k.seqA, k.seqB, Flags{ACK: true}, nil)
	}
}

// Line sends one CRLF-terminated line in one segment.
func (k *Conn) Line(fromA bool, line string) { k.Send(fromA, []byte(line+"\r\n"), 1<<16) }

// Close writes FIN from both sides.
func (k *Conn) Close() {
	k.Packet(true, k.seqA, k.seqB, Flags{FIN: true, ACK: true}, nil)
	k.seqA++
	k.Packet(false, k.seqB, k.seqA, Flags{FIN: true, ACK: true}, nil)
	k.seqB++
	k.Packet(true, k.seqA, k.seqB, Flags{ACK: true}, nil)
}

// Reset writes a RST from a (fromA) or b.
func (k *Conn) Reset(fromA bool) {
	if fromA {
		k.Packet(true, k.seqA, 0, Flags{RST: true}, nil)
	} else {
		k.Packet(false, k.seqB, k.seqA, Flags{RST: true, ACK: true}, nil)
	}
}

// Seq returns the next sequence numbers of a and b.
func (k *Conn) Seq() (a, b uint32) { return k.seqA, k.seqB }
