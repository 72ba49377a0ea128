package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/testcorpus"
	"github.com/ftpscope/ftpscope/model"
)

// The corpus is ../shared/corpus beside the checkout (found from the
// repository root, or $FTPSCOPE_CORPUS): 53 real captures from the Zeek,
// Suricata, nDPI and Arkime test suites with expected.json, facts
// established independently of this code (see its README). Under CI a
// missing corpus fails the tests (internal/testcorpus).
type corpusFile struct {
	dir   string       // where it was found
	Cases []corpusCase `json:"cases"`
}

type corpusCase struct {
	ID       string          `json:"id"`
	Pcap     string          `json:"pcap"`
	Sessions []corpusSession `json:"sessions"`
}

type corpusSession struct {
	Client        string          `json:"client"`
	Server        string          `json:"server"`
	User          *string         `json:"user"`
	CommandsCount int             `json:"commands_count"`
	RepliesCount  int             `json:"replies_count"`
	DataChannels  []corpusChannel `json:"data_channels"`
	Transfers     []corpusXfer    `json:"transfers"`
}

type corpusChannel struct {
	Mode      string `json:"mode"`
	Via       string `json:"via"`
	Announced string `json:"announced"`
	ReplyCode *int   `json:"reply_code"`
	Observed  *struct {
		Client   string `json:"client"`
		Server   string `json:"server"`
		ToClient int64  `json:"bytes_ftp_server_to_client"`
		ToServer int64  `json:"bytes_ftp_client_to_server"`
	} `json:"observed_if_known"`
}

type corpusXfer struct {
	Command    string `json:"command"`
	Arg        string `json:"arg"`
	ReplyCodes []int  `json:"reply_codes"`
	Bytes      *int64 `json:"bytes_if_known"`
	Size150    *int64 `json:"size_announced_in_150_reply"`
}

// knownDisagreements lists, by "case fact", every fact where ftpscope and
// expected.json differ, with the reason, checked against the packets.
var knownDisagreements = map[string]string{
	// The client sends "RETR " and a 42,069-byte argument over 40 segments
	// (tshark: frames 26-104, tcp.dstport==21). ftpscope keeps at most
	// ftp.MaxLineLength (8 KiB) of any control line and marks it truncated,
	// so that a 10 MB line costs 8 KiB of memory; the argument is cut there.
	"suricata-verify/ftp-too-long-command-buffered session 1 (1.1.1.1:5555 → 2.2.2.2:21) transfer 1 (RETR AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…(42119 bytes)": "control lines are bounded at 8 KiB",
	// PASV is answered "99 PASV invalid" (tcpdump: 127.0.0.1.21 > 127.0.0.1.51354
	// length 17: FTP: 99 PASV invalid), a two-digit code: no reply, no
	// address. expected.json lists a passive channel with no endpoint;
	// ftpscope opens a channel only for an announcement that names one (the
	// report schema requires it) and shows the line as PASV's malformed reply.
	"zeek/ftp-invalid-reply-code session 1 (127.0.0.1:51354 → 127.0.0.1:21) channel 1 (PASV ) announced": "no endpoint, no channel",
}

// analyse runs the whole analysis over one capture and returns its report.
func analyse(t testing.TB, path string) *model.Report {
	t.Helper()
	f, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	col := &collector{}
	sum, err := Run(context.Background(), []capture.Source{f}, Config{Dissect: dissect.DefaultConfig()}, col)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, e := range sum.Errors {
		t.Logf("%s: %v", path, e)
	}
	sort.Slice(col.sessions, func(i, j int) bool { return col.sessions[i].Start.Before(col.sessions[j].Start.Time) })
	return &model.Report{Sessions: col.sessions, Findings: append(col.kept(), sum.Findings...), NATPairs: sum.NATPairs, Sources: sum.Sources, Stats: sum.Stats}
}

// collector keeps sessions and findings, revised (report.Collector cannot
// be used here: report imports analysis).
type collector struct {
	sessions  []model.Session
	findings  []model.Finding
	withdrawn map[uint64]bool
}

func (c *collector) Session(s *model.Session, fs []model.Finding) {
	c.sessions = append(c.sessions, *s)
	c.findings = append(c.findings, fs...)
}

func (c *collector) Revise(r *model.Revision) {
	c.findings[r.Ref] = r.Finding
	if r.Withdrawn {
		if c.withdrawn == nil {
			c.withdrawn = map[uint64]bool{}
		}
		c.withdrawn[r.Ref] = true
	}
}

func (c *collector) kept() []model.Finding {
	var out []model.Finding
	for i, f := range c.findings {
		if !c.withdrawn[uint64(i)] {
			out = append(out, f)
		}
	}
	return out
}

// fact is one comparison between ftpscope and expected.json.
type fact struct {
	name      string
	got, want string
}

// loadCorpus reads the corpus' expected.json; without the corpus the tests
// skip, or fail under CI.
func loadCorpus(t *testing.T) corpusFile {
	t.Helper()
	dir := testcorpus.Need(t)
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	corpus := corpusFile{dir: dir}
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatal(err)
	}
	return corpus
}

