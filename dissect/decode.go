package dissect

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/ipfrag"
)

// segment is one decoded TCP segment, or an ICMP error quoting one. Its
// slices alias the packet's bytes.
type segment struct {
	v6          bool
	src, dst    [16]byte // IPv4 addresses in the first four bytes
	sport       uint16
	dport       uint16
	seq, ack    uint32
	syn, hasAck bool
	fin, rst    bool
	payload     []byte // captured payload bytes
	payloadLen  int    // payload length per the IP header; more than len(payload) when cut
	ifindex     int    // Linux cooked v2 interface index, or -1
	// icmp is set for an ICMP destination-unreachable that quotes a TCP
	// segment; the addresses and ports are then those of the quoted segment.
	icmp     bool
	icmpText string
	// frag tells the analyzer what the IP fragment reassembler did with
	// a fragment; set only for decodedFragment and decodedReassembled, a
	// note of its own each time (fragments allocate anyway), so that a
	// Frame stays small.
	frag *fragNote
}

// decodeResult classifies a packet.
type decodeResult int

const (
	decodedTCP decodeResult = iota
	decodedICMP
	decodedOther     // not TCP: ARP, UDP, fragments of other protocols, unknown link types …
	decodedTruncated // cut by the snapshot length before the TCP header ended
	decodedError     // malformed headers
	// decodedFragment is an IP fragment of a TCP datagram that did not
	// complete one: held, or dropped.
	decodedFragment
	// decodedReassembled is a TCP segment reassembled from IP fragments,
	// this packet's the one that completed it.
	decodedReassembled
)

// Frame is a packet with its TCP segment decoded, ready for an Analyzer:
// a Decoder may fill it on another goroutine than the Analyzer's, ahead of
// the analysis. The segment aliases Packet.Data.
type Frame struct {
	Packet capture.Packet
	seg    segment
	result decodeResult
}

// Decoder decodes packets into Frames with no allocation per packet. It is
// not safe for concurrent use; each goroutine that decodes has its own.
type Decoder struct{ d *decoder }

// NewDecoder returns a Decoder.
func NewDecoder() *Decoder { return &Decoder{newDecoder()} }

// Decode decodes f.Packet into f.
func (d *Decoder) Decode(f *Frame) { f.result = d.d.decode(&f.Packet, &f.seg) }

// decoder turns packets into segments with one preallocated set of layers
// and no allocation per packet (gopacket's DecodingLayerParser fast path).
type decoder struct {
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

func newDecoder() *decoder {
	d := &decoder{parsers: map[gopacket.LayerType]*gopacket.DecodingLayerParser{}}
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

// decode fills s from p.
func (d *decoder) decode(p *capture.Packet, s *segment) decodeResult {
	first := firstLayer(p.LinkType, p.Data)
	parser := d.parsers[first]
	if parser == nil {
		return decodedOther
	}
	err := parser.DecodeLayers(p.Data, &d.decoded)
	s.ifindex = -1
	var haveIP, haveTCP bool
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeLinuxSLL2:
			s.ifindex = int(d.sll2.InterfaceIndex)
		case layers.LayerTypeIPv4:
			haveIP, s.v6 = true, false
		case layers.LayerTypeIPv6:
			haveIP, s.v6 = true, true
		case layers.LayerTypeTCP:
			haveTCP = true
		}
	}
	if !haveIP {
		if err != nil {
			return decodedError
		}
		return decodedOther
	}
	if !haveTCP {
		// A fragment never has TCP decoded (the fragment layers end the
		// decoding), so TCP packets pay nothing for this test.
		if d.isFragment(s.v6) {
			return d.fragment(p, s, parser.Truncated)
		}
		if r, ok := d.icmp(s); ok {
			return r
		}
		if parser.Truncated {
			return decodedTruncated
		}
		if err != nil {
			return decodedError
		}
		return decodedOther
	}
	if err != nil {
		return decodedError
	}
	s.icmp = false
	if s.v6 {
		copy(s.src[:], d.ip6.SrcIP)
		copy(s.dst[:], d.ip6.DstIP)
	} else {
		s.src, s.dst = [16]byte{}, [16]byte{}
		copy(s.src[:4], d.ip4.SrcIP)
		copy(s.dst[:4], d.ip4.DstIP)
	}
	t := &d.tcp
	s.sport, s.dport = t.srcPort, t.dstPort
	s.seq, s.ack = t.seq, t.ack
	s.syn, s.hasAck, s.fin, s.rst = t.flags&tcpSYN != 0, t.flags&tcpACK != 0, t.flags&tcpFIN != 0, t.flags&tcpRST != 0
	s.payload = t.payload
	s.payloadLen = len(t.payload)
	// A packet cut by the snapshot length still tells, through the IP
	// length, how many payload bytes it carried: enough to count a data
	// connection's bytes from a headers-only capture.
	hdr := t.headerLen
	if s.v6 {
		if d.ip6.Length != 0 && d.ip6.NextHeader == layers.IPProtocolTCP {
			if n := int(d.ip6.Length) - hdr; n > s.payloadLen {
				s.payloadLen = n
			}
		}
	} else if n := int(d.ip4.Length) - int(d.ip4.IHL)*4 - hdr; n > s.payloadLen {
		s.payloadLen = n
	}
	return decodedTCP
}

// icmp reads an ICMP destination-unreachable that quotes a TCP segment.
func (d *decoder) icmp(s *segment) (decodeResult, bool) {
	var body []byte
	var v6 bool
	var text string
	switch {
	case !s.v6 && d.ip4.Protocol == layers.IPProtocolICMPv4:
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
		s.src, s.dst = [16]byte{}, [16]byte{}
		copy(s.src[:4], body[12:16])
		copy(s.dst[:4], body[16:20])
		body = body[ihl:]
	case s.v6 && d.ip6.NextHeader == layers.IPProtocolICMPv6:
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
		copy(s.src[:], body[8:24])
		copy(s.dst[:], body[24:40])
		body = body[40:]
	default:
		return 0, false
	}
	s.v6 = v6
	s.icmp = true
	s.icmpText = text
	s.sport = binary.BigEndian.Uint16(body[0:2])
	s.dport = binary.BigEndian.Uint16(body[2:4])
	s.seq = binary.BigEndian.Uint32(body[4:8])
	s.syn, s.hasAck, s.fin, s.rst = false, false, false, false
	s.payload, s.payloadLen = nil, 0
	return decodedICMP, true
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
