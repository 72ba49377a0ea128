package main

import (
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
)

// TestTUIFrames: files are read back by frame; standard input and live
// sources go through the ring the analysis fills.
func TestTUIFrames(t *testing.T) {
	var cfg analysis.Config
	f := newTUIFrames(&options{reads: []sourceArg{{label: "client.pcap", name: sample}}}, []string{"client.pcap"}, &cfg)
	if cfg.Dissect.ControlTap != nil || f.ring != nil {
		t.Error("a run over files keeps a ring of control packets")
	}
	want := sequentialFrame(t, 16)
	p, err := f.Frame("client.pcap", 16)
	if err != nil || string(p.Data) != string(want.Data) {
		t.Fatalf("frame 16: %v", err)
	}
	if _, err := f.Frame("other", 1); err == nil {
		t.Error("a frame of a source that does not exist")
	}

	f = newTUIFrames(&options{reads: []sourceArg{{label: "stdin", name: "-"}}}, []string{"stdin"}, &cfg)
	if cfg.Dissect.ControlTap == nil || f.ring == nil {
		t.Fatal("standard input, which cannot be read again, keeps no ring")
	}
	cfg.Dissect.ControlTap(capture.Packet{Data: want.Data, Frame: 16, Source: 0})
	if p, err := f.Frame("stdin", 16); err != nil || string(p.Data) != string(want.Data) {
		t.Errorf("frame 16 from the ring: %v", err)
	}
	if _, err := f.Frame("stdin", 17); err == nil {
		t.Error("a frame the ring never had")
	}
}

func sequentialFrame(t *testing.T, n uint64) capture.Packet {
	t.Helper()
	src, err := capture.OpenFile("", sample, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for {
		p, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if p.Frame == n {
			p.Data = append([]byte(nil), p.Data...)
			return p
		}
	}
}
