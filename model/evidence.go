package model

import (
	"strconv"
	"strings"
)

// Describe renders the evidence for a reader: `frame 16 of client.pcap`,
// then each wire line quoted, then the other NAT leg's evidence, joined by
// sep. The text report and the terminal UI share it so that they say the
// same thing.
func (e *Evidence) Describe(sep string) string {
	var parts []string
	if len(e.Frames) > 0 {
		var b strings.Builder
		if len(e.Frames) == 1 {
			b.WriteString("frame ")
		} else {
			b.WriteString("frames ")
		}
		for i, f := range e.Frames {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatUint(f, 10))
		}
		if e.Source != "" {
			b.WriteString(" of ")
			b.WriteString(e.Source)
		}
		parts = append(parts, b.String())
	}
	for _, w := range e.Wire {
		parts = append(parts, strconv.Quote(w))
	}
	if e.Other != nil {
		if o := e.Other.Describe(sep); o != "" {
			parts = append(parts, "other leg: "+o)
		}
	}
	return strings.Join(parts, sep)
}
