package model

import (
	"strconv"
	"strings"
)

// Where names what a finding is about: its channel, else its session, else
// the capture as a whole.
func (f *Finding) Where() string {
	switch {
	case f.Channel != "":
		return f.Channel
	case f.Session != "":
		return f.Session
	}
	return "capture"
}

// LikeIt lists where else a grouped finding was made, for "+5 more like
// it: …": repeats of one place are counted ("s5 ×2") rather than listed
// twice, and the list stops after limit places.
func LikeIt(others []string, limit int) string {
	var b strings.Builder
	shown := 0
	for i := 0; i < len(others); {
		j := i + 1
		for j < len(others) && others[j] == others[i] {
			j++
		}
		if shown == limit {
			b.WriteString(", …")
			break
		}
		if shown > 0 {
			b.WriteString(", ")
		}
		b.WriteString(others[i])
		if n := j - i; n > 1 {
			b.WriteString(" ×")
			b.WriteString(strconv.Itoa(n))
		}
		shown++
		i = j
	}
	return b.String()
}
