package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// jsonReport is the part of a JSON report these tests read.
type jsonReport struct {
	Sessions []struct {
		DialogDropped int         `json:"dialog_dropped"`
		DialogOffset  int         `json:"dialog_offset"`
		Greeting      *jsonEntry  `json:"greeting"`
		Dialog        []jsonEntry `json:"dialog"`
	} `json:"sessions"`
	Findings []struct {
		Rule        string `json:"rule"`
		Explanation string `json:"explanation"`
	} `json:"findings"`
}

type jsonEntry struct {
	Kind             string   `json:"kind"`
	Verb             string   `json:"verb"`
	Arg              string   `json:"arg"`
	ArgRaw           string   `json:"arg_raw"`
	Code             int      `json:"code"`
	Text             string   `json:"text"`
	TextRaw          string   `json:"text_raw"`
	Lines            int      `json:"lines"`
	TextLines        []string `json:"text_lines"`
	TextLinesDropped int      `json:"text_lines_dropped"`
	TextLinesRaw     []string `json:"text_lines_raw"`
	Answers          *int     `json:"answers"`
	LatencyMS        *float64 `json:"latency_ms"`
}

// reportOf analyses a crafted capture and returns its JSON report,
// checked against the schema, and decoded.
func reportOf(t *testing.T, pcap []byte, cfg dissect.Config) jsonReport {
	t.Helper()
	src, err := capture.OpenReader("", "crafted.pcap", io.NopCloser(bytes.NewReader(pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	jw := report.NewJSONWriter(&buf, model.Tool{Name: "ftpscope", Version: "t"})
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: cfg}, jw)
	if err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(buf.Bytes()); err != nil {
		t.Fatalf("report does not follow the schema: %v", err)
	}
	var r jsonReport
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions", len(r.Sessions))
	}
	return r
}

// answered returns the verb of the command a reply answers, "" for none.
func answered(d []jsonEntry, e *jsonEntry) string {
	if e.Answers == nil {
		return ""
	}
	return d[*e.Answers].Verb
}

func TestJSONPipelinedLogin(t *testing.T) {
	r := reportOf(t, pcaptest.PipelinedLogin(), dissect.DefaultConfig())
	d := r.Sessions[0].Dialog
	var got []string
	for i := range d {
		if d[i].Kind == "reply" {
			got = append(got, answered(d, &d[i]))
		}
	}
	if want := " USER PASS PWD"; strings.Join(got, " ") != want { // the greeting answers nothing
		t.Errorf("replies answer %q, want %q", strings.Join(got, " "), want)
	}
	n := 0
	for _, f := range r.Findings {
		if f.Rule == "login-failed" {
			n++
			if !strings.Contains(f.Explanation, "after PASS") {
				t.Errorf("login-failed: %q", f.Explanation)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d login-failed findings, want 1", n)
	}
}

func TestJSONLiveDialogOverCap(t *testing.T) {
	const batches, limit = 14, 14
	pcap, latency := pcaptest.PipelinedNOOPs(batches)
	cfg := dissect.DefaultConfig()
	cfg.Live, cfg.MaxDialog = true, limit
	s := reportOf(t, pcap, cfg).Sessions[0]
	total := 1 + 6*batches + 4
	if len(s.Dialog) != limit || s.DialogDropped != total-limit || s.DialogOffset != total-limit {
		t.Fatalf("kept %d, dropped %d, offset %d", len(s.Dialog), s.DialogDropped, s.DialogOffset)
	}
	for i := range s.Dialog {
		e := &s.Dialog[i]
		if e.Kind == "reply" && e.Answers != nil {
			if cmd := s.Dialog[*e.Answers]; "ok "+cmd.Arg != e.Text || *cmd.LatencyMS != *e.LatencyMS {
				t.Errorf("%q answers NOOP %s", e.Text, cmd.Arg)
			}
		}
		if e.Kind != "command" {
			continue
		}
		n, err := strconv.Atoi(e.Arg)
		if err != nil {
			t.Fatalf("command %s %q", e.Verb, e.Arg)
		}
		if want, ok := latency[n]; ok != (e.LatencyMS != nil) || ok && *e.LatencyMS != want {
			t.Errorf("NOOP %d: latency %v, want %v", n, e.LatencyMS, want)
		}
	}
}

func TestJSONMultiLineReply(t *testing.T) {
	s := reportOf(t, pcaptest.MultiLineReplies(70), dissect.DefaultConfig()).Sessions[0]
	if g := s.Greeting; g == nil || len(g.TextLines) != 3 || g.TextLines[2] != "220 ready" {
		t.Errorf("greeting %+v", g)
	}
	features := 0
	for _, e := range s.Dialog {
		if e.Code == 211 {
			features++
		}
		if e.Code == 211 && (e.Lines != 70 || len(e.TextLines) != 64 || e.TextLinesDropped != 6 || e.TextLines[0] != "211-Features:") {
			t.Errorf("211: lines %d, text_lines %d, dropped %d", e.Lines, len(e.TextLines), e.TextLinesDropped)
		}
		if e.Code == 221 && e.TextLines != nil {
			t.Errorf("221 has text_lines %q", e.TextLines)
		}
	}
	if features != 1 {
		t.Errorf("%d 211 replies in the dialog, want the one", features)
	}
}

func TestJSONLatin1(t *testing.T) {
	s := reportOf(t, pcaptest.Latin1Names(), dissect.DefaultConfig()).Sessions[0]
	raw := func(b64 string) string {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Errorf("%q: %v", b64, err)
		}
		return string(b)
	}
	found := 0
	for _, e := range s.Dialog {
		switch {
		case e.Verb == "RETR":
			found++
			if e.Arg != "r\uFFFDsum\uFFFD.txt" || raw(e.ArgRaw) != "r\xe9sum\xe9.txt" {
				t.Errorf("RETR arg %q, arg_raw %q", e.Arg, e.ArgRaw)
			}
		case e.Code == 550:
			found++
			if !strings.HasPrefix(raw(e.TextRaw), "r\xe9sum\xe9.txt:") {
				t.Errorf("550 text_raw %q", e.TextRaw)
			}
		case e.Code == 211:
			found++
			if len(e.TextLinesRaw) != len(e.TextLines) || raw(e.TextLinesRaw[1]) != " r\xe9sum\xe9.txt was asked" {
				t.Errorf("211 text_lines_raw %q", e.TextLinesRaw)
			}
		case e.Verb == "PASS":
			found++
			if e.Arg != "****" || e.ArgRaw != "" {
				t.Errorf("PASS %q arg_raw %q", e.Arg, e.ArgRaw)
			}
		case e.ArgRaw != "" || e.TextRaw != "" || e.TextLinesRaw != nil:
			t.Errorf("%s%d has a raw form", e.Verb, e.Code)
		}
	}
	if found != 4 {
		t.Errorf("%d of 4 entries found", found)
	}
}
