package dissect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// Two sessions of one client announce the same endpoint (the client
// reused a port, or a NAT helper moved the second one's outside port):
// the first session's RETR is refused (550) and the second one's
// transfers. The data connection belongs to the transfer that waits for
// it, not to the older announcement. Seen in the generated benchmark
// capture (a worker reused its listening port) and in the lab's
// helper-remap capture.
func TestSameEndpointGoesToTheWaitingTransfer(t *testing.T) {
	c := pcaptest.New()
	first := ftpLogin(c, "192.168.1.10:40000", 100)
	second := ftpLogin(c, "192.168.1.10:40001", 200)
	first.Line(true, "PORT 192,168,1,10,156,64")
	first.Line(false, "200 PORT command successful. Consider using PASV.")
	second.Line(true, "PORT 192,168,1,10,156,64")
	second.Line(false, "200 PORT command successful. Consider using PASV.")
	first.Line(true, "RETR missing.bin")
	first.Line(false, "550 Failed to open file.")
	second.Line(true, "RETR data.bin")
	d := c.Conn("203.0.113.20:20", "192.168.1.10:40000", 5, 9)
	d.Open()
	second.Line(false, "150 Opening BINARY mode data connection for data.bin (3000 bytes).")
	d.Send(true, make([]byte, 3000), 1448)
	d.Close()
	second.Line(false, "226 Transfer complete.")
	first.Close()
	second.Close()
	ss, _ := run(t, c.Bytes(), DefaultConfig())
	if len(ss) != 2 {
		t.Fatalf("%d sessions", len(ss))
	}
	byClient := map[string]*model.Session{}
	for _, s := range ss {
		byClient[s.Client] = s
	}
	refused, transferred := byClient["192.168.1.10:40000"], byClient["192.168.1.10:40001"]
	if ch := refused.Channels[0]; ch.Connection != nil || ch.Status != model.StatusUnused {
		t.Errorf("refused RETR: status %s, connection %+v; want unused, none", ch.Status, ch.Connection)
	}
	if ch := transferred.Channels[0]; ch.Connection == nil || ch.Connection.BytesToFTPClient != 3000 || ch.Status != model.StatusOK {
		t.Errorf("transfer: status %s, connection %+v; want ok with 3000 bytes", ch.Status, ch.Connection)
	}
}

// Beyond maxExpectations waiting channels, registering one evicts the
// oldest still waiting, at once: the queue does not grow between two
// housekeeping ticks, matched channels included, and each eviction is
// counted once.
func TestExpectationsEvictionDequeues(t *testing.T) {
	e := newExpectations(30 * time.Second)
	s := &session{vantage: &vantage{}}
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var chs []*channel
	for i := 0; i < 2*maxExpectations; i++ {
		ep := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), uint16(1024+i%60000))
		ch := &channel{sess: s, ann: &announce{ts: t0, endpoint: ep}}
		e.register(ch, t0)
		chs = append(chs, ch)
		if i%10 == 0 {
			// matched at once: stays queued until housekeeping
			e.unregister(ch)
		}
	}
	if e.waiting > maxExpectations {
		t.Errorf("%d channels waiting, want at most %d", e.waiting, maxExpectations)
	}
	if len(e.queue) > 2*maxExpectations {
		t.Errorf("queue of %d channels, want at most %d", len(e.queue), 2*maxExpectations)
	}
	n := 0
	for _, ch := range e.queue {
		if ch.registered {
			n++
		}
	}
	if n != e.waiting {
		t.Errorf("%d registered channels queued, count says %d", n, e.waiting)
	}
	// nine in ten stayed registered; the oldest beyond the bound went
	if want := uint64(len(chs) - (len(chs)+9)/10 - maxExpectations); e.evicted != want {
		t.Errorf("%d evicted, want %d", e.evicted, want)
	}
	if chs[1].registered || !chs[len(chs)-1].registered {
		t.Errorf("oldest still waiting %v, newest %v: want the oldest evicted", chs[1].registered, chs[len(chs)-1].registered)
	}
	e.expire(t0.Add(time.Minute))
	if e.waiting != 0 || len(e.queue) != 0 || len(e.exact) != 0 || len(e.byPort) != 0 {
		t.Errorf("after expiry: %d waiting, queue %d, maps %d/%d", e.waiting, len(e.queue), len(e.exact), len(e.byPort))
	}
}
