package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/internal/pcaptest"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// TestEncoderMatches checks the hand-written session encoder against
// encoding/json, byte for byte, on every sample capture and on awkward
// strings.
func TestEncoderMatches(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/*.pcap")
	var sessions []model.Session
	for _, path := range files {
		f, err := capture.OpenFile("", path, 0)
		if err != nil {
			t.Fatal(err)
		}
		col := &Collector{}
		cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
		cfg.Dissect.ShowPasswords = true
		if _, err := analysis.Run(context.Background(), []capture.Source{f}, cfg, col); err != nil {
			t.Fatal(err)
		}
		f.Close()
		sessions = append(sessions, col.Sessions...)
	}
	sessions = append(sessions, decryptedFTPS(t)...)
	odd := model.Session{ID: "s<&>", User: new(string), Dialog: []model.DialogEntry{
		{Kind: "command", Verb: "STOR", Arg: "a\x00b\xff\xfe\"\\\t\u2028é<script>", Segment: &model.SegmentPlace{Offset: 3, Split: true, Segments: 2}},
		{Kind: "reply", Code: 500, Text: "x", LatencyMS: ptr(0.0000004), Answers: model.RefTo(0),
			TextLines: []string{"500-x", "\xff<\u2028>", "500 end"}, TextLinesDropped: 3,
			RawText: &model.RawText{TextRaw: "/w==", TextLinesRaw: []string{"NTAwLXg=", "/w==", "NTAwIGVuZA=="}}},
		{Kind: "command", Verb: "RETR", Arg: "r\xe9sum\xe9", RawText: &model.RawText{ArgRaw: "culzdW3p"}},
		{Kind: "reply", Code: 200, LatencyMS: ptr(1e22)},
	}}
	helper := "ftp"
	removed := model.At(time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC))
	odd.Conntrack = &model.Conntrack{Helper: &helper, Tuple: "192.168.1.10:40312 → 203.0.113.20:21", ReplyTuple: "203.0.113.20:21 → 203.0.113.1:40312", Zone: 3, Mark: 7, SNAT: true}
	odd.Channels = []model.Channel{
		{ID: "s1.c1", Mode: "active", Status: "ok", Expectation: &model.Expectation{Helper: "ftp", Tuple: "203.0.113.20 → 203.0.113.1:39185",
			NATTo: "192.168.1.10:39185", Created: model.At(time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC)), Removed: &removed, Outcome: "used"}},
		{ID: "s1.c2", Mode: "passive", Status: "unknown", Expectation: &model.Expectation{Helper: "ftp", Tuple: "x", Outcome: "pending"}},
	}
	noHelper := model.Session{ID: "s2", Conntrack: &model.Conntrack{Tuple: "a", ReplyTuple: "b"}}
	conflicting := model.Session{ID: "s2", RetransmissionConflicts: []model.RetransmissionConflict{
		{FromClient: true, Used: "PORT 198,51,100,10,4,1\r\n", UsedFrame: 7, Other: "PORT 192,168,111,1,4,1\r\n\xff", OtherFrame: 9},
	}, SnaplenCut: &model.SnaplenCut{Packets: 3, Bytes: 120, FirstFrame: 12},
		Dialog:   []model.DialogEntry{{Kind: "command", Verb: "RETR", Arg: "a-file-with-a-rather-", Cut: true}},
		Channels: []model.Channel{{ID: "s2.c1", Connection: &model.Connection{CapturedBytes: 10, CutBytes: 990}}}}
	// fields the samples leave at their zero value
	forged := model.Session{ID: "forged", Channels: []model.Channel{{ID: "forged.c1",
		Transfer:   &model.Transfer{Verb: "RETR", ExportPath: "s1.c1-f.partial", SHA256: "00", ExportPartial: true},
		Connection: &model.Connection{BytesToFTPClient: 3, OutOfWindow: 3}}}}
	sessions = append(sessions, odd, conflicting, forged, noHelper, model.Session{})
	if len(sessions) < 50 {
		t.Fatalf("only %d sessions", len(sessions))
	}
	for i := range sessions {
		want, err := json.Marshal(&sessions[i])
		if err != nil {
			t.Fatal(err)
		}
		got := appendSession(nil, &sessions[i])
		if !bytes.Equal(got, want) {
			k := 0
			for k < len(got) && k < len(want) && got[k] == want[k] {
				k++
			}
			t.Fatalf("session %s differs at byte %d:\n got  %s\n want %s", sessions[i].ID, k, got[max(0, k-60):min(len(got), k+60)], want[max(0, k-60):min(len(want), k+60)])
		}
	}
}

func ptr(f float64) *float64 { return &f }

// decryptedFTPS is an FTPS session read with its key log: decrypted lines,
// file_bytes, tls_decryption on the session and its data connection.
func decryptedFTPS(t *testing.T) []model.Session {
	f, err := pcaptest.FTPSCapture(pcaptest.FTPSOptions{File: []byte("file")})
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenReader("ftps", "ftps.pcap", io.NopCloser(bytes.NewReader(f.Pcap)), 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
	cfg.Dissect.TLSKeys = tlsdecrypt.NewKeyLog()
	cfg.Dissect.TLSKeys.Read(bytes.NewReader(f.KeyLog))
	col := &Collector{}
	if _, err := analysis.Run(context.Background(), []capture.Source{src}, cfg, col); err != nil {
		t.Fatal(err)
	}
	if len(col.Sessions) != 1 || col.Sessions[0].TLSDecryption == nil || col.Sessions[0].Channels[0].Transfer.FileBytes == nil {
		t.Fatalf("FTPS sessions %+v", col.Sessions)
	}
	return col.Sessions
}

func TestLatencyFormat(t *testing.T) {
	values := []int64{0, 1, 10, 81, 100, 999, 1000, 1001, 12345, 5000000, 123456789, 1e15 - 1, 1e15, 1e15 + 1}
	for us := int64(0); us < 200000; us++ {
		values = append(values, us)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		values = append(values, r.Int64N(1e16))
	}
	floats := []float64{}
	for _, us := range values {
		floats = append(floats, float64(us)/1000)
	}
	for range 100000 { // and any other float, as encoding/json writes it
		floats = append(floats, r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-15)))
	}
	for _, v := range floats {
		var e enc
		f := true
		e.float(&f, `,"x":`, v)
		want, _ := json.Marshal(map[string]float64{"x": v})
		if got := "{" + string(e.b) + "}"; got != string(want) {
			t.Fatalf("%v ms: %s, want %s", v, got, want)
		}
	}
}

// The session, channel and finding lines of JSON lines, written by hand,
// are the ones encoding/json writes for their Event.
func TestJSONLinesHandLinesMatch(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/*.pcap")
	for _, path := range files {
		f, err := capture.OpenFile("", path, 0)
		if err != nil {
			t.Fatal(err)
		}
		col := &Collector{}
		if _, err := analysis.Run(context.Background(), []capture.Source{f}, analysis.Config{Dissect: dissect.DefaultConfig()}, col); err != nil {
			t.Fatal(err)
		}
		f.Close()
		sessions := append(col.Sessions, model.Session{}) // no id: the session field is omitted
		for i := range sessions {
			s := &sessions[i]
			var got, want bytes.Buffer
			jl := NewJSONLWriter(&got)
			for k := range s.Channels {
				jl.channel(s.ID, &s.Channels[k])
				json.NewEncoder(&want).Encode(&Event{Event: "channel", Session: s.ID, Channel: &s.Channels[k]})
			}
			for k := range col.findings {
				if f := &col.findings[k]; f.Session == s.ID {
					jl.writeHand("finding", s.ID, "finding", func(e *enc) { e.finding(f) })
					json.NewEncoder(&want).Encode(&Event{Event: "finding", Session: s.ID, Finding: f})
				}
			}
			jl.writeHand("session", s.ID, "data", func(e *enc) { e.session(s) })
			json.NewEncoder(&want).Encode(&Event{Event: "session", Session: s.ID, Data: s})
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s %s:\n got  %s\n want %s", path, s.ID, got.Bytes(), want.Bytes())
			}
		}
	}
}

// The hand-written finding encoder gives encoding/json's bytes for every
// finding of the sample captures (NAT pairs included) and for awkward ones.
func TestFindingEncoderMatches(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/*.pcap")
	var fs []model.Finding
	for _, path := range files {
		f, err := capture.OpenFile("", path, 0)
		if err != nil {
			t.Fatal(err)
		}
		col := &Collector{}
		sum, err := analysis.Run(context.Background(), []capture.Source{f}, analysis.Config{Dissect: dissect.DefaultConfig()}, col)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		fs = append(fs, col.Report(model.Tool{}, nil, nil, sum.Findings, sum.Stats).Findings...)
	}
	servers, _ := filepath.Glob("../samples/captures/*/server.pcap")
	for _, server := range servers {
		var srcs []capture.Source
		for i, p := range []string{filepath.Join(filepath.Dir(server), "client.pcap"), server} {
			s, err := capture.OpenFile("", p, i)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			srcs = append(srcs, s)
		}
		cfg := analysis.Config{Dissect: dissect.DefaultConfig()}
		cfg.Dissect.KeepSegments = true
		col := &Collector{}
		sum, err := analysis.Run(context.Background(), srcs, cfg, col)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, col.Report(model.Tool{}, nil, nil, sum.Findings, sum.Stats).Findings...)
	}
	ts := model.At(time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC))
	fs = append(fs, model.Finding{}, model.Finding{Rule: "x<&>", Severity: model.Error, TS: &ts, Summary: "a\u2028\"b\"\xff",
		Evidence: model.Evidence{Frames: []uint64{}, Timestamps: []model.Time{ts, {}}, Wire: []string{"PASS \t"},
			Other: &model.Evidence{Source: "o", Frames: []uint64{1, 2}}}})
	other := 0
	for i := range fs {
		if fs[i].Evidence.Other != nil {
			other++
		}
	}
	if len(fs) < 30 || other == 0 {
		t.Fatalf("only %d findings, %d from both legs of a NAT", len(fs), other)
	}
	for i := range fs {
		want, err := json.Marshal(&fs[i])
		if err != nil {
			t.Fatal(err)
		}
		var e enc
		e.finding(&fs[i])
		if !bytes.Equal(e.b, want) {
			t.Fatalf("finding %d (%s) differs:\n got  %s\n want %s", i, fs[i].Rule, e.b, want)
		}
	}
}

