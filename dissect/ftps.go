package dissect

import (
	"fmt"
	"time"

	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/dissect/ftps"
)

// FTPS with a key log (--tls-keylog): dissect/ftps decrypts; the
// plaintext of a control connection goes through the same line splitter,
// reply reader and pairer as cleartext FTP, so announcements are
// correlated, rules judge them and NAT legs pair as for cleartext.

// startFTPS begins decrypting a session's control connection, when a key
// log was given.
func (s *session) startFTPS() {
	if s.a.ftps != nil && s.ftps == nil {
		s.ftps = s.a.ftps.NewControl((*ctlHost)(s))
	}
}

// ctlHost is a session as the ftps.ControlHost of its control connection.
type ctlHost session

func (h *ctlHost) Now() time.Time { return h.a.now }

func (h *ctlHost) Place(dir int, seq uint32) (ftps.At, uint32, bool) {
	if r := h.st.locate(dir, seq); r != nil {
		return ftps.At{TS: r.ts, Frame: r.frame}, r.seq + uint32(r.n), true
	}
	return ftps.At{TS: h.a.now, Frame: h.c.lastFrame}, 0, false
}

func (h *ctlHost) Plaintext(dir int, p []byte, at ftps.At, readable bool) {
	s := (*session)(h)
	if k := (hostPair{s.vantage.id, s.client.Addr(), s.server.Addr()}); readable && s.a.tlsHosts[k] == s {
		// Announcements are readable now: data connections are tied by
		// them, not by inference.
		delete(s.a.tlsHosts, k)
	}
	s.split[dir].Write(p, func(l ftp.Line) bool {
		s.plainLine(dir, l, lineAt{ts: at.TS, frame: at.Frame})
		return true
	})
}

// plainLine handles one decrypted control line. Its place in TCP segments
// means nothing to a NAT helper, which cannot read it: none is given.
func (s *session) plainLine(dir int, l ftp.Line, at lineAt) {
	s.dirty = true
	if at.frame > s.lastFrame {
		s.lastFrame = at.frame
	}
	if dir == fromInitiator {
		s.command(l, at)
	} else {
		s.reply(l, at)
		if s.greeting != nil && s.repliesN == 1 {
			s.greeting.Decrypted = true // implicit FTPS: the greeting came inside TLS
		}
	}
}

// endFTPS warns once when the control connection was not decrypted.
func (s *session) endFTPS() {
	if why := s.ftps.End(); why != "" {
		s.note("TLS not decrypted: " + why)
		s.a.ftps.Warn(s.vantage.source, fmt.Sprintf("%s: control connection %s → %s: TLS not decrypted: %s", s.id, s.client, s.server, why))
	}
}

// retryTLS decrypts, live, the records of control connections that
// waited for keys the key log follower has read since.
func (a *Analyzer) retryTLS() {
	if a.ftps == nil || !a.cfg.Live {
		return
	}
	refreshed := false
	for _, s := range a.tlsHosts {
		if t := s.ftps; t != nil && !s.emitted {
			t.Tick(&refreshed)
		}
	}
}

// channelForInferred is the channel a data connection tied by inference
// serves: when decryption shows the commands but not the replies (one
// direction without its key), the transfer command waiting for its data;
// else a channel of its own, as without a key log.
func (s *session) channelForInferred(mode string) *channel {
	if s.ftps != nil {
		for i := len(s.channels) - 1; i >= 0; i-- {
			ch := s.channels[i]
			if ch.ann == nil && ch.xfer != nil && ch.xfer.final == 0 && ch.conn == nil && ch.snapshot == nil && !ch.rejected {
				ch.mode = mode
				return ch
			}
		}
	}
	return s.newChannel(mode)
}

// startDataTLS prepares the decryption of a data connection of a session
// whose control connection went TLS (PROT P or PROT C: its bytes tell).
func (a *Analyzer) startDataTLS(ch *channel) {
	if a.ftps != nil && ch.sess.tls && ch.tls == nil {
		ch.tls = a.ftps.NewData((*dataHost)(ch))
	}
}

// decryptData takes a data segment of c's TLS: it reports false when the
// connection turned out to carry no TLS (PROT C), whose bytes are then
// handled as any data connection's.
func (a *Analyzer) decryptData(c *conn, dir int, s *decode.Segment) bool {
	if c.ch.tls.Segment(dir, s, &c.span[dir]) {
		return true
	}
	c.ch.tls = nil
	return false
}

// dataHost is a channel as the ftps.DataHost of its data connection: the
// plaintext is what gets exported.
type dataHost channel

func (h *dataHost) Plaintext(dir int, off int64, p []byte) {
	if x := h.export; x != nil {
		h.sess.a.exportPlain(x, dir, off, p)
	}
}

func (h *dataHost) Lost() {
	if x := h.export; x != nil && !x.ended {
		h.sess.a.cfg.Files.Lost(x.file)
	}
}

// endDataTLS concludes the decryption of the channel's data connection c,
// with a warning when it was not decrypted.
func (ch *channel) endDataTLS(c *conn) {
	if why := ch.tls.End(); why != "" {
		s := ch.sess
		s.note(ch.name + ": TLS of the data connection not decrypted: " + why)
		s.a.ftps.Warn(s.vantage.source, fmt.Sprintf("%s: data connection %s → %s: TLS not decrypted: %s", ch.name, c.initiator, c.responder, why))
	}
}
