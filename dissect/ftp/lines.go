package ftp

import "bytes"

// MaxLineLength bounds a control line. RFC 959 sets no limit; servers use
// 512 bytes to 4 KiB. Longer lines are cut here and flagged.
const MaxLineLength = 8192

// Telnet codes (RFC 854) that can appear on an FTP control connection.
const (
	telnetIAC  = 255
	telnetDONT = 254
	telnetWILL = 251
	telnetSB   = 250
	telnetSE   = 240
)

// maxSubnegotiation bounds a Telnet subnegotiation so that a stray IAC SB in
// binary junk cannot swallow the rest of the stream.
const maxSubnegotiation = 64

// Line is one control line as delivered by a Splitter.
type Line struct {
	// Text is the line without its CR LF and without Telnet sequences. It
	// aliases the Splitter's buffer or the chunk passed to Write: copy it
	// to keep it.
	Text []byte
	// Truncated reports that the line was longer than MaxLineLength; Length
	// then gives its full length.
	Truncated bool
	Length    int
	// End is the offset in the chunk passed to Write of the byte after the
	// line's LF, or -1 when the line ended at Flush.
	End int
	// BareLF reports a line ended by LF without CR.
	BareLF bool
}

// Splitter cuts a byte stream into lines, whatever the segmentation. It is
// push-based: Write may be called with any chunk, and calls emit for every
// line the chunk completes.
type Splitter struct {
	buf     []byte
	length  int // full length of the current line, kept bytes or not
	iac     int // Telnet parser state
	sbBytes int
}

const (
	iacNone = iota
	iacSeen
	iacOption
	iacSub
	iacSubIAC
)

// Write feeds p and calls emit for each complete line, in order. When emit
// returns false, Write stops after that line and returns how many bytes of
// p it consumed (the rest is, say, TLS after AUTH TLS); otherwise it
// returns len(p).
func (s *Splitter) Write(p []byte, emit func(Line) bool) int {
	for i := 0; i < len(p); i++ {
		if s.length == 0 && s.iac == iacNone {
			// Fast path: a whole line in p without Telnet sequences — nearly
			// every line — is found with IndexByte and emitted where it
			// lies, not copied to the buffer.
			if n := wholeLine(p[i:]); n >= 0 {
				if !s.emitText(p[i:i+n], n, i+n+1, emit) {
					return i + n + 1
				}
				i += n
				continue
			}
		}
		c := p[i]
		if s.iac != iacNone || c == telnetIAC {
			if s.telnet(c) {
				s.keep(c)
			}
			continue
		}
		if c != '\n' {
			// Copy the run of plain bytes up to the next LF or IAC.
			j := i + 1
			for j < len(p) && p[j] != '\n' && p[j] != telnetIAC {
				j++
			}
			s.keepRun(p[i:j])
			i = j - 1
			continue
		}
		if !s.emit(i+1, emit) {
			return i + 1
		}
	}
	return len(p)
}

// wholeLine returns the length of the line p starts with, before its LF,
// when the line ends in p, fits MaxLineLength and has no IAC; else -1.
func wholeLine(p []byte) int {
	n := bytes.IndexByte(p, '\n')
	if n < 0 || n > MaxLineLength || bytes.IndexByte(p[:n], telnetIAC) >= 0 {
		return -1
	}
	return n
}

// Flush delivers an unterminated last line, if any (the stream ended).
func (s *Splitter) Flush(emit func(Line) bool) {
	if s.length > 0 {
		s.emit(-1, emit)
	}
	s.iac = iacNone
}

// UseBuffer starts the line buffer in buf's array (the caller's inline
// array, say), so that lines up to its capacity need no allocation; longer
// ones grow it as usual. Call it before the first Write.
func (s *Splitter) UseBuffer(buf []byte) { s.buf = buf[:0] }

// Pending reports how many bytes of an unterminated line are buffered.
func (s *Splitter) Pending() int { return s.length }

// Reset drops any partial line, after a gap in the stream.
func (s *Splitter) Reset() {
	s.buf = s.buf[:0]
	s.length = 0
	s.iac = iacNone
}

func (s *Splitter) keep(c byte) {
	if len(s.buf) < MaxLineLength {
		s.buf = append(s.buf, c)
	}
	s.length++
}

func (s *Splitter) keepRun(run []byte) {
	if room := MaxLineLength - len(s.buf); room > 0 {
		if len(run) <= room {
			s.buf = append(s.buf, run...)
		} else {
			s.buf = append(s.buf, run[:room]...)
		}
	}
	s.length += len(run)
}

func (s *Splitter) emit(end int, emit func(Line) bool) bool {
	text, full := s.buf, s.length
	s.buf = s.buf[:0]
	s.length = 0
	return s.emitText(text, full, end, emit)
}

// emitText emits the line whose kept bytes are text and full length full,
// its CR, if any, cut off; end is as Line.End.
func (s *Splitter) emitText(text []byte, full, end int, emit func(Line) bool) bool {
	bare := end >= 0
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
		bare = false
	}
	return emit(Line{Text: text, Truncated: full > MaxLineLength, Length: full, End: end, BareLF: bare})
}

// telnet advances the Telnet state machine over c and reports whether c is
// data to keep (IAC IAC stands for one 0xFF data byte).
func (s *Splitter) telnet(c byte) bool {
	switch s.iac {
	case iacNone: // c == IAC
		s.iac = iacSeen
	case iacSeen:
		switch {
		case c == telnetIAC:
			s.iac = iacNone
			return true
		case c >= telnetWILL && c <= telnetDONT:
			s.iac = iacOption
		case c == telnetSB:
			s.iac = iacSub
			s.sbBytes = 0
		default:
			s.iac = iacNone
		}
	case iacOption:
		s.iac = iacNone
	case iacSub:
		s.sbBytes++
		if c == telnetIAC {
			s.iac = iacSubIAC
		} else if s.sbBytes > maxSubnegotiation {
			s.iac = iacNone
		}
	case iacSubIAC:
		if c == telnetSE || s.sbBytes > maxSubnegotiation {
			s.iac = iacNone
		} else {
			s.iac = iacSub
		}
	}
	return false
}
