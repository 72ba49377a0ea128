package textfmt

import "testing"

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"anonymous":         "anonymous",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"-1+2":              "'-1+2",
		"@SUM(A1)":          "'@SUM(A1)",
		"a\x1bb":            `a\x1bb`,
	} {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
