package dialog

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/ftpscope/ftpscope/model"
)

// RawText returns the bytes as sent of a dialog entry's texts that are not
// valid UTF-8 — a command's argument, a reply's text and lines — or nil
// when all are valid, as nearly all are: checking costs no allocation.
func RawText(arg, text string, lines []string) *model.RawText {
	linesValid := true
	for _, l := range lines {
		if !utf8.ValidString(l) {
			linesValid = false
			break
		}
	}
	argValid, textValid := utf8.ValidString(arg), utf8.ValidString(text)
	if argValid && textValid && linesValid {
		return nil
	}
	r := &model.RawText{}
	if !argValid {
		r.ArgRaw = base64.StdEncoding.EncodeToString([]byte(arg))
	}
	if !textValid {
		r.TextRaw = base64.StdEncoding.EncodeToString([]byte(text))
	}
	if !linesValid {
		r.TextLinesRaw = make([]string, len(lines))
		for i, l := range lines {
			r.TextLinesRaw[i] = base64.StdEncoding.EncodeToString([]byte(l))
		}
	}
	return r
}