// appendNanos writes what model.AppendDigits writes for nine digits, Z
// after them.
func TestAppendNanos(t *testing.T) {
	check := func(ns int) {
		want := string(append(model.AppendDigits([]byte("x"), ns, 9), 'Z'))
		if got := string(appendNanos([]byte("x"), ns)); got != want {
			t.Fatalf("%d ns: %q, want %q", ns, got, want)
		}
	}
	for ns := 0; ns < 1e9; ns += 997 {
		check(ns)
	}
	for _, ns := range []int{1, 9, 10, 999, 1000, 999999, 1000000, 999999999} {
		check(ns)
	}
}

// quote writes what encoding/json writes for a string: every byte at every
// place of the first words (the eight-byte scan and the byte loop), and
// random strings of plain bytes, bytes to escape, UTF-8 and broken UTF-8.
func TestQuoteMatchesEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want = withUnicodeBF(want)
		var e enc
		e.quote(s)
		if string(e.b) != string(want) {
			t.Fatalf("quote(%q) = %s, want %s", s, e.b, want)
		}
	}
	for c := 0; c < 256; c++ {
		for at := 0; at < 20; at++ {
			b := []byte(strings.Repeat("a", 20))
			b[at] = byte(c)
			check(string(b))
			check(string(b[:at+1]))
		}
	}
	pieces := []string{"a", "Z", " ", "~", "\x7f", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f",
		"é", "\u2028", "\u2029", "日本", "\U0001F600", "\xff", "\xe2\x80", "\xc3", "\x80"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var sb strings.Builder
		for range r.IntN(40) {
			if r.IntN(4) == 0 {
				sb.WriteString(pieces[r.IntN(len(pieces))])
			} else {
				sb.WriteByte(byte(' ' + r.IntN(95)))
			}
		}
		check(sb.String())
	}
}

// withUnicodeBF returns JSON text with encoding/json's newer \b and \f
// written \u0008 and \u000c, as reports have always written them.
func withUnicodeBF(j []byte) []byte {
	var out []byte
	for i := 0; i < len(j); i++ {
		if j[i] != '\\' || i+1 == len(j) {
			out = append(out, j[i])
			continue
		}
		i++
		switch j[i] {
		case 'b':
			out = append(out, `\u0008`...)
		case 'f':
			out = append(out, `\u000c`...)
		default:
			out = append(out, '\\', j[i])
		}
	}
	return out
}
