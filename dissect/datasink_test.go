package dissect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/fileexport"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// exportTo makes cfg export into dir (only session's files, if set) with a
// fileexport.Exporter, closed when the test ends; Close tells its error.
func exportTo(tb testing.TB, cfg *Config, dir, session string) *fileexport.Exporter {
	x := fileexport.New(dir, session)
	tb.Cleanup(func() { x.Close() })
	cfg.Files = x
	return x
}

// TestExportReordered writes a download whose segments come out of order
// and twice, under a hostile name, into a directory that already holds a
// symlink where the file would go.
func TestExportReordered(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.Symlink(outside, filepath.Join(dir, "s1.c1-passwd")); err != nil {
		t.Fatal(err)
	}
	content := []byte(strings.Repeat("The quick brown fox. ", 500))
	c := pcaptest.New()
	k := c.Login("192.168.1.10:40000", 100)
	k.Line(true, "PASV")
	k.Line(false, "227 Entering Passive Mode (203,0,113,20,117,48).")
	k.Line(true, "RETR ../../etc/passwd")
	d := c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 5, 1000)
	d.Open()
	k.Line(false, "150 Opening BINARY mode data connection.")
	// segments 2, 1, 1 again, then 3...
	const mss = 1000
	send := func(i int) {
		lo, hi := i*mss, min((i+1)*mss, len(content))
		d.Packet(false, 1001+uint32(lo), 6, pcaptest.Flags{ACK: true}, content[lo:hi])
	}
	send(1)
	send(0)
	send(0)
	for i := 2; i*mss < len(content); i++ {
		send(i)
	}
	d.Packet(false, 1001+uint32(len(content)), 6, pcaptest.Flags{FIN: true, ACK: true}, nil)
	d.Packet(true, 6, 1002+uint32(len(content)), pcaptest.Flags{FIN: true, ACK: true}, nil)
	k.Line(false, "226 Transfer complete.")
	k.Close()
	cfg := DefaultConfig()
	files := exportTo(t, &cfg, dir, "")
	ss, _ := run(t, c.Bytes(), cfg)
	if err := files.Close(); err != nil {
		t.Fatal(err)
	}
	x := ss[0].Channels[0].Transfer
	sum := sha256.Sum256(content)
	if x.ExportPath != "s1.c1-passwd-2" || x.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("exported %q sha256 %s", x.ExportPath, x.SHA256)
	}
	got, err := os.ReadFile(filepath.Join(dir, x.ExportPath))
	if err != nil || string(got) != string(content) {
		t.Fatalf("exported content differs (%d bytes, %v)", len(got), err)
	}
	if _, err := os.Lstat(outside); !os.IsNotExist(err) {
		t.Fatalf("something was written through the symlink: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestExportOneSession: with a session named, only that session's files are
// written, under the names and with the hashes a whole export gives them.
func TestExportOneSession(t *testing.T) {
	export := func(session string) (string, map[string]string) {
		dir := t.TempDir()
		f, err := capture.OpenFile("", filepath.Join("..", "samples", "captures", "passive-nat", "client.pcap"), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg := DefaultConfig()
		files := exportTo(t, &cfg, dir, session)
		sums := map[string]string{}
		a := New(cfg, []*capture.Info{f.Info()}, SinkFunc(func(s *model.Session) {
			for _, ch := range s.Channels {
				if x := ch.Transfer; x != nil && x.ExportPath != "" {
					sums[x.ExportPath] = x.SHA256
				}
			}
		}))
		for {
			p, err := f.Next()
			if err != nil {
				break
			}
			a.Packet(&p)
		}
		a.Finish()
		if err := files.Close(); err != nil {
			t.Fatal(err)
		}
		return dir, sums
	}
	_, all := export("")
	dir, one := export("s3")
	want := map[string]string{}
	for name, sum := range all {
		if strings.HasPrefix(name, "s3.") {
			want[name] = sum
		}
	}
	if len(want) == 0 || len(all) == len(want) {
		t.Fatalf("the sample does not tell s3's files from the others: %v", all)
	}
	if fmt.Sprint(one) != fmt.Sprint(want) {
		t.Errorf("exported %v, want %v", one, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		t.Errorf("%d files in the directory, want %d", len(entries), len(want))
	}
	for name, sum := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		h := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: %v, content hash differs", name, err)
		}
	}
}
