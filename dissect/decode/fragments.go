package decode

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/ipfrag"
)

// IP fragments: the decoder reassembles the fragments of TCP datagrams
// (dissect/ipfrag) before TCP decoding; the analyzer counts what became of
// them (FragmentNote). Unfragmented packets never come here: the DecodingLayerParser
// reaches a fragment layer only for an IPv4 header with MF or an offset,
// or an IPv6 Fragment header, and that layer ends the decoding, so the
// decoder looks for fragments only among packets without TCP.

// ip4FragmentBody is the payload of an IPv4 fragment, as a DecodingLayer:
// layers.IPv4 names it LayerTypeFragment; decoding stops there.
type ip4FragmentBody struct{ payload []byte }

func (f *ip4FragmentBody) DecodeFromBytes(data []byte, _ gopacket.DecodeFeedback) error {
	f.payload = data
	return nil
}
func (f *ip4FragmentBody) CanDecode() gopacket.LayerClass    { return gopacket.LayerTypeFragment }
func (f *ip4FragmentBody) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }
func (f *ip4FragmentBody) LayerPayload() []byte              { return f.payload }

// ip6FragmentHeader is the IPv6 Fragment extension header (RFC 8200 §4.5)
// and the fragment's bytes after it; decoding stops there.
type ip6FragmentHeader struct {
	next    layers.IPProtocol
	offset  int // bytes
	more    bool
	id      uint32
	payload []byte
}

var errFragmentShort = errors.New("invalid IPv6 Fragment header: shorter than 8 bytes")

func (f *ip6FragmentHeader) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 8 {
		df.SetTruncated()
		return errFragmentShort
	}
	f.next = layers.IPProtocol(data[0])
	om := binary.BigEndian.Uint16(data[2:4])
	f.offset = int(om &^ 7) // the offset in 8-byte units sits in the top 13 bits
	f.more = om&1 != 0
	f.id = binary.BigEndian.Uint32(data[4:8])
	f.payload = data[8:]
	return nil
}
func (f *ip6FragmentHeader) CanDecode() gopacket.LayerClass    { return layers.LayerTypeIPv6Fragment }
func (f *ip6FragmentHeader) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }
func (f *ip6FragmentHeader) LayerPayload() []byte              { return f.payload }

// FragmentNote is what the reassembler did, for the analyzer, which keeps
// the statistics on its own goroutine.
type FragmentNote struct {
	Counts  ipfrag.Counters // since the previous fragment
	Warning string          // a datagram discarded as damaged or forged
	// what the reassembled datagram turned out to be when it is not a
	// TCP segment
	NotTCP, BadTCP bool
}

// ipProtocolDestinationOptions may sit between the Fragment header and TCP,
// in the fragmented part.
const ipProtocolDestinationOptions = layers.IPProtocolIPv6Destination

// isFragment reports whether the packet just decoded, whose IP layer is
// v6 or not, is an IP fragment.
func (d *Decoder) isFragment(v6 bool) bool {
	if v6 {
		n := len(d.decoded)
		return n > 0 && d.decoded[n-1] == layers.LayerTypeIPv6Fragment
	}
	if d.ip4.Flags&layers.IPv4MoreFragments == 0 && d.ip4.FragOffset == 0 {
		return false
	}
	// The parser stops before the fragment layer when no byte is left.
	d.frag4.payload = d.ip4.Payload
	return true
}

// fragment hands an IP fragment to the reassembler and, when it completes
// a TCP datagram, decodes the segment into s: from the reassembled bytes,
// with this packet's addresses, frame and timestamp.
func (d *Decoder) fragment(p *capture.Packet, s *Segment, cut bool) Result {
	var f ipfrag.Fragment
	if s.V6 {
		h := &d.frag6
		if h.next != layers.IPProtocolTCP && h.next != ipProtocolDestinationOptions {
			return NotTCP
		}
		f.V6, f.ID, f.Proto, f.Offset, f.More, f.Data = true, h.id, uint8(h.next), h.offset, h.more, h.payload
		copy(f.Src[:], d.ip6.SrcIP)
		copy(f.Dst[:], d.ip6.DstIP)
		// the extension headers before the Fragment header count in the
		// reassembled Payload Length
		f.HeaderLen = max(int(d.ip6.Length)-8-len(h.payload), 0)
	} else {
		ip := &d.ip4
		if ip.Protocol != layers.IPProtocolTCP {
			return NotTCP
		}
		f.ID, f.Proto, f.Offset, f.More, f.Data = uint32(ip.Id), uint8(ip.Protocol), int(ip.FragOffset)*8, ip.Flags&layers.IPv4MoreFragments != 0, d.frag4.payload
		copy(f.Src[:4], ip.SrcIP)
		copy(f.Dst[:4], ip.DstIP)
		f.HeaderLen = int(ip.IHL) * 4
	}
	f.Cut = cut
	s.Src, s.Dst, s.SrcPort, s.DstPort = f.Src, f.Dst, 0, 0 // for the Selector, which keeps the fragments of its hosts
	f.Vantage = [3]int{p.Source, p.Info.InterfaceIndex, s.IfIndex}
	if d.frags == nil {
		d.frags = ipfrag.New(ipfrag.DefaultLimits())
	}
	res := d.frags.Add(&f, p.Info.Timestamp.UnixNano())
	s.Frag = &FragmentNote{Counts: d.frags.TakeCounters()}
	if res.Discarded {
		s.Frag.Warning = fmt.Sprintf("IP fragments of %v discarded: %s", f.Key, discardText(res.Dropped, f.V6))
	}
	if res.Datagram == nil {
		return Fragment
	}
	b, next := res.Datagram, layers.IPProtocol(f.Proto)
	for next == ipProtocolDestinationOptions {
		if len(b) < 2 || len(b) < (int(b[1])+1)*8 {
			s.Frag.BadTCP = true
			return Fragment
		}
		next, b = layers.IPProtocol(b[0]), b[(int(b[1])+1)*8:]
	}
	if next != layers.IPProtocolTCP {
		s.Frag.NotTCP = true
		return Fragment
	}
	if d.tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback) != nil {
		s.Frag.BadTCP = true
		return Fragment
	}
	s.ICMP = false
	t := &d.tcp
	s.SrcPort, s.DstPort = t.srcPort, t.dstPort
	s.Seq, s.Ack = t.seq, t.ack
	s.SYN, s.HasACK, s.FIN, s.RST = t.flags&tcpSYN != 0, t.flags&tcpACK != 0, t.flags&tcpFIN != 0, t.flags&tcpRST != 0
	s.Payload, s.PayloadLen = t.payload, len(t.payload)
	return Reassembled
}

// FragmentsPending returns the datagrams the reassembler holds in
// progress and the bytes they take: the bound a flood of fragments must
// stay within.
func (d *Decoder) FragmentsPending() (datagrams, bytes int) {
	if d.frags == nil {
		return 0, 0
	}
	return d.frags.Pending()
}

func discardText(r ipfrag.Reason, v6 bool) string {
	switch {
	case r == ipfrag.Overlap && v6:
		return "they overlap (RFC 5722)"
	case r == ipfrag.Overlap:
		return "they overlap with different bytes"
	case r == ipfrag.TooLarge:
		return "the datagram would exceed 65535 bytes"
	case r == ipfrag.Malformed:
		return "they disagree on where the datagram ends"
	case r == ipfrag.TooMany:
		return "too many fragments"
	}
	return r.String()
}
