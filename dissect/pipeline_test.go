package dissect

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// manySessions builds n short passive sessions, each with a LIST and a
// RETR of size bytes, interleaved in pairs — the shape of a busy server.
func manySessions(n, size int) []byte {
	c := pcaptest.New()
	c.Step = 10e3 // 10 µs
	data := make([]byte, size)
	for i := 0; i < n; i++ {
		cli := "198.18." + strconv.Itoa(i/250%250) + "." + strconv.Itoa(1+i%250)
		k := c.Conn(cli+":40000", "198.19.0.1:21", uint32(i*7919), uint32(i*104729))
		k.Open()
		k.Line(false, "220 (vsFTPd 3.0.3)")
		k.Line(true, "USER anonymous")
		k.Line(false, "331 Please specify the password.")
		k.Line(true, "PASS x@y")
		k.Line(false, "230 Login successful.")
		for j, verb := range []string{"LIST", "RETR f"} {
			port := 30000 + (i*2+j)%10000
			k.Line(true, "PASV")
			k.Line(false, "227 Entering Passive Mode (198,19,0,1,"+strconv.Itoa(port>>8)+","+strconv.Itoa(port&255)+").")
			k.Line(true, verb)
			d := c.Conn(cli+":"+strconv.Itoa(40001+j), "198.19.0.1:"+strconv.Itoa(port), 1, 2)
			d.Open()
			k.Line(false, "150 Here comes the data.")
			d.Send(false, data, 1448)
			d.Close()
			k.Line(false, "226 Transfer complete.")
		}
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	return c.Bytes()
}

// BenchmarkAnalyzeSessions runs the whole dissector over many short
// sessions: decode, flow lookup, control reassembly, FTP parsing and
// correlation.
func BenchmarkAnalyzeSessions(b *testing.B) {
	pcap := manySessions(2000, 4096)
	b.SetBytes(int64(len(pcap)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, _ := capture.OpenReader("b", "b", io.NopCloser(bytes.NewReader(pcap)), 0)
		n := 0
		a := New(DefaultConfig(), []*capture.Info{f.Info()}, SinkFunc(func(*model.Session) { n++ }))
		for {
			p, err := f.Next()
			if err != nil {
				break
			}
			a.Packet(&p)
		}
		a.Finish()
		if n != 2000 {
			b.Fatalf("%d sessions", n)
		}
	}
}

func TestManySessionsCorrelated(t *testing.T) {
	ss, _ := run(t, manySessions(300, 1000), DefaultConfig())
	if len(ss) != 300 {
		t.Fatalf("%d sessions", len(ss))
	}
	for _, s := range ss {
		for _, ch := range s.Channels {
			if ch.Status != model.StatusOK || ch.Connection == nil || ch.Connection.Match != model.MatchExact || ch.Connection.BytesToFTPClient != 1000 {
				t.Fatalf("%s: %s %+v", ch.ID, ch.Status, ch.Connection)
			}
		}
	}
}
