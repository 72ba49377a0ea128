package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// manySessions writes n control sessions one after another, each with a
// dialog long enough to be reused (about 50 lines) and, every third one, a
// refused login or a refused RETR: findings that outlive their session.
func manySessions(n int) []byte {
	c := pcaptest.New()
	for i := 0; i < n; i++ {
		k := c.Conn(fmt.Sprintf("192.0.2.10:%d", 40000+i), "198.51.100.20:21", uint32(1000*i), uint32(7000*i))
		k.Open()
		k.Line(false, "220 (vsFTPd 3.0.3)")
		k.Line(true, fmt.Sprintf("USER user%d", i))
		k.Line(false, "331 Please specify the password.")
		k.Line(true, "PASS secret")
		if i%3 == 0 {
			k.Line(false, "530 Login incorrect.")
		} else {
			k.Line(false, "230 Login successful.")
		}
		for j := 0; j < 20+i%7; j++ {
			k.Line(true, fmt.Sprintf("SIZE file-%d-%d", i, j))
			k.Line(false, fmt.Sprintf("213 %d", i*j))
		}
		if i%3 == 1 {
			k.Line(true, "RETR missing")
			k.Line(false, "425 Use PORT or PASV first.")
		}
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	return c.Bytes()
}

// kept is a consumer that is not a Streamer: the analysis must not reuse
// the sessions it is given.
type kept struct{ jw *report.JSONWriter }

func (k kept) Session(s *model.Session, f []model.Finding) { k.jw.Session(s, f) }
func (k kept) Revise(r *model.Revision)                    { k.jw.Revise(r) }

func reportOf(t *testing.T, pcap []byte, wrap func(*report.JSONWriter) analysis.Consumer) []byte {
	t.Helper()
	src, err := capture.OpenReader("many.pcap", "many.pcap", nopCloser{bytes.NewReader(pcap)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	jw := report.NewJSONWriter(&buf, model.Tool{Name: "ftpscope", Version: "test"})
	sum, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: dissect.DefaultConfig()}, wrap(jw))
	if err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(sum.Sources, sum.NATPairs, sum.Findings, sum.Stats); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// A streaming report writer lets the analysis reuse the dialogs of the
// sessions it wrote for later ones; the report must be the same, byte for
// byte, as when nothing is reused (findings and NAT legs keep their own
// copies of what they quote).
func TestStreamedReportReusesNothingVisible(t *testing.T) {
	pcap := manySessions(300)
	streamed := reportOf(t, pcap, func(jw *report.JSONWriter) analysis.Consumer { return jw })
	kept := reportOf(t, pcap, func(jw *report.JSONWriter) analysis.Consumer { return kept{jw} })
	if !bytes.Equal(streamed, kept) {
		i := 0
		for i < len(streamed) && i < len(kept) && streamed[i] == kept[i] {
			i++
		}
		lo := max(0, i-200)
		t.Fatalf("streamed report differs at byte %d:\nstreamed …%s\nkept     …%s", i, streamed[lo:min(len(streamed), i+200)], kept[lo:min(len(kept), i+200)])
	}
	if !bytes.Contains(streamed, []byte(`"login-failed"`)) || !bytes.Contains(streamed, []byte(`"data-connection-missing"`)) {
		t.Fatalf("the capture did not produce the findings the test is about:\n%s", streamed[bytes.LastIndex(streamed, []byte(`"findings"`)):][:600])
	}
}

// holder keeps every session it is given, as the terminal UI does.
type holder struct {
	sessions []*model.Session
	at       [][]byte // each session's dialog as it was delivered
}

func (h *holder) Session(s *model.Session, _ []model.Finding) {
	h.sessions = append(h.sessions, s)
	h.at = append(h.at, fmt.Appendf(nil, "%+v", s.Dialog))
}

// A consumer that keeps sessions gets dialogs of their own size, and the
// dissector's buffers, reused for later sessions, never show through them:
// short dialogs (a login, in the first buffer size) as well as long ones.
func TestKeptSessionsOwnTheirDialog(t *testing.T) {
	c := pcaptest.New()
	for i := 0; i < 200; i++ {
		k := c.Conn(fmt.Sprintf("192.0.2.10:%d", 40000+i), "198.51.100.20:21", uint32(1000*i), uint32(7000*i))
		k.Open()
		k.Line(false, "220 (vsFTPd 3.0.3)")
		k.Line(true, fmt.Sprintf("USER user%d", i))
		k.Line(false, "331 Please specify the password.")
		k.Line(true, "QUIT")
		k.Line(false, "221 Goodbye.")
		k.Close()
	}
	short := c.Bytes()
	for name, pcap := range map[string][]byte{"short": short, "long": manySessions(100)} {
		src, err := capture.OpenReader("kept.pcap", "kept.pcap", nopCloser{bytes.NewReader(pcap)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		h := &holder{}
		if _, err := analysis.Run(context.Background(), []capture.Source{src}, analysis.Config{Dissect: dissect.DefaultConfig()}, h); err != nil {
			t.Fatal(err)
		}
		if len(h.sessions) < 100 {
			t.Fatalf("%s: %d sessions", name, len(h.sessions))
		}
		for i, s := range h.sessions {
			if len(s.Dialog) == 0 || cap(s.Dialog) != len(s.Dialog) {
				t.Fatalf("%s: session %s: dialog of %d entries in a buffer of %d", name, s.ID, len(s.Dialog), cap(s.Dialog))
			}
			if now := fmt.Appendf(nil, "%+v", s.Dialog); !bytes.Equal(now, h.at[i]) {
				t.Fatalf("%s: session %s's dialog changed after delivery:\nthen %s\nnow  %s", name, s.ID, h.at[i], now)
			}
		}
	}
}
