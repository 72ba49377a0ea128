package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ftpscope/ftpscope/model"
)

func TestSliceNotes(t *testing.T) {
	sessions := []model.Session{
		{ID: "s1", Source: "gw", Vantage: "if3", Client: "192.168.1.10:5000", Server: "203.0.113.20:21", Frames: model.FrameRange{First: 3, Last: 40}},
		{ID: "s2", Source: "gw", Vantage: "if2", Client: "203.0.113.1:5000", Server: "203.0.113.20:21", Frames: model.FrameRange{First: 4, Last: 41}},
		{ID: "s3", Source: "other", Client: "10.0.0.1:1", Server: "10.0.0.2:21", Frames: model.FrameRange{First: 1, Last: 2}},
	}
	findings := []model.Finding{
		{Rule: "nat-not-rewritten", Severity: model.Error, Session: "s1", Channel: "s1.c1", Summary: "PORT left unchanged",
			Evidence: model.Evidence{Source: "gw/if3", Frames: []uint64{10, 11}, Other: &model.Evidence{Source: "gw/if2", Frames: []uint64{12}}}},
		{Rule: "cleartext-credentials", Severity: model.Info, Session: "s9", Summary: "not written", Evidence: model.Evidence{Source: "gw", Frames: []uint64{20}}},
		{Rule: "capture-gap", Severity: model.Warning, Summary: "capture-wide", Evidence: model.Evidence{Source: "gw", Frames: []uint64{21}}},
	}
	pairs := []model.NATPair{{Inside: "s1", Outside: "s2"}}
	n := newSliceNotes([]string{"gw"}, sessions, findings, pairs)
	want := map[noteKey][]string{
		{0, 3}:  {"ftpscope s1: FTP session 192.168.1.10:5000 → 203.0.113.20:21 seen on if3 · NAT inside leg, other leg s2 · 1 finding: error nat-not-rewritten [s1.c1]: PORT left unchanged"},
		{0, 4}:  {"ftpscope s2: FTP session 203.0.113.1:5000 → 203.0.113.20:21 seen on if2 · NAT outside leg, other leg s1 · no findings"},
		{0, 10}: {"ftpscope error nat-not-rewritten [s1.c1]: PORT left unchanged"},
		{0, 11}: {"ftpscope error nat-not-rewritten [s1.c1]: PORT left unchanged"},
		{0, 12}: {"ftpscope error nat-not-rewritten [s1.c1]: PORT left unchanged (other NAT leg)"},
	}
	for k, w := range want {
		if got := n.comments(k.source, k.frame); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("frame %d: %q, want %q", k.frame, got, w)
		}
	}
	if len(n.byFrame) != len(want) {
		t.Errorf("%d frames annotated, want %d (a session of an unknown source, another session's or the capture's finding got one): %v", len(n.byFrame), len(want), n.byFrame)
	}
	var none *sliceNotes
	if none.comments(0, 3) != nil {
		t.Error("nil notes gave a comment")
	}
}

func TestSliceNotesBounds(t *testing.T) {
	s := model.Session{ID: "s1", Source: "f", Client: "10.0.0.1:1", Server: "10.0.0.2:21", Frames: model.FrameRange{First: 1}}
	var fs []model.Finding
	long := strings.Repeat("é", maxCommentBytes)
	for i := range 40 {
		fs = append(fs, model.Finding{Rule: "r", Severity: model.Warning, Session: "s1", Summary: "\x1b[2J" + strconv.Itoa(i) + long,
			Evidence: model.Evidence{Source: "f", Frames: []uint64{7}}})
	}
	n := newSliceNotes([]string{"f"}, []model.Session{s}, fs, nil)
	first := n.comments(0, 1)
	if len(first) != 1 || len(first[0]) > maxCommentBytes || !utf8.ValidString(first[0]) || !strings.HasSuffix(first[0], " …") {
		t.Errorf("session note not bounded: %d notes, %d bytes, valid %v", len(first), len(first[0]), utf8.ValidString(first[0]))
	}
	ev := n.comments(0, 7)
	if len(ev) != maxCommentsPerFrame {
		t.Errorf("%d notes on one frame, want %d", len(ev), maxCommentsPerFrame)
	}
	for _, c := range ev {
		if len(c) > maxCommentBytes || strings.ContainsRune(c, 0x1b) {
			t.Errorf("note of %d bytes, or with a raw escape", len(c))
		}
	}
}

// TestSliceCommentsInTshark: tshark shows the comments of a -w slice of
// both NAT legs: each session's on its first packet, each finding's on
// the packets it rests on.
func TestSliceCommentsInTshark(t *testing.T) {
	bin := needTshark(t)
	orig := "../../samples/captures/active-nohelper/gateway.pcap"
	code, out, errs := ftpscope("-r", orig, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.NATPairs) == 0 {
		t.Fatal("no NAT pair")
	}
	legs := map[string]bool{r.NATPairs[0].Inside: true, r.NATPairs[0].Outside: true}
	slice := filepath.Join(t.TempDir(), "s.pcapng")
	if code, _, errs := ftpscope("-r", orig, "-o", "json", "-w", slice, "--session", r.NATPairs[0].Inside); code != 0 {
		t.Fatalf("-w: exit %d: %s", code, errs)
	}
	// The slice's comments, by the original frame of each packet.
	origFrame := map[string]uint64{}
	for f, k := range readKeys(t, orig) {
		origFrame[k] = f
	}
	sliceKeys := readKeys(t, slice)
	comments := map[uint64]string{}
	for _, l := range strings.Split(tshark(t, bin, "-r", slice, "-T", "fields", "-e", "frame.number", "-e", "frame.comment"), "\n") {
		num, comment, _ := strings.Cut(l, "\t")
		if comment == "" {
			continue
		}
		n, _ := strconv.ParseUint(num, 10, 64)
		comments[origFrame[sliceKeys[n]]] = comment
	}
	checked := 0
	for _, s := range r.Sessions {
		if !legs[s.ID] {
			continue
		}
		c := comments[s.Frames.First]
		for _, want := range []string{"ftpscope " + s.ID + ": ", s.Client + " → " + s.Server, "findings: "} {
			if !strings.Contains(c, want) {
				t.Errorf("%s: the comment of its first packet (frame %d) lacks %q: %q", s.ID, s.Frames.First, want, c)
			}
		}
		for _, f := range r.Findings {
			if f.Session != s.ID {
				continue
			}
			if !strings.Contains(c, f.Summary) {
				t.Errorf("%s: the session's comment lacks its finding %q", s.ID, f.Summary)
			}
			for _, fr := range f.Evidence.Frames {
				if !strings.Contains(comments[fr], f.Summary) {
					t.Errorf("%s: evidence frame %d's comment lacks %q: %q", f.Where(), fr, f.Summary, comments[fr])
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no evidence frame checked")
	}
}
