// Connection tracking: a TCP segment finds or opens its connection, is
// accounted in sequence space and handed to the control stream; ICMP
// errors are attached to the connection they quote.

package dissect

import (
	"net/netip"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/model"
)

func (a *Analyzer) tcp(p *capture.Packet) {
	s := a.seg
	v := a.vantageOf(p.Source, p.Info.InterfaceIndex, p.Interface, s.IfIndex)
	c, fromA := a.conns.lookup(v.id, s, a.lastConn)
	if c != nil && s.SYN && !s.HasACK && !(c.handshake && s.Seq == c.synSeq) {
		// A new connection on a 4-tuple seen before: FTP data connections
		// from port 20 reuse them all the time.
		a.endConn(c, "reused")
		c = nil
	}
	if c == nil {
		key, _ := keyOf(v.id, s)
		c = a.newConn(key, v, fromA, p)
	}
	a.lastConn = c
	dir := c.dirOf(fromA)
	inWindow := a.account(c, dir, p)
	if a.ftps != nil && c.role == roleData && c.ch.tls != nil && len(s.Payload) > 0 && a.decryptData(c, dir, s) {
		// TLS records: the plaintext is what gets exported
	} else if a.cfg.Files != nil && c.role == roleData && len(s.Payload) > 0 && inWindow {
		a.exportPayload(c, dir, s.Seq, s.Payload, s.PayloadLen)
	}
	switch c.role {
	case roleControl:
		a.control(c, dir, p)
	case roleUnknown:
		if c.controlPort && (s.SYN || s.PayloadLen > 0) {
			a.promote(c)
			a.control(c, dir, p)
			return
		}
		if dir == fromResponder && !c.firstResponderData && len(s.Payload) > 0 {
			c.firstResponderData = true
			if c.handshake && looksLikeGreeting(s.Payload) {
				a.promote(c)
				a.control(c, dir, p)
			}
		}
	}
}

// looksLikeGreeting reports whether a server's first bytes are an FTP
// greeting: "220 " or "220-".
func looksLikeGreeting(b []byte) bool {
	return len(b) >= 4 && b[0] == '2' && b[1] == '2' && b[2] == '0' && (b[3] == ' ' || b[3] == '-')
}

func (a *Analyzer) newConn(key flowKey, v *vantage, fromA bool, p *capture.Packet) *conn {
	s := a.seg
	if a.conns.len() >= a.cfg.MaxConnections && !a.lru.empty() {
		a.stats.EvictedConnections++
		a.endConn(a.lru.evictable(), "evicted")
	}
	a.connSeq++
	c := &conn{key: key, id: a.connSeq, vantage: v, first: p.Info.Timestamp, firstFrame: p.Frame}
	srcIsInitiator := true
	switch {
	case s.SYN && !s.HasACK:
		c.handshake = true
		c.synSeq = s.Seq
		c.synTime = p.Info.Timestamp
	case s.SYN && s.HasACK:
		srcIsInitiator = false
	case a.isControlPort(s.SrcPort) && !a.isControlPort(s.DstPort):
		srcIsInitiator = false
	case a.isControlPort(s.DstPort):
	case s.SrcPort == 20:
	case s.DstPort == 20:
		srcIsInitiator = false
	}
	src := decode.AddrPort(s.V6, s.Src, s.SrcPort)
	dst := decode.AddrPort(s.V6, s.Dst, s.DstPort)
	if srcIsInitiator {
		c.initiator, c.responder, c.initIsA = src, dst, fromA
	} else {
		c.initiator, c.responder, c.initIsA = dst, src, !fromA
	}
	a.conns.put(&key, c)
	a.lru.add(c)
	a.stats.TCPConnections++

	if a.isControlPort(c.responder.Port()) {
		// A stray ACK, FIN or RST (the last packets of a connection just
		// concluded) makes no session; the first SYN or byte does.
		if s.SYN || s.PayloadLen > 0 {
			a.promote(c)
		} else {
			c.controlPort = true
		}
		return c
	}
	c.nearFTP = a.nearFTP(c)
	if ch, how := a.exp.Match(c); ch != nil {
		ch.attach(c, how)
		return c
	}
	if a.inferTLS(c) {
		return c
	}
	if c.handshake {
		a.exp.Remember(c)
	}
	return c
}

// promote makes c a control connection.
func (a *Analyzer) promote(c *conn) {
	s := newSession(a, c)
	a.open[s] = 0
	a.stats.ControlSessions++
	a.countFTPHosts(c, 1)
	a.exp.Forget(c)
}

// countFTPHosts adds d to the control connections of c's two hosts.
func (a *Analyzer) countFTPHosts(c *conn, d int32) {
	for _, addr := range [2]netip.Addr{c.initiator.Addr(), c.responder.Addr()} {
		k := vantageAddr{c.vantage.id, addr}
		if n := a.ftpHosts[k] + d; n > 0 {
			a.ftpHosts[k] = n
		} else {
			delete(a.ftpHosts, k)
		}
	}
}

// nearFTP reports whether one of c's hosts has a control connection open.
func (a *Analyzer) nearFTP(c *conn) bool {
	if _, ok := a.ftpHosts[vantageAddr{c.vantage.id, c.initiator.Addr()}]; ok {
		return true
	}
	_, ok := a.ftpHosts[vantageAddr{c.vantage.id, c.responder.Addr()}]
	return ok
}

