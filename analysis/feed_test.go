package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// passiveTransfers writes n sessions, each a passive RETR of size bytes
// sent in segments of mss bytes: with a large mss (GSO-sized frames) the
// frames do not fit the read-ahead's batch arenas.
func passiveTransfers(n, size, mss int) []byte {
	c := pcaptest.New()
	for i := 0; i < n; i++ {
		k := c.Conn(fmt.Sprintf("192.0.2.10:%d", 41000+i), "198.51.100.20:21", uint32(1000*i), uint32(9000*i))
		k.Open()
		k.Line(false, "220 ready")
		k.Line(true, "USER anonymous")
		k.Line(false, "230 Login successful.")
		port := 30000 + i
		k.Line(true, "PASV")
		k.Line(false, fmt.Sprintf("227 Entering Passive Mode (198,51,100,20,%d,%d).", port>>8, port&0xff))
		k.Line(true, "RETR big")
		d := c.Conn(fmt.Sprintf("192.0.2.10:%d", 50000+i), fmt.Sprintf("198.51.100.20:%d", port), 77, 99)
		d.Open()
		k.Line(false, "150 Opening BINARY mode data connection.")
		d.Send(false, bytes.Repeat([]byte{byte('a' + i%26)}, size), mss)
		d.Close()
		k.Line(false, "226 Transfer complete.")
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	return c.Bytes()
}

func openPcap(t *testing.T, name string, b []byte, index int) capture.Source {
	t.Helper()
	src, err := capture.OpenReader(name, name, nopCloser{bytes.NewReader(b)}, index)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

type sessions struct {
	got      []*model.Session
	findings []model.Finding
}

func (s *sessions) Session(m *model.Session, fs []model.Finding) {
	s.got = append(s.got, m)
	s.findings = append(s.findings, fs...)
}

// GSO-sized frames (64,000-byte segments, the most an IPv4 length allows)
// fill the batch arenas quickly; every byte of them is counted.
func TestReadAheadLargeFrames(t *testing.T) {
	const size, mss = 3_000_000, 64_000
	b := passiveTransfers(3, size, mss)
	var col sessions
	sum, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "gso.pcap", b, 0)}, analysis.Config{Dissect: dissect.DefaultConfig()}, &col)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) > 0 || len(col.got) != 3 {
		t.Fatalf("errors %v, %d sessions", sum.Errors, len(col.got))
	}
	for _, s := range col.got {
		if len(s.Channels) != 1 || s.Channels[0].Connection == nil || s.Channels[0].Connection.BytesToFTPClient != size {
			t.Errorf("%s: channel %+v, want %d bytes to the client", s.ID, s.Channels, size)
		}
	}
}

// -c stops after that many packets read: the sources' counters and the
// report say so, however far ahead the reader could have read.
func TestReadAheadCount(t *testing.T) {
	b := passiveTransfers(20, 20_000, 1460)
	src := openPcap(t, "count.pcap", b, 0)
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: dissect.DefaultConfig(), Count: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stats.Packets != 100 || sum.Sources[0].Packets != 100 || src.Info().Packets != 100 {
		t.Errorf("-c 100: stats %d, source %d, info %d packets", sum.Stats.Packets, sum.Sources[0].Packets, src.Info().Packets)
	}
}

// A damaged file ends its own reading, with its error, and the packets
// before the damage are analysed; with several files the others go on.
func TestReadAheadDamagedSource(t *testing.T) {
	good := passiveTransfers(2, 5_000, 1460)
	cut := good[:len(good)-7] // the last record loses its end
	sum, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "cut.pcap", cut, 0)}, analysis.Config{Dissect: dissect.DefaultConfig()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0].Error(), "truncated") {
		t.Fatalf("errors %v, want one truncated-record error", sum.Errors)
	}
	if sum.Stats.ControlSessions != 2 {
		t.Errorf("%d control sessions before the damage, want 2", sum.Stats.ControlSessions)
	}
	two, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "cut.pcap", cut, 0), openPcap(t, "good.pcap", passiveTransfers(3, 5_000, 1460), 1)},
		analysis.Config{Dissect: dissect.DefaultConfig()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(two.Errors) != 1 || two.Sources[1].Packets == 0 || two.Stats.ControlSessions != 5 {
		t.Errorf("two sources: errors %v, second source %d packets, %d sessions (want 1 error, 5 sessions)", two.Errors, two.Sources[1].Packets, two.Stats.ControlSessions)
	}
}

// A cancelled context stops the reader too: Run returns with what it read
// by then, a few batches at most, not the whole file.
func TestReadAheadCancel(t *testing.T) {
	b := passiveTransfers(100, 50_000, 1460)
	all, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "all.pcap", b, 0)}, analysis.Config{Dissect: dissect.DefaultConfig()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := analysis.Run(ctx, []capture.Source{openPcap(t, "c.pcap", b, 0)}, analysis.Config{Dissect: dissect.DefaultConfig()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if all.Stats.Packets < 10_000 || sum.Stats.Packets > all.Stats.Packets/2 {
		t.Errorf("read %d of %d packets after the cancel", sum.Stats.Packets, all.Stats.Packets)
	}
}

// Frames larger than the room a batch keeps (250 KB of junk between the
// packets of real sessions) get an arena of their own; the sessions around
// them come out as without them.
func TestReadAheadOversizedFrames(t *testing.T) {
	clean := passiveTransfers(4, 200_000, 1460)
	r, err := pcapgo.NewReader(bytes.NewReader(clean))
	if err != nil {
		t.Fatal(err)
	}
	var withJunk bytes.Buffer
	w := pcapgo.NewWriterNanos(&withJunk)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 250_000)
	copy(junk[12:], []byte{0x88, 0xb5}) // local experimental EtherType
	junks := 0
	for i := 0; ; i++ {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if i%40 == 0 {
			jci := ci
			jci.CaptureLength, jci.Length = len(junk), len(junk)
			if err := w.WritePacket(jci, junk); err != nil {
				t.Fatal(err)
			}
			junks++
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	run := func(b []byte) (*analysis.Summary, []*model.Session) {
		var col sessions
		sum, err := analysis.Run(context.Background(), []capture.Source{openPcap(t, "j.pcap", b, 0)}, analysis.Config{Dissect: dissect.DefaultConfig()}, &col)
		if err != nil || len(sum.Errors) > 0 {
			t.Fatalf("%v %v", err, sum.Errors)
		}
		return sum, col.got
	}
	base, want := run(clean)
	sum, got := run(withJunk.Bytes())
	if sum.Stats.NonTCPPackets != base.Stats.NonTCPPackets+uint64(junks) || len(got) != len(want) {
		t.Fatalf("%d non-TCP packets (want %d more), %d sessions (want %d)", sum.Stats.NonTCPPackets, junks, len(got), len(want))
	}
	for i := range want {
		a, b := want[i].Channels[0].Connection, got[i].Channels[0].Connection
		if a == nil || b == nil || a.BytesToFTPClient != b.BytesToFTPClient || len(want[i].Dialog) != len(got[i].Dialog) {
			t.Errorf("%s differs with junk frames: %+v / %+v", want[i].ID, a, b)
		}
	}
}
