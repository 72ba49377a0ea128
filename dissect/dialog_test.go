package dissect

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/diagnose"
	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
)

// checkDialog asserts that every command kept carries the latency of its
// own reply, that exactly the commands never answered are marked so, and
// that each reply "ok i" refers to "NOOP i" when that was kept, else to
// nothing.
func checkDialog(t *testing.T, s *model.Session, latency map[int]float64) {
	t.Helper()
	d := s.Dialog
	kept := map[string]bool{}
	for j := range d {
		if d[j].Kind == "command" {
			kept[d[j].Arg] = true
		}
	}
	for j := range d {
		e := &d[j]
		var i int
		if e.Kind == "reply" && e.Code == 200 {
			n := strings.TrimPrefix(e.Text, "ok ")
			switch cmd := s.Answered(e); {
			case kept[n] && (cmd == nil || cmd.Arg != n):
				t.Errorf("%q answers %+v, want NOOP %s", e.Text, cmd, n)
			case !kept[n] && cmd != nil:
				t.Errorf("%q answers %s %s, want nothing: NOOP %s was dropped", e.Text, cmd.Verb, cmd.Arg, n)
			}
		}
		if e.Kind != "command" {
			continue
		}
		if _, err := fmt.Sscanf(e.Arg, "%d", &i); err != nil {
			t.Fatalf("entry %d: %q", j, e.Arg)
		}
		want, answered := latency[i]
		if e.Unanswered == answered {
			t.Errorf("NOOP %d: unanswered %v", i, e.Unanswered)
		}
		if !answered {
			continue
		}
		if e.LatencyMS == nil || *e.LatencyMS != want {
			t.Errorf("NOOP %d: latency %v, want %v ms (its own reply's)", i, ptrVal(e.LatencyMS), want)
		}
	}
}

