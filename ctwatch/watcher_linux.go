//go:build linux

package ctwatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
	"golang.org/x/sys/unix"
)

// eventGroups are the multicast groups the watcher joins: flows (new,
// update, destroy) and expectations (new, destroy).
var eventGroups = []netfilter.NetlinkGroup{
	netfilter.GroupCTNew, netfilter.GroupCTUpdate, netfilter.GroupCTDestroy,
	netfilter.GroupCTExpNew, netfilter.GroupCTExpDestroy,
}

// Watcher reads the conntrack events of one network namespace over
// netlink. It is used once: Open, then Run until its context ends.
type Watcher struct {
	events    *netfilter.Conn // joined to eventGroups
	query     *conntrack.Conn // dumps
	closeOnce sync.Once
	ran       bool
	now       func() time.Time
	// raw, when set, sees every event message as received (tests record
	// with it).
	raw func(time.Time, netlink.Message)
}

// Open subscribes to the conntrack events of the namespace (events that
// happen from now on are kept for Run) and checks that the table can be
// dumped. Its error matches ErrUnavailable when this host cannot give
// conntrack: no CAP_NET_ADMIN, no nfnetlink, no nf_conntrack_netlink.
func Open(opts WatchOptions) (*Watcher, error) {
	cfg := &netlink.Config{NetNS: opts.NetNS}
	events, err := netfilter.Dial(cfg)
	if err != nil {
		return nil, unavailable(err, "cannot open a netfilter netlink socket")
	}
	if err := events.JoinGroups(eventGroups); err != nil {
		events.Close()
		return nil, unavailable(err, "cannot subscribe to conntrack events")
	}
	size := opts.ReadBuffer
	if size <= 0 {
		size = defaultReadBuffer
	}
	// A smaller buffer than asked (net.core.rmem_max) still works: the
	// kernel then drops events sooner, and Lost says so.
	_ = events.SetReadBuffer(size)
	query, err := conntrack.Dial(cfg)
	if err != nil {
		events.Close()
		return nil, unavailable(err, "cannot open a conntrack netlink socket")
	}
	// A cheap query tells a missing nf_conntrack_netlink or privilege now
	// rather than in Run.
	if _, err := query.StatsGlobal(); err != nil {
		events.Close()
		query.Close()
		return nil, unavailable(err, "cannot query the conntrack table")
	}
	return &Watcher{events: events, query: query, now: time.Now}, nil
}

// unavailable names the likely cause of a netlink error for a person.
func unavailable(err error, doing string) error {
	reason := doing
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		reason += ": needs CAP_NET_ADMIN (run as root)"
	case errors.Is(err, unix.EPROTONOSUPPORT), errors.Is(err, unix.EAFNOSUPPORT):
		reason += ": the kernel has no netfilter netlink (nfnetlink)"
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP):
		reason += ": nf_conntrack_netlink is not loaded (modprobe nf_conntrack_netlink)"
	}
	return &UnavailableError{Reason: reason, Err: err}
}

// Run hands handle what exists (a dump between SyncStart and SyncDone),
// then every event, until ctx is done; it then closes the sockets and
// returns nil. When the kernel drops events (its buffer full) handle gets
// Lost and a new dump follows. A message that does not decode is passed
// as Malformed and skipped. Any other receive error ends Run with it.
func (w *Watcher) Run(ctx context.Context, handle func(Event)) error {
	if w.ran {
		return errors.New("conntrack: Watcher.Run called twice")
	}
	w.ran = true
	defer w.close()
	stop := context.AfterFunc(ctx, w.close) // unblocks Receive
	defer stop()

	if err := w.sync(handle); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	for {
		msgs, err := w.events.Receive()
		now := w.now()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, unix.ENOBUFS) {
				handle(Event{Kind: Lost, Time: now})
				if err := w.sync(handle); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				continue
			}
			return fmt.Errorf("conntrack: receiving events: %w", err)
		}
		for _, m := range msgs {
			if w.raw != nil {
				w.raw(now, m)
			}
			ev, err := decodeMessage(m, now)
			if err != nil {
				handle(Event{Kind: Malformed, Time: now, Err: err})
				continue
			}
			handle(ev)
		}
	}
}

// sync dumps the flows, then the expectations (so that their masters are
// known first).
func (w *Watcher) sync(handle func(Event)) error {
	now := w.now()
	handle(Event{Kind: SyncStart, Time: now})
	if err := w.dumpFlows(now, handle); err != nil {
		return err
	}
	exps, err := w.query.DumpExpect()
	if err != nil {
		return fmt.Errorf("conntrack: dumping the expectations: %w", err)
	}
	for i := range exps {
		handle(Event{Kind: ExpectDumped, Time: now, Expect: convertExpect(exps[i])})
	}
	handle(Event{Kind: SyncDone, Time: w.now()})
	return nil
}

// dumpFlows passes on the TCP flows of the table; the library returns the
// whole table at once, released when this returns.
func (w *Watcher) dumpFlows(now time.Time, handle func(Event)) error {
	flows, err := w.query.Dump(nil)
	if err != nil {
		return fmt.Errorf("conntrack: dumping the table: %w", err)
	}
	for i := range flows {
		if flows[i].TupleOrig.Proto.Protocol != protoTCP {
			continue // only TCP can be FTP
		}
		handle(Event{Kind: FlowDumped, Time: now, Flow: convertFlow(flows[i])})
	}
	return nil
}

func (w *Watcher) close() {
	w.closeOnce.Do(func() {
		w.events.Close()
		w.query.Close()
	})
}
