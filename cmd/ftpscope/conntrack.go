package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

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
	// The first dump needs the privileges the caller drops next: wait
	// for it (a later dump, after lost events, may then fail).
	synced := make(chan struct{})
	var once sync.Once
	ran := make(chan error, 1)
	go func() {
		err := w.Run(ctx, func(ev ctwatch.Event) {
			tr.Apply(ev)
			if ev.Kind == ctwatch.SyncDone {
				once.Do(func() { close(synced) })
			}
		})
		select {
		case <-synced:
			if err != nil && !tui {
				fmt.Fprintf(stderr, "ftpscope: conntrack: %v: no more conntrack from here on\n", err)
			}
		default:
			ran <- err // before the first dump: the caller says it
		}
	}()
	select {
	case <-synced:
	case err := <-ran:
		if err != nil {
			fmt.Fprintf(stderr, "ftpscope: conntrack: %v: analysing without it\n", err)
		}
		return nil
	case <-time.After(syncWait):
		fmt.Fprintf(stderr, "ftpscope: conntrack: the first dump took over %v: analysing without it\n", syncWait)
		return nil
	}
	return tr
}

// syncWait bounds the wait for conntrack's first dump at start.
const syncWait = 5 * time.Second
