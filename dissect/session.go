package dissect

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/dissect/dialog"
	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/dissect/ftps"
	"github.com/ftpscope/ftpscope/dissect/tlsrecord"
	"github.com/ftpscope/ftpscope/model"
)

// cmdRing holds what replies need to know about the commands awaiting
// them. Pending command ids are consecutive, so a ring indexed by id works;
// it starts small and doubles while more than half of it is pending, up to
// twice ftp.MaxPendingCommands, so a live entry is never overwritten.
type cmdRing []cmdInfo

func (r *cmdRing) at(id int) *cmdInfo { return &(*r)[id&(len(*r)-1)] }

// reserve makes room for one more command with pending ids waiting.
func (r *cmdRing) reserve(pending []int) {
	if len(*r) == 0 {
		*r = make(cmdRing, 8)
	}
	if 2*(len(pending)+1) <= len(*r) || len(*r) >= 2*ftp.MaxPendingCommands {
		return
	}
	bigger := make(cmdRing, 2*len(*r))
	for _, id := range pending {
		bigger[id&(len(bigger)-1)] = *r.at(id)
	}
	*r = bigger
}

// cmdInfo is what a reply needs to know about the command it answers.
type cmdInfo struct {
	verb, arg string
	ts        time.Time
	frame     uint64
	dialog    int // absolute index in the dialog (dialog.Ring), -1 when not kept
	ch        *channel
}

// lineAt locates a line in the capture.
type lineAt struct {
	ts    time.Time
	frame uint64
	place *model.SegmentPlace
	cut   bool // cut by the snapshot length: nothing is concluded from it
}

// session is the FTP state of one control connection.
type session struct {
	a       *Analyzer
	id      string
	n       int
	c       *conn
	st      *controlStream
	stream  controlStream // what st points at: one allocation for both
	vantage *vantage
	client  netip.AddrPort
	server  netip.AddrPort
	start   time.Time
	end     time.Time

	split [2]ftp.Splitter
	// lineBufs start the splitters' buffers: commands and replies are
	// mostly shorter, and each splitter grew its own twice otherwise.
	lineBufs [2][128]byte
	replies  ftp.ReplyReader
	pairer   *ftp.Pairer
	pairing  ftp.Pairer // what pairer points at
	cmds     cmdRing
	// firstCmds is the ring's first array, which most sessions never outgrow.
	firstCmds [8]cmdInfo
	nextCmd   int
	lat       []float64 // the block latency hands out

	dialog    dialog.Ring
	dropped   *model.DialogEntry // what newEntry fills for an entry the dialog drops
	commands  int
	repliesN  int
	greeting  *model.DialogEntry
	anomalies []string

	user          string
	hasUser       bool
	passSent      bool
	authRequested string // AUTH argument awaiting 234
	tls           bool
	protected     bool
	opaque        [2]bool
	tlsSkip       [2]tlsrecord.Skipper
	ftps          *ftps.Control // decrypting with the key log (ftps.go)
	gapBytes      int64
	conflicts     []model.RetransmissionConflict // retransmitted bytes that differed
	snaplen       *model.SnaplenCut
	resync        [2]bool // after a cut: the next bytes may end the cut line
	segments      []model.Segment

	channels      []*channel
	firstChannels [4]*channel // channels' array until it outgrows it: most sessions have a few
	// open is the latest channel that may still get a transfer command.
	open     *channel
	lastMode string
	restart  int64
	hasRest  bool
	sizes    map[string]int64 // SIZE replies, by file name
	lastSize string           // argument of the SIZE awaiting its 213

	controlDone bool // the control connection ended
	openData    int  // data connections still running
	emitted     bool
	dirty       bool // changed since the last Updates
	lastFrame   uint64
}

func newSession(a *Analyzer, c *conn) *session {
	a.sessionCount++
	s := &session{
		a:       a,
		n:       a.sessionCount,
		c:       c,
		vantage: c.vantage,
		client:  c.initiator,
		server:  c.responder,
		start:   c.first,
		pairing: *ftp.NewPairer(c.handshake),
	}
	s.pairer = &s.pairing
	s.split[0].UseBuffer(s.lineBufs[0][:])
	s.split[1].UseBuffer(s.lineBufs[1][:])
	s.cmds = s.firstCmds[:]
	s.replies.Intern = &a.intern
	s.id = "s" + itoa(s.n)
	s.stream = controlStream{a: a, c: c, sess: s}
	st := &s.stream
	st.half[0].records, st.half[1].records = st.firstRecords[0][:0], st.firstRecords[1][:0]
	s.st = st
	c.ctl = st
	c.role = roleControl
	a.lru.retag(c)
	return s
}

