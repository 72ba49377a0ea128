package pcaptest

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Segment returns the bytes of a TCP segment (header and payload) from a
// (fromA) or b, checksummed, as IP would carry it.
func (k *Conn) Segment(fromA bool, seq, ack uint32, f Flags, payload []byte) []byte {
	src, dst := k.ends(fromA)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq, Ack: ack,
		SYN: f.SYN, ACK: f.ACK, FIN: f.FIN, RST: f.RST, PSH: f.PSH, Window: 65535}
	if src.Addr().Is4() {
		_ = tcp.SetNetworkLayerForChecksum(&layers.IPv4{Version: 4, Protocol: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()})
	} else {
		_ = tcp.SetNetworkLayerForChecksum(&layers.IPv6{Version: 6, NextHeader: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()})
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, tcp, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func (k *Conn) ends(fromA bool) (src, dst netip.AddrPort) {
	if fromA {
		return k.A, k.B
	}
	return k.B, k.A
}

// Fragment writes one IP fragment from a (fromA) or b of a TCP datagram
// with identification id: the datagram's bytes data at offset off (a
// multiple of 8), more saying fragments follow. IPv6 carries it in a
// Fragment header (RFC 8200 §4.5).
func (k *Conn) Fragment(fromA bool, id uint32, off int, more bool, data []byte) {
	k.fragment(fromA, id, off, more, data, false)
}

// FragmentAfterOptions writes an IPv6 fragment as Fragment does, behind
// a Hop-by-Hop and a Destination Options header (RFC 8200 §4.1 order).
func (k *Conn) FragmentAfterOptions(fromA bool, id uint32, off int, more bool, data []byte) {
	k.fragment(fromA, id, off, more, data, true)
}

// padded is an extension header of 8 bytes that holds one PadN option,
// followed by next.
func padded(next layers.IPProtocol) []byte {
	return []byte{byte(next), 0, 1, 4, 0, 0, 0, 0}
}

func (k *Conn) fragment(fromA bool, id uint32, off int, more bool, data []byte, options bool) {
	src, dst := k.ends(fromA)
	eth := &layers.Ethernet{SrcMAC: []byte{2, 0, 0, 0, 0, 1}, DstMAC: []byte{2, 0, 0, 0, 0, 2}}
	var ip gopacket.SerializableLayer
	payload := data
	if src.Addr().Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, Id: uint16(id), FragOffset: uint16(off / 8),
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		if more {
			ip4.Flags = layers.IPv4MoreFragments
		}
		ip = ip4
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolIPv6Fragment, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		ip = ip6
		var before []byte
		if options {
			ip6.NextHeader = layers.IPProtocolIPv6HopByHop
			before = append(padded(layers.IPProtocolIPv6Destination), padded(layers.IPProtocolIPv6Fragment)...)
		}
		hdr := make([]byte, 8, 8+len(data))
		hdr[0] = byte(layers.IPProtocolTCP)
		om := uint16(off/8) << 3
		if more {
			om |= 1
		}
		binary.BigEndian.PutUint16(hdr[2:4], om)
		binary.BigEndian.PutUint32(hdr[4:8], id)
		payload = append(before, append(hdr, data...)...)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	k.c.writeFrame(buf.Bytes())
}

// SendFragmented writes payload from a or b as one TCP segment whose IP
// datagram is cut into fragments of size bytes (a multiple of 8; the
// first carries the TCP header), written in the given order of their
// indexes (in order when none is given), then the peer's acknowledgement.
// The datagram's identification is the segment's sequence number.
func (k *Conn) SendFragmented(fromA bool, payload []byte, size int, order ...int) {
	seq, ack := k.seqA, k.seqB
	if !fromA {
		seq, ack = k.seqB, k.seqA
	}
	seg := k.Segment(fromA, seq, ack, Flags{ACK: true, PSH: true}, payload)
	var frags [][2]int
	for off := 0; off < len(seg); off += size {
		frags = append(frags, [2]int{off, min(off+size, len(seg))})
	}
	if len(order) == 0 {
		for i := range frags {
			order = append(order, i)
		}
	}
	for _, i := range order {
		f := frags[i]
		k.Fragment(fromA, seq, f[0], f[1] < len(seg), seg[f[0]:f[1]])
	}
	k.Lost(fromA, payload) // the sequence numbers advance, the peer acknowledges
}

// writeFrame writes one Ethernet frame at the capture's clock.
func (c *Capture) writeFrame(data []byte) {
	ci := gopacket.CaptureInfo{Timestamp: c.Now, CaptureLength: len(data), Length: len(data)}
	if c.Snaplen > 0 && len(data) > c.Snaplen {
		data = data[:c.Snaplen]
		ci.CaptureLength = len(data)
	}
	if err := c.w.WritePacket(ci, data); err != nil {
		panic(err)
	}
	c.Now = c.Now.Add(c.Step)
	c.Packets++
}
