package dissect

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/ipfrag"
	"github.com/ftpscope/ftpscope/model"
)

// IP fragments: the decoder reassembles the fragments of TCP datagrams
// (dissect/ipfrag) before TCP decoding; the analyzer counts what became of
// them. Unfragmented packets never come here: the DecodingLayerParser
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

// fragNote is what the reassembler did, for the analyzer, which keeps the
// statistics on its own goroutine.
type fragNote struct {
	counts  ipfrag.Counters // since the previous fragment
	warning string          // a datagram discarded as damaged or forged
	// what the reassembled datagram turned out to be when it is not a
	// TCP segment
	notTCP, badTCP bool
}

// ipProtocolDestinationOptions may sit between the Fragment header and TCP,
// in the fragmented part.
const ipProtocolDestinationOptions = layers.IPProtocolIPv6Destination

// isFragment reports whether the packet just decoded, whose IP layer is
// v6 or not, is an IP fragment.
func (d *decoder) isFragment(v6 bool) bool {
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
func (d *decoder) fragment(p *capture.Packet, s *segment, cut bool) decodeResult {
	var f ipfrag.Fragment
	if s.v6 {
		h := &d.frag6
		if h.next != layers.IPProtocolTCP && h.next != ipProtocolDestinationOptions {
			return decodedOther
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
			return decodedOther
		}
		f.ID, f.Proto, f.Offset, f.More, f.Data = uint32(ip.Id), uint8(ip.Protocol), int(ip.FragOffset)*8, ip.Flags&layers.IPv4MoreFragments != 0, d.frag4.payload
		copy(f.Src[:4], ip.SrcIP)
		copy(f.Dst[:4], ip.DstIP)
		f.HeaderLen = int(ip.IHL) * 4
	}
	f.Cut = cut
	s.src, s.dst, s.sport, s.dport = f.Src, f.Dst, 0, 0 // for the Selector, which keeps the fragments of its hosts
	f.Vantage = [3]int{p.Source, p.Info.InterfaceIndex, s.ifindex}
	if d.frags == nil {
		d.frags = ipfrag.New(ipfrag.DefaultLimits())
	}
	res := d.frags.Add(&f, p.Info.Timestamp.UnixNano())
	s.frag = &fragNote{counts: d.frags.TakeCounters()}
	if res.Discarded {
		s.frag.warning = fmt.Sprintf("IP fragments of %v discarded: %s", f.Key, discardText(res.Dropped, f.V6))
	}
	if res.Datagram == nil {
		return decodedFragment
	}
	b, next := res.Datagram, layers.IPProtocol(f.Proto)
	for next == ipProtocolDestinationOptions {
		if len(b) < 2 || len(b) < (int(b[1])+1)*8 {
			s.frag.badTCP = true
			return decodedFragment
		}
		next, b = layers.IPProtocol(b[0]), b[(int(b[1])+1)*8:]
	}
	if next != layers.IPProtocolTCP {
		s.frag.notTCP = true
		return decodedFragment
	}
	if d.tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback) != nil {
		s.frag.badTCP = true
		return decodedFragment
	}
	s.icmp = false
	t := &d.tcp
	s.sport, s.dport = t.srcPort, t.dstPort
	s.seq, s.ack = t.seq, t.ack
	s.syn, s.hasAck, s.fin, s.rst = t.flags&tcpSYN != 0, t.flags&tcpACK != 0, t.flags&tcpFIN != 0, t.flags&tcpRST != 0
	s.payload, s.payloadLen = t.payload, len(t.payload)
	return decodedReassembled
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

// fragAccount is the analyzer's account of IP fragments.
type fragAccount struct {
	counts ipfrag.Counters
	// warnings by source, the first maxFragWarnings each, and how many
	// more were left out
	warnings [][]string
	more     []int
}

const maxFragWarnings = 8

// fragments counts what the reassembler did with a fragment, and
// analyses the TCP segment it completed, if it did.
func (a *Analyzer) fragments(p *capture.Packet, s *segment, r decodeResult) {
	a.frag.counts.Add(&s.frag.counts)
	switch {
	case s.frag.notTCP:
		a.stats.NonTCPPackets++
	case s.frag.badTCP:
		a.stats.DecodeErrors++
		if p.Source < len(a.decodeErrors) {
			a.decodeErrors[p.Source]++
		}
	}
	if s.frag.warning != "" {
		a.frag.warn(p.Source, fmt.Sprintf("frame %d: %s", p.Frame, s.frag.warning))
	}
	if r == decodedReassembled {
		a.stats.TCPPackets++
		a.tcp(p)
	}
}

// warn keeps a warning about source i, the first maxFragWarnings.
func (fa *fragAccount) warn(i int, w string) {
	if i < 0 {
		return
	}
	for len(fa.warnings) <= i {
		fa.warnings = append(fa.warnings, nil)
		fa.more = append(fa.more, 0)
	}
	if len(fa.warnings[i]) < maxFragWarnings {
		fa.warnings[i] = append(fa.warnings[i], w)
	} else {
		fa.more[i]++
	}
}

// stats adds the fragment counters to st. Fragments still held at the end
// of the capture count as dropped, incomplete.
func (fa *fragAccount) stats(st *model.Stats) {
	c := &fa.counts
	st.IPFragments, st.IPReassembled = c.Fragments, c.Reassembled
	if c.Fragments == c.Used {
		return
	}
	st.IPFragmentsDropped = &model.FragmentDrops{
		Timeout:          c.Dropped[ipfrag.Timeout],
		Overlap:          c.Dropped[ipfrag.Overlap],
		TooLarge:         c.Dropped[ipfrag.TooLarge],
		Malformed:        c.Dropped[ipfrag.Malformed],
		Truncated:        c.Dropped[ipfrag.Truncated],
		Memory:           c.Dropped[ipfrag.Memory],
		PerSource:        c.Dropped[ipfrag.PerSource],
		TooManyFragments: c.Dropped[ipfrag.TooMany],
		Duplicate:        c.Dropped[ipfrag.Duplicate],
		Incomplete:       c.Held(),
	}
}

// sourceWarnings returns the fragment warnings of source i.
func (fa *fragAccount) sourceWarnings(i int) []string {
	if i < 0 || i >= len(fa.warnings) {
		return nil
	}
	w := append([]string(nil), fa.warnings[i]...)
	if n := fa.more[i]; n > 0 {
		w = append(w, fmt.Sprintf("%d more datagrams of IP fragments discarded", n))
	}
	return w
}