// attempt reports a control connection that never carried payload in
// either direction (a SYN scan of port 21, a refused connection): it is
// counted, not reported as a session.
func (s *session) attempt() bool { return s.c.span[0].Bytes()+s.c.span[1].Bytes() == 0 }

// feed consumes in-order control bytes of one direction starting at
// sequence number base.
func (s *session) feed(dir int, data []byte, base uint32) {
	for len(data) > 0 {
		if s.opaque[dir] {
			n, carry, clear := s.tlsSkip[dir].Skip(data)
			if s.ftps != nil {
				s.ftps.Feed(dir, data[:n], base)
			}
			data, base = data[n:], base+uint32(n)
			if !clear {
				return
			}
			s.opaque[dir] = false
			s.note("cleartext resumed after TLS (" + dirName(dir) + ")")
			// the first cleartext line, held while it was checked
			cb := base - uint32(len(carry))
			s.st.half[dir].lineStart = cb
			s.split[dir].Write(carry, func(l ftp.Line) bool {
				s.line(dir, l, cb)
				return !s.opaque[dir]
			})
			if len(data) == 0 {
				return
			}
		}
		if s.resync[dir] {
			n := s.resyncAfterCut(dir, data)
			if data, base = data[n:], base+uint32(n); len(data) == 0 {
				return
			}
			s.st.half[dir].lineStart = base
		}
		if dir == fromInitiator && s.commands == 0 && s.split[dir].Pending() == 0 && !s.tls && tlsrecord.CanStart(data[0]) && len(data) > 1 && data[1] == 3 {
			// Implicit FTPS (port 990) or a client that never sent AUTH.
			s.startTLS("implicit TLS")
			continue
		}
		consumed := s.split[dir].Write(data, func(l ftp.Line) bool {
			s.line(dir, l, base)
			return !s.opaque[dir]
		})
		data, base = data[consumed:], base+uint32(consumed)
	}
}

// line handles one complete control line.
func (s *session) line(dir int, l ftp.Line, base uint32) {
	h := &s.st.half[dir]
	at := lineAt{ts: s.a.now, frame: s.c.lastFrame}
	endSeq := h.lineStart + uint32(max(l.Length, 1)) // approximate when Telnet bytes were dropped
	if l.End >= 0 {
		endSeq = base + uint32(l.End)
	}
	if r := s.st.locate(dir, endSeq-1); r != nil {
		at.ts, at.frame = r.ts, r.frame
	}
	if first := s.st.locate(dir, h.lineStart); first != nil {
		place := model.SegmentPlace{Offset: int(h.lineStart - first.seq)}
		if h.lastRecSeen && h.lastRecSeq == first.seq {
			h.lineInRec++
		} else {
			h.lineInRec = 0
		}
		h.lastRecSeq, h.lastRecSeen = first.seq, true
		place.Index = h.lineInRec
		if last := s.st.locate(dir, endSeq-1); last != nil && last.seq != first.seq {
			place.Split = true
			place.Segments = 2
		}
		if place.Offset > 0 || place.Index > 0 || place.Split {
			p := place // only what the ALG prediction needs: most lines need none, and allocate none
			at.place = &p
		}
	}
	h.lineStart = endSeq
	s.dirty = true
	if at.frame > s.lastFrame {
		s.lastFrame = at.frame
	}
	if dir == fromInitiator {
		s.command(l, at)
	} else {
		s.reply(l, at)
	}
}

// latency returns a pointer to ms for a dialog entry's LatencyMS, taken
// from a small block of the session's (8 a block): one allocation for every
// eight final replies instead of one each. The values are never written
// again, so entries may share a block.
func (s *session) latency(ms float64) *float64 {
	if len(s.lat) == cap(s.lat) {
		s.lat = make([]float64, 0, 8)
	}
	s.lat = append(s.lat, ms)
	return &s.lat[len(s.lat)-1]
}

