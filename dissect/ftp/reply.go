package ftp

import "strings"

// MaxReplyLines bounds the text kept of one multi-line reply; further lines
// are counted, not kept.
const MaxReplyLines = 64

// Reply is one complete server reply (RFC 959 §4.2): a single line, or a
// multi-line reply from "xyz-" to the line that starts "xyz ".
type Reply struct {
	// Code is the three-digit reply code; 0 for a malformed line.
	Code int
	// Text is the text of the first line, after the code and separator.
	Text string
	// Lines counts the lines of the reply; More holds the text of the lines
	// after the first (at most MaxReplyLines of them).
	Lines int
	More  []string
	// Malformed marks a server line that is not a reply: no code where one
	// must be. Text then holds the whole line.
	Malformed bool
	// Truncated marks a reply with a line cut at MaxLineLength.
	Truncated bool
}

// Last returns the text of the reply's last line kept.
func (r *Reply) Last() string {
	if len(r.More) > 0 {
		return r.More[len(r.More)-1]
	}
	return r.Text
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
		code, sep, text, ok := ParseReplyLine(l.Text)
		last := ok && code == r.cur.Code && sep == ' '
		if len(r.cur.More) < MaxReplyLines {
			if last {
				r.cur.More = append(r.cur.More, r.Intern.String(text))
			} else {
				r.cur.More = append(r.cur.More, r.Intern.String(l.Text))
			}
		}
		if last {
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
	rep = Reply{Code: code, Text: r.Intern.String(text), Lines: 1, Truncated: l.Truncated}
	if sep == '-' {
		r.cur = rep
		r.multi = true
		return Reply{}, false
	}
	return rep, true
}

// fillText gives a multi-line reply whose first line is bare ("230-") the
// text of its first line that says something.
func (r *Reply) fillText() {
	if strings.TrimSpace(r.Text) != "" {
		return
	}
	for _, l := range r.More {
		if code, _, text, ok := ParseReplyLine([]byte(l)); ok && code == r.Code {
			l = string(text)
		}
		if l = strings.TrimSpace(l); l != "" {
			r.Text = l
			return
		}
	}
}

// Flush returns a multi-line reply left open when the stream ended.
func (r *ReplyReader) Flush() (rep Reply, ok bool) {
	if !r.multi {
		return Reply{}, false
	}
	r.multi = false
	rep, r.cur = r.cur, Reply{}
	rep.Truncated = true
	return rep, true
}

// Reset forgets an open multi-line reply (after a gap in the stream).
func (r *ReplyReader) Reset() {
	r.multi = false
	r.cur = Reply{}
}
