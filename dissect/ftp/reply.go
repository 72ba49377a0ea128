package ftp

import "strings"

// MaxReplyLines and MaxReplyBytes bound the text kept of one multi-line
// reply: its first lines up to either bound; further lines are counted,
// not kept.
const (
	MaxReplyLines = 64
	MaxReplyBytes = 8192
)

// Reply is one complete server reply (RFC 959 §4.2): a single line, or a
// multi-line reply from "xyz-" to the line that starts "xyz ".
type Reply struct {
	// Code is the three-digit reply code; 0 for a malformed line.
	Code int
	// Text is the text of the first line, after the code and separator;
	// for a multi-line reply whose first line says nothing ("230-"), the
	// first line that does.
	Text string
	// Lines counts the lines of the reply. TextLines holds, for a
	// multi-line reply, its first lines as sent (codes included, without
	// CR LF), within MaxReplyLines and MaxReplyBytes; nil for one line.
	Lines     int
	TextLines []string
	// Malformed marks a server line that is not a reply: no code where one
	// must be. Text then holds the whole line.
	Malformed bool
	// Truncated marks a reply with a line cut at MaxLineLength.
	Truncated bool
}

// LinesDropped counts the lines of a multi-line reply not kept in
// TextLines.
func (r *Reply) LinesDropped() int {
	if r.TextLines == nil {
		return 0
	}
	return r.Lines - len(r.TextLines)
}

// Class returns the first digit of the code: 1 preliminary, 2 completion,
// 3 intermediate, 4 transient negative, 5 permanent negative.
func (r *Reply) Class() int { return r.Code / 100 }

// ParseReplyLine reads the code of a reply line: three digits, the first 1–6
// (6yz are RFC 2228's protected replies),
// then a space, a hyphen (first line of a multi-line reply) or the end of the
// line. ok is false for anything else.
func ParseReplyLine(line []byte) (code int, sep byte, text []byte, ok bool) {
	if len(line) < 3 {
		return 0, 0, nil, false
	}
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return 0, 0, nil, false
		}
	}
	if line[0] < '1' || line[0] > '6' {
		return 0, 0, nil, false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, ' ', nil, true
	}
	switch line[3] {
	case ' ', '-':
		return code, line[3], line[4:], true
	}
	return 0, 0, nil, false
}

// ReplyReader groups server lines into replies.
type ReplyReader struct {
	cur   Reply
	multi bool
	kept  int  // bytes of cur.TextLines
	full  bool // a line of cur was not kept: neither are the later ones
	// Intern, if set, shares reply texts across sessions.
	Intern *Interner
}

// InMultiLine reports whether a multi-line reply is open.
func (r *ReplyReader) InMultiLine() bool { return r.multi }

// Line consumes one server line and returns a reply when the line completes
// one (done), and whether the line carried a reply code at all.
func (r *ReplyReader) Line(l Line) (rep Reply, done bool) {
	if r.multi {
		r.cur.Lines++
		r.cur.Truncated = r.cur.Truncated || l.Truncated
		code, sep, _, ok := ParseReplyLine(l.Text)
		r.keep(l.Text)
		if ok && code == r.cur.Code && sep == ' ' {
			r.multi = false
			rep, r.cur = r.cur, Reply{}
			rep.fillText()
			return rep, true
		}
		return Reply{}, false
	}
	code, sep, text, ok := ParseReplyLine(l.Text)
	if !ok {
		return Reply{Text: string(l.Text), Lines: 1, Malformed: true, Truncated: l.Truncated}, true
	}
	if sep == '-' {
		// The first line is kept whole and the text shares its bytes.
		first := r.Intern.String(l.Text)
		r.cur = Reply{Code: code, Text: first[4:], Lines: 1, TextLines: make([]string, 1, 4), Truncated: l.Truncated}
		r.cur.TextLines[0] = first
		r.multi, r.kept, r.full = true, len(first), false
		return Reply{}, false
	}
	return Reply{Code: code, Text: r.Intern.String(text), Lines: 1, Truncated: l.Truncated}, true
}

// keep adds a line to the open multi-line reply's text, within bounds.
func (r *ReplyReader) keep(line []byte) {
	if r.full || len(r.cur.TextLines) >= MaxReplyLines || r.kept+len(line) > MaxReplyBytes {
		r.full = true
		return
	}
	r.cur.TextLines = append(r.cur.TextLines, r.Intern.String(line))
	r.kept += len(line)
}

// fillText gives a multi-line reply whose first line is bare ("230-") the
// text of its first line that says something.
func (r *Reply) fillText() {
	if strings.TrimSpace(r.Text) != "" {
		return
	}
	for _, l := range r.TextLines[1:] {
		if t := strings.TrimSpace(lineText(l, r.Code)); t != "" {
			r.Text = t
			return
		}
	}
}

// lineText is a line of a multi-line reply without its code, if it starts
// with the reply's code.
func lineText(l string, code int) string {
	if len(l) >= 4 && (l[3] == ' ' || l[3] == '-') && l[0] == byte('0'+code/100) && l[1] == byte('0'+code/10%10) && l[2] == byte('0'+code%10) {
		return l[4:]
	}
	if len(l) == 3 && l[0] == byte('0'+code/100) && l[1] == byte('0'+code/10%10) && l[2] == byte('0'+code%10) {
		return ""
	}
	return l
}

// Flush returns a multi-line reply left open when the stream ended.
func (r *ReplyReader) Flush() (rep Reply, ok bool) {
	if !r.multi {
		return Reply{}, false
	}
	r.multi = false
	rep, r.cur = r.cur, Reply{}
	rep.Truncated = true
	rep.fillText()
	return rep, true
}

// Reset forgets an open multi-line reply (after a gap in the stream).
func (r *ReplyReader) Reset() {
	r.multi = false
	r.cur = Reply{}
}