// newEntry returns the dialog's next entry, zero, to be filled in place,
// and its absolute index; an entry the dialog drops (past MaxDialog) is
// filled all the same, in a spare one, and its index is -1.
func (s *session) newEntry() (*model.DialogEntry, int) {
	e, idx := s.dialog.Next(s.a.cfg.MaxDialog, s.a.cfg.Live)
	if e == nil {
		if s.dropped == nil {
			s.dropped = new(model.DialogEntry)
		}
		e = s.dropped
		*e = model.DialogEntry{}
	}
	return e, idx
}

// decrypted reports whether the line being read came from TLS through
// the key log.
func (s *session) decrypted() bool { return s.ftps != nil && s.ftps.Feeding() }

func (s *session) note(text string) {
	if len(s.anomalies) < 32 {
		s.anomalies = append(s.anomalies, text)
	}
}

// command handles a client line.
func (s *session) command(l ftp.Line, at lineAt) {
	cmd := ftp.ParseCommandInterned(l.Text, &s.a.intern, s.a.cfg.ShowPasswords)
	if len(l.Text) == 0 && !at.cut {
		return // an empty line is no command; servers ignore it
	}
	s.commands++
	e, idx := s.newEntry()
	e.TS, e.Kind, e.Verb, e.Arg, e.Frame = model.At(at.ts), "command", cmd.Verb, cmd.Arg, at.frame
	e.Truncated, e.Segment, e.Cut, e.Malformed = l.Truncated, at.place, at.cut, !cmd.Valid
	e.RawText = dialog.RawText(cmd.Arg, "", nil)
	e.Decrypted = s.decrypted()
	id := s.nextCmd
	s.nextCmd++
	s.cmds.reserve(s.pairer.Pending())
	info := s.cmds.at(id)
	*info = cmdInfo{verb: cmd.Verb, arg: cmd.Arg, ts: at.ts, frame: at.frame, dialog: idx}
	if dropped := s.pairer.Command(id); dropped >= 0 {
		s.markUnanswered(dropped)
	}
	if at.cut {
		// Only the pairing: its argument, maybe its verb, is incomplete.
		info.verb, info.arg = cutVerb(cmd, l.Text), ""
		return
	}
	switch cmd.Verb {
	case "USER":
		s.user, s.hasUser = cmd.Arg, true
	case "PASS":
		s.passSent = true
	case "AUTH":
		s.authRequested = cmd.Arg
	case "PORT", "EPRT", "LPRT":
		info.ch = s.announceActive(cmd, l, at)
	case "ENC", "MIC", "CONF":
		if !s.protected {
			s.protected = true
			s.note("commands protected by RFC 2228 (" + cmd.Verb + "): their content is not visible")
		}
	case "REST":
		s.hasRest = false
		if v, err := parseInt(cmd.Arg); err == nil {
			s.restart = v
		}
	case "SIZE":
		s.lastSize = cmd.Arg
	case "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD":
		info.ch = s.transferCommand(cmd, at)
	}
}

// reply handles a server line.
func (s *session) reply(l ftp.Line, at lineAt) {
	r, done := s.replies.Line(l)
	if !done {
		return
	}
	s.handleReply(r, at)
}

func (s *session) handleReply(r ftp.Reply, at lineAt) {
	s.repliesN++
	e, _ := s.newEntry()
	e.TS, e.Kind, e.Code, e.Text, e.Lines, e.Frame = model.At(at.ts), "reply", r.Code, r.Text, r.Lines, at.frame
	e.TextLines, e.TextLinesDropped, e.RawText = r.TextLines, r.LinesDropped(), dialog.RawText("", r.Text, r.TextLines)
	e.Truncated, e.Malformed, e.Segment, e.Cut = r.Truncated, r.Malformed, at.place, at.cut
	id, role := s.pairer.Reply(&r)
	if role == ftp.Greeting {
		g := *e // without Decrypted: plainLine marks the greeting itself
		s.greeting = &g
	}
	e.Decrypted = s.decrypted()
	switch role {
	case ftp.Greeting, ftp.NotAReply:
		return
	case ftp.Unsolicited:
		e.Unsolicited = true
		return
	}
	info := s.cmds.at(id)
	final := role == ftp.Final
	e.Preliminary = !final
	e.Answers = model.RefTo(info.dialog) // absolute until exported: see dialog.Ring.Final
	if final {
		// Microsecond resolution: what captures resolve, and a short number.
		ms := s.latency(float64(max(at.ts.Sub(info.ts).Microseconds(), 0)) / 1000)
		e.LatencyMS = ms
		if c := s.dialog.At(info.dialog); c != nil {
			c.LatencyMS = ms
		}
	}
	s.answer(info, &r, final, at)
}

