package main

import (
	"fmt"

	"github.com/ftpscope/ftpscope/capture"
)

// openSources opens the -r files or the -i interfaces.
func openSources(o *options) ([]capture.Source, error) {
	if len(o.ifaces) > 0 {
		return openLive(o)
	}
	return openFiles(o.reads)
}

// openFiles opens every -r source; an unreadable one stops the run.
func openFiles(args []sourceArg) ([]capture.Source, error) {
	var out []capture.Source
	for i, a := range args {
		f, err := capture.OpenFile(a.label, a.name, i)
		if err != nil {
			for _, s := range out {
				s.Close()
			}
			return nil, fmt.Errorf("%s: %v", a.name, err)
		}
		out = append(out, f)
	}
	return out, nil
}
