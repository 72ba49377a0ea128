package samples

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// scenarioKeyLog reads the key log the lab's clients wrote beside the
// captures (keys.txt), nil when the scenario has none: a capture is
// analysed as with --tls-keylog when its clients logged their secrets.
func scenarioKeyLog(t *testing.T, files []string) *tlsdecrypt.KeyLog {
	t.Helper()
	var keys *tlsdecrypt.KeyLog
	for _, f := range files {
		if k := strings.IndexByte(f, '='); k > 0 {
			f = f[k+1:]
		}
		path := filepath.Join(filepath.Dir(f), "keys.txt")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		k, err := tlsdecrypt.ReadKeyLog(path)
		if err != nil {
			t.Fatal(err)
		}
		if keys == nil {
			keys = k
		} else if b, err := os.ReadFile(path); err == nil {
			keys.Read(bytes.NewReader(b))
		}
	}
	return keys
}

// clientLog is one client run of clients.log: the control lines its
// transcript shows ("> " sent, "< " received).
type clientLog struct {
	label string
	lines []string
}

// readClientsLog reads the transcripts and the SHA-256 of the files served.
func readClientsLog(t *testing.T, path string) ([]clientLog, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var runs []clientLog
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "### ["):
			runs = append(runs, clientLog{label: l})
		case strings.HasPrefix(l, "### "):
		case strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "< "):
			if len(runs) > 0 {
				runs[len(runs)-1].lines = append(runs[len(runs)-1].lines, l)
			}
		default:
			if fs := strings.Fields(l); len(fs) == 2 && len(fs[0]) == 64 && strings.HasPrefix(fs[1], "data-") {
				sums[fs[1]] = fs[0]
			}
		}
	}
	return runs, sums
}

// TestKeyLogScenario: on the lab's FTPS captures read with the key log its
// clients wrote (curl SSLKEYLOGFILE, ftplib keylog_filename; TLS 1.3 and
// 1.2 forced; passive and active, through the client's NAT), the decrypted
// dialog is the clients' transcript line for line, every passive data
// connection is tied exact and every download exported with the SHA-256 of
// the file the server holds.
func TestKeyLogScenario(t *testing.T) {
	dir := filepath.Join("captures", "ftps-keylog")
	runs, sums := readClientsLog(t, filepath.Join(dir, "clients.log"))
	if len(runs) != 6 || len(sums) != 2 {
		t.Fatalf("%d client runs, %d file sums in clients.log", len(runs), len(sums))
	}
	src, err := capture.OpenFile("", filepath.Join(dir, "client.pcap"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.TLSKeys = scenarioKeyLog(t, []string{filepath.Join(dir, "client.pcap")})
	cfg.Dissect.ShowPasswords = true
	cfg.ExportDir = t.TempDir()
	col := &report.Collector{}
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, cfg, col)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Sources[0].Warnings) != 0 {
		t.Errorf("warnings %q", sum.Sources[0].Warnings)
	}
	if len(col.Sessions) != len(runs) {
		t.Fatalf("%d sessions for %d client runs", len(col.Sessions), len(runs))
	}
	// sessions conclude in any order; the clients ran one after the other
	sort.Slice(col.Sessions, func(i, j int) bool { return col.Sessions[i].Start.Before(col.Sessions[j].Start.Time) })
	versions := map[string]int{}
	for i := range col.Sessions {
		s, run := &col.Sessions[i], runs[i]
		if s.TLSDecryption == nil || !s.TLSDecryption.Decrypted || s.TLSDecryption.Reason != "" {
			t.Errorf("%s (%s): decryption %+v", s.ID, run.label, s.TLSDecryption)
			continue
		}
		versions[s.TLSDecryption.Version]++
		got := dialogTranscript(s)
		// curl -v does not show its QUIT; ftplib masks the password
		want := run.lines
		if len(got) == len(want)+2 && got[len(got)-2] == "> QUIT" {
			got = got[:len(want)]
		}
		for k := range want {
			if k < len(got) && want[k] == "> PASS ****" && strings.HasPrefix(got[k], "> PASS ") {
				got[k] = want[k]
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s (%s): dialog\n%s\nwant the transcript\n%s", s.ID, run.label, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, ch := range s.Channels {
			x := ch.Transfer
			if ch.Mode == "active" {
				if ch.Status != model.StatusRejected {
					t.Errorf("%s: active channel %s", ch.ID, ch.Status)
				}
				continue
			}
			if ch.Connection == nil || ch.Connection.Match != model.MatchExact || x == nil || ch.Status != model.StatusOK {
				t.Errorf("%s: channel %s, connection %+v, transfer %+v", ch.ID, ch.Status, ch.Connection, x)
				continue
			}
			if want := sums[x.Arg]; x.SHA256 != want || x.FileBytes == nil || x.AnnouncedSize == nil || *x.FileBytes != *x.AnnouncedSize {
				t.Errorf("%s: RETR %s exported with sha256 %s (want %s), file_bytes %v of %v", ch.ID, x.Arg, x.SHA256, want, x.FileBytes, x.AnnouncedSize)
			}
		}
	}
	if versions["TLS 1.3"] == 0 || versions["TLS 1.2"] == 0 {
		t.Errorf("versions %v: want TLS 1.3 and TLS 1.2 sessions", versions)
	}
}

// dialogTranscript writes a session's dialog as the clients' transcripts
// do: "> VERB arg", "< code text".
func dialogTranscript(s *model.Session) []string {
	var out []string
	if g := s.Greeting; g != nil {
		out = append(out, "< "+strconv.Itoa(g.Code)+" "+g.Text)
	}
	for _, e := range s.Dialog {
		switch {
		case e.Kind == "command" && e.Arg != "":
			out = append(out, "> "+e.Verb+" "+e.Arg)
		case e.Kind == "command":
			out = append(out, "> "+e.Verb)
		case s.Greeting != nil && e.Frame == s.Greeting.Frame && e.Code == s.Greeting.Code:
		default:
			out = append(out, "< "+strconv.Itoa(e.Code)+" "+e.Text)
		}
	}
	return out
}
