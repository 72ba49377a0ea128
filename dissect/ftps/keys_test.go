package ftps

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// TestNewKeysWithoutKeyLog: no key log, no Keys, and a nil Keys has no
// warnings.
func TestNewKeysWithoutKeyLog(t *testing.T) {
	k := NewKeys(nil, false)
	if k != nil {
		t.Fatalf("NewKeys(nil) = %+v", k)
	}
	if w := k.Warnings(0); w != nil {
		t.Errorf("warnings %q", w)
	}
}

// TestKeysWarningsBySource: warnings are kept by source, in order, bounded
// per source with a count of the ones left out.
func TestKeysWarningsBySource(t *testing.T) {
	k := NewKeys(pcaptest.KeyLog(t, nil), false)
	k.Warn(0, "a")
	k.Warn(1, "b")
	k.Warn(0, "c")
	if w := k.Warnings(0); strings.Join(w, ",") != "a,c" {
		t.Errorf("source 0: %q", w)
	}
	if w := k.Warnings(1); strings.Join(w, ",") != "b" {
		t.Errorf("source 1: %q", w)
	}
	if w := k.Warnings(2); len(w) != 0 {
		t.Errorf("source 2: %q", w)
	}
	for i := 0; i < maxWarnings+3; i++ {
		k.Warn(3, fmt.Sprint("w", i))
	}
	for round := 0; round < 2; round++ { // reading does not add to what is kept
		w := k.Warnings(3)
		if len(w) != maxWarnings+1 || w[0] != "w0" || w[maxWarnings-1] != fmt.Sprint("w", maxWarnings-1) || w[maxWarnings] != "3 more TLS connections not decrypted" {
			t.Fatalf("round %d: %d warnings, first %q, last %q", round, len(w), w[0], w[len(w)-1])
		}
	}
	if w := k.Warnings(0); len(w) != 2 {
		t.Errorf("source 0 after source 3's: %q", w)
	}
}

// garble rewrites the secrets of a key log's lines: bad makes them no hex
// (the line is skipped), else the right length of the wrong bytes.
func garble(log []byte, bad bool) []byte {
	var out []byte
	for _, l := range bytes.Split(log, []byte("\n")) {
		fs := bytes.Fields(l)
		if len(fs) != 3 {
			continue
		}
		if bad {
			fs[2] = bytes.Repeat([]byte("zz"), len(fs[2])/2)
		} else {
			fs[2] = bytes.Repeat([]byte("5a"), len(fs[2])/2)
		}
		out = append(append(out, bytes.Join(fs, []byte(" "))...), '\n')
	}
	return out
}

// TestKeysWarnOncePerSource: three sources each capture one implicit FTPS
// control connection, with one key log for the run that has the lines of
// the first garbled (not hex), wrong secrets for the second and the right
// ones for the third. Ended twice each and warned as dissect does with
// what End returns, the first two sources get one warning each, with the
// reason, the third none.
func TestKeysWarnOncePerSource(t *testing.T) {
	caps := []*pcaptest.FTPS{
		pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true}),
		pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true}),
		pcaptest.RecordFTPS(t, pcaptest.FTPSOptions{Implicit: true}),
	}
	var log []byte
	log = append(log, garble(caps[0].ControlKeyLog, true)...)
	log = append(log, garble(caps[1].ControlKeyLog, false)...)
	log = append(log, caps[2].ControlKeyLog...)
	kl := pcaptest.KeyLog(t, log)
	if n := bytes.Count(caps[0].ControlKeyLog, []byte("\n")); kl.Skipped() != n {
		t.Errorf("%d key log lines skipped, want the %d garbled", kl.Skipped(), n)
	}
	keys := NewKeys(kl, false)
	want := []string{"no key for this ClientHello in the key log", "record authentication failed", ""}
	var hosts []*fakeControl
	for source, f := range caps {
		conn := only(t, connections(t, f.Pcap), 990)
		h := &fakeControl{now: time.Unix(1000, 0), segs: conn.segs}
		hosts = append(hosts, h)
		c := keys.NewControl(h)
		feedControl(c, conn, false)
		for range 2 {
			if why := c.End(); why != "" {
				keys.Warn(source, "control connection: TLS not decrypted: "+why)
			}
		}
	}
	for source, reason := range want {
		w := keys.Warnings(source)
		if reason == "" {
			if len(w) != 0 {
				t.Errorf("source %d, decrypted: warnings %q", source, w)
			}
			if string(hosts[source].got[0]) != lines(caps[source].Commands) {
				t.Errorf("source %d: plaintext %q", source, hosts[source].got[0])
			}
			continue
		}
		if len(w) != 1 || w[0] != "control connection: TLS not decrypted: "+reason {
			t.Errorf("source %d: warnings %q, want one for %q", source, w, reason)
		}
		if len(hosts[source].got[0])+len(hosts[source].got[1]) != 0 {
			t.Errorf("source %d: plaintext without the key: %q / %q", source, hosts[source].got[0], hosts[source].got[1])
		}
	}
}
