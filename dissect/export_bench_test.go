package dissect

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// BenchmarkExportPacket is BenchmarkAnalyzerPacket's data-1448 with
// --export: each in-order data segment of the active RETR goes to its file
// too. The file is emptied every 16,384 segments (24 MB) so that a long
// run does not fill the disk; the writes still go through the page cache.
func BenchmarkExportPacket(b *testing.B) {
	const tcpOff = 14 + 20
	cfg := DefaultConfig()
	cfg.ExportDir = b.TempDir()
	a, ts := benchSetupConfig(b, 54, cfg) // up to the RETR's handshake from port 20
	// IP 198.18.99.1.20 > 198.18.99.2.40002: Flags [.], seq 11001:12449, ack 13001, win 502, options [nop,nop,TS val 3103775903 ecr 3103775900], length 1448
	f := benchFrame(b, netip.AddrPortFrom(benchSrv4, 20), netip.AddrPortFrom(benchCli4, 40002), 11001, 13001, ".", benchPayload(1448))
	p := benchPacket(f, ts, 0)
	seq := uint32(11001)
	var frame uint64 = 1000
	feed := func() {
		binary.BigEndian.PutUint32(f[tcpOff+4:], seq)
		seq += 1448
		ts = ts.Add(10 * time.Microsecond)
		frame++
		p.Info.Timestamp, p.Frame = ts, frame
		a.Packet(&p)
	}
	feed()
	c := a.lastConn
	if c == nil || c.ch == nil || c.ch.export == nil || c.ch.export.f == nil {
		b.Fatal("the data connection is not exported")
	}
	x := c.ch.export
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		feed()
		if n++; n%16384 == 0 {
			b.StopTimer()
			if err := x.f.Truncate(0); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
	if err := a.ExportError(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkExportTransfer analyses a capture of one 16 MiB download with
// --export, from the pcap bytes to the named and hashed file: writing and
// hashing together, per op.
func BenchmarkExportTransfer(b *testing.B) {
	content := benchPayload(16 << 20)
	pcap := holeyDownloadCapture(content, 0, 0)
	cfg := DefaultConfig()
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		cfg.ExportDir = b.TempDir()
		ss, a := run(b, pcap, cfg)
		if err := a.ExportError(); err != nil || ss[0].Channels[0].Transfer.SHA256 == "" {
			b.Fatalf("export failed: %v", err)
		}
	}
}
