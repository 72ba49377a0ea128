package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
)

// needTshark returns tshark's path. With FTPSCOPE_TSHARK=1 (make test) a
// missing tshark is a failure, not a skip.
func needTshark(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("FTPSCOPE_TSHARK") == "1" {
			t.Fatal("FTPSCOPE_TSHARK=1 but tshark is not installed (make deps installs it)")
		}
		t.Skip("tshark is not installed (FTPSCOPE_TSHARK=1 makes this a failure)")
	}
	return bin
}

// tshark runs tshark and returns its standard output; its standard error
// (the warning about running as root) is shown only on failure.
func tshark(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, append([]string{"-n"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// packetKey names a packet by its timestamp and bytes: the same packet in
// the original capture and in a slice.
func packetKey(p *capture.Packet) string {
	sum := sha256.Sum256(p.Data)
	return strconv.FormatInt(p.Info.Timestamp.UnixNano(), 10) + "/" + hex.EncodeToString(sum[:8])
}

// readKeys reads a capture file: its packets' keys by frame number.
func readKeys(t *testing.T, path string) map[uint64]string {
	t.Helper()
	src, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	keys := map[uint64]string{}
	for {
		p, err := src.Next()
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		keys[p.Frame] = packetKey(&p)
	}
}

// captureSets are the -r arguments of the runs checked: the client's and
// the gateway's capture of every scenario (a gateway's holds both NAT legs),
// and the two vantages of a client-side and a server-side NAT together
// (each leg in a file of its own). The server's captures alone are left
// out: a tshark run per session is what the test costs.
func captureSets(t *testing.T) [][]string {
	t.Helper()
	var sets [][]string
	for _, vantage := range []string{"client", "gateway"} {
		files, err := filepath.Glob("../../samples/captures/*/" + vantage + ".pcap")
		if err != nil || len(files) == 0 {
			t.Fatalf("no sample captures of the %s: %v", vantage, err)
		}
		for _, f := range files {
			sets = append(sets, []string{f})
		}
	}
	for _, sc := range []string{"passive-nat", "server-nat-pasv"} {
		dir := "../../samples/captures/" + sc
		sets = append(sets, []string{"inside=" + dir + "/client.pcap", "outside=" + dir + "/server.pcap"})
	}
	return sets
}

// TestWiresharkFilterSelectsTheSlice checks, on every sample, that tshark
// given a session's Wireshark filter (its NAT pair's when it has one)
// selects from the original capture exactly the packets that
// "-w --session" writes for it.
func TestWiresharkFilterSelectsTheSlice(t *testing.T) {
	bin := needTshark(t)
	for _, set := range captureSets(t) {
		t.Run(strings.Join(set, "+"), func(t *testing.T) {
			t.Parallel()
			var args []string
			var paths []string
			for _, a := range set {
				args = append(args, "-r", a)
				paths = append(paths, a[strings.IndexByte(a, '=')+1:])
			}
			code, out, errs := ftpscope(append(args, "-o", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r model.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			pairOf := map[string]*model.NATPair{}
			for i := range r.NATPairs {
				p := &r.NATPairs[i]
				pairOf[p.Inside], pairOf[p.Outside] = p, p
				if p.WiresharkFilter == "" {
					t.Errorf("NAT pair %s/%s without wireshark_filter", p.Inside, p.Outside)
				}
			}
			if strings.Contains(set[0], "gateway") && len(r.NATPairs) == 0 {
				t.Fatal("a gateway capture without NAT pairs: the legs are not checked")
			}
			originals := make([]map[uint64]string, len(paths))
			for i, p := range paths {
				originals[i] = readKeys(t, p)
			}
			dir := t.TempDir()
			for _, s := range r.Sessions {
				filter := s.WiresharkFilter
				if p := pairOf[s.ID]; p != nil {
					if p.Outside == s.ID {
						continue // the same slice as its inside leg's
					}
					filter = p.WiresharkFilter
					for _, term := range strings.Split(s.WiresharkFilter, " || ") {
						if !strings.Contains(filter, term) {
							t.Errorf("%s: the pair's filter %q lacks the leg's %s", s.ID, filter, term)
						}
					}
				}
				if filter == "" {
					t.Errorf("%s: no wireshark_filter", s.ID)
					continue
				}
				var want []string
				for i, p := range paths {
					for _, f := range strings.Fields(tshark(t, bin, "-r", p, "-Y", filter, "-T", "fields", "-e", "frame.number")) {
						n, err := strconv.ParseUint(f, 10, 64)
						if err != nil || originals[i][n] == "" {
							t.Fatalf("tshark frame %q not in %s", f, p)
						}
						want = append(want, originals[i][n])
					}
				}
				slice := filepath.Join(dir, s.ID+".pcapng")
				if code, _, errs := ftpscope(append(args, "-o", "json", "-w", slice, "--session", s.ID)...); code != 0 {
					t.Fatalf("-w --session %s: exit %d: %s", s.ID, code, errs)
				}
				var got []string
				for _, k := range readKeys(t, slice) {
					got = append(got, k)
				}
				slices.Sort(want)
				slices.Sort(got)
				if len(got) == 0 || !slices.Equal(want, got) {
					t.Errorf("%s: tshark -Y %q selects %d packets, -w --session wrote %d:\n%s", s.ID, filter, len(want), len(got), keyDiff(want, got))
				}
			}
		})
	}
}

// keyDiff lists the packets in one list and not the other (both sorted).
func keyDiff(want, got []string) string {
	var b strings.Builder
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || i < len(want) && want[i] < got[j]:
			fmt.Fprintf(&b, "  only selected by the filter: %s\n", want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			fmt.Fprintf(&b, "  only in the slice: %s\n", got[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return b.String()
}
