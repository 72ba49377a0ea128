package dissect

import (
	"net/netip"
	"time"

	"github.com/ftpscope/ftpscope/dissect/expect"
)

// Correlation ties announcements to the data connections that follow them
// (dissect/expect): a channel waits for its announced endpoint; under TLS,
// when the announcement is not readable, connections between the
// session's hosts are tied by timing (inferTLS).

// expect makes ch wait for its data connection, or ties it at once to one
// that came before its announcement was read.
func (a *Analyzer) expect(ch *channel) {
	s, w := ch.sess, &ch.want
	w.Vantage, w.Endpoint = s.vantage.id, ch.ann.endpoint
	w.Opener, w.Listener = s.client.Addr(), s.server.Addr() // passive: the client connects
	if ch.mode != "passive" {
		w.Opener, w.Listener = w.Listener, w.Opener
	}
	if c, how := a.exp.Register(ch, ch.ann.ts); c != nil {
		ch.attach(c, how)
	}
}

// Want, Open and Pending make a channel an expect.Waiter.
func (ch *channel) Want() *expect.Want { return &ch.want }

func (ch *channel) Open() bool {
	return ch.conn == nil && ch.snapshot == nil && !ch.rejected && !ch.sess.emitted
}

func (ch *channel) Pending() bool { return ch.xfer != nil && ch.xfer.final == 0 }

// Ends, Mark and Unclaimed make a connection an expect.Conn.
func (c *conn) Ends() (uint32, netip.AddrPort, netip.AddrPort, time.Time) {
	return c.vantage.id, c.initiator, c.responder, c.first
}

func (c *conn) Mark() *bool { return &c.recent }

func (c *conn) Unclaimed() bool { return c.role == roleUnknown }
