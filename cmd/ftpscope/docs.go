package main

import (
	"fmt"
	"io"
)

// writeDocs prints the manual page (--man) or a completion script
// (--completion SHELL), both generated from the usage table.
func writeDocs(o *options, stdout, stderr io.Writer) int {
	t, err := parseUsage(usage)
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	if o.man {
		err = writeMan(stdout, t, version)
	} else if err = writeCompletion(stdout, o.completion, t); err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
