package dissect

import (
	"errors"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// Config tunes an Analyzer.
type Config struct {
	// ControlPorts are the TCP ports that carry FTP control (21 if empty).
	// Connections elsewhere that open with an FTP greeting are found too.
	ControlPorts []uint16
	// ImplicitTLSPorts carry FTP over TLS from the first byte (990).
	ImplicitTLSPorts []uint16
	// DataTimeout is how long after an announcement (or the transfer
	// command that uses it) a data connection is still matched to it.
	DataTimeout time.Duration
	// ShowPasswords keeps PASS arguments; they are "****" otherwise.
	ShowPasswords bool
	// Live bounds history for endless captures: the dialog keeps its
	// latest MaxDialog entries instead of its first.
	Live bool
	// MaxDialog bounds the dialog entries kept per session.
	MaxDialog int
	// MaxConnections bounds the TCP connections tracked at once (about
	// 600 bytes each). Beyond it the least recently active connection that
	// is neither FTP control nor data is dropped, else the least recently
	// active one.
	MaxConnections int
	// KeepSegments records each control segment's sequence numbers for
	// pairing the two legs of a NAT (when several vantage points exist).
	KeepSegments bool
	// ExportDir, when set, receives the payload of every data connection
	// as a file (an existing directory).
	ExportDir string
	// ExportSession, when set, limits the export to that session's data
	// channels (the terminal UI exports one session's files by analysing
	// the capture again: the session keeps its id and its files their
	// names).
	ExportSession string
	// ControlTap, if set, sees every packet of an FTP control connection
	// while it is analysed (its bytes are valid during the call only): a
	// live terminal UI keeps the latest ones to show them (capture.FrameRing).
	// It takes the packet by value: a pointer handed to a function value
	// would make every packet escape to the heap.
	ControlTap func(p capture.Packet)
	// TLSKeys, when set, decrypts FTPS control and data connections with
	// the secrets of a key log (see ftps.go).
	TLSKeys *tlsdecrypt.KeyLog
}

// DefaultConfig returns the settings of the command line's defaults.
func DefaultConfig() Config {
	return Config{
		ControlPorts:     []uint16{21},
		ImplicitTLSPorts: []uint16{990},
		DataTimeout:      30 * time.Second,
		MaxDialog:        10000,
		MaxConnections:   defaultMaxConnections,
	}
}

// Sink receives sessions as they conclude: when their control connection
// and every data connection tied to them have ended.
type Sink interface {
	Session(*model.Session)
}

// ChannelSink is implemented by a Sink that wants each data channel as soon
// as it concludes — its transfer got its final reply (or its announcement
// was refused) and its data connection, if any, ended — before the session
// it belongs to. Live outputs use it; the session still carries the channel.
type ChannelSink interface {
	Channel(session string, ch *model.Channel)
}

// LazySink is implemented by a Sink that builds the model of concluded
// sessions on a goroutine of its own: it receives, in order, a function
// that builds it, to be called once, from anywhere.
type LazySink interface {
	Sink
	SessionLater(build func() *model.Session)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(*model.Session)

// Session implements Sink.
func (f SinkFunc) Session(s *model.Session) { f(s) }

// defaultMaxConnections bounds the connection table: 131,072 connections
// take about 80 MiB; a SYN flood or scan beyond it costs only unrelated
// connections, the least recently active first.
const defaultMaxConnections = 1 << 17

// Timing of the analysis, in capture time.
const (
	tickEvery      = time.Second      // housekeeping period
	reorderWait    = 3 * time.Second  // out-of-order control data waits this long for a gap to fill
	controlLinger  = 6 * time.Second  // a closed control connection waits for late segments
	dataLinger     = 2 * time.Second  // a closed data connection likewise
	controlIdle    = 15 * time.Minute // a silent control connection is given up
	dataIdle       = 5 * time.Minute  // a silent data connection is given up
	otherIdle      = 2 * time.Minute  // a silent unrelated connection is forgotten
	maxClosingList = 1 << 16
)

// Analyzer turns packets into FTP sessions, data channels and transfers.
// It is not safe for concurrent use: one goroutine feeds it every packet,
// in capture order, and reads its results.
type Analyzer struct {
	cfg     Config
	sink    Sink
	sources []*capture.Info

	vantages       map[vantageKey]*vantage
	vantageList    []*vantage
	lastVantage    *vantage
	lastVantageKey vantageKey

	dec *decoder
	own segment  // Packet decodes here
	seg *segment // the segment being analysed

	ctlPorts      [1024]uint64 // bit set of control ports
	implicitPorts [1024]uint64

	conns map[flowKey]*conn
	// lastConn is the connection of the previous TCP packet: segments
	// come in runs, and a key comparison is cheaper than the map.
	lastConn *conn
	lru      lru
	closing  []*conn
	connSeq  uint64

	// reordering lists the control streams with segments queued, for
	// the reorderWait timeout
	reordering []*controlStream

	exp      *expectations
	tlsHosts map[hostPair]*session
	ftps     ftpsState

	sessionCount int
	// open are the sessions not yet emitted, each with the number of its
	// dialog entries (counting those dropped) that Updates sent final
	open map[*session]int
	// ftpHosts counts, per vantage and address, the control connections
	// open with that host at one end (pruned as they end): a connection
	// with payload touching one that no announcement claimed is counted as
	// an unmatched data connection.
	ftpHosts map[vantageAddr]int32

	now time.Time
	// the capture clock in nanoseconds, and when housekeeping is due: one
	// integer comparison per packet instead of time.Time arithmetic
	nowNS  int64
	tickAt int64
	// the clocks of the sources' interfaces (clock.go), and the payload
	// bytes of the packets they hold
	clocks       [][]*sourceClock
	lastClock    *sourceClock
	lastClockKey [2]int
	heldBytes    int

	stats        model.Stats
	decodeErrors []uint64
	frag         fragAccount
	finished     bool
	exportErr    error
	exportQueued int         // out-of-order bytes waiting in exported files
	channelSink  ChannelSink // the sink, if it wants channels early
	intern       ftp.Interner
}

type hostPair struct {
	vantage        uint32
	client, server netip.Addr
}

type vantageAddr struct {
	vantage uint32
	addr    netip.Addr
}

// New returns an Analyzer over the given sources (their Info, used for
// labels and interface names), sending concluded sessions to sink.
func New(cfg Config, sources []*capture.Info, sink Sink) *Analyzer {
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 30 * time.Second
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = defaultMaxConnections
	}
	if len(cfg.ControlPorts) == 0 {
		cfg.ControlPorts = []uint16{21}
	}
	a := &Analyzer{
		cfg:          cfg,
		sink:         sink,
		sources:      sources,
		vantages:     map[vantageKey]*vantage{},
		dec:          newDecoder(),
		conns:        map[flowKey]*conn{},
		exp:          newExpectations(cfg.DataTimeout),
		tlsHosts:     map[hostPair]*session{},
		open:         map[*session]int{},
		ftpHosts:     map[vantageAddr]int32{},
		decodeErrors: make([]uint64, len(sources)),
	}
	a.channelSink, _ = sink.(ChannelSink)
	a.ftps.init(cfg)
	for _, p := range cfg.ControlPorts {
		a.ctlPorts[p/64] |= 1 << (p % 64)
	}
	for _, p := range cfg.ImplicitTLSPorts {
		a.ctlPorts[p/64] |= 1 << (p % 64)
		a.implicitPorts[p/64] |= 1 << (p % 64)
	}
	return a
}

func (a *Analyzer) isControlPort(p uint16) bool { return a.ctlPorts[p/64]&(1<<(p%64)) != 0 }

// Packet analyses one packet. Its bytes are not kept.
func (a *Analyzer) Packet(p *capture.Packet) {
	r := a.dec.decode(p, &a.own)
	if ns := p.Info.Timestamp.UnixNano(); a.followsClock(p, ns) {
		a.analyse(p, &a.own, r, ns)
	} else {
		a.clocked(p, &a.own, r)
	}
}

// Frame analyses one packet a Decoder has decoded. Its bytes are not kept.
func (a *Analyzer) Frame(f *Frame) {
	if ns := f.Packet.Info.Timestamp.UnixNano(); a.followsClock(&f.Packet, ns) {
		a.analyse(&f.Packet, &f.seg, f.result, ns)
	} else {
		a.clocked(&f.Packet, &f.seg, f.result)
	}
}

// analyse analyses a packet dated ns (its timestamp, in Unix nanoseconds)
// that its clock let through.
func (a *Analyzer) analyse(p *capture.Packet, s *segment, r decodeResult, ns int64) {
	a.seg = s
	a.stats.Packets++
	if ns > a.nowNS {
		a.nowNS, a.now = ns, p.Info.Timestamp
		if a.tickAt == 0 {
			a.tickAt = ns + int64(tickEvery)
		} else if ns >= a.tickAt {
			a.tick()
		}
	}
	switch r {
	case decodedTCP:
		a.stats.TCPPackets++
		a.tcp(p)
	case decodedICMP:
		a.icmp(p)
	case decodedOther:
		a.stats.NonTCPPackets++
	case decodedTruncated:
		a.stats.TruncatedPackets++
	case decodedError:
		a.stats.DecodeErrors++
		if p.Source < len(a.decodeErrors) {
			a.decodeErrors[p.Source]++
		}
	case decodedFragment, decodedReassembled:
		a.fragments(p, s, r)
	}
	a.seg = nil // the frame's bytes are the reader's again
}

// Tick runs the housekeeping of a live capture at wall-clock time now, when
// no packet came to advance the capture clock.
func (a *Analyzer) Tick(now time.Time) {
	if now.After(a.now) {
		a.now, a.nowNS = now, now.UnixNano()
		a.tick()
	}
}

func (a *Analyzer) tcp(p *capture.Packet) {
	s := a.seg
	v := a.vantageOf(p.Source, p.Info.InterfaceIndex, p.Interface, s.ifindex)
	key, fromA := keyOf(v.id, s)
	c := a.lastConn
	if c == nil || c.key != key {
		c = a.conns[key]
	}
	if c != nil && s.syn && !s.hasAck && !(c.handshake && s.seq == c.synSeq) {
		// A new connection on a 4-tuple seen before: FTP data connections
		// from port 20 reuse them all the time.
		a.endConn(c, "reused")
		c = nil
	}
	if c == nil {
		c = a.newConn(key, v, fromA, p)
	}
	a.lastConn = c
	dir := c.dirOf(fromA)
	inWindow := a.account(c, dir, p)
	if a.ftps.keys != nil && c.role == roleData && c.ch.tls != nil && len(s.payload) > 0 && a.decryptData(c, dir) {
		// TLS records: the plaintext is what gets exported
	} else if a.cfg.ExportDir != "" && c.role == roleData && len(s.payload) > 0 && inWindow {
		a.exportPayload(c, dir, s.seq, s.payload, s.payloadLen)
	}
	switch c.role {
	case roleControl:
		a.control(c, dir, p)
	case roleUnknown:
		if c.controlPort && (s.syn || s.payloadLen > 0) {
			a.promote(c)
			a.control(c, dir, p)
			return
		}
		if dir == fromResponder && !c.firstResponderData && len(s.payload) > 0 {
			c.firstResponderData = true
			if c.handshake && looksLikeGreeting(s.payload) {
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
	if len(a.conns) >= a.cfg.MaxConnections && a.lru.head != nil {
		a.stats.EvictedConnections++
		a.endConn(a.lru.evictable(), "evicted")
	}
	a.connSeq++
	c := &conn{key: key, id: a.connSeq, vantage: v, first: p.Info.Timestamp, firstFrame: p.Frame}
	srcIsInitiator := true
	switch {
	case s.syn && !s.hasAck:
		c.handshake = true
		c.synSeq = s.seq
		c.synTime = p.Info.Timestamp
	case s.syn && s.hasAck:
		srcIsInitiator = false
	case a.isControlPort(s.sport) && !a.isControlPort(s.dport):
		srcIsInitiator = false
	case a.isControlPort(s.dport):
	case s.sport == 20:
	case s.dport == 20:
		srcIsInitiator = false
	}
	src := addrPort(s.v6, s.src, s.sport)
	dst := addrPort(s.v6, s.dst, s.dport)
	if srcIsInitiator {
		c.initiator, c.responder, c.initIsA = src, dst, fromA
	} else {
		c.initiator, c.responder, c.initIsA = dst, src, !fromA
	}
	a.conns[key] = c
	a.lru.pushBack(c)
	a.stats.TCPConnections++

	if a.isControlPort(c.responder.Port()) {
		// A stray ACK, FIN or RST (the last packets of a connection just
		// concluded) makes no session; the first SYN or byte does.
		if s.syn || s.payloadLen > 0 {
			a.promote(c)
		} else {
			c.controlPort = true
		}
		return c
	}
	c.nearFTP = a.nearFTP(c)
	if ch, how := a.exp.match(c); ch != nil {
		ch.attach(c, how)
		return c
	}
	if a.inferTLS(c) {
		return c
	}
	if c.handshake {
		a.exp.remember(c)
	}
	return c
}

// promote makes c a control connection.
func (a *Analyzer) promote(c *conn) {
	s := newSession(a, c)
	a.open[s] = 0
	a.stats.ControlSessions++
	a.countFTPHosts(c, 1)
	a.exp.forgetRecent(c)
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
		if ch, how := s.ftps.lateAnnouncement(c); ch != nil {
			ch.attach(c, how)
			return true
		}
		if s.ftps.waiting() {
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
	if s.syn {
		if dir == fromInitiator && !s.hasAck {
			if c.handshake && s.seq == c.synSeq && c.packets > 1 && !c.synAck {
				c.synRetries++
			}
			if !c.span[fromInitiator].init {
				c.span[fromInitiator].setSYN(s.seq)
			}
		} else if dir == fromResponder && s.hasAck {
			c.synAck = true
			if !c.span[fromResponder].init {
				c.span[fromResponder].setSYN(s.seq)
			}
		}
	} else if s.hasAck && dir == fromInitiator && c.synAck {
		c.established = true
	}
	if sp := &c.span[1-dir]; s.hasAck && sp.noteAck(s.ack) {
		if got, outside := sp.ackRun(); outside != 0 {
			a.outOfWindow(c, 1-dir, got, outside)
		}
	}
	if s.payloadLen > 0 {
		got, cut, outside := c.span[dir].add(s.seq, s.payloadLen, len(s.payload))
		c.captured[dir] += got
		c.cut += cut
		inWindow = outside <= 0
		if outside != 0 {
			a.outOfWindow(c, dir, 0, outside)
		}
		c.established = true
	}
	if s.rst && !c.closing {
		if dir == fromResponder && !c.synAck && !c.established {
			c.refused = true
		}
		c.reset = true
		a.closeConn(c, "rst", ts)
	}
	if s.fin {
		c.fin[dir] = true
		c.finSeq[dir] = s.seq + uint32(s.payloadLen)
		if c.fin[0] && c.fin[1] && !c.closing {
			a.closeConn(c, "fin", ts)
		}
	}
	if s.hasAck && c.fin[1-dir] && s.ack == c.finSeq[1-dir]+1 {
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
		sess.segments = append(sess.segments, model.Segment{FromClient: dir == fromInitiator, SYN: s.syn, HasAck: s.hasAck,
			Seq: s.seq, Ack: s.ack, Len: s.payloadLen, Frame: p.Frame, TS: model.At(p.Info.Timestamp)})
	}
	if s.payloadLen > len(s.payload) {
		a.stats.TruncatedPackets++
	}
	if s.payloadLen == 0 && !s.syn && !s.fin && !s.rst {
		// A bare acknowledgement carries nothing to order; only its
		// acknowledgement number matters, for the capture-gap check.
		if s.hasAck {
			c.ctl.ackOnly(dir, s.ack)
		}
		return
	}
	c.ctl.segment(dir, s, p.Frame, p.Info.Timestamp)
}

// icmp records an ICMP error against the connection whose segment it quotes.
func (a *Analyzer) icmp(p *capture.Packet) {
	s := a.seg
	v := a.vantageOf(p.Source, p.Info.InterfaceIndex, p.Interface, s.ifindex)
	key, _ := keyOf(v.id, s)
	if c := a.conns[key]; c != nil && c.icmp == "" {
		c.icmp = s.icmpText
	}
}

// endConn finalizes a connection and forgets it.
func (a *Analyzer) endConn(c *conn, how string) {
	if _, ok := a.conns[c.key]; !ok || a.conns[c.key] != c {
		return
	}
	delete(a.conns, c.key)
	if a.lastConn == c {
		a.lastConn = nil
	}
	a.lru.remove(c)
	if c.closed == "" || !c.closing {
		c.closed = how
		if c.endTime.IsZero() || how != "reused" {
			c.endTime = c.last
		}
	}
	switch c.role {
	case roleControl:
		a.countFTPHosts(c, -1)
		s := c.ctl.sess
		c.ctl.end()
		s.controlDone = true
		a.maybeEmit(s)
	case roleData:
		if ch := c.ch; ch != nil {
			ch.dataEnded(c)
			a.maybeEmit(ch.sess)
		}
	case roleUnknown:
		a.exp.forgetRecent(c)
		if c.span[0].bytes()+c.span[1].bytes() > 0 && (c.nearFTP || a.nearFTP(c)) {
			a.stats.UnmatchedDataConnections++
		}
	}
}

// tick is the periodic housekeeping, driven by the capture clock.
func (a *Analyzer) tick() {
	now := a.now
	a.tickAt = now.UnixNano() + int64(tickEvery)
	a.expireReordering(now.Add(-reorderWait))
	// finalize closed connections after their linger
	keep := a.closing[:0]
	for _, c := range a.closing {
		linger := dataLinger
		if c.role == roleControl {
			linger = controlLinger
		}
		if a.conns[c.key] != c {
			continue // already gone
		}
		// A control connection whose stream delivered its last byte, or
		// a data connection whose two FINs were both acknowledged (a
		// clean close: nothing more comes), has nothing left to wait for;
		// its session concludes at once, not a linger later.
		if now.Sub(c.endTime) >= linger || c.role == roleControl && c.ctl.done || c.finAcked[0] && c.finAcked[1] {
			a.endConn(c, c.closed)
		} else {
			keep = append(keep, c)
		}
	}
	clear(a.closing[len(keep):])
	a.closing = keep
	// forget silent connections, least recently active first
	for c := a.lru.head; c != nil; {
		next := c.next
		idle := now.Sub(c.last)
		if idle < 0 {
			c.last, idle = now, 0 // active after a clock that moved back
		}
		if idle < otherIdle {
			break
		}
		switch {
		case c.role == roleControl && idle < controlIdle, c.role == roleData && idle < dataIdle:
			// the LRU is ordered by activity, not by limit: look further
		default:
			a.endConn(c, "timeout")
		}
		c = next
	}
	a.exp.expire(now)
	a.retryTLS()
	for s := range a.tlsHosts {
		if a.tlsHosts[s].emitted {
			delete(a.tlsHosts, s)
		}
	}
}

// expireReordering flushes the control queues that waited since before
// the given time, and forgets the streams with nothing left queued.
func (a *Analyzer) expireReordering(before time.Time) {
	keep := a.reordering[:0]
	for _, st := range a.reordering {
		if st.expire(before) {
			keep = append(keep, st)
		} else {
			st.listed = false
		}
	}
	clear(a.reordering[len(keep):])
	a.reordering = keep
}

// maybeEmit sends a session to the sink once everything it waits for ended.
func (a *Analyzer) maybeEmit(s *session) {
	if s.emitted || !s.controlDone || s.openData > 0 {
		return
	}
	s.emitted = true
	delete(a.open, s)
	for _, ch := range s.channels {
		a.exp.unregister(ch)
	}
	if s.tls {
		delete(a.tlsHosts, hostPair{s.vantage.id, s.client.Addr(), s.server.Addr()})
	}
	if s.attempt() {
		a.stats.ConnectionAttempts++
		a.stats.ControlSessions--
		s.release()
		return
	}
	if ls, ok := a.sink.(LazySink); ok {
		// Nothing in the analysis writes to an emitted session: its model
		// can be built elsewhere.
		ls.SessionLater(func() *model.Session {
			m := a.export(s)
			s.release()
			return m
		})
		return
	}
	m := a.export(s)
	if a.sink != nil {
		a.sink.Session(m)
	}
	s.release()
}

// release lets go of what an emitted session holds: expectations and
// closed connections may still point at it for a while.
func (s *session) release() {
	s.dialog, s.segments, s.cmds, s.channels, s.anomalies = dialogRing{}, nil, nil, nil, nil
	s.st.half[0].records, s.st.half[1].records = nil, nil
}

// Updates calls fn with every session still open that changed since the
// last call, oldest first: a live view shows sessions while they run, and
// a live capture pairs NAT legs while they run. The dialog is a delta
// unless whole is set: m.Dialog holds the entries from dialogFrom on
// (counting from the first entry of the session, those a live dialog
// dropped at its front included); the entries before were sent by earlier
// calls and have not changed since (an entry can change only while its
// command waits for a reply). With whole, m.Dialog is all the analysis
// keeps (dialogFrom is m.DialogOffset), and m.Segments the control
// segments when KeepSegments is set: what the leg pairer reads. The
// answers references of m.Dialog count from m.DialogOffset, as in the
// whole snapshot it was cut from, so that they mean the same entry in
// every update. What fn receives shares nothing with the analysis.
func (a *Analyzer) Updates(whole bool, fn func(m *model.Session, dialogFrom int)) {
	var changed []*session
	for s := range a.open {
		if s.dirty && !s.attempt() {
			changed = append(changed, s)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].n < changed[j].n })
	for _, s := range changed {
		s.dirty = false
		m := a.export(s)        // a snapshot of the dialog: the session runs on
		front := m.DialogOffset // entries a live dialog dropped at its front
		from := 0
		if !whole {
			from = min(max(a.open[s]-front, 0), len(m.Dialog))
			m.Dialog = m.Dialog[from:]
		}
		m.Anomalies = append([]string(nil), m.Anomalies...)
		m.RetransmissionConflicts = append([]model.RetransmissionConflict(nil), m.RetransmissionConflicts...)
		if m.SnaplenCut != nil {
			c := *m.SnaplenCut
			m.SnaplenCut = &c
		}
		m.Segments = nil
		if whole && a.cfg.Live && a.cfg.KeepSegments {
			m.Segments = append([]model.Segment(nil), s.segments...)
		}
		if m.Greeting != nil {
			g := *m.Greeting
			m.Greeting = &g
		}
		a.open[s] = settledDialog(s)
		fn(m, front+from)
	}
}

// settledDialog is how many entries at the start of s's dialog can no
// longer change: those before the entry of the oldest command still
// waiting for its reply (a reply sets its command's latency; a command
// given up is marked unanswered).
func settledDialog(s *session) int {
	n := s.dialog.base + len(s.dialog.buf) // absolute, as the commands' indexes
	for _, id := range s.pairer.Pending() {
		if d := s.cmds.at(id).dialog; d >= 0 && d < n {
			n = d
		}
	}
	return n
}

// Finish ends the analysis: every connection still open is concluded as
// the capture ended, and every session is sent to the sink.
func (a *Analyzer) Finish() {
	if a.finished {
		return
	}
	a.finished = true
	// Packets the clocks held wait no longer; then control bytes still
	// waiting for a hole to fill, before any data connection ends: they may
	// carry the replies those wait for.
	a.endClocks()
	a.expireReordering(a.now)
	// Data connections first, so that sessions are complete when their
	// control connection ends.
	var all []*conn
	for c := a.lru.head; c != nil; c = c.next {
		all = append(all, c)
	}
	for _, c := range all {
		if c.role != roleControl {
			a.endConn(c, "capture-end")
		}
	}
	for _, c := range all {
		if c.role == roleControl {
			a.endConn(c, "capture-end")
		}
	}
	// Sessions left open (a data connection outlived its control one).
	rest := make([]*session, 0, len(a.open))
	for s := range a.open {
		rest = append(rest, s)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].n < rest[j].n })
	for _, s := range rest {
		s.controlDone = true
		s.openData = 0
		a.maybeEmit(s)
	}
}

// Stats returns the counters of the run so far.
func (a *Analyzer) Stats() model.Stats {
	st := a.stats
	st.EvictedAnnouncements = a.exp.evicted
	a.frag.stats(&st)
	st.TimestampAnomalies = a.timestampAnomalies()
	return st
}

// DecodeErrors returns the decode errors counted for source i.
func (a *Analyzer) DecodeErrors(i int) uint64 {
	if i < len(a.decodeErrors) {
		return a.decodeErrors[i]
	}
	return 0
}

// SourceWarnings returns the warnings about source i's packets (IP
// fragments discarded as damaged or forged), bounded.
func (a *Analyzer) SourceWarnings(i int) []string {
	return append(a.frag.sourceWarnings(i), a.ftps.sourceWarnings(i)...)
}

// Vantages lists the vantage points met, as "label" or "label/interface".
func (a *Analyzer) Vantages() []string {
	out := make([]string, len(a.vantageList))
	for i, v := range a.vantageList {
		out[i] = v.label
		if v.iface != "" {
			out[i] += "/" + v.iface
		}
	}
	return out
}

var errNotNumber = errors.New("not a number")

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
