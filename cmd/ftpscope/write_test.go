package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
)

const (
	gatewaySample = "../../samples/captures/active-helper/gateway.pcap"
	insideSample  = "../../samples/captures/active-helper/client.pcap"
	outsideSample = "../../samples/captures/active-helper/server.pcap"
)

func jsonReport(t *testing.T, args ...string) *model.Report {
	t.Helper()
	code, js, errs := ftpscope(append(args, "-o", "json")...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return &r
}

// TestWriteRefusedBeforeAnyWork: a -w that cannot be honoured is a usage
// error, one line, before anything is read or written.
func TestWriteRefusedBeforeAnyWork(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.pcap")
	orig, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pcap")
	if err := os.Symlink(input, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.pcap")
	if err := os.Link(input, hard); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pcapng")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-i", "lo", "-w", out}, "needs -r, not -i"},
		{[]string{"-r", "-", "-w", out}, "standard input cannot be read a second time"},
		{[]string{"-r", fifo, "-w", out}, "not a regular file"},
		{[]string{"-r", input, "-w", input}, "names the input"},
		{[]string{"-r", "a=" + sample, "-r", "b=" + input, "-w", link}, "names the input " + input},
		{[]string{"-r", link, "-w", hard}, "names the input " + link},
		{[]string{"-r", sample, "-r", "../../samples/captures/active-helper/client.pcap", "-w", out}, "both are labelled \"client.pcap\""},
	} {
		code, stdout, errs := ftpscope(append(c.args, "-o", "json")...)
		if code != exitUsage || stdout != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and %q", c.args, code, stdout, errs, c.want)
		}
	}
	if got, _ := os.ReadFile(input); !bytes.Equal(got, orig) {
		t.Error("the input was changed")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused -w created its file")
	}
}

// TestWriteWithEveryOutput: -w writes the same session, whatever the
// output mode (the terminal UI: TestTUIWritesWhileShown).
func TestWriteWithEveryOutput(t *testing.T) {
	for _, mode := range []string{"text", "json", "jsonl"} {
		out := filepath.Join(t.TempDir(), "s3.pcapng")
		code, _, errs := ftpscope("-r", gatewaySample, "-o", mode, "-w", out, "--session", "s3")
		if code != 0 {
			t.Fatalf("-o %s: exit %d: %s", mode, code, errs)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("-o %s: -w file mode %v: others may read the passwords it holds", mode, st.Mode().Perm())
		}
		r := jsonReport(t, "-r", out)
		if len(r.Sessions) != 2 || len(r.NATPairs) != 1 {
			t.Errorf("-o %s: %d sessions, %d NAT pairs in the written file, want the session and its other leg", mode, len(r.Sessions), len(r.NATPairs))
		}
	}
}

// twoInterfaces writes a pcapng file whose two interfaces, inside and
// outside, hold the two legs of a NAT (the active-helper lab's client and
// server captures, merged by time).
func twoInterfaces(t *testing.T) string {
	t.Helper()
	var srcs []capture.Source
	for i, p := range []string{insideSample, outsideSample} {
		f, err := capture.OpenFile("", p, i)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		srcs = append(srcs, f)
	}
	path := filepath.Join(t.TempDir(), "two-interfaces.pcapng")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w, err := pcapgo.NewNgWriterInterface(out, pcapgo.NgInterface{Name: "inside", LinkType: srcs[0].Info().LinkTypes[0]}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddInterface(pcapgo.NgInterface{Name: "outside", LinkType: srcs[1].Info().LinkTypes[0]}); err != nil {
		t.Fatal(err)
	}
	m := capture.NewMerge(srcs)
	for {
		p, err := m.Next()
		if err != nil {
			break
		}
		ci := p.Info
		ci.InterfaceIndex = p.Source
		if err := w.WritePacket(ci, p.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWriteKeepsInterfaces: what -w writes keeps one interface per
// interface of each source, with its name: read back, the NAT legs are
// still two vantages, still paired.
func TestWriteKeepsInterfaces(t *testing.T) {
	ng := twoInterfaces(t)
	for name, args := range map[string][]string{
		"one pcapng, two interfaces": {"-r", ng},
		"two labelled files":         {"-r", "inside=" + insideSample, "-r", "outside=" + outsideSample},
	} {
		before := jsonReport(t, args...)
		if len(before.NATPairs) == 0 {
			t.Fatalf("%s: no NAT pair to begin with", name)
		}
		out := filepath.Join(t.TempDir(), "all.pcapng")
		if code, _, errs := ftpscope(append(args, "-o", "json", "-w", out)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		after := jsonReport(t, "-r", out)
		if got := after.Sources[0].Interfaces; len(got) != 2 || got[0] != "inside" || got[1] != "outside" {
			t.Errorf("%s: interfaces %q in the written file, want [inside outside]", name, got)
		}
		if len(after.Sessions) != len(before.Sessions) || len(after.NATPairs) != len(before.NATPairs) {
			t.Errorf("%s: %d sessions and %d NAT pairs read back, want %d and %d", name,
				len(after.Sessions), len(after.NATPairs), len(before.Sessions), len(before.NATPairs))
		}
		if after.Stats.Packets == 0 || after.Stats.Packets > before.Stats.Packets {
			t.Errorf("%s: %d packets written of %d", name, after.Stats.Packets, before.Stats.Packets)
		}
	}
}