func ptrVal(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestLiveDialogOverCap: live, the dialog keeps its latest entries, and the
// latency and "unanswered" marks of the commands kept are their own.
func TestLiveDialogOverCap(t *testing.T) {
	const batches, limit = 14, 14 // the oldest two replies kept answer commands dropped
	cfg := DefaultConfig()
	cfg.Live, cfg.MaxDialog = true, limit
	pcap, latency := pcaptest.PipelinedNOOPs(batches)
	ss, _ := run(t, pcap, cfg)
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	s := ss[0]
	total := 1 + 6*batches + 4 // greeting, exchanges, the last three NOOPs and one reply
	if len(s.Dialog) != limit || s.DialogDropped != total-limit || s.DialogOffset != total-limit {
		t.Fatalf("kept %d, dropped %d, offset %d: want %d, %d, %d", len(s.Dialog), s.DialogDropped, s.DialogOffset, limit, total-limit, total-limit)
	}
	if last := &s.Dialog[limit-1]; last.Kind != "reply" || last.Text != fmt.Sprintf("ok %d", 3*batches) {
		t.Errorf("last entry %q %q: want the reply to the last batch's first NOOP", last.Kind, last.Text)
	}
	checkDialog(t, s, latency)
	orphans := 0
	for i := range s.Dialog {
		if e := &s.Dialog[i]; e.Kind == "reply" && s.Answered(e) == nil {
			orphans++
		}
	}
	if orphans != 2 {
		t.Errorf("%d replies kept without their command, want 2", orphans)
	}
}

// TestFileDialogOverCap: from a file, the dialog keeps its first entries.
func TestFileDialogOverCap(t *testing.T) {
	const batches, limit = 14, 16
	cfg := DefaultConfig()
	cfg.MaxDialog = limit
	pcap, latency := pcaptest.PipelinedNOOPs(batches)
	ss, _ := run(t, pcap, cfg)
	s := ss[0]
	total := 1 + 6*batches + 4
	if len(s.Dialog) != limit || s.DialogDropped != total-limit || s.DialogOffset != 0 {
		t.Fatalf("kept %d, dropped %d, offset %d: want %d, %d, 0", len(s.Dialog), s.DialogDropped, s.DialogOffset, limit, total-limit)
	}
	if e := &s.Dialog[0]; e.Code != 220 {
		t.Errorf("first entry %+v: want the greeting", e)
	}
	checkDialog(t, s, latency)
}

// TestPipelinedAnswers: each reply refers to the command it answers, and
// the rules judge it against that command.
func TestPipelinedAnswers(t *testing.T) {
	ss, _ := run(t, pcaptest.PipelinedLogin(), DefaultConfig())
	s := ss[0]
	var got []string // the verbs the replies answer, in order
	for i := range s.Dialog {
		e := &s.Dialog[i]
		if e.Kind != "reply" {
			if _, ok := e.Answers.Index(); ok {
				t.Errorf("command %s has answers", e.Verb)
			}
			continue
		}
		cmd := s.Answered(e)
		switch {
		case e.Code == 220:
			if cmd != nil {
				t.Errorf("the greeting answers %s", cmd.Verb)
			}
			continue
		case cmd == nil:
			t.Fatalf("reply %d %q answers nothing", e.Code, e.Text)
		}
		got = append(got, cmd.Verb)
		if e.LatencyMS == nil || cmd.LatencyMS == nil || *e.LatencyMS != *cmd.LatencyMS {
			t.Errorf("%d answering %s: latency %v, its command's %v", e.Code, cmd.Verb, ptrVal(e.LatencyMS), ptrVal(cmd.LatencyMS))
		}
	}
	if want := "USER PASS PWD"; strings.Join(got, " ") != want {
		t.Errorf("replies answer %q, want %q", strings.Join(got, " "), want)
	}
	fs := diagnose.New(diagnose.Config{}).Session(s)
	n := 0
	for _, f := range fs {
		if f.Rule == diagnose.RuleLoginFailed {
			n++
			if !strings.Contains(f.Explanation, "after PASS") {
				t.Errorf("login-failed explained %q: want after PASS", f.Explanation)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d login-failed findings, want 1 (the 530 answering PASS; the one answering PWD is no login)", n)
	}
}

// TestMultiLineReplyKept: a multi-line reply keeps its lines as sent, up to
// the bound, and counts the others.
func TestMultiLineReplyKept(t *testing.T) {
	const featLines = 70
	ss, _ := run(t, pcaptest.MultiLineReplies(featLines), DefaultConfig())
	s := ss[0]
	g := s.Greeting
	if g == nil || g.Lines != 3 || strings.Join(g.TextLines, "|") != "220-Welcome|220-  to the test server|220 ready" || g.TextLinesDropped != 0 {
		t.Fatalf("greeting %+v", g)
	}
	var feat *model.DialogEntry
	for i := range s.Dialog {
		if s.Dialog[i].Code == 211 {
			feat = &s.Dialog[i]
		}
	}
	switch {
	case feat == nil:
		t.Fatal("no 211 reply")
	case feat.Lines != featLines || len(feat.TextLines) != ftp.MaxReplyLines || feat.TextLinesDropped != featLines-ftp.MaxReplyLines:
		t.Fatalf("211: lines %d, kept %d, dropped %d", feat.Lines, len(feat.TextLines), feat.TextLinesDropped)
	case feat.Text != "Features:" || feat.TextLines[0] != "211-Features:" || feat.TextLines[1] != " FEATURE0" || feat.TextLines[63] != " FEATURE62":
		t.Errorf("211 text %q, lines %q … %q", feat.Text, feat.TextLines[:2], feat.TextLines[63])
	}
	if cmd := s.Answered(feat); cmd == nil || cmd.Verb != "FEAT" {
		t.Errorf("211 answers %+v", cmd)
	}
	for i := range s.Dialog {
		if e := &s.Dialog[i]; e.Code == 221 && e.TextLines != nil {
			t.Errorf("single-line reply kept lines %q", e.TextLines)
		}
	}
}

// TestLatin1Recoverable: text that is not UTF-8 keeps its bytes beside the
// text (base64), only where it is not UTF-8, and never for a masked
// password.
func TestLatin1Recoverable(t *testing.T) {
	ss, _ := run(t, pcaptest.Latin1Names(), DefaultConfig())
	s := ss[0]
	decode := func(b64 string) string {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("%q: %v", b64, err)
		}
		return string(b)
	}
	seen := 0
	for i := range s.Dialog {
		e := &s.Dialog[i]
		switch {
		case e.Verb == "RETR":
			seen++
			if e.RawText == nil || decode(e.ArgRaw) != "r\xe9sum\xe9.txt" || e.TextRaw != "" {
				t.Errorf("RETR raw %+v", e.RawText)
			}
		case e.Code == 550:
			seen++
			if e.RawText == nil || decode(e.TextRaw) != "r\xe9sum\xe9.txt: No such file or directory." || e.ArgRaw != "" || e.TextLinesRaw != nil {
				t.Errorf("550 raw %+v", e.RawText)
			}
		case e.Code == 211:
			seen++
			if e.RawText == nil || e.TextRaw != "" || len(e.TextLinesRaw) != 3 || decode(e.TextLinesRaw[1]) != " r\xe9sum\xe9.txt was asked" || decode(e.TextLinesRaw[2]) != "211 End" {
				t.Errorf("211 raw %+v", e.RawText)
			}
		case e.Verb == "PASS":
			seen++
			if e.Arg != ftp.Masked || e.RawText != nil {
				t.Errorf("PASS %q raw %+v: the password leaks", e.Arg, e.RawText)
			}
		default:
			if e.RawText != nil {
				t.Errorf("%s%d: raw %+v for UTF-8 text", e.Verb, e.Code, e.RawText)
			}
		}
	}
	if seen != 4 {
		t.Fatalf("%d of the 4 entries checked found", seen)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `"arg":"r\ufffdsum\ufffd.txt","arg_raw":"` + base64.StdEncoding.EncodeToString([]byte("r\xe9sum\xe9.txt")) + `"`
	if !strings.Contains(string(b), want) {
		t.Errorf("JSON lacks %s:\n%s", want, b)
	}
}
