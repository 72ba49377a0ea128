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
	sess     *session
	n        int
	name     string // "s3.c2"
	mode     string // "active" or "passive"
	ann      *announce
	xfer     *transfer
	rejected bool

	conn     *conn             // the data connection while it runs
	snapshot *model.Connection // the data connection once it ended
	match    string
	reported bool       // sent to a ChannelSink
	export   *exported  // --export (datasink.go)
	tls      *ftps.Data // PROT P with a key log (ftps.go)

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

// connectionModel describes the data connection by FTP role.
func (ch *channel) connectionModel(c *conn) *model.Connection {
	toClient, toServer := fromResponder, fromInitiator // passive: the FTP client initiates
	if ch.mode == "active" {
		toClient, toServer = fromInitiator, fromResponder
	}
	m := &model.Connection{
		Initiator:        c.initiator.String(),
		Responder:        c.responder.String(),
		CommunityID:      communityid.TCP(c.initiator, c.responder),
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
	}
	if ch.tls != nil {
		m.TLSDecryption = ch.tls.Status()
	}
	if !c.synTime.IsZero() {
		t := model.At(c.synTime)
		m.SYN = &t
	}
	if !c.endTime.IsZero() {
		t := model.At(c.endTime)
		m.End = &t
	}
	return m
}

// dataEnded records the final state of the channel's data connection.
func (ch *channel) dataEnded(c *conn) {
	if ch.tls != nil {
		ch.endDataTLS(c)
	}
	ch.snapshot = ch.connectionModel(c)
	ch.sess.dirty = true
	ch.conn = nil
	ch.sess.openData--
	ch.sess.a.finishExport(ch)
	ch.sess.channelDone(ch)
}
