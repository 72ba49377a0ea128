package dissect

import (
	"fmt"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/ipfrag"
	"github.com/ftpscope/ftpscope/model"
)

// IP fragments: the decoder reassembles the fragments of TCP datagrams
// (dissect/decode, dissect/ipfrag) before TCP decoding; the analyzer counts
// what became of them, here.

// fragAccount is the analyzer's account of IP fragments.
type fragAccount struct {
	counts ipfrag.Counters
	// warnings by source, the first maxFragWarnings each, and how many
	// more were left out
	warnings [][]string
	more     []int
}

const maxFragWarnings = 8

// fragments counts what the reassembler did with a fragment, and
// analyses the TCP segment it completed, if it did.
func (a *Analyzer) fragments(p *capture.Packet, s *decode.Segment, r decode.Result) {
	a.frag.counts.Add(&s.Frag.Counts)
	switch {
	case s.Frag.NotTCP:
		a.stats.NonTCPPackets++
	case s.Frag.BadTCP:
		a.stats.DecodeErrors++
		if p.Source < len(a.decodeErrors) {
			a.decodeErrors[p.Source]++
		}
	}
	if s.Frag.Warning != "" {
		a.frag.warn(p.Source, fmt.Sprintf("frame %d: %s", p.Frame, s.Frag.Warning))
	}
	if r == decode.Reassembled {
		a.stats.TCPPackets++
		a.tcp(p)
	}
}

// warn keeps a warning about source i, the first maxFragWarnings.
func (fa *fragAccount) warn(i int, w string) {
	if i < 0 {
		return
	}
	for len(fa.warnings) <= i {
		fa.warnings = append(fa.warnings, nil)
		fa.more = append(fa.more, 0)
	}
	if len(fa.warnings[i]) < maxFragWarnings {
		fa.warnings[i] = append(fa.warnings[i], w)
	} else {
		fa.more[i]++
	}
}

// stats adds the fragment counters to st. Fragments still held at the end
// of the capture count as dropped, incomplete.
func (fa *fragAccount) stats(st *model.Stats) {
	c := &fa.counts
	st.IPFragments, st.IPReassembled = c.Fragments, c.Reassembled
	if c.Fragments == c.Used {
		return
	}
	st.IPFragmentsDropped = &model.FragmentDrops{
		Timeout:          c.Dropped[ipfrag.Timeout],
		Overlap:          c.Dropped[ipfrag.Overlap],
		TooLarge:         c.Dropped[ipfrag.TooLarge],
		Malformed:        c.Dropped[ipfrag.Malformed],
		Truncated:        c.Dropped[ipfrag.Truncated],
		Memory:           c.Dropped[ipfrag.Memory],
		PerSource:        c.Dropped[ipfrag.PerSource],
		TooManyFragments: c.Dropped[ipfrag.TooMany],
		Duplicate:        c.Dropped[ipfrag.Duplicate],
		Incomplete:       c.Held(),
	}
}

// sourceWarnings returns the fragment warnings of source i.
func (fa *fragAccount) sourceWarnings(i int) []string {
	if i < 0 || i >= len(fa.warnings) {
		return nil
	}
	w := append([]string(nil), fa.warnings[i]...)
	if n := fa.more[i]; n > 0 {
		w = append(w, fmt.Sprintf("%d more datagrams of IP fragments discarded", n))
	}
	return w
}
