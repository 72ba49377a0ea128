package textfmt

import "unicode/utf8"

// Clip shortens s to at most n runes, the last an ellipsis when cut: the
// summaries of findings and the columns of the text report. (The terminal
// UI clips to screen cells instead, measured as drawn: ui's clip.)
func Clip(s string, n int) string {
	if n < 1 {
		n = 1
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, k := 0, 0
	for i := range s {
		if k == n-1 {
			cut = i
			break
		}
		k++
	}
	return s[:cut] + "…"
}

// ClipBytes shortens s to at most limit bytes, at a rune boundary, marked
// " …" when cut (when the mark fits): for fields with a byte limit (a
// pcapng comment).
func ClipBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const more = " …"
	mark := more
	if limit < len(more) {
		mark = ""
	}
	cut := max(limit-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
