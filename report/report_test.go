package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/reporttest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

const sample = "../samples/captures/active-helper/client.pcap"

func runOn(t *testing.T, path string, out analysis.Consumer) *analysis.Summary {
	t.Helper()
	f, err := capture.OpenFile("", path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := analysis.Run(context.Background(), []capture.Source{f}, analysis.Config{Dissect: dissect.DefaultConfig()}, out)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestStreamedJSONIsTheReport(t *testing.T) {
	var buf bytes.Buffer
	jw := report.NewJSONWriter(&buf, model.Tool{Name: "ftpscope", Version: "t"})
	col := &report.Collector{}
	sum := runOn(t, sample, tee{jw, col})
	if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	var got model.Report
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := col.Report(model.Tool{Name: "ftpscope", Version: "t"}, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	report.SortSessions(got.Sessions)
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(&got)
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Errorf("the streamed document differs from the report held in memory at byte %d:\n%s\n%s", i, a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
	}
}

type tee struct {
	a, b analysis.Consumer
}

func (t tee) Session(s *model.Session, f []model.Finding) {
	t.a.Session(s, f)
	t.b.Session(s, f)
}

func (t tee) NATPair(p *model.NATPair, f []model.Finding) {
	for _, c := range []analysis.Consumer{t.a, t.b} {
		if pc, ok := c.(analysis.PairConsumer); ok {
			pc.NATPair(p, f)
		}
	}
}

func (t tee) Revise(r *model.Revision) {
	for _, c := range []analysis.Consumer{t.a, t.b} {
		if rv, ok := c.(analysis.Reviser); ok {
			rv.Revise(r)
		}
	}
}

func TestJSONLinesOrder(t *testing.T) {
	var buf bytes.Buffer
	jl := report.NewJSONLWriter(&buf)
	sum := runOn(t, sample, jl)
	if err := jl.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	sessionDone := map[string]bool{}
	channels := 0
	var last string
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var e struct {
			Event   string `json:"event"`
			Session string `json:"session"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not one JSON object per line: %v: %q", err, sc.Text())
		}
		switch e.Event {
		case "channel":
			channels++
			if sessionDone[e.Session] {
				t.Errorf("channel of %s after its session", e.Session)
			}
		case "session":
			sessionDone[e.Session] = true
		}
		last = e.Event
	}
	if channels != 6 || len(sessionDone) != 5 || last != "summary" {
		t.Errorf("%d channels, %d sessions, last event %q", channels, len(sessionDone), last)
	}
}

func TestTextReport(t *testing.T) {
	col := &report.Collector{}
	sum := runOn(t, "../samples/captures/active-nohelper/server.pcap", col)
	r := col.Report(model.Tool{Name: "ftpscope", Version: "t"}, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	var buf bytes.Buffer
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"FINDINGS (12 errors, 1 info)",
		"✖ error   EPRT announces 192.168.1.10:",
		"but the control connection",
		"+ 5 more like it",
		"fix: ",
		"status REJECTED",
		"Illegal EPRT",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Index(out, "FINDINGS") > strings.Index(out, "SESSION s1") {
		t.Error("findings must come first")
	}
}

// TestTextWiresharkFilter: a session's text gives its Wireshark filter,
// both legs' when it is one leg of a NAT pair.
func TestTextWiresharkFilter(t *testing.T) {
	col := &report.Collector{}
	sum := runOn(t, "../samples/captures/passive-nat/gateway.pcap", col)
	r := col.Report(model.Tool{}, sum.Sources, sum.NATPairs, sum.Findings, sum.Stats)
	var buf bytes.Buffer
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(r.NATPairs) == 0 {
		t.Fatal("no NAT pair in a gateway capture")
	}
	p := r.NATPairs[0]
	want := "\n  wireshark, both NAT legs (" + p.Inside + " ⇄ " + p.Outside + "): " + p.WiresharkFilter + "\n"
	if !strings.Contains(out, want) {
		t.Errorf("text report lacks %q:\n%s", want, out)
	}

	r = &model.Report{Sessions: []model.Session{{ID: "s1", WiresharkFilter: "(ip.addr==192.0.2.1 && tcp.port==21)"}}}
	buf.Reset()
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "\n  wireshark: (ip.addr==192.0.2.1 && tcp.port==21)\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, buf.String())
	}
}

// TestTextReplyLines: the text report shows a multi-line reply's lines
// under it, the compact form a few of them.
func TestTextReplyLines(t *testing.T) {
	lines := []string{"211-Features:"}
	for i := range 10 {
		lines = append(lines, " FEATURE"+strconv.Itoa(i))
	}
	lines = append(lines, "211 End")
	s := model.Session{ID: "s1", Dialog: []model.DialogEntry{
		{Kind: "command", Verb: "FEAT"},
		{Kind: "reply", Code: 211, Text: "Features:", Lines: 14, TextLines: lines, TextLinesDropped: 2, Answers: model.RefTo(0)},
	}}
	for _, full := range []bool{false, true} {
		var buf bytes.Buffer
		r := &model.Report{Sessions: []model.Session{s}}
		if err := report.WriteText(&buf, r, report.TextOptions{FullDialog: full}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		want := []string{"← 211 Features:\n", "\n                     FEATURE0\n", "\n                     FEATURE5\n", "… +7 lines\n"}
		if full {
			want = []string{"← 211 Features:\n", "\n                     FEATURE9\n", "\n                    211 End\n", "… +2 lines\n"}
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("full=%v: text report lacks %q:\n%s", full, w, out)
			}
		}
	}
}

// BenchmarkJSONSession writes the sessions of a real capture, as the
// streaming JSON writer does for each concluded session.
func BenchmarkJSONSession(b *testing.B) {
	col := &report.Collector{}
	f, _ := capture.OpenFile("", "../samples/captures/baseline/client.pcap", 0)
	analysis.Run(context.Background(), []capture.Source{f}, analysis.Config{Dissect: dissect.DefaultConfig()}, col)
	f.Close()
	jw := report.NewJSONWriter(io.Discard, model.Tool{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := &col.Sessions[i%len(col.Sessions)]
		jw.Session(s, nil)
	}
}

// BenchmarkAppendSession measures the hand-written JSON encoder alone
// (report/encode.go): the sessions of a real capture appended to a reused
// buffer, without the writer around it. ns/op is per session.
func BenchmarkAppendSession(b *testing.B) {
	col := &report.Collector{}
	f, _ := capture.OpenFile("", "../samples/captures/baseline/client.pcap", 0)
	analysis.Run(context.Background(), []capture.Source{f}, analysis.Config{Dissect: dissect.DefaultConfig()}, col)
	f.Close()
	var buf []byte
	n := 0
	for i := range col.Sessions {
		n += len(report.AppendSession(nil, &col.Sessions[i]))
	}
	b.SetBytes(int64(n / len(col.Sessions)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = report.AppendSession(buf[:0], &col.Sessions[i%len(col.Sessions)])
	}
}
