package analysis_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// TestFTPSThroughNAT: an FTPS session seen on both sides of a NAT gateway,
// read with the client's key log: both legs decrypted, their data
// connections tied exact, the legs paired as for cleartext FTP.
func TestFTPSThroughNAT(t *testing.T) {
	f, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{NAT: true, File: bytes.Repeat([]byte("x"), 50000)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.KeepSegments = true
	cfg.Dissect.TLSKeys = tlsdecrypt.NewKeyLog()
	cfg.Dissect.TLSKeys.Read(bytes.NewReader(f.KeyLog))
	srcs := []capture.Source{openPcap(t, "inside", f.Pcap, 0), openPcap(t, "outside", f.Outside, 1)}
	got := &sessions{}
	sum, err := analysis.Run(context.Background(), srcs, cfg, got)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.got) != 2 {
		t.Fatalf("%d sessions", len(got.got))
	}
	for _, s := range got.got {
		if s.TLSDecryption == nil || !s.TLSDecryption.Decrypted || len(s.Channels) != 1 || s.Channels[0].Connection.Match != model.MatchExact {
			t.Fatalf("%s: decryption %+v, channels %+v", s.Source, s.TLSDecryption, s.Channels)
		}
	}
	if len(sum.NATPairs) != 1 {
		t.Fatalf("%d NAT pairs", len(sum.NATPairs))
	}
	p := sum.NATPairs[0]
	if len(p.Rewrites) != 0 || len(p.Channels) != 1 || p.Translation == nil || p.Translation.OutsideClient != "203.0.113.1:40000" {
		t.Errorf("pair %+v, translation %+v", p, p.Translation)
	}
	blind := 0
	for _, fd := range append(got.findings, sum.Findings...) {
		if fd.Rule == "tls-blinds-alg" {
			blind++
		}
	}
	if blind != 2 {
		t.Errorf("%d tls-blinds-alg findings, want one per leg", blind)
	}
}