// answer applies a reply to the command it answers.
func (s *session) answer(info *cmdInfo, r *ftp.Reply, final bool, at lineAt) {
	switch info.verb {
	case "PORT", "EPRT", "LPRT":
		if ch := info.ch; ch != nil && final {
			ch.ann.replyCode, ch.ann.replyText, ch.ann.replyFrame = r.Code, r.Text, at.frame
			if r.Class() >= 4 {
				ch.rejected = true
				s.a.exp.Unregister(ch)
				s.channelDone(ch)
			}
		}
	case "PASV", "EPSV", "LPSV":
		if final && !at.cut {
			s.announcePassive(info, r, at)
		}
	case "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD":
		if ch := info.ch; ch != nil && ch.xfer != nil {
			x := ch.xfer
			if x.replyCodes == nil {
				x.replyCodes = x.codes[:0] // nil until a reply came: the report tells null from []
			}
			x.replyCodes = append(x.replyCodes, r.Code)
			if (r.Code == 150 || r.Code == 125) && !at.cut {
				if n, ok := ftp.ParseSize150(r.Text); ok {
					x.size, x.sizeFrom = n, "150"
				}
			}
			if final {
				x.final, x.finalText, x.finalTS, x.finalFrame = r.Code, r.Text, at.ts, at.frame
				s.a.exp.Extend(ch, at.ts)
				s.channelDone(ch)
			}
		}
	case "AUTH":
		if final && r.Code == 234 && !s.tls {
			s.startTLS(info.arg)
		}
	case "REST":
		if final && r.Code == 350 {
			s.hasRest = true
		}
	case "SIZE":
		if final && r.Code == 213 && !at.cut {
			if n, ok := ftp.ParseSize213(r.Text); ok {
				if s.sizes == nil {
					s.sizes = map[string]int64{}
				}
				if len(s.sizes) >= 16 {
					clear(s.sizes)
				}
				s.sizes[info.arg] = n
			}
		}
	}
}

// channelDone reports a channel to a ChannelSink once it has concluded.
func (s *session) channelDone(ch *channel) {
	cs := s.a.channelSink
	if cs == nil || ch.reported || ch.conn != nil || !(ch.rejected || ch.xfer != nil && ch.xfer.final != 0) {
		return
	}
	ch.reported = true
	m := s.a.exportChannel(s, ch)
	cs.Channel(s.id, &m)
}

// startTLS turns the control stream opaque in both directions (RFC 4217).
func (s *session) startTLS(how string) {
	s.tls = true
	s.a.tlsHosts[hostPair{s.vantage.id, s.client.Addr(), s.server.Addr()}] = s
	s.opaque = [2]bool{true, true}
	if s.startFTPS(); s.ftps != nil {
		s.note("control connection encrypted (" + how + "): read with the TLS key log")
	} else {
		s.note("control connection encrypted (" + how + "): later commands and announcements are not visible")
	}
	s.split[0].Reset()
	s.split[1].Reset()
	s.replies.Reset()
}

// announceActive opens a channel for PORT, EPRT or LPRT.
func (s *session) announceActive(cmd ftp.Command, l ftp.Line, at lineAt) *channel {
	var ep netip.AddrPort
	var err error
	family := ""
	switch cmd.Verb {
	case "PORT":
		ep, err = ftp.ParsePORT(cmd.Arg)
	case "LPRT":
		ep, err = ftp.ParseLPRT(cmd.Arg)
	case "EPRT":
		var fam int
		ep, fam, err = ftp.ParseEPRT(cmd.Arg)
		if fam == 2 {
			family = "ipv6"
		} else if fam == 1 {
			family = "ipv4"
		}
	}
	if err != nil {
		s.note(err.Error())
		return nil
	}
	if family == "" {
		family = model.FamilyOf(ep.Addr())
	}
	ch := s.newChannel("active")
	ch.annStore = announce{verb: cmd.Verb, ts: at.ts, frame: at.frame, endpoint: ep, raw: string(l.Text), family: family, place: at.place}
	ch.ann = &ch.annStore
	s.a.expect(ch)
	return ch
}

