// Package decode turns captured packets into the TCP segments the
// dissector reads: one preallocated gopacket DecodingLayerParser per link
// type and no allocation per packet, a TCP layer that reads only what the
// dissector uses, ICMP destination-unreachable errors that quote a TCP
// segment, and IP fragments of TCP datagrams reassembled (dissect/ipfrag)
// before TCP decoding.
package decode

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/ipfrag"
)

// Segment is one decoded TCP segment, or an ICMP error quoting one. Its
// slices alias the packet's bytes.
type Segment struct {
	V6               bool
	Src, Dst         [16]byte // IPv4 addresses in the first four bytes
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	SYN, HasACK      bool
	FIN, RST         bool
	Payload          []byte // captured payload bytes
	PayloadLen       int    // payload length per the IP header; more than len(Payload) when cut
	IfIndex          int    // Linux cooked v2 interface index, or -1
	// ICMP is set for an ICMP destination-unreachable that quotes a TCP
	// segment; the addresses and ports are then those of the quoted segment.
	ICMP     bool
	ICMPText string
	// Frag tells the analyzer what the IP fragment reassembler did with
	// a fragment; set only for Fragment and Reassembled, a note of its
	// own each time (fragments allocate anyway), so that a Frame stays
	// small.
	Frag *FragmentNote
}

// Result classifies a packet.
type Result int

const (
	TCP       Result = iota // a TCP segment
	ICMP                    // an ICMP destination-unreachable quoting a TCP segment
	NotTCP                  // ARP, UDP, fragments of other protocols, unknown link types …
	Truncated               // cut by the snapshot length before the TCP header ended
	Malformed               // malformed headers
	// Fragment is an IP fragment of a TCP datagram that did not complete
	// one: held, or dropped.
	Fragment
	// Reassembled is a TCP segment reassembled from IP fragments, this
	// packet's the one that completed it.
	Reassembled
)

// Frame is a packet with its TCP segment decoded, ready for the analysis:
// a Decoder may fill it on another goroutine than the analysis', ahead of
// it. The segment aliases Packet.Data.
type Frame struct {
	Packet  capture.Packet
	Segment Segment
	Result  Result
}

// Decode decodes f.Packet into f.
func (d *Decoder) Decode(f *Frame) { f.Result = d.DecodePacket(&f.Packet, &f.Segment) }

// Decoder turns packets into segments with one preallocated set of layers
// and no allocation per packet (gopacket's DecodingLayerParser fast path).
// It is not safe for concurrent use; each goroutine that decodes has its
// own.
type Decoder struct {
	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	lo      layers.Loopback
	ip4     layers.IPv4
	ip6     layers.IPv6
	ip6ext  layers.IPv6ExtensionSkipper
	frag4   ip4FragmentBody
	frag6   ip6FragmentHeader
	frags   *ipfrag.Reassembler // created at the first fragment
	tcp     tcpHeader
	parsers map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

// New returns a Decoder.
func New() *Decoder {
	d := &Decoder{parsers: map[gopacket.LayerType]*gopacket.DecodingLayerParser{}}
	for _, first := range []gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
		layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
	} {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		// The fragment layers come after the extension skipper: they take
		// the IPv6 Fragment header from it, so that a fragment's bytes never
		// reach the TCP layer.
		for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.lo, &d.ip4, &d.ip6, &d.ip6ext, &d.frag4, &d.frag6, &d.tcp} {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[first] = p
	}
	d.decoded = make([]gopacket.LayerType, 0, 8)
	return d
}

// firstLayer returns the layer a link type starts with.
func firstLayer(lt layers.LinkType, data []byte) gopacket.LayerType {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback
	case layers.LinkTypeIPv4:
		return layers.LayerTypeIPv4
	case layers.LinkTypeIPv6:
		return layers.LayerTypeIPv6
	case layers.LinkTypeRaw, 12, 14:
		if len(data) > 0 && data[0]>>4 == 6 {
			return layers.LayerTypeIPv6
		}
		return layers.LayerTypeIPv4
	}
	return gopacket.LayerTypeZero
}

