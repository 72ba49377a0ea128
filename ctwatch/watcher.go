package ctwatch

import "context"

// Source delivers conntrack events: what exists when it starts (between
// SyncStart and SyncDone), then every change, until ctx is done. handle
// is called from one goroutine, in the kernel's order; it must keep up
// (Tracker.Apply does), or the kernel drops events and Lost follows.
// Run returns nil when ctx ends it, an error when the events stop.
//
// *Watcher is the netlink implementation; a test or a replay can provide
// another.
type Source interface {
	Run(ctx context.Context, handle func(Event)) error
}

// WatchOptions configure Open.
type WatchOptions struct {
	// NetNS is a file descriptor of the network namespace to watch; 0
	// means the namespace of the calling thread.
	NetNS int
	// ReadBuffer is the socket's receive buffer in bytes (default 4 MiB):
	// a burst of connections on a busy gateway must not overflow it.
	ReadBuffer int
}

const defaultReadBuffer = 4 << 20
