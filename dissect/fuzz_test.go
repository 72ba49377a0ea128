package dissect

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// FuzzPackets feeds arbitrary frames, as Ethernet and as Linux cooked v2,
// through the whole dissector: it must never panic, whatever the bytes.
// The corpus starts from every packet of a real lab capture.
func FuzzPackets(f *testing.F) {
	if data, err := os.ReadFile("../samples/captures/active-helper/gateway.pcap"); err == nil {
		src, err := capture.OpenReader("seed", "seed", io.NopCloser(bytes.NewReader(data)), 0)
		if err == nil {
			for {
				p, err := src.Next()
				if err != nil {
					break
				}
				f.Add(bytes.Clone(p.Data), true)
			}
		}
	}
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, frame []byte, sll2 bool) {
		lt := layers.LinkTypeEthernet
		if sll2 {
			lt = layers.LinkTypeLinuxSLL2
		}
		a := New(DefaultConfig(), []*capture.Info{{Label: "f"}}, SinkFunc(func(*model.Session) {}))
		// the same frame three times, as a retransmission would come
		for i := 0; i < 3; i++ {
			p := capture.Packet{Data: frame, LinkType: lt, Frame: uint64(i + 1),
				Info: gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, int64(i)), CaptureLength: len(frame), Length: len(frame)}}
			a.Packet(&p)
		}
		a.Finish()
	})
}

// FuzzControlDialog runs arbitrary client and server byte streams as an FTP
// control connection (cut into segments of varying size) followed by a data
// connection to whatever port was announced last: sessions, channels,
// correlation and export must hold up.
func FuzzControlDialog(f *testing.F) {
	f.Add([]byte("USER a\r\nPASV\r\nRETR f\r\nQUIT\r\n"), []byte("220 hi\r\n331 p\r\n227 Entering Passive Mode (203,0,113,20,117,48).\r\n150 ok (3 bytes)\r\n226 done\r\n221 bye\r\n"), uint8(7))
	f.Add([]byte("AUTH TLS\r\n\x16\x03\x01\x00\x02hi"), []byte("220-x\r\n220 y\r\n234 go\r\n\x16\x03\x03\x00\x01z"), uint8(3))
	f.Add([]byte("PORT 1,2,3,4,5,6\r\nEPRT |2|::1|5|\r\nLPRT 4,4,1,2,3,4,2,1,1\r\n"), []byte("200 a\r\n200 b\r\n500 c\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, client, server []byte, cut uint8) {
		if len(client)+len(server) > 1<<16 {
			return
		}
		mss := 1 + int(cut)
		c := pcaptest.New()
		k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2)
		k.Open()
		for len(client) > 0 || len(server) > 0 {
			n := min(len(server), mss)
			k.Send(false, server[:n], mss)
			server = server[n:]
			n = min(len(client), mss)
			k.Send(true, client[:n], mss)
			client = client[n:]
		}
		d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 1, 2)
		d.Open()
		d.Send(false, []byte("abc"), 1448)
		d.Close()
		k.Close()
		ss, _ := run(t, c.Bytes(), DefaultConfig())
		for _, s := range ss {
			for _, ch := range s.Channels {
				if ch.Status == "" || ch.ID == "" {
					t.Fatalf("channel without id or status: %+v", ch)
				}
			}
		}
	})
}
