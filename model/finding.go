package model

import (
	"strconv"
	"strings"
)

// Key identifies a finding among those of a run, for the streaming
// outputs that write the findings of the end only if not written with
// their session: its rule, session, channel and summary.
func (f *Finding) Key() string {
	return f.Rule + "\x00" + f.Session + "\x00" + f.Channel + "\x00" + f.Summary
}

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
