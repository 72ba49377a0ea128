package main

import (
	"io"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/memlimit"
)

// A live capture runs under the default soft memory limit, a file under
// none (the terminal UI keeps every session of a file), and
// --memory-limit sets it for either.
func TestMemoryLimitFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"-i", "lo"}, memlimit.DefaultLive},
		{[]string{"-r", "x.pcap"}, 0},
		{[]string{"-i", "lo", "--memory-limit", "256"}, 256},
		{[]string{"-i", "lo", "--memory-limit", "0"}, 0},
		{[]string{"-r", "x.pcap", "--memory-limit", "32"}, 32},
	} {
		o, err := parseArgs(c.args, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if got := memoryLimitMiB(o); got != c.want {
			t.Errorf("%q: limit %d MiB, want %d", c.args, got, c.want)
		}
	}
	if _, err := parseArgs([]string{"-i", "lo", "--memory-limit", "-5"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--memory-limit -5") {
		t.Errorf("--memory-limit -5: %v", err)
	}
}
