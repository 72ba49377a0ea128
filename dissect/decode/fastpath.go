package decode

import (
	"encoding/binary"

	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
)

// The fast path reads by hand the frame nearly every capture is made of:
// Ethernet, then IPv4 without options or fragments or IPv6 without
// extension headers, then a whole TCP header. The DecodingLayerParser's
// calls through interfaces, its layer bookkeeping and gopacket's Ethernet
// and IP layers cost about 50 ns a packet, as much as the rest of
// decoding. Any other frame, and any of these the checks below are not
// sure of, goes to the parser, which has the last word
// (TestFastPathMatchesParser and FuzzFastPath hold the two to the same
// result).

const (
	ethHeaderLen = 14
	ip4HeaderLen = 20 // without options
	ip6HeaderLen = 40 // without extension headers
	etherTypeIP4 = 0x0800
	etherTypeIP6 = 0x86dd
	ip4FragMask  = 0x3fff // the More Fragments flag and the fragment offset
)

// decodeFast decodes p into s when p is an Ethernet/IP/TCP frame the fast
// path reads exactly as the parser would; ok is false, and s untouched,
// for any other frame.
func decodeFast(p *capture.Packet, s *Segment) (ok bool) {
	if p.LinkType != layers.LinkTypeEthernet || len(p.Data) < ethHeaderLen {
		return false
	}
	switch binary.BigEndian.Uint16(p.Data[12:14]) {
	case etherTypeIP4:
		return decodeFast4(p.Data[ethHeaderLen:], s)
	case etherTypeIP6:
		return decodeFast6(p.Data[ethHeaderLen:], s)
	}
	return false
}

func decodeFast4(ip []byte, s *Segment) bool {
	if len(ip) < ip4HeaderLen+20 {
		return false
	}
	// Version 4 and a header without options (0x45); the parser reads any
	// version nibble as IPv4 here, but such a frame is not worth a path
	// of its own.
	if ip[0] != 0x45 || ip[9] != byte(layers.IPProtocolTCP) || binary.BigEndian.Uint16(ip[6:8])&ip4FragMask != 0 {
		return false
	}
	// A total length of zero (segmentation offload), one below the header,
	// or one beyond the captured bytes (a cut packet): the parser's cases.
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	if total < ip4HeaderLen+20 || total > len(ip) {
		return false
	}
	// Ethernet padding past the IP length dropped, as the parser does.
	if !fastTCP(ip[ip4HeaderLen:total], s) {
		return false
	}
	s.V6 = false
	s.Src, s.Dst = [16]byte{}, [16]byte{}
	copy(s.Src[:4], ip[12:16])
	copy(s.Dst[:4], ip[16:20])
	return true
}

func decodeFast6(ip []byte, s *Segment) bool {
	// Version 6 and TCP as the next header: no extension headers.
	if len(ip) < ip6HeaderLen+20 || ip[0]>>4 != 6 || ip[6] != byte(layers.IPProtocolTCP) {
		return false
	}
	// A payload length of zero (a jumbogram, or an error), or one beyond
	// the captured bytes (a cut packet): the parser's cases.
	n := int(binary.BigEndian.Uint16(ip[4:6]))
	if n < 20 || ip6HeaderLen+n > len(ip) {
		return false
	}
	if !fastTCP(ip[ip6HeaderLen:ip6HeaderLen+n], s) {
		return false
	}
	s.V6 = true
	copy(s.Src[:], ip[8:24])
	copy(s.Dst[:], ip[24:40])
	return true
}

// fastTCP fills s from a whole TCP segment, header and payload, unless its
// header is short or cut (the parser's cases), when it leaves s untouched.
func fastTCP(tcp []byte, s *Segment) bool {
	hdr := int(tcp[12]>>4) * 4
	if hdr < 20 || hdr > len(tcp) {
		return false
	}
	s.IfIndex = -1
	s.ICMP = false
	s.SrcPort = binary.BigEndian.Uint16(tcp[0:2])
	s.DstPort = binary.BigEndian.Uint16(tcp[2:4])
	s.Seq = binary.BigEndian.Uint32(tcp[4:8])
	s.Ack = binary.BigEndian.Uint32(tcp[8:12])
	flags := tcp[13]
	s.SYN, s.HasACK, s.FIN, s.RST = flags&tcpSYN != 0, flags&tcpACK != 0, flags&tcpFIN != 0, flags&tcpRST != 0
	s.Payload = tcp[hdr:]
	s.PayloadLen = len(s.Payload)
	return true
}
