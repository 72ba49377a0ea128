package dissect

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/tcpseq"
)

// flowKey names a TCP connection at one vantage point, whichever direction a
// packet travels: the endpoints are ordered so that both directions map to
// the same key. It is a comparable value, hashed without allocation.
type flowKey struct {
	vantage uint32
	v6      bool
	a, b    [16]byte
	ap, bp  uint16
}

// keyOf returns the key of s's connection and whether s travels from the
// key's a side.
func keyOf(v uint32, s *decode.Segment) (flowKey, bool) {
	k := flowKey{vantage: v, v6: s.V6}
	var c int
	if s.V6 {
		c = bytes.Compare(s.Src[:], s.Dst[:])
	} else {
		c = cmp.Compare(binary.BigEndian.Uint32(s.Src[:4]), binary.BigEndian.Uint32(s.Dst[:4]))
	}
	if c < 0 || (c == 0 && s.SrcPort <= s.DstPort) {
		k.a, k.ap, k.b, k.bp = s.Src, s.SrcPort, s.Dst, s.DstPort
		return k, true
	}
	k.a, k.ap, k.b, k.bp = s.Dst, s.DstPort, s.Src, s.SrcPort
	return k, false
}

// connRole says what a connection is to the analysis.
type connRole uint8

const (
	roleUnknown connRole = iota // not (yet) tied to FTP
	roleControl                 // an FTP control connection
	roleData                    // a data connection tied to a channel
)

// Direction indexes the two halves of a connection.
const (
	fromInitiator = 0 // initiator → responder (client → server for control)
	fromResponder = 1
)

// conn is one TCP connection, tracked from its first packet (its SYN when
// captured) to its end. Data connections are never reassembled: their bytes
// are counted in sequence space.
type conn struct {
	key     flowKey
	id      uint64
	vantage *vantage
	// initiator sent the SYN (or, mid-stream, is guessed); responder took it.
	initiator, responder netip.AddrPort
	initIsA              bool
	handshake            bool // the initiator's SYN was captured
	synSeq               uint32
	synRetries           int
	synAck               bool // the responder answered the SYN
	established          bool
	reset                bool
	refused              bool // a RST answered the SYN
	fin                  [2]bool
	finSeq               [2]uint32 // the sequence number each direction's FIN took
	finAcked             [2]bool   // the other side acknowledged that FIN
	span                 [2]tcpseq.Span
	captured             [2]int64
	cut                  int64 // payload bytes the snapshot length cut off
	packets              uint64
	first, last          time.Time
	synTime, endTime     time.Time
	firstFrame           uint64
	lastFrame            uint64
	closed               string // "fin", "rst", "timeout", "reused", "capture-end"
	closing              bool   // ended; kept a moment for stragglers
	role                 connRole
	firstResponderData   bool // the responder's first payload was examined
	controlPort          bool // on a control port, waiting for a SYN or a byte
	recent               bool // unmatched, waiting for a late announcement (expect.Table.Remember)
	// nearFTP sits with the flags above, in what would be padding: a
	// conn takes 512 bytes, not the next size class's 576 (TestConnSize)
	nearFTP bool // a host of a control connection then open is one of its ends
	icmp    string

	ctl *controlStream // roleControl
	ch  *channel       // roleData

	// the activity lists (lruSet): the list c is on, its place in it, and
	// its last touch in the order of all of them
	listed     connRole
	touched    uint64
	prev, next *conn
}

// dirOf returns the direction of a segment that travels from the key's a
// side when fromA.
func (c *conn) dirOf(fromA bool) int {
	if fromA == c.initIsA {
		return fromInitiator
	}
	return fromResponder
}
