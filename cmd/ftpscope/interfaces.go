package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ftpscope/ftpscope/capture"
)

// listInterfaces prints what -i can capture on (-D), numbered as tcpdump
// numbers them: each interface, its state and its addresses.
func listInterfaces(w io.Writer) error {
	ifs, err := capture.Interfaces()
	if err != nil {
		return err
	}
	for i, in := range ifs {
		var state []string
		for _, f := range []struct {
			on   bool
			name string
		}{{in.Up, "up"}, {in.Running, "running"}, {in.Loopback, "loopback"}} {
			if f.on {
				state = append(state, f.name)
			}
		}
		line := fmt.Sprintf("%d.%s", i+1, in.Name)
		if in.Description != "" {
			line += " (" + in.Description + ")"
		}
		if len(state) > 0 {
			line += " [" + strings.Join(state, ", ") + "]"
		}
		for _, a := range in.Addresses {
			line += " " + a.String()
		}
		fmt.Fprintln(w, line)
	}
	return nil
}