// DecodePacket decodes p into s, for a caller that keeps no Frame.
func (d *Decoder) DecodePacket(p *capture.Packet, s *Segment) Result {
	if decodeFast(p, s) {
		return TCP
	}
	return d.decodeLayers(p, s)
}

// decodeLayers decodes p into s with the DecodingLayerParser of its link
// type: any frame the fast path leaves.
func (d *Decoder) decodeLayers(p *capture.Packet, s *Segment) Result {
	first := firstLayer(p.LinkType, p.Data)
	parser := d.parsers[first]
	if parser == nil {
		return NotTCP
	}
	err := parser.DecodeLayers(p.Data, &d.decoded)
	s.IfIndex = -1
	var haveIP, haveTCP bool
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeLinuxSLL2:
			s.IfIndex = int(d.sll2.InterfaceIndex)
		case layers.LayerTypeIPv4:
			haveIP, s.V6 = true, false
		case layers.LayerTypeIPv6:
			haveIP, s.V6 = true, true
		case layers.LayerTypeTCP:
			haveTCP = true
		}
	}
	if !haveIP {
		if err != nil {
			return Malformed
		}
		return NotTCP
	}
	if !haveTCP {
		// A fragment never has TCP decoded (the fragment layers end the
		// decoding), so TCP packets pay nothing for this test.
		if d.isFragment(s.V6) {
			return d.fragment(p, s, parser.Truncated)
		}
		if r, ok := d.icmp(s); ok {
			return r
		}
		if parser.Truncated {
			return Truncated
		}
		if err != nil {
			return Malformed
		}
		return NotTCP
	}
	if err != nil {
		return Malformed
	}
	s.ICMP = false
	if s.V6 {
		copy(s.Src[:], d.ip6.SrcIP)
		copy(s.Dst[:], d.ip6.DstIP)
	} else {
		s.Src, s.Dst = [16]byte{}, [16]byte{}
		copy(s.Src[:4], d.ip4.SrcIP)
		copy(s.Dst[:4], d.ip4.DstIP)
	}
	t := &d.tcp
	s.SrcPort, s.DstPort = t.srcPort, t.dstPort
	s.Seq, s.Ack = t.seq, t.ack
	s.SYN, s.HasACK, s.FIN, s.RST = t.flags&tcpSYN != 0, t.flags&tcpACK != 0, t.flags&tcpFIN != 0, t.flags&tcpRST != 0
	s.Payload = t.payload
	s.PayloadLen = len(t.payload)
	// A packet cut by the snapshot length still tells, through the IP
	// length, how many payload bytes it carried: enough to count a data
	// connection's bytes from a headers-only capture.
	hdr := t.headerLen
	if s.V6 {
		if d.ip6.Length != 0 && d.ip6.NextHeader == layers.IPProtocolTCP {
			if n := int(d.ip6.Length) - hdr; n > s.PayloadLen {
				s.PayloadLen = n
			}
		}
	} else if n := int(d.ip4.Length) - int(d.ip4.IHL)*4 - hdr; n > s.PayloadLen {
		s.PayloadLen = n
	}
	return TCP
}

