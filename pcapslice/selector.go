// Package pcapslice selects, in a second pass over the same sources, the
// packets of chosen sessions — their control connection and every data
// connection tied to them — for writing them out (-w). It consumes the
// dissection's model and decodes with dissect/decode.
package pcapslice

import (
	"net/netip"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/model"
)

// Selector recognises the packets of chosen sessions — their control
// connection and every data connection tied to them — in a second pass over
// the same sources, for writing them out (-w).
type Selector struct {
	dec    *decode.Decoder
	seg    decode.Segment
	ranges map[selectKey][]frameSpan
	// hosts spans the same connections by address pair alone: an IP
	// fragment that does not complete its datagram has no ports, and
	// Wireshark needs every fragment to reassemble it again.
	hosts  map[hostsKey][]frameSpan
	labels map[string]int
}

type hostsKey struct {
	source int
	a, b   netip.Addr // ordered
}

type selectKey struct {
	source int
	a, b   netip.AddrPort // ordered
}

type frameSpan struct{ first, last uint64 }

// NewSelector selects the given sessions; labels are the sources' labels
// in source order.
func NewSelector(sessions []model.Session, labels []string) *Selector {
	s := NewConnSelector()
	for i, l := range labels {
		s.labels[l] = i
	}
	for i := range sessions {
		ss := &sessions[i]
		src, ok := s.labels[ss.Source]
		if !ok {
			continue
		}
		s.add(src, ss.Client, ss.Server, ss.Frames.First, ss.Frames.Last)
		for _, ch := range ss.Channels {
			if c := ch.Connection; c != nil {
				last := c.LastFrame
				if last == 0 {
					last = c.FirstFrame
				}
				s.add(src, c.Initiator, c.Responder, c.FirstFrame, last)
			}
		}
	}
	return s
}

// NewConnSelector selects nothing until connections are added with Add.
func NewConnSelector() *Selector {
	return &Selector{dec: decode.New(), ranges: map[selectKey][]frameSpan{}, hosts: map[hostsKey][]frameSpan{}, labels: map[string]int{}}
}

func (s *Selector) add(src int, x, y string, first, last uint64) {
	a, err1 := netip.ParseAddrPort(x)
	b, err2 := netip.ParseAddrPort(y)
	if err1 != nil || err2 != nil {
		return
	}
	s.Add(src, a, b, first, last)
}

// Add selects the packets between a and b (either way) of source src from
// frame first to frame last.
func (s *Selector) Add(src int, a, b netip.AddrPort, first, last uint64) {
	k := orderedKey(src, a, b)
	s.ranges[k] = append(s.ranges[k], frameSpan{first, last})
	h := hostsKey{src, k.a.Addr(), k.b.Addr()}
	if h.b.Less(h.a) {
		h.a, h.b = h.b, h.a
	}
	s.hosts[h] = append(s.hosts[h], frameSpan{first, last})
}

func orderedKey(src int, a, b netip.AddrPort) selectKey {
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return selectKey{src, a, b}
}

// Match reports whether p belongs to a selected connection (ICMP errors
// about one included, and the IP fragments of TCP datagrams between its
// hosts while it lasts).
func (s *Selector) Match(p *capture.Packet) bool {
	g := &s.seg
	var spans []frameSpan
	switch s.dec.DecodePacket(p, g) {
	case decode.TCP, decode.ICMP, decode.Reassembled:
		spans = s.ranges[orderedKey(p.Source, decode.AddrPort(g.V6, g.Src, g.SrcPort), decode.AddrPort(g.V6, g.Dst, g.DstPort))]
	case decode.Fragment:
		h := hostsKey{p.Source, decode.AddrPort(g.V6, g.Src, 0).Addr(), decode.AddrPort(g.V6, g.Dst, 0).Addr()}
		if h.b.Less(h.a) {
			h.a, h.b = h.b, h.a
		}
		spans = s.hosts[h]
	default:
		return false
	}
	for _, r := range spans {
		if p.Frame >= r.first && p.Frame <= r.last {
			return true
		}
	}
	return false
}
