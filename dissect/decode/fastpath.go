package decode

import (
	"encoding/binary"

	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
)

// The fast path reads the frame nearly every capture is made of, an
// Ethernet frame carrying an IPv4 datagram without options or fragments
// and a whole TCP header, by hand: the DecodingLayerParser's calls through
// interfaces, its layer bookkeeping and gopacket's Ethernet and IPv4
// layers cost about 50 ns a packet, as much as the rest of decoding. Any
// other frame, and any of these the checks below are not sure of, goes to
// the parser, which has the last word (TestFastPathMatchesParser and
// FuzzFastPath hold the two to the same result).

const (
	ethHeaderLen = 14
	ip4HeaderLen = 20 // without options
	etherTypeIP4 = 0x0800
	ip4FragMask  = 0x3fff // the More Fragments flag and the fragment offset
)

// decodeFast decodes p into s when p is an Ethernet/IPv4/TCP frame the fast
// path reads exactly as the parser would; ok is false, and s untouched,
// for any other frame.
func decodeFast(p *capture.Packet, s *Segment) (ok bool) {
	if p.LinkType != layers.LinkTypeEthernet {
		return false
	}
	data := p.Data
	if len(data) < ethHeaderLen+ip4HeaderLen+20 || binary.BigEndian.Uint16(data[12:14]) != etherTypeIP4 {
		return false
	}
	ip := data[ethHeaderLen:]
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
	tcp := ip[ip4HeaderLen:total] // Ethernet padding past the IP length dropped, as the parser does
	hdr := int(tcp[12]>>4) * 4
	if hdr < 20 || hdr > len(tcp) {
		return false
	}
	s.IfIndex = -1
	s.V6, s.ICMP = false, false
	s.Src, s.Dst = [16]byte{}, [16]byte{}
	copy(s.Src[:4], ip[12:16])
	copy(s.Dst[:4], ip[16:20])
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
