package dissect

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkExportPacket is BenchmarkAnalyzerPacket's data-1448 with
// --export: each in-order data segment of the active RETR goes to its file
// too, written and hashed by the exporter's goroutine (so the time per
// packet is the slower of the dissector and the writer, the queue between
// them being bounded). The file is ended and a new one started every
// 16,384 segments (24 MB) so that a long run does not fill the disk; the
// writes still go through the page cache.
func BenchmarkExportPacket(b *testing.B) {
	const tcpOff = 14 + 20
	cfg := DefaultConfig()
	dir := b.TempDir()
	files := exportTo(b, &cfg, dir, "")
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
	if c == nil || c.ch == nil || c.ch.export == nil {
		b.Fatal("the data connection is not exported")
	}
	x := c.ch.export
	restart := func() {
		path, _, _ := files.End(x.file, "", "", -1)
		if err := os.Remove(filepath.Join(dir, path)); err != nil {
			b.Fatal(err)
		}
		x.file, _ = files.Start(c.ch.sess.id, c.ch.id())
		x.origin = c.span[x.dir].Offset(seq) // the new file starts at the next segment
	}
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		feed()
		if n++; n%16384 == 0 {
			b.StopTimer()
			restart()
			b.StartTimer()
		}
	}
	if err := files.Close(); err != nil {
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
		files := exportTo(b, &cfg, b.TempDir(), "")
		ss, _ := run(b, pcap, cfg)
		if err := files.Close(); err != nil || ss[0].Channels[0].Transfer.SHA256 == "" {
			b.Fatalf("export failed: %v", err)
		}
	}
}
