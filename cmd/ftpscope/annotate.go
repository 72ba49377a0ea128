package main

import (
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// A -w slice says what ftpscope found, in pcapng packet comments (what
// Wireshark shows as frame.comment, and filters with frame.comment
// contains "…"): the first packet of each session names the session, its
// client and server and its findings; each frame a finding rests on
// carries the finding's summary. Whoever opens the slice does not start
// from zero.

// Comment bounds: a pcapng option holds at most 65,535 bytes, and a note is
// for reading in a packet list.
const (
	maxCommentBytes     = 2048
	maxSessionFindings  = 8
	maxCommentsPerFrame = 16
)

type noteKey struct {
	source int
	frame  uint64
}

// sliceNotes are the comments of a slice's packets, by source and frame.
type sliceNotes struct {
	labels  map[string]int
	byFrame map[noteKey][]string
}

// newSliceNotes annotates the given sessions (the ones written) with their
// findings: those of the sessions, found in findings by session id. pairs
// say which sessions are two legs of one NAT. labels are the sources'
// labels in source order.
func newSliceNotes(labels []string, sessions []model.Session, findings []model.Finding, pairs []model.NATPair) *sliceNotes {
	n := &sliceNotes{labels: map[string]int{}, byFrame: map[noteKey][]string{}}
	for i, l := range labels {
		n.labels[l] = i
	}
	other := map[string]string{}
	role := map[string]string{}
	for _, p := range pairs {
		other[p.Inside], other[p.Outside] = p.Outside, p.Inside
		role[p.Inside], role[p.Outside] = "inside", "outside"
	}
	bySession := map[string][]*model.Finding{}
	for i := range findings {
		f := &findings[i]
		if f.Session != "" {
			bySession[f.Session] = append(bySession[f.Session], f)
		}
	}
	for i := range sessions {
		s := &sessions[i]
		fs := bySession[s.ID]
		n.addSession(s, fs, role[s.ID], other[s.ID])
		for _, f := range fs {
			n.addFinding(f)
		}
	}
	return n
}

// addSession puts the session's note on its first packet.
func (n *sliceNotes) addSession(s *model.Session, fs []*model.Finding, natRole, otherLeg string) {
	src, ok := n.labels[s.Source]
	if !ok || s.Frames.First == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("ftpscope ")
	b.WriteString(s.ID)
	b.WriteString(": FTP session ")
	b.WriteString(s.Client)
	b.WriteString(" → ")
	b.WriteString(s.Server)
	if s.Vantage != "" {
		b.WriteString(" seen on ")
		b.WriteString(s.Vantage)
	}
	if natRole != "" {
		b.WriteString(" · NAT " + natRole + " leg, other leg " + otherLeg)
	}
	switch len(fs) {
	case 0:
		b.WriteString(" · no findings")
	case 1:
		b.WriteString(" · 1 finding: ")
	default:
		b.WriteString(" · " + strconv.Itoa(len(fs)) + " findings: ")
	}
	for i, f := range fs {
		if i == maxSessionFindings {
			b.WriteString("; +" + strconv.Itoa(len(fs)-i) + " more")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(findingNote(f))
	}
	n.add(noteKey{src, s.Frames.First}, b.String())
}

// findingNote is a finding in one line: "error nat-not-rewritten [s1.c1]:
// EPRT 192.168.1.10:49691 left unchanged …".
func findingNote(f *model.Finding) string {
	return f.Severity.String() + " " + f.Rule + " [" + f.Where() + "]: " + f.Summary
}

// addFinding puts the finding's summary on its evidence frames, those of
// the other NAT leg included.
func (n *sliceNotes) addFinding(f *model.Finding) {
	note := "ftpscope " + findingNote(f)
	for ev, leg := &f.Evidence, ""; ev != nil; ev, leg = ev.Other, " (other NAT leg)" {
		src, ok := n.sourceOf(ev.Source)
		if !ok {
			continue
		}
		for _, fr := range ev.Frames {
			if fr != 0 {
				n.add(noteKey{src, fr}, note+leg)
			}
		}
	}
}

// sourceOf finds the source an evidence names: its label, or its label
// and interface ("gateway.pcap/if3").
func (n *sliceNotes) sourceOf(name string) (int, bool) {
	if i, ok := n.labels[name]; ok {
		return i, true
	}
	best, found := -1, ""
	for l, i := range n.labels {
		if len(l) > len(found) && strings.HasPrefix(name, l+"/") {
			best, found = i, l
		}
	}
	return best, best >= 0
}

func (n *sliceNotes) add(k noteKey, note string) {
	note = textfmt.ClipBytes(textfmt.Printable(note), maxCommentBytes) // Printable writes invalid bytes as \xNN
	have := n.byFrame[k]
	if len(have) >= maxCommentsPerFrame {
		return
	}
	for _, h := range have {
		if h == note {
			return
		}
	}
	n.byFrame[k] = append(have, note)
}

// comments returns the notes of one packet, nil for most (the notes of a
// nil sliceNotes are none).
func (n *sliceNotes) comments(source int, frame uint64) []string {
	if n == nil {
		return nil
	}
	return n.byFrame[noteKey{source, frame}]
}