// icmp reads an ICMP destination-unreachable that quotes a TCP segment.
func (d *Decoder) icmp(s *Segment) (Result, bool) {
	var body []byte
	var v6 bool
	var text string
	switch {
	case !s.V6 && d.ip4.Protocol == layers.IPProtocolICMPv4:
		b := d.ip4.Payload
		if len(b) < 8 || b[0] != 3 { // destination unreachable
			return 0, false
		}
		text = icmp4Text(b[1])
		body = b[8:]
		if len(body) < 20 || body[0]>>4 != 4 || body[9] != byte(layers.IPProtocolTCP) {
			return 0, false
		}
		ihl := int(body[0]&0x0f) * 4
		if len(body) < ihl+8 {
			return 0, false
		}
		s.Src, s.Dst = [16]byte{}, [16]byte{}
		copy(s.Src[:4], body[12:16])
		copy(s.Dst[:4], body[16:20])
		body = body[ihl:]
	case s.V6 && d.ip6.NextHeader == layers.IPProtocolICMPv6:
		b := d.ip6.Payload
		if len(b) < 8 || b[0] != 1 { // destination unreachable
			return 0, false
		}
		text = icmp6Text(b[1])
		body = b[8:]
		if len(body) < 48 || body[0]>>4 != 6 || body[6] != byte(layers.IPProtocolTCP) {
			return 0, false
		}
		v6 = true
		copy(s.Src[:], body[8:24])
		copy(s.Dst[:], body[24:40])
		body = body[40:]
	default:
		return 0, false
	}
	s.V6 = v6
	s.ICMP = true
	s.ICMPText = text
	s.SrcPort = binary.BigEndian.Uint16(body[0:2])
	s.DstPort = binary.BigEndian.Uint16(body[2:4])
	s.Seq = binary.BigEndian.Uint32(body[4:8])
	s.SYN, s.HasACK, s.FIN, s.RST = false, false, false, false
	s.Payload, s.PayloadLen = nil, 0
	return ICMP, true
}

func icmp4Text(code byte) string {
	switch code {
	case 0:
		return "ICMP network unreachable"
	case 1:
		return "ICMP host unreachable"
	case 3:
		return "ICMP port unreachable"
	case 9, 10, 13:
		return "ICMP administratively prohibited"
	}
	return "ICMP destination unreachable"
}

func icmp6Text(code byte) string {
	switch code {
	case 0:
		return "ICMPv6 no route to destination"
	case 1:
		return "ICMPv6 administratively prohibited"
	case 3:
		return "ICMPv6 address unreachable"
	case 4:
		return "ICMPv6 port unreachable"
	}
	return "ICMPv6 destination unreachable"
}

// tcpHeader decodes a TCP header the way the dissector reads it, as a
// gopacket DecodingLayer: the fixed fields and where the payload starts.
// Unlike layers.TCP it leaves the options unparsed (nothing here reads
// them) and ends the decoding, which saves a fifth of the decoding time
// of a capture of short segments. Its errors are layers.TCP's.
type tcpHeader struct {
	srcPort, dstPort uint16
	seq, ack         uint32
	flags            uint8
	headerLen        int
	payload          []byte
}

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

var (
	errTCPShort  = errors.New("invalid TCP header: shorter than 20 bytes")
	errTCPOffset = errors.New("invalid TCP data offset: below 5")
	errTCPCut    = errors.New("TCP data offset greater than packet length")
)

func (t *tcpHeader) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return errTCPShort
	}
	t.srcPort = binary.BigEndian.Uint16(data[0:2])
	t.dstPort = binary.BigEndian.Uint16(data[2:4])
	t.seq = binary.BigEndian.Uint32(data[4:8])
	t.ack = binary.BigEndian.Uint32(data[8:12])
	t.flags = data[13]
	t.headerLen = int(data[12]>>4) * 4
	if t.headerLen < 20 {
		return errTCPOffset
	}
	if t.headerLen > len(data) {
		df.SetTruncated()
		return errTCPCut
	}
	t.payload = data[t.headerLen:]
	return nil
}

func (t *tcpHeader) CanDecode() gopacket.LayerClass    { return layers.LayerTypeTCP }
func (t *tcpHeader) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }
func (t *tcpHeader) LayerPayload() []byte              { return t.payload }

// AddrPort is a segment's address (Src or Dst) and port as a netip.AddrPort.
func AddrPort(v6 bool, a [16]byte, port uint16) netip.AddrPort {
	if v6 {
		return netip.AddrPortFrom(netip.AddrFrom16(a), port)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{a[0], a[1], a[2], a[3]}), port)
}
