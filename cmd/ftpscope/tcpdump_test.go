package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
)

// TestFlagsAfterFilterWords: flags are taken wherever they are, as GNU
// getopt takes them; "--" ends them.
func TestFlagsAfterFilterWords(t *testing.T) {
	for _, c := range []struct {
		args   []string
		filter string
		check  func(o *options) bool
	}{
		{[]string{"-r", "x.pcap", "host", "1.2.3.4", "-o", "json"}, "host 1.2.3.4", func(o *options) bool { return o.output == "json" }},
		{[]string{"host", "1.2.3.4", "-r", "x.pcap", "and", "port", "21", "-q"}, "host 1.2.3.4 and port 21", func(o *options) bool { return o.quiet && len(o.reads) == 1 }},
		{[]string{"-r", "-", "tcp", "--output=jsonl"}, "tcp", func(o *options) bool { return o.reads[0].name == "-" && o.output == "jsonl" }},
		{[]string{"-r", "x.pcap", "--", "not", "-o", "json"}, "not -o json", func(o *options) bool { return o.output == "" }},
		{[]string{"-i", "eth0", "-ps0", "tcp", "-c100"}, "tcp", func(o *options) bool { return o.noPromisc && o.snapLen == maxSnapLen && o.count == 100 }},
		{[]string{"-i", "eth0", "-pB", "1024", "udp"}, "udp", func(o *options) bool { return o.noPromisc && o.bufferKiB == 1024 }},
		{[]string{"-i", "eth0", "-s", "96"}, "", func(o *options) bool { return o.snapLen == 96 }},
	} {
		o, err := parseArgs(c.args, io.Discard)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if o.filter != c.filter || !c.check(o) {
			t.Errorf("%q: filter %q, options %+v", c.args, o.filter, o)
		}
	}
	for _, args := range [][]string{
		{"-r", "x.pcap", "tcp", "-o"},        // a value is missing
		{"-r", "x.pcap", "tcp", "-zq"},       // unknown letters
		{"-r", "x.pcap", "-s", "96"},         // live only
		{"-r", "x.pcap", "-p"},               // live only
		{"-r", "x.pcap", "-B", "1024"},       // live only
		{"-i", "eth0", "-s", "300000"},       // above tcpdump's maximum
		{"-i", "eth0", "-B", "0"},            // no buffer
		{"-i", "eth0", "tcp", "--no-such=1"}, // unknown long flag
	} {
		if o, err := parseArgs(args, io.Discard); err == nil {
			t.Errorf("%q: accepted (%+v)", args, o)
		}
	}
}

// TestFilterThenFlagsRun: the command line runs as it reads.
func TestFilterThenFlagsRun(t *testing.T) {
	if !capture.HaveLibpcap {
		t.Skip("filter expressions need libpcap")
	}
	code, out, errs := ftpscope("-r", sample, "host", "203.0.113.20", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Sessions) == 0 || r.Stats.FilteredPackets == 0 {
		t.Fatalf("report: %v, %d sessions, %d packets filtered out", err, len(r.Sessions), r.Stats.FilteredPackets)
	}
}

func TestLiveConfigFromFlags(t *testing.T) {
	parse := func(args ...string) capture.LiveConfig {
		t.Helper()
		o, err := parseArgs(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return liveConfig(o, 0, o.ifaces[0])
	}
	if c := parse("-i", "eth0"); !c.Promiscuous || c.SnapLen != 0 || c.BufferSize != 0 {
		t.Errorf("defaults: %+v, want promiscuous and the library's sizes", c)
	}
	if c := parse("-i", "eth0", "-p", "-s", "0", "-B", "2048"); c.Promiscuous || c.SnapLen != maxSnapLen || c.BufferSize != 2<<20 {
		t.Errorf("-p -s 0 -B 2048: %+v", c)
	}
}

// TestListInterfaces: -D lists loopback with its address, and needs no
// source.
func TestListInterfaces(t *testing.T) {
	code, out, errs := ftpscope("-D")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "lo [up, running, loopback] 127.0.0.1/8") || !strings.HasPrefix(out, "1.") {
		t.Errorf("-D:\n%s", out)
	}
}

// TestInterruptedFileRun: a file run stopped by SIGINT writes the report of
// what was read, says so (stats.interrupted), and exits 130.
func TestInterruptedFileRun(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(interruption{c.sig})
		for _, mode := range []string{"json", "text"} {
			var out, errb strings.Builder
			code := run(ctx, []string{"-r", sample, "-o", mode}, &out, &errb)
			if code != c.code || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "interrupted") {
				t.Errorf("%v, -o %s: exit %d, stderr %q; want %d and one line", c.sig, mode, code, errb.String(), c.code)
			}
			switch mode {
			case "json":
				if err := reporttest.Validate([]byte(out.String())); err != nil {
					t.Fatal(err)
				}
				var r model.Report
				if err := json.Unmarshal([]byte(out.String()), &r); err != nil || !r.Stats.Interrupted {
					t.Errorf("%v: report %v, interrupted %v", c.sig, err, r.Stats.Interrupted)
				}
			case "text":
				if !strings.Contains(out.String(), "interrupted") {
					t.Errorf("%v: the text report does not say it is partial:\n%s", c.sig, out.String())
				}
			}
		}
	}
	// not interrupted: not said
	_, out, _ := ftpscope("-r", sample, "-o", "json")
	if strings.Contains(out, "interrupted") {
		t.Error("a whole run says interrupted")
	}
}

// TestHelpNamesEveryFlag: -h lists every flag the parser knows, in lines
// that fit 80 columns.
func TestHelpNamesEveryFlag(t *testing.T) {
	_, out, _ := ftpscope("-h")
	flagSet(&options{}).VisitAll(func(f *flag.Flag) {
		want := "--" + f.Name + " "
		if len(f.Name) == 1 {
			want = "-" + f.Name + ", "
		}
		if !strings.Contains(out, want) {
			t.Errorf("-h does not list %s", strings.TrimSpace(want))
		}
	})
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 80 {
			t.Errorf("-h line of %d columns: %q", len([]rune(l)), l)
		}
	}
}
