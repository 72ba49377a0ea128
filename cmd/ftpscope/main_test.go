package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
)

const sample = "../../samples/captures/active-nohelper/client.pcap"

func ftpscope(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-o", "xml", "-r", sample},
		{"-r", sample, "-i", "eth0"},
		{"--data-timeout", "-1s", "-r", sample},
		{"--fail-on", "fatal", "-r", sample},
		{"--session", "s1", "-r", sample},
		{"-r", "a=" + sample, "-r", "a=" + sample},
		{"--no-such-flag"},
	} {
		code, out, errs := ftpscope(args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, "ftpscope: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, out, _ := ftpscope("-h"); code != 0 || !strings.Contains(out, "Usage: ftpscope") {
		t.Errorf("-h: %d %q", code, out)
	}
	if code, out, _ := ftpscope("--version"); code != 0 || !strings.HasPrefix(out, "ftpscope ") {
		t.Errorf("--version: %d %q", code, out)
	}
}

func TestJSONReport(t *testing.T) {
	code, out, errs := ftpscope("-r", sample, "-o", "json")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := reporttest.Validate([]byte(out)); err != nil {
		t.Fatal(err)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sessions) == 0 || len(r.Findings) == 0 || r.Sources[0].Packets == 0 {
		t.Fatalf("empty report: %d sessions, %d findings", len(r.Sessions), len(r.Findings))
	}
	for _, s := range r.Sessions {
		for _, e := range s.Dialog {
			if e.Verb == "PASS" && e.Arg != "****" {
				t.Errorf("password shown: %q", e.Arg)
			}
		}
	}
}

func TestShowPasswords(t *testing.T) {
	_, out, _ := ftpscope("-r", sample, "-o", "json", "--show-passwords")
	if strings.Contains(out, `"****"`) {
		t.Error("--show-passwords still masks")
	}
}

func TestFailOn(t *testing.T) {
	if code, _, _ := ftpscope("-r", sample, "-o", "json", "--fail-on", "error"); code != exitFailOn {
		t.Errorf("--fail-on error on a failing capture: exit %d", code)
	}
	ok := "../../samples/captures/ipv6/client.pcap"
	if code, _, _ := ftpscope("-r", ok, "-o", "json", "--fail-on", "warning"); code != 0 {
		t.Errorf("--fail-on warning on a clean capture: exit %d", code)
	}
}

func TestTextReportFindingsFirst(t *testing.T) {
	code, out, _ := ftpscope("-r", sample, "-o", "text")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	f, s := strings.Index(out, "FINDINGS"), strings.Index(out, "SESSION s1")
	if f < 0 || s < 0 || f > s {
		t.Fatalf("findings must come before the sessions:\n%s", out)
	}
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  wireshark") {
			continue // a display filter stays whole, to be pasted
		}
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line %d is %d columns: %q", i+1, n, line)
		}
	}
}

func TestDamagedFileStillReports(t *testing.T) {
	c := pcaptest.New()
	k := c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2)
	k.Open()
	k.Line(false, "220 ready")
	k.Line(true, "USER anonymous")
	k.Line(false, "331 ok")
	data := c.Bytes()
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, data[:len(data)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := ftpscope("-r", path, "-o", "json")
	if code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 || !strings.Contains(errs, "truncated packet record at offset") || !strings.Contains(errs, "cut.pcap") {
		t.Errorf("stderr %q: want one line naming the file and the damage", errs)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Sessions) != 1 || len(r.Sources[0].Warnings) != 1 {
		t.Fatalf("report of what was read: %v, %d sessions", err, len(r.Sessions))
	}
}

func TestUnreadableFile(t *testing.T) {
	code, out, errs := ftpscope("-r", "/nonexistent.pcap")
	if code != exitRuntime || out != "" || !strings.Contains(errs, "/nonexistent.pcap") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestLabelsAndMerge(t *testing.T) {
	in := "inside=../../samples/captures/active-helper/client.pcap"
	out := "outside=../../samples/captures/active-helper/server.pcap"
	code, js, errs := ftpscope("-r", in, "-r", out, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sources) != 2 || r.Sources[0].Label != "inside" || r.Sources[1].Label != "outside" {
		t.Fatalf("sources %+v", r.Sources)
	}
	if len(r.NATPairs) == 0 || len(r.NATPairs[0].Rewrites) == 0 {
		t.Fatalf("no NAT pairs with rewrites across the two files: %+v", r.NATPairs)
	}
}

func TestWriteSelectedSession(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s3.pcapng")
	code, _, errs := ftpscope("-r", "../../samples/captures/active-helper/gateway.pcap", "-o", "json", "-w", out, "--session", "s3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// the written file is a capture ftpscope reads back: the session, the
	// other leg of its NAT pair and both legs' data connections
	code, js, _ := ftpscope("-r", out, "-o", "json")
	var r model.Report
	if err := json.Unmarshal([]byte(js), &r); code != 0 || err != nil {
		t.Fatalf("reading -w output: exit %d, %v", code, err)
	}
	if len(r.Sessions) != 2 || len(r.NATPairs) != 1 {
		t.Fatalf("%d sessions, %d pairs in the written file", len(r.Sessions), len(r.NATPairs))
	}
	for _, s := range r.Sessions {
		if len(s.Channels) != 1 || s.Channels[0].Status != model.StatusOK {
			t.Errorf("%s: channels %+v", s.ID, s.Channels)
		}
	}
	if code, _, errs := ftpscope("-r", "../../samples/captures/active-helper/gateway.pcap", "-o", "json", "-w", out, "--session", "s99"); code != exitRuntime || !strings.Contains(errs, "no such session") {
		t.Errorf("unknown session: exit %d, %q", code, errs)
	}
}
