package pcapslice_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/pcapslice"
)

// dissectAll analyses a capture and returns its sessions.
func dissectAll(t *testing.T, pcap []byte) []*model.Session {
	t.Helper()
	f, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Session
	a := dissect.New(dissect.DefaultConfig(), []*capture.Info{f.Info()}, dissect.SinkFunc(func(s *model.Session) { out = append(out, s) }))
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
	}
	a.Finish()
	return out
}

// -w keeps every fragment of a selected session's datagrams, so that
// Wireshark can reassemble them again, and not those of other hosts.
func TestSelectorKeepsFragments(t *testing.T) {
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	mine := []uint64{uint64(c.Packets + 1), uint64(c.Packets + 2)}
	k.SendFragmented(true, []byte("RETR a-file-in-two-fragments.iso\r\n"), 40)
	other := c.Conn("192.168.1.99:40000", "203.0.113.20:21", 5, 6)
	notMine := uint64(c.Packets + 1)
	other.SendFragmented(true, []byte("NOOP NOOP NOOP NOOP NOOP NOOP\r\n"), 24)
	k.Line(false, "550 Failed to open file.")
	k.Close()
	ss := dissectAll(t, c.Bytes())
	var chosen []model.Session
	for _, s := range ss {
		if s.Client == "192.168.1.10:40000" {
			chosen = append(chosen, *s)
		}
	}
	if len(chosen) != 1 {
		t.Fatalf("%d sessions of 192.168.1.10", len(chosen))
	}
	sel := pcapslice.NewSelector(chosen, []string{"t"})
	src, err := capture.OpenReader("t", "test.pcap", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
	if err != nil {
		t.Fatal(err)
	}
	matched := map[uint64]bool{}
	for {
		p, err := src.Next()
		if err != nil {
			break
		}
		matched[p.Frame] = sel.Match(&p)
	}
	for _, f := range mine {
		if !matched[f] {
			t.Errorf("fragment at frame %d of the session not selected", f)
		}
	}
	for f := notMine; f < notMine+3; f++ {
		if matched[f] {
			t.Errorf("fragment at frame %d of another client selected", f)
		}
	}
}