// announcePassive opens a channel for the 227, 228 or 229 answering PASV,
// EPSV or LPSV (servers answer PASV with 229 too).
func (s *session) announcePassive(info *cmdInfo, r *ftp.Reply, at lineAt) {
	var ep netip.AddrPort
	var err error
	switch r.Code {
	case 227:
		ep, err = ftp.Parse227(r.Text)
	case 228:
		ep, err = ftp.Parse228(r.Text)
	case 229:
		var port uint16
		if port, err = ftp.Parse229(r.Text); err == nil {
			ep = netip.AddrPortFrom(s.server.Addr(), port)
		}
	default:
		return // refused (4yz/5yz) or not an announcement
	}
	if err != nil {
		s.note(err.Error())
		return
	}
	ch := s.newChannel("passive")
	ch.annStore = announce{verb: info.verb, ts: at.ts, frame: at.frame, endpoint: ep, replyCode: r.Code, replyText: r.Text,
		replyFrame: at.frame, raw: replyRaw(r.Code, r.Text), family: model.FamilyOf(ep.Addr()), place: at.place, cmdFrame: info.frame, cmdTS: info.ts}
	ch.ann = &ch.annStore
	s.a.expect(ch)
}

// replyRaw is "code text" built with one allocation.
func replyRaw(code int, text string) string {
	var buf [128]byte
	b := strconv.AppendInt(buf[:0], int64(code), 10)
	b = append(b, ' ')
	b = append(b, text...)
	return string(b)
}

func (s *session) newChannel(mode string) *channel {
	ch := &channel{sess: s, n: len(s.channels) + 1, mode: mode}
	if s.channels == nil {
		s.channels = s.firstChannels[:0]
	}
	ch.name = s.id + ".c" + itoa(ch.n)
	s.channels = append(s.channels, ch)
	s.open = ch
	s.lastMode = mode
	return ch
}

// transferCommand ties a transfer command to the latest announcement not
// yet used, or opens a channel of its own.
func (s *session) transferCommand(cmd ftp.Command, at lineAt) *channel {
	ch := s.open
	if ch == nil || ch.xfer != nil {
		mode := s.lastMode
		if mode == "" {
			mode = "passive"
		}
		ch = s.newChannel(mode)
	}
	ch.xferStore = transfer{verb: cmd.Verb, arg: cmd.Arg, ts: at.ts, frame: at.frame, size: -1}
	x := &ch.xferStore
	if n, ok := s.sizes[cmd.Arg]; ok && cmd.Verb == "RETR" {
		x.size, x.sizeFrom = n, "213"
	}
	if s.hasRest {
		x.restart, x.hasRestart = s.restart, true
		s.hasRest = false
	}
	ch.xfer = x
	s.open = nil
	s.a.exp.Extend(ch, at.ts)
	return ch
}

func (s *session) markUnanswered(id int) {
	info := s.cmds.at(id)
	if c := s.dialog.At(info.dialog); c != nil {
		c.Unanswered = true
	}
}

// gap records bytes missing from the control stream.
func (s *session) gap(dir int, n int64, _ *segRecord) {
	s.gapBytes += n
	s.a.stats.ControlGapBytes += uint64(n)
	s.split[dir].Reset()
	if dir == fromResponder {
		s.replies.Reset()
	}
	if s.opaque[dir] {
		s.tlsSkip[dir].Lose(int(n))
		s.ftps.Lose(dir) // nil without a key log
	} else {
		s.note("capture gap of " + itoa64(n) + " bytes " + dirName(dir))
	}
}

// streamEnded flushes what the control stream left unterminated.
// Its one caller, controlStream.end, runs once.
func (s *session) streamEnded() {
	for dir := range s.split {
		if s.opaque[dir] {
			continue
		}
		s.split[dir].Flush(func(l ftp.Line) bool {
			s.line(dir, l, s.st.half[dir].pos)
			return true
		})
	}
	if r, ok := s.replies.Flush(); ok {
		s.handleReply(r, lineAt{ts: s.a.now, frame: s.lastFrame})
	}
	for _, id := range s.pairer.Pending() {
		s.markUnanswered(id)
	}
	if s.ftps != nil {
		s.endFTPS()
	}
}

func dirName(dir int) string {
	if dir == fromInitiator {
		return "client to server"
	}
	return "server to client"
}

func parseInt(s string) (int64, error) {
	var v int64
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errNotNumber
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' || v > (1<<62)/10 {
			return 0, errNotNumber
		}
		v = v*10 + int64(c-'0')
	}
	return v, nil
}
