package textfmt

import "strings"

// CSVSafe keeps a field from being read as a formula by a spreadsheet (a
// user name or file name from the wire that starts with "=") and writes
// controls visibly.
func CSVSafe(s string) string {
	s = Printable(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
