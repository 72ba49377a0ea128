//go:build !linux

package ctwatch

import "context"

// Watcher reads conntrack events; conntrack exists only on Linux.
type Watcher struct{}

// Open fails with an error matching ErrUnavailable: conntrack exists only
// on Linux.
func Open(WatchOptions) (*Watcher, error) {
	return nil, &UnavailableError{Reason: "conntrack exists only on Linux"}
}

// Run returns ErrUnavailable.
func (*Watcher) Run(context.Context, func(Event)) error { return ErrUnavailable }