func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	total, agree := 0, 0
	var unexpected []string
	seen := map[string]bool{}
	for _, c := range corpus.Cases {
		r := analyse(t, filepath.Join(corpus.dir, c.Pcap))
		for _, f := range caseFacts(c, r) {
			total++
			key := c.ID + " " + clip(f.name)
			if f.got == f.want {
				agree++
				if _, ok := knownDisagreements[key]; ok {
					unexpected = append(unexpected, fmt.Sprintf("%s: now agrees (%s); drop it from knownDisagreements", key, f.got))
				}
				continue
			}
			seen[key] = true
			if _, ok := knownDisagreements[key]; !ok {
				unexpected = append(unexpected, fmt.Sprintf("%s: got %s, want %s", key, clip(f.got), clip(f.want)))
			}
		}
	}
	for key := range knownDisagreements {
		if !seen[key] && !slices.ContainsFunc(unexpected, func(s string) bool { return strings.HasPrefix(s, key+":") }) {
			unexpected = append(unexpected, key+": listed as a disagreement but no such fact")
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Error(u)
	}
	pct := 100 * float64(agree) / float64(total)
	t.Logf("corpus: %d of %d facts agree (%.2f%%), %d known disagreements", agree, total, pct, len(knownDisagreements))
	if pct < 98 {
		t.Errorf("only %.2f%% of the corpus facts agree; at least 98%% must", pct)
	}
}

// caseFacts compares one case's expected sessions with the report.
func caseFacts(c corpusCase, r *model.Report) []fact {
	var facts []fact
	used := map[int]bool{}
	for i, es := range c.Sessions {
		prefix := fmt.Sprintf("session %d (%s → %s)", i+1, es.Client, es.Server)
		idx := -1
		for j := range r.Sessions {
			if !used[j] && r.Sessions[j].Client == es.Client && r.Sessions[j].Server == es.Server {
				idx = j
				break
			}
		}
		if idx < 0 {
			facts = append(facts, fact{prefix + " found", "missing", "present"})
			continue
		}
		used[idx] = true
		s := &r.Sessions[idx]
		facts = append(facts, fact{prefix + " found", "present", "present"})
		facts = append(facts, fact{prefix + " user", strPtr(s.User), strPtr(es.User)})
		facts = append(facts, fact{prefix + " commands", fmt.Sprint(s.Commands), fmt.Sprint(es.CommandsCount)})
		facts = append(facts, fact{prefix + " replies", fmt.Sprint(s.Replies), fmt.Sprint(es.RepliesCount)})

		var announced []model.Channel
		var transfers []model.Channel
		for _, ch := range s.Channels {
			if ch.Announce != nil {
				announced = append(announced, ch)
			}
			if ch.Transfer != nil {
				transfers = append(transfers, ch)
			}
		}
		for k, ec := range es.DataChannels {
			name := fmt.Sprintf("%s channel %d (%s %s)", prefix, k+1, ec.Via, ec.Announced)
			want := ec.Mode + " " + ec.Announced
			if k >= len(announced) {
				facts = append(facts, fact{name + " announced", "missing", want})
				if ec.Observed != nil {
					facts = append(facts, fact{name + " bytes", "missing", fmt.Sprintf("%d/%d", ec.Observed.ToClient, ec.Observed.ToServer)})
				}
				continue
			}
			ch := announced[k]
			facts = append(facts, fact{name + " announced", ch.Mode + " " + ch.Announce.Endpoint, want})
			if ec.Observed != nil {
				got := "no connection"
				if cn := ch.Connection; cn != nil {
					got = fmt.Sprintf("%d/%d", cn.BytesToFTPClient, cn.BytesToFTPServer)
				}
				facts = append(facts, fact{name + " bytes", got, fmt.Sprintf("%d/%d", ec.Observed.ToClient, ec.Observed.ToServer)})
			}
		}
		for k, et := range es.Transfers {
			name := fmt.Sprintf("%s transfer %d (%s %s)", prefix, k+1, et.Command, et.Arg)
			want := fmt.Sprintf("%s %q %v", et.Command, et.Arg, et.ReplyCodes)
			if k >= len(transfers) {
				facts = append(facts, fact{name, "missing", want})
				continue
			}
			x := transfers[k].Transfer
			facts = append(facts, fact{name, fmt.Sprintf("%s %q %v", x.Verb, x.Arg, x.ReplyCodes), want})
			if et.Bytes != nil {
				got := "no connection"
				if cn := transfers[k].Connection; cn != nil {
					got = fmt.Sprint(cn.BytesToFTPClient + cn.BytesToFTPServer)
				}
				facts = append(facts, fact{name + " bytes", got, fmt.Sprint(*et.Bytes)})
			}
			if et.Size150 != nil {
				got := "none"
				if x.AnnouncedSize != nil {
					got = fmt.Sprint(*x.AnnouncedSize)
				}
				facts = append(facts, fact{name + " size", got, fmt.Sprint(*et.Size150)})
			}
		}
	}
	return facts
}

// clip keeps test messages readable when a fact quotes a 100 KB line.
func clip(s string) string {
	if len(s) > 100 {
		return fmt.Sprintf("%s…(%d bytes)", s[:100], len(s))
	}
	return s
}

func strPtr(s *string) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%q", *s)
}
