package dissect

import (
	"testing"

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
	first := c.Login("192.168.1.10:40000", 100)
	second := c.Login("192.168.1.10:40001", 200)
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
