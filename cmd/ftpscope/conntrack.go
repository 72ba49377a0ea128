package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ftpscope/ftpscope/ctwatch"
)

// openConntrack subscribes, for a live capture, to this host's conntrack
// events (unless --no-conntrack), before privileges are dropped: the
// sessions then show their control connection's entry and the helper's
// expectations. When conntrack cannot be read, one line says why and the
// analysis goes on without it. The watcher stops with ctx.
func openConntrack(ctx context.Context, o *options, ports []uint16, stderr io.Writer) *ctwatch.Tracker {
	if o.noConntrack || len(o.ifaces) == 0 {
		return nil
	}
	w, err := ctwatch.Open(ctwatch.WatchOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "ftpscope: %v: analysing without it (--no-conntrack: not trying)\n", err)
		return nil
	}
	tr := ctwatch.NewTracker(ctwatch.TrackerOptions{ControlPorts: ports})
	tui := o.output == "tui"
	go func() {
		if err := w.Run(ctx, tr.Apply); err != nil && !tui {
			fmt.Fprintf(stderr, "ftpscope: conntrack: %v: no more conntrack from here on\n", err)
		}
	}()
	return tr
}
