// Package ctwatch reads the kernel's own view of FTP through NAT: the
// conntrack entries of FTP control connections (is a helper attached, which
// one, how the connection is translated) and the expectations the FTP helper
// creates for every PORT, EPRT, 227 or 229 it sees (their tuple, where
// nf_nat_ftp sends the data connection, and whether a data connection used
// them, they timed out, or they were deleted).
//
// It has two halves:
//
//   - a Watcher (Linux only) that subscribes to the conntrack and
//     expectation events of its network namespace over netlink
//     (github.com/ti-mo/conntrack), after a dump of what already exists, and
//     hands each one to a callback as an Event;
//   - a Tracker, pure and safe for concurrent use, that turns those events
//     into bounded state queried by 5-tuple: Control for the entry of a
//     control connection, Expectations for the expectations its helper
//     created.
//
// A typical use:
//
//	w, err := ctwatch.Open(ctwatch.WatchOptions{})
//	if err != nil {
//		// errors.Is(err, ctwatch.ErrUnavailable): say so in one line, go on without
//	}
//	tr := ctwatch.NewTracker(ctwatch.TrackerOptions{})
//	go w.Run(ctx, tr.Apply)
//	...
//	if e := tr.Control(tuple); e != nil { m := e.Model() ... }
//
// Times are the wall-clock times at which the events were received: the
// kernel stamps neither expectations nor (by default) flows.
package ctwatch
