package dissect

import (
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
)

// The Selector (selector.go, which another change of issue 18 moves out of
// dissect) still decodes with the names the decoder had before it moved to
// dissect/decode; these adapt them, and go with that move.

// decoder decodes packets for the Selector.
type decoder struct {
	d   *decode.Decoder
	seg decode.Segment
}

func newDecoder() *decoder { return &decoder{d: decode.New()} }

// segment is what the Selector reads of a decoded segment.
type segment struct {
	v6           bool
	src, dst     [16]byte
	sport, dport uint16
}

// decode decodes p and fills s with its addresses and ports.
func (d *decoder) decode(p *capture.Packet, s *segment) decode.Result {
	r := d.d.DecodePacket(p, &d.seg)
	g := &d.seg
	s.v6, s.src, s.dst, s.sport, s.dport = g.V6, g.Src, g.Dst, g.SrcPort, g.DstPort
	return r
}

const (
	decodedTCP         = decode.TCP
	decodedICMP        = decode.ICMP
	decodedFragment    = decode.Fragment
	decodedReassembled = decode.Reassembled
)