// inferTLS ties a connection between the hosts of an encrypted session to
// it: the announcements are unreadable, so hosts and timing must do.
func (a *Analyzer) inferTLS(c *conn) bool {
	if len(a.tlsHosts) == 0 {
		return false
	}
	v := c.vantage.id
	mode := "passive"
	s := a.tlsHosts[hostPair{v, c.initiator.Addr(), c.responder.Addr()}]
	if s == nil {
		mode = "active"
		s = a.tlsHosts[hostPair{v, c.responder.Addr(), c.initiator.Addr()}]
	}
	if s == nil || s.emitted || !s.tls {
		return false
	}
	if s.ftps != nil {
		// Live, what waited for keys the follower has read since may hold
		// the announcement this connection answers.
		if s.ftps.Retry(true) {
			if ch, how := a.exp.Match(c); ch != nil {
				ch.attach(c, how)
				return true
			}
		}
		if s.ftps.Waiting() {
			return false // kept for the announcement its keys will show
		}
	}
	ch := s.channelForInferred(mode)
	s.open = nil
	ch.attach(c, "inferred")
	return true
}

// account updates a connection's state and byte counts with a segment,
// and reports whether its payload lay within the sequence window.
func (a *Analyzer) account(c *conn, dir int, p *capture.Packet) (inWindow bool) {
	s := a.seg
	ts := p.Info.Timestamp
	c.packets++
	c.last = ts
	c.lastFrame = p.Frame
	a.lru.touch(c)
	if s.SYN {
		if dir == fromInitiator && !s.HasACK {
			if c.handshake && s.Seq == c.synSeq && c.packets > 1 && !c.synAck {
				c.synRetries++
			}
			if !c.span[fromInitiator].Started() {
				c.span[fromInitiator].SetSYN(s.Seq)
			}
		} else if dir == fromResponder && s.HasACK {
			c.synAck = true
			if !c.span[fromResponder].Started() {
				c.span[fromResponder].SetSYN(s.Seq)
			}
		}
	} else if s.HasACK && dir == fromInitiator && c.synAck {
		c.established = true
	}
	if sp := &c.span[1-dir]; s.HasACK && sp.NoteAck(s.Ack) {
		if got, outside := sp.AckRun(); outside != 0 {
			a.outOfWindow(c, 1-dir, got, outside)
		}
	}
	if s.PayloadLen > 0 {
		got, cut, outside := c.span[dir].Add(s.Seq, s.PayloadLen, len(s.Payload))
		c.captured[dir] += got
		c.cut += cut
		inWindow = outside <= 0
		if outside != 0 {
			a.outOfWindow(c, dir, 0, outside)
		}
		c.established = true
	}
	if s.RST && !c.closing {
		if dir == fromResponder && !c.synAck && !c.established {
			c.refused = true
		}
		c.reset = true
		a.closeConn(c, "rst", ts)
	}
	if s.FIN {
		c.fin[dir] = true
		c.finSeq[dir] = s.Seq + uint32(s.PayloadLen)
		if c.fin[0] && c.fin[1] && !c.closing {
			a.closeConn(c, "fin", ts)
		}
	}
	if s.HasACK && c.fin[1-dir] && s.Ack == c.finSeq[1-dir]+1 {
		c.finAcked[1-dir] = true
	}
	return inWindow
}

// outOfWindow accounts a change in the segments a direction left out of
// its bytes, and the captured bytes a resynchronisation brought back.
func (a *Analyzer) outOfWindow(c *conn, dir int, captured int64, outside int) {
	c.captured[dir] += captured
	a.stats.OutOfWindowSegments = uint64(int64(a.stats.OutOfWindowSegments) + int64(outside))
}

// closeConn marks c as ended; it is finalized after a short linger, so
// retransmissions and the last ACKs still find it.
func (a *Analyzer) closeConn(c *conn, how string, ts time.Time) {
	c.closing = true
	c.closed = how
	c.endTime = ts
	if len(a.closing) < maxClosingList {
		a.closing = append(a.closing, c)
	}
}

// control passes a control segment to its stream.
func (a *Analyzer) control(c *conn, dir int, p *capture.Packet) {
	if tap := a.cfg.ControlTap; tap != nil {
		tap(*p)
	}
	if c.ctl == nil || c.ctl.done {
		return
	}
	s := a.seg
	if c.ctl.sess.start.IsZero() {
		c.ctl.sess.start = p.Info.Timestamp
	}
	sess := c.ctl.sess
	sess.end = p.Info.Timestamp
	if (a.cfg.KeepSegments || c.vantage.iface != "") && len(sess.segments) < model.MaxSegments {
		sess.segments = append(sess.segments, model.Segment{FromClient: dir == fromInitiator, SYN: s.SYN, HasAck: s.HasACK,
			Seq: s.Seq, Ack: s.Ack, Len: s.PayloadLen, Frame: p.Frame, TS: model.At(p.Info.Timestamp)})
	}
	if s.PayloadLen > len(s.Payload) {
		a.stats.TruncatedPackets++
	}
	if s.PayloadLen == 0 && !s.SYN && !s.FIN && !s.RST {
		// A bare acknowledgement carries nothing to order; only its
		// acknowledgement number matters, for the capture-gap check.
		if s.HasACK {
			c.ctl.ackOnly(dir, s.Ack)
		}
		return
	}
	c.ctl.segment(dir, s, p.Frame, p.Info.Timestamp)
}

// icmp records an ICMP error against the connection whose segment it quotes.
func (a *Analyzer) icmp(p *capture.Packet) {
	s := a.seg
	v := a.vantageOf(p.Source, p.Info.InterfaceIndex, p.Interface, s.IfIndex)
	if c, _ := a.conns.lookup(v.id, s, nil); c != nil && c.icmp == "" {
		c.icmp = s.ICMPText
	}
}
