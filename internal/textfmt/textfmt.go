// Package textfmt formats numbers the way every text ftpscope shows does:
// reports, the terminal UI, findings and error messages.
package textfmt

import "strconv"

// Thousands writes n with comma separators: 1,022 and -12,345.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := s
	if n < 0 {
		digits = s[1:]
	}
	if len(digits) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(digits)/3)
	if n < 0 {
		out = append(out, '-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, digits[i])
	}
	return string(out)
}
