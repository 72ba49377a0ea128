package dissect

import (
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

func TestSeqJumpsNotCounted(t *testing.T) {
	ss, a := run(t, seqJumpCapture(), DefaultConfig())
	ch := ss[0].Channels[0]
	cn := ch.Connection
	if cn == nil || cn.BytesToFTPClient != 3 || cn.CapturedBytes != 3 || cn.OutOfWindow != 3 {
		t.Fatalf("connection %+v: want 3 bytes, 3 segments out of the window", cn)
	}
	if ch.Status != model.StatusTruncated {
		t.Errorf("status %s: 3 of 12 announced bytes came", ch.Status)
	}
	if n := a.Stats().OutOfWindowSegments; n != 3 {
		t.Errorf("stats.out_of_window_segments = %d, want 3", n)
	}
}

func TestCaptureLossStillCounted(t *testing.T) {
	pcap, kept := lossyDownloadCapture()
	ss, a := run(t, pcap, DefaultConfig())
	ch := ss[0].Channels[0]
	cn := ch.Connection
	if cn == nil || cn.BytesToFTPClient != 6<<20 || cn.OutOfWindow != 0 || ch.Status != model.StatusOK {
		t.Fatalf("status %s, connection %+v: want the whole 6 MiB in sequence space", ch.Status, cn)
	}
	if cn.CapturedBytes != kept {
		t.Errorf("captured %d bytes, want %d", cn.CapturedBytes, kept)
	}
	if n := a.Stats().OutOfWindowSegments; n != 0 {
		t.Errorf("stats.out_of_window_segments = %d after the run confirmed the new position", n)
	}
}
