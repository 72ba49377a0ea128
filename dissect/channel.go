package dissect

import (
	"net/netip"
	"time"

	"github.com/ftpscope/ftpscope/communityid"
	"github.com/ftpscope/ftpscope/dissect/expect"
	"github.com/ftpscope/ftpscope/dissect/ftps"
	"github.com/ftpscope/ftpscope/model"
)

// announce is a PORT/EPRT/LPRT command or a 227/228/229 reply.
type announce struct {
	verb       string
	ts         time.Time
	frame      uint64
	endpoint   netip.AddrPort
	replyCode  int // 0 until answered
	replyText  string
	replyFrame uint64
	raw        string
	family     string
	place      *model.SegmentPlace
	// the PASV/EPSV/LPSV command a passive announcement answers
	cmdFrame uint64
	cmdTS    time.Time
}

// transfer is a command that uses a data connection.
type transfer struct {
	verb, arg  string
	ts         time.Time
	frame      uint64
	replyCodes []int
	codes      [2]int // replyCodes' first two (150, 226), without allocating
	final      int    // final reply code, 0 until it comes
	finalText  string
	finalTS    time.Time
	finalFrame uint64
	size       int64 // announced size, -1 if none
	sizeFrom   string
	restart    int64
	hasRestart bool
}

// channel is one data-channel attempt.
type channel struct {
	sess *session
	n    int
	name string // "s3.c2"
	mode string // "active" or "passive"
	ann  *announce
	xfer *transfer
	// annStore and xferStore are what ann and xfer point at, set once:
	// a channel and its parts in one allocation.
	annStore  announce
	xferStore transfer
	rejected  bool

	conn     *conn             // the data connection while it runs
	snapshot *model.Connection // the data connection once it ended
	// snapshotResponder is the snapshot's responder, which the
	// announcement usually names: its text is then shared (exportChannel).
	snapshotResponder netip.AddrPort
	match             string
	reported          bool       // sent to a ChannelSink
	export            *exported  // --export (datasink.go)
	tls               *ftps.Data // PROT P with a key log (ftps.go)

	want expect.Want // waiting for its data connection (correlate.go)
}

func (ch *channel) id() string { return ch.name }

// attach ties a data connection to the channel.
func (ch *channel) attach(c *conn, match string) {
	ch.conn = c
	ch.match = match
	c.ch = ch
	c.role = roleData
	ch.sess.a.lru.retag(c)
	ch.sess.openData++
	ch.sess.dirty = true
	ch.sess.a.stats.DataConnections++
	ch.sess.a.startExport(ch)
	ch.sess.a.startDataTLS(ch)
}

// connectionModelBlock is a model.Connection with the times it points at:
// one allocation where there were three.
type connectionModelBlock struct {
	m        model.Connection
	syn, end model.Time
}

// endpointTexts formats two endpoints (as netip.AddrPort.String does) and
// their Community ID into one string and slices it: one allocation where
// there were three, for each session and data connection exported.
func endpointTexts(a, b netip.AddrPort) (aText, bText, communityID string) {
	var buf [128]byte
	t := appendEndpoint(buf[:0], a)
	na := len(t)
	t = appendEndpoint(t, b)
	nb := len(t)
	t = communityid.Append(t, 0, communityid.ProtoTCP, a, b)
	all := string(t)
	return all[:na], all[na:nb], all[nb:]
}

// appendEndpoint appends p's text as p.String() gives it.
func appendEndpoint(b []byte, p netip.AddrPort) []byte {
	if !p.Addr().IsValid() {
		return append(b, p.String()...) // "invalid AddrPort", which AppendTo leaves out
	}
	return p.AppendTo(b)
}

// connectionModel describes the data connection by FTP role, all but its
// endpoints' texts (withEndpointTexts).
func (ch *channel) connectionModel(c *conn) *model.Connection {
	toClient, toServer := fromResponder, fromInitiator // passive: the FTP client initiates
	if ch.mode == "active" {
		toClient, toServer = fromInitiator, fromResponder
	}
	cm := &connectionModelBlock{m: model.Connection{
		Established:      c.established,
		Reset:            c.reset,
		BytesToFTPClient: c.span[toClient].Bytes(),
		BytesToFTPServer: c.span[toServer].Bytes(),
		Match:            ch.match,
		SYNRetries:       c.synRetries,
		Refused:          c.refused,
		HandshakeSeen:    c.handshake,
		Closed:           c.closed,
		CapturedBytes:    c.captured[0] + c.captured[1],
		OutOfWindow:      c.span[0].Outside() + c.span[1].Outside(),
		Packets:          c.packets,
		FirstFrame:       c.firstFrame,
		LastFrame:        c.lastFrame,
		ICMP:             c.icmp,
		CutBytes:         c.cut,
	}}
	m := &cm.m
	m.InitiatorAddrPort, m.ResponderAddrPort = c.initiator, c.responder
	if ch.tls != nil {
		m.TLSDecryption = ch.tls.Status()
	}
	if !c.synTime.IsZero() {
		cm.syn = model.At(c.synTime)
		m.SYN = &cm.syn
	}
	if !c.endTime.IsZero() {
		cm.end = model.At(c.endTime)
		m.End = &cm.end
	}
	return m
}

// withEndpointTexts fills in m's endpoints' texts and Community ID, once.
// They wait for the export: a snapshot taken as its data connection ends
// is exported with its session, which a LazySink does on a goroutine of
// its own, so the formatting and the SHA-1 leave the dissector's. Until
// then nothing reads them; once filled, the model is only read.
func withEndpointTexts(m *model.Connection) *model.Connection {
	if m.Initiator == "" { // never empty once filled: an invalid endpoint's text is "invalid AddrPort"
		m.Initiator, m.Responder, m.CommunityID = endpointTexts(m.InitiatorAddrPort, m.ResponderAddrPort)
	}
	return m
}

// dataEnded records the final state of the channel's data connection.
func (ch *channel) dataEnded(c *conn) {
	if ch.tls != nil {
		ch.endDataTLS(c)
	}
	ch.snapshot, ch.snapshotResponder = ch.connectionModel(c), c.responder
	ch.sess.dirty = true
	ch.conn = nil
	ch.sess.openData--
	ch.sess.a.finishExport(ch)
	ch.sess.channelDone(ch)
}
