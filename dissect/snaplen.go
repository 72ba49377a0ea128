package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/model"
)

// A capture taken with a short snapshot length (tcpdump -s 80) keeps only
// the start of longer packets. On a control connection the line such a
// packet ends in is cut: it is shown as cut, takes its place in the reply
// pairing, and nothing else is concluded from it — no announcement, no
// transfer, no user — since its argument, perhaps its verb, is incomplete.
// The bytes that follow the cut may finish the cut line; they are skipped
// up to the next line end unless they plainly start a line of their own.

// cut takes n bytes of dir that the snapshot length cut off, at the
// delivery point, from the packet captured at frame.
func (s *session) cut(dir int, n int, frame uint64, ts time.Time) {
	if s.snaplen == nil {
		s.snaplen = &model.SnaplenCut{FirstFrame: frame, FirstTS: model.At(ts)}
		s.note("control packets cut by the snapshot length from frame " + itoa64(int64(frame)) + ": the dialog is incomplete from there")
	}
	s.snaplen.Packets++
	s.snaplen.Bytes += int64(n)
	if s.opaque[dir] {
		// the TLS record walk lost its place as after a gap
		s.tlsSkip[dir].Lose(n)
		return
	}
	if s.resync[dir] && s.split[dir].Pending() == 0 {
		return // still inside the line the previous cut ended in
	}
	at := lineAt{ts: ts, frame: frame, cut: true}
	emitted := false
	s.split[dir].Flush(func(l ftp.Line) bool {
		s.cutLine(dir, l, at)
		emitted = true
		return true
	})
	if !emitted {
		// the cut bytes start a line: all of it is lost
		s.cutLine(dir, ftp.Line{End: -1}, at)
	}
	s.split[dir].Reset()
	s.resync[dir] = true
	s.dirty = true
}

// cutLine hands on a line the snapshot length cut.
func (s *session) cutLine(dir int, l ftp.Line, at lineAt) {
	if at.frame > s.lastFrame {
		s.lastFrame = at.frame
	}
	if dir == fromInitiator {
		s.command(l, at)
		return
	}
	r, done := s.replies.Line(l)
	if !done {
		// a multi-line reply the cut ends
		r, done = s.replies.Flush()
	}
	if done {
		s.handleReply(r, at)
	}
}

// resyncAfterCut returns how many of the first bytes after a cut belong to
// the cut line: none when they start a line of their own, else those up to
// and including the next LF (all of them if none comes).
func (s *session) resyncAfterCut(dir int, data []byte) int {
	if startsLine(dir, data) {
		s.resync[dir] = false
		return 0
	}
	for i, c := range data {
		if c == '\n' {
			s.resync[dir] = false
			return i + 1
		}
	}
	return len(data)
}

// startsLine reports whether b plainly starts a control line: a verb of
// three or four letters and a space or the line end from the client, a
// reply code and its separator from the server.
func startsLine(dir int, b []byte) bool {
	if dir == fromResponder {
		_, _, _, ok := ftp.ParseReplyLine(b[:min(len(b), 4)])
		return ok && len(b) >= 4
	}
	i := 0
	for i < len(b) && i < 5 && (b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z') {
		i++
	}
	return (i == 3 || i == 4) && i < len(b) && (b[i] == ' ' || b[i] == '\r' || b[i] == '\n')
}

// cutVerb returns the verb of a cut command that its replies may still act
// on whatever its argument: AUTH (a 234 starts TLS) and the passive
// requests (the reply names the endpoint), when the verb itself is whole.
// Others, their argument lost, are paired with their replies and no more.
func cutVerb(cmd ftp.Command, text []byte) string {
	if len(text) <= len(cmd.Verb) {
		return "" // the cut may have shortened the verb itself
	}
	switch cmd.Verb {
	case "AUTH", "PASV", "EPSV", "LPSV":
		return cmd.Verb
	}
	return ""
}
