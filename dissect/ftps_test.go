package dissect

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// dialogLines gives a session's dialog as the lines sent, without the
// ones before TLS when decrypted is set.
func dialogLines(s *model.Session, decrypted bool) (cmds, replies []string) {
	if s.Greeting != nil && (!decrypted || s.Greeting.Decrypted) {
		replies = append(replies, strconv.Itoa(s.Greeting.Code)+" "+s.Greeting.Text)
	}
	for _, e := range s.Dialog {
		if decrypted && !e.Decrypted {
			continue
		}
		if e.Kind == "command" {
			l := e.Verb
			if e.Arg != "" {
				l += " " + e.Arg
			}
			cmds = append(cmds, l)
		} else if s.Greeting == nil || e.Frame != s.Greeting.Frame {
			replies = append(replies, strconv.Itoa(e.Code)+" "+e.Text)
		}
	}
	return cmds, replies
}

func TestFTPSDecrypted(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  pcaptest.FTPSOptions
	}{
		{"tls13-pasv", pcaptest.FTPSOptions{}},
		{"tls12-pasv", pcaptest.FTPSOptions{MaxVersion: tls.VersionTLS12}},
		{"tls13-port", pcaptest.FTPSOptions{Active: true}},
		{"tls12-port", pcaptest.FTPSOptions{Active: true, MaxVersion: tls.VersionTLS12}},
		{"implicit", pcaptest.FTPSOptions{Implicit: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := pcaptest.RecordFTPS(t, tc.opt)
			cfg := DefaultConfig()
			cfg.TLSKeys = pcaptest.KeyLog(t, f.KeyLog)
			dir := t.TempDir()
			exportTo(t, &cfg, dir, "")
			cfg.ShowPasswords = true
			ss, a := run(t, f.Pcap, cfg)
			if len(ss) != 1 {
				t.Fatalf("%d sessions", len(ss))
			}
			s := ss[0]
			if !s.TLS || s.TLSDecryption == nil || !s.TLSDecryption.Decrypted || s.TLSDecryption.Reason != "" {
				t.Fatalf("tls %v, decryption %+v", s.TLS, s.TLSDecryption)
			}
			wantVersion := "TLS 1.3"
			if tc.opt.MaxVersion == tls.VersionTLS12 {
				wantVersion = "TLS 1.2"
			}
			if s.TLSDecryption.Version != wantVersion || s.TLSDecryption.Cipher == "" {
				t.Errorf("decryption %+v, want %s", s.TLSDecryption, wantVersion)
			}
			cmds, replies := dialogLines(s, false)
			if strings.Join(cmds, "\n") != strings.Join(f.Commands, "\n") {
				t.Errorf("commands\n%q\nwant\n%q", cmds, f.Commands)
			}
			if strings.Join(replies, "\n") != strings.Join(f.Replies, "\n") {
				t.Errorf("replies\n%q\nwant\n%q", replies, f.Replies)
			}
			if s.Greeting == nil || s.Greeting.Decrypted != tc.opt.Implicit {
				t.Errorf("greeting %+v: decrypted only on implicit FTPS", s.Greeting)
			}
			// every line after the handshake is marked decrypted, none before
			for _, e := range s.Dialog {
				clear := e.Verb == "AUTH" || e.Code == 234 || e.Code == 220 && !tc.opt.Implicit
				if e.Decrypted == clear {
					t.Errorf("%s %s %d: decrypted %v", e.Verb, e.Arg, e.Code, e.Decrypted)
				}
			}
			if len(s.Channels) != 1 {
				t.Fatalf("%d channels", len(s.Channels))
			}
			ch := s.Channels[0]
			if ch.Announce == nil || ch.Announce.Endpoint != f.Data || ch.Connection == nil || ch.Connection.Match != model.MatchExact || ch.Status != model.StatusOK {
				t.Fatalf("channel %+v / %+v / %+v", ch, ch.Announce, ch.Connection)
			}
			if d := ch.Connection.TLSDecryption; d == nil || !d.Decrypted || d.Version != wantVersion {
				t.Errorf("data decryption %+v", d)
			}
			x := ch.Transfer
			if x == nil || x.FileBytes == nil || *x.FileBytes != int64(len(pcaptest.FTPSFile)) {
				t.Fatalf("transfer %+v", x)
			}
			if ch.Connection.BytesToFTPClient <= int64(len(pcaptest.FTPSFile)) {
				t.Errorf("the connection's count %d should be TCP payload, records included", ch.Connection.BytesToFTPClient)
			}
			sum := sha256.Sum256(pcaptest.FTPSFile)
			if x.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("sha256 %s, export %q", x.SHA256, x.ExportPath)
			}
			got, err := os.ReadFile(filepath.Join(dir, x.ExportPath))
			if err != nil || !bytes.Equal(got, pcaptest.FTPSFile) {
				t.Errorf("exported %d bytes (%v), want the file", len(got), err)
			}
			if w := a.SourceWarnings(0); len(w) != 0 {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

// TestFTPSWithoutKeyLog: the report is what it was before decryption
// existed: the dialog stops at 234, the data connection is inferred.
func TestFTPSWithoutKeyLog(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	ss, _ := run(t, f.Pcap, DefaultConfig())
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	s := ss[0]
	if !s.TLS || s.TLSDecryption != nil || s.Commands != 1 || s.TLSOpaqueBytes == 0 {
		t.Fatalf("tls %v decryption %+v commands %d opaque %d", s.TLS, s.TLSDecryption, s.Commands, s.TLSOpaqueBytes)
	}
	if len(s.Channels) != 1 || s.Channels[0].Connection == nil || s.Channels[0].Connection.Match != model.MatchInferred {
		t.Fatalf("channels %+v", s.Channels)
	}
	if s.Channels[0].Connection.TLSDecryption != nil || s.Channels[0].Transfer != nil {
		t.Errorf("channel %+v", s.Channels[0])
	}
}

// TestFTPSWrongKey: a key log without this session's keys, or with wrong
// ones, warns once per connection and leaves the analysis as without it.
func TestFTPSWrongKey(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	other := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	// the right labels and randoms, the wrong secrets
	var wrong []byte
	for _, l := range bytes.Split(f.KeyLog, []byte("\n")) {
		if fs := bytes.Fields(l); len(fs) == 3 {
			fs[2] = bytes.Repeat([]byte("5a"), len(fs[2])/2)
			wrong = append(append(wrong, bytes.Join(fs, []byte(" "))...), '\n')
		}
	}
	for name, tc := range map[string]struct {
		keys   []byte
		reason string
	}{
		"missing": {other.KeyLog, "no key for this ClientHello in the key log"},
		"wrong":   {wrong, "record authentication failed"},
	} {
		t.Run(name, func(t *testing.T) {
			kl := tc.keys
			cfg := DefaultConfig()
			cfg.TLSKeys = pcaptest.KeyLog(t, kl)
			ss, a := run(t, f.Pcap, cfg)
			if len(ss) != 1 {
				t.Fatalf("%d sessions", len(ss))
			}
			s := ss[0]
			if s.TLSDecryption == nil || s.TLSDecryption.Decrypted || s.TLSDecryption.Reason != tc.reason || s.TLSDecryption.Version != "TLS 1.3" {
				t.Fatalf("decryption %+v", s.TLSDecryption)
			}
			if s.Commands != 1 || len(s.Channels) != 1 || s.Channels[0].Connection.Match != model.MatchInferred {
				t.Errorf("commands %d, channels %+v", s.Commands, s.Channels)
			}
			w := a.SourceWarnings(0)
			if len(w) != 2 || !strings.Contains(w[0], "control connection") || !strings.Contains(w[1], "data connection") || !strings.HasSuffix(w[0], tc.reason) {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

// TestFTPSResumedWithControlKeyOnly: TLS 1.2 data connections resume the
// control connection's session; its master secret decrypts them even when
// the key log lacks their lines.
func TestFTPSResumedWithControlKeyOnly(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{MaxVersion: tls.VersionTLS12})
	cfg := DefaultConfig()
	cfg.TLSKeys = pcaptest.KeyLog(t, f.ControlKeyLog)
	ss, _ := run(t, f.Pcap, cfg)
	if len(ss) != 1 || len(ss[0].Channels) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	x := ss[0].Channels[0].Transfer
	if x == nil || x.FileBytes == nil || *x.FileBytes != int64(len(pcaptest.FTPSFile)) {
		t.Fatalf("transfer %+v, data %+v", x, ss[0].Channels[0].Connection.TLSDecryption)
	}
}

// TestFTPSProtC: a data connection in clear under a TLS control
// connection is counted and exported as any.
func TestFTPSProtC(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{ProtC: true})
	cfg := DefaultConfig()
	cfg.TLSKeys = pcaptest.KeyLog(t, f.KeyLog)
	exportTo(t, &cfg, t.TempDir(), "")
	ss, _ := run(t, f.Pcap, cfg)
	ch := ss[0].Channels[0]
	sum := sha256.Sum256(pcaptest.FTPSFile)
	if ch.Transfer.FileBytes != nil || ch.Connection.TLSDecryption != nil || ch.Transfer.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("transfer %+v connection %+v", ch.Transfer, ch.Connection)
	}
}

// TestFTPSClearCommandChannel: after CCC the dialog continues in clear.
func TestFTPSClearCommandChannel(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{CCC: true})
	cfg := DefaultConfig()
	cfg.TLSKeys = pcaptest.KeyLog(t, f.KeyLog)
	cfg.ShowPasswords = true
	ss, _ := run(t, f.Pcap, cfg)
	s := ss[0]
	cmds, replies := dialogLines(s, false)
	if strings.Join(cmds, "\n") != strings.Join(f.Commands, "\n") || strings.Join(replies, "\n") != strings.Join(f.Replies, "\n") {
		t.Fatalf("dialog\n%q\n%q\nwant\n%q\n%q", cmds, replies, f.Commands, f.Replies)
	}
	for _, e := range s.Dialog {
		if (e.Verb == "PWD" || e.Code == 257 || e.Verb == "QUIT" || e.Code == 221) && e.Decrypted {
			t.Errorf("%s%d after CCC marked decrypted", e.Verb, e.Code)
		}
		if e.Verb == "CCC" && !e.Decrypted {
			t.Error("CCC not marked decrypted")
		}
	}
}

// FuzzFTPS runs arbitrary control and data streams, seeded with a real
// FTPS session's, through decryption with that session's key log: altered
// records, cut handshakes and garbage after AUTH TLS must end in a status,
// never a panic.
func FuzzFTPS(f *testing.F) {
	rec, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{File: []byte("fuzz\n")})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec.Control[0], rec.Control[1], rec.DataStream[0], rec.DataStream[1], uint8(200))
	f.Add(rec.Control[0], rec.Control[1], rec.DataStream[0], rec.DataStream[1], uint8(3))
	keys := tlsdecrypt.NewKeyLog()
	keys.Read(bytes.NewReader(rec.KeyLog))
	f.Fuzz(func(t *testing.T, client, server, dataClient, dataServer []byte, cut uint8) {
		if len(client)+len(server)+len(dataClient)+len(dataServer) > 1<<15 {
			return
		}
		mss := 16 + int(cut)*6
		c := pcaptest.New()
		k := c.Conn("192.0.2.10:40000", "198.51.100.20:21", 1000, 5000)
		k.Open()
		interleave := func(k *pcaptest.Conn, a, b []byte) {
			for len(a) > 0 || len(b) > 0 {
				n := min(len(b), mss)
				k.Send(false, b[:n], mss)
				b = b[n:]
				n = min(len(a), mss)
				k.Send(true, a[:n], mss)
				a = a[n:]
			}
		}
		half := len(server) / 2
		interleave(k, client[:len(client)/2], server[:half])
		d := c.Conn("192.0.2.10:40001", "198.51.100.20:30000", 70000, 90000)
		d.Open()
		interleave(d, dataClient, dataServer)
		d.Close()
		interleave(k, client[len(client)/2:], server[half:])
		k.Close()
		cfg := DefaultConfig()
		cfg.TLSKeys = keys
		exportTo(t, &cfg, t.TempDir(), "")
		ss, _ := run(t, c.Bytes(), cfg)
		for _, s := range ss {
			if s.TLS && (s.TLSDecryption == nil || !s.TLSDecryption.Decrypted && s.TLSDecryption.Reason == "") {
				t.Fatalf("TLS session without a decryption status or its reason: %+v", s.TLSDecryption)
			}
		}
	})
}

// TestFTPSOneDirectionKeyed: a key log with the client's secrets only
// shows the commands, says why the replies are missing, and gives no file
// size: the file went the other way.
func TestFTPSOneDirectionKeyed(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	var clientOnly []byte
	for _, l := range bytes.SplitAfter(f.KeyLog, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("CLIENT_")) {
			clientOnly = append(clientOnly, l...)
		}
	}
	cfg := DefaultConfig()
	cfg.TLSKeys = pcaptest.KeyLog(t, clientOnly)
	ss, _ := run(t, f.Pcap, cfg)
	s := ss[0]
	if d := s.TLSDecryption; d == nil || !d.Decrypted || d.Reason != "one direction has no key in the key log" {
		t.Fatalf("decryption %+v", d)
	}
	if s.Commands != len(f.Commands) || s.Replies != 2 {
		t.Errorf("%d commands, %d replies: want every command and no reply after 234", s.Commands, s.Replies)
	}
	ch := s.Channels[len(s.Channels)-1]
	if ch.Transfer == nil || ch.Transfer.FileBytes != nil || ch.Connection == nil || ch.Connection.Match != model.MatchInferred {
		t.Errorf("channel %+v / %+v / %+v", ch, ch.Transfer, ch.Connection)
	}
}

// TestFTPSKeysArriveLive: live, the key log line is read after the
// control connection's records came; the records wait, and the data
// connection's SYN finds its announcement decrypted by then.
func TestFTPSKeysArriveLive(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	src, err := capture.OpenReader("t", "t.pcap", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := tlsdecrypt.NewKeyLog()
	cfg := DefaultConfig()
	cfg.Live, cfg.TLSKeys, cfg.ShowPasswords = true, keys, true
	var out []*model.Session
	a := New(cfg, []*capture.Info{src.Info()}, SinkFunc(func(s *model.Session) { out = append(out, s) }))
	dataPort := netip.MustParseAddrPort(f.Data).Port()
	for {
		p, err := src.Next()
		if err != nil {
			break
		}
		pkt := gopacket.NewPacket(p.Data, layers.LayerTypeEthernet, gopacket.NoCopy)
		if tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); ok && tcp.SYN && !tcp.ACK && uint16(tcp.DstPort) == dataPort && keys.Len() == 0 {
			keys.Read(bytes.NewReader(f.KeyLog)) // the follower read the line just now
		}
		a.Packet(&p)
	}
	a.Finish()
	if keys.Len() == 0 {
		t.Fatal("the data connection's SYN was not found")
	}
	s := out[0]
	if s.TLSDecryption == nil || !s.TLSDecryption.Decrypted || len(s.Channels) != 1 {
		t.Fatalf("decryption %+v, %d channels", s.TLSDecryption, len(s.Channels))
	}
	ch := s.Channels[0]
	if ch.Connection.Match != model.MatchExact || ch.Transfer == nil || ch.Transfer.FileBytes == nil || *ch.Transfer.FileBytes != int64(len(pcaptest.FTPSFile)) {
		t.Errorf("channel %+v, connection %+v, transfer %+v", ch, ch.Connection, ch.Transfer)
	}
	// replayed in capture order, each line at the frame that carried it
	cmds, replies := dialogLines(s, false)
	if strings.Join(cmds, "|") != strings.Join(f.Commands, "|") || strings.Join(replies, "|") != strings.Join(f.Replies, "|") {
		t.Errorf("dialog %q %q", cmds, replies)
	}
	for i := 1; i < len(s.Dialog); i++ {
		if s.Dialog[i].Frame <= s.Dialog[i-1].Frame {
			t.Errorf("dialog line %d at frame %d after frame %d", i, s.Dialog[i].Frame, s.Dialog[i-1].Frame)
		}
	}
}

// TestFTPSDataKeysAfterTransfer: live, a short transfer can end before the
// follower read its data connection's keys; the records kept are
// decrypted when the connection concludes.
func TestFTPSDataKeysAfterTransfer(t *testing.T) {
	f := pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{})
	src, err := capture.OpenReader("t", "t.pcap", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := pcaptest.KeyLog(t, f.ControlKeyLog) // the data connection's lines come later
	cfg := DefaultConfig()
	cfg.Live, cfg.TLSKeys = true, keys
	exportTo(t, &cfg, t.TempDir(), "")
	var out []*model.Session
	a := New(cfg, []*capture.Info{src.Info()}, SinkFunc(func(s *model.Session) { out = append(out, s) }))
	for {
		p, err := src.Next()
		if err != nil {
			break
		}
		a.Packet(&p)
	}
	keys.Read(bytes.NewReader(f.KeyLog))
	a.Finish()
	x := out[0].Channels[0].Transfer
	sum := sha256.Sum256(pcaptest.FTPSFile)
	if x == nil || x.FileBytes == nil || *x.FileBytes != int64(len(pcaptest.FTPSFile)) || x.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("transfer %+v, data %+v", x, out[0].Channels[0].Connection.TLSDecryption)
	}
}

// BenchmarkFTPSDecrypt runs the whole dissector over an FTPS session that
// downloads 4 MiB under PROT P, decrypted with its key log: bytes per
// second of capture.
func BenchmarkFTPSDecrypt(b *testing.B) {
	f, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{File: bytes.Repeat([]byte("0123456789abcdef"), 1<<18)})
	if err != nil {
		b.Fatal(err)
	}
	keys := tlsdecrypt.NewKeyLog()
	keys.Read(bytes.NewReader(f.KeyLog))
	cfg := DefaultConfig()
	cfg.TLSKeys = keys
	b.SetBytes(int64(len(f.Pcap)))
	b.ReportAllocs()
	for b.Loop() {
		src, _ := capture.OpenReader("b", "b", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
		var got *model.Session
		a := New(cfg, []*capture.Info{src.Info()}, SinkFunc(func(s *model.Session) { got = s }))
		for {
			p, err := src.Next()
			if err != nil {
				break
			}
			a.Packet(&p)
		}
		a.Finish()
		if x := got.Channels[0].Transfer; x.FileBytes == nil || *x.FileBytes != 4<<20 {
			b.Fatalf("transfer %+v", x)
		}
	}
}
