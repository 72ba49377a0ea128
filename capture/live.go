package capture

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Defaults of a live capture (see ../shared/research/capture.md).
const (
	// DefaultSnapLen keeps whole packets, as tcpdump does.
	DefaultSnapLen = 262144
	// DefaultBufferSize is libpcap's kernel buffer: its default 2 MiB
	// drops bursts even on a quiet machine, and 32 MiB dropped 0.34 % of a
	// 145k packets/s load in bench/live where 64 MiB dropped none.
	DefaultBufferSize = 64 << 20
	// DefaultRingSize is the TPACKET_V3 ring of the pure-Go capture.
	DefaultRingSize = 64 << 20
	// DefaultReadTimeout is how long Next waits for a packet before it
	// returns ErrTimeout, and the longest a packet waits in a partly
	// filled TPACKET_V3 block before the kernel hands it over.
	DefaultReadTimeout = 200 * time.Millisecond
)

// statsEvery is how often Next reads the kernel's counters while packets
// flow (and on every read timeout once that much time has passed).
const statsEvery = time.Second

// publishEvery is how often, in packet time, Next publishes its own
// counters for other goroutines (KernelStats): often enough for a live
// view, rarely enough to cost nothing per packet.
const publishEvery = 100 * time.Millisecond

// LiveConfig describes a live capture.
type LiveConfig struct {
	// Label names the vantage point; the interface name when empty.
	Label string
	// Interface is the interface to capture on; "any" for all of them.
	Interface string
	// Filter is a tcpdump-syntax expression compiled by libpcap into the
	// kernel; "" for none. A build without libpcap refuses expressions.
	Filter string
	// Index is the source's index among those read (Packet.Source).
	Index int
	// SnapLen, BufferSize and ReadTimeout default to DefaultSnapLen,
	// DefaultBufferSize (DefaultRingSize without libpcap) and
	// DefaultReadTimeout.
	SnapLen     int
	BufferSize  int
	ReadTimeout time.Duration
	// Promiscuous puts the interface in promiscuous mode, as tcpdump does
	// unless -p: a mirror (SPAN) port delivers frames addressed to other
	// hosts, which the interface drops otherwise. "any" cannot be made
	// promiscuous (libpcap refuses it there too): it is left as it is.
	Promiscuous bool
}

func (c *LiveConfig) defaults(buffer int) {
	if c.Label == "" {
		c.Label = c.Interface
	}
	if c.SnapLen <= 0 {
		c.SnapLen = DefaultSnapLen
	}
	if c.BufferSize <= 0 {
		c.BufferSize = buffer
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
}

// KernelStats are a live capture's counters: the kernel's, and what
// ftpscope read.
type KernelStats struct {
	// Captured and CapturedBytes count the packets Next returned and their
	// captured bytes (Info().Packets and Info().Bytes).
	Captured, CapturedBytes uint64
	// Received counts the packets that passed the capture filter, those
	// dropped included (libpcap's ps_recv, tcpdump's "received by filter").
	Received uint64
	// Dropped counts the packets the kernel dropped because the capture
	// buffer was full (ps_drop, tcpdump's "dropped by kernel").
	Dropped uint64
	// IfDropped counts the packets the interface dropped, where known.
	IfDropped uint64
}

// LiveSource is a live capture. Besides Source it reports the kernel's
// counters.
//
// The counters are read from the kernel by the goroutine that calls Next,
// about once a second while packets flow and on read timeouts, and by
// UpdateStats and Close; Info().Received and Info().Dropped hold the same
// values. Info() belongs to the reading goroutine; any other goroutine (the
// terminal UI's header, for one) calls KernelStats, which is safe for
// concurrent use: the kernel's counters at most about a second old, the
// packets read at most 100 ms old.
type LiveSource interface {
	Source
	// KernelStats returns the counters as last read.
	KernelStats() KernelStats
	// UpdateStats reads the counters from the kernel now. Call it from the
	// goroutine that calls Next, or when no Next is running.
	UpdateStats() error
	// DropSpans returns when the kernel dropped packets, oldest first (the
	// latest spans only, bounded). Safe for concurrent use.
	DropSpans() []DropSpan
}

// KernelStatsOf returns the kernel's counters of a live source; ok is false
// for a file.
func KernelStatsOf(s Source) (st KernelStats, ok bool) {
	if l, isLive := s.(LiveSource); isLive {
		return l.KernelStats(), true
	}
	return KernelStats{}, false
}

// PermissionError is returned when the process may not capture: it lacks
// root or the CAP_NET_RAW capability.
type PermissionError struct {
	Interface string
	Err       error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("capturing on %s needs root or the CAP_NET_RAW capability (%v)", e.Interface, e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// isPermission tells whether err says the capture was not allowed.
func isPermission(err error) bool {
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "permission denied") || strings.Contains(msg, "operation not permitted") ||
		strings.Contains(msg, "don't have permission")
}

// FilterError is a capture filter expression libpcap refused.
type FilterError struct {
	Expr string
	Err  error
}

func (e *FilterError) Error() string {
	msg := e.Err.Error()
	// gopacket wraps libpcap's message in its own words; keep libpcap's.
	msg = strings.TrimPrefix(msg, "pcap_compile: ")
	return fmt.Sprintf("capture filter %q: %s", e.Expr, msg)
}

func (e *FilterError) Unwrap() error { return e.Err }

// liveHandle is what a capture library gives a Live source.
type liveHandle interface {
	// read returns the next packet (valid until the next read), ErrTimeout
	// when none came within the read timeout, io.EOF once closed.
	read() ([]byte, gopacket.CaptureInfo, error)
	// stats returns the kernel's counters, cumulative since the start.
	stats() (KernelStats, error)
	close()
}

// Live is a live capture on one interface (all of them for "any"). It is
// built on libpcap, or on AF_PACKET in a build without libpcap.
type Live struct {
	info     Info
	linkType layers.LinkType
	index    int

	// mu is held by Next while it reads, and by UpdateStats and Close: the
	// capture handle is not safe for concurrent use.
	mu        sync.Mutex
	h         liveHandle
	closed    atomic.Bool
	frame     uint64
	lastStats time.Time
	publishAt int64 // packet time (ns) when the counters are published next

	received, dropped, ifDropped atomic.Uint64
	captured, capturedBytes      atomic.Uint64
	closeOnce                    sync.Once

	spanMu    sync.Mutex
	spans     []DropSpan // oldest first, at most maxDropSpans
	prevStats time.Time  // when the counters were read before
}

// maxDropSpans bounds the drop history of a live source: an hour of drops
// in every one-second reading.
const maxDropSpans = 3600

// DropSpan says that the kernel dropped Count packets between From and To
// (two readings of its counters, about a second apart while packets flow).
// A session whose packets fall within a span may have lost some of them.
type DropSpan struct {
	From, To time.Time
	Count    uint64
}

var _ LiveSource = (*Live)(nil)

func newLive(cfg LiveConfig, h liveHandle, lt layers.LinkType) *Live {
	l := &Live{
		info: Info{
			Label:      cfg.Label,
			Kind:       "live",
			Name:       cfg.Interface,
			LinkTypes:  []layers.LinkType{lt},
			Interfaces: map[int]string{0: cfg.Interface},
		},
		linkType:  lt,
		index:     cfg.Index,
		h:         h,
		lastStats: time.Now(),
	}
	l.prevStats = l.lastStats
	return l
}

// Next implements Source. It returns ErrTimeout when no packet came within
// the read timeout, and io.EOF once the source is closed.
func (l *Live) Next() (Packet, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return Packet{}, io.EOF
	}
	data, ci, err := l.h.read()
	if err != nil {
		if err == ErrTimeout {
			l.publish()
			if time.Since(l.lastStats) >= statsEvery {
				l.updateStatsLocked()
			}
		}
		return Packet{}, err
	}
	// A live source has one interface, index 0 of Info.Interfaces; "any"
	// names the real one per packet in its Linux cooked v2 header.
	ci.InterfaceIndex = 0
	l.frame++
	l.info.count(&ci, l.linkType)
	// The packet's timestamp is the kernel's clock: it schedules the
	// counters without a clock reading per packet, at any packet rate (a
	// clock stepped back starts the schedule again).
	if ns := ci.Timestamp.UnixNano(); ns >= l.publishAt || ns < l.publishAt-2*int64(publishEvery) {
		l.publishAt = ns + int64(publishEvery)
		l.publish()
		if time.Since(l.lastStats) >= statsEvery {
			l.updateStatsLocked()
		}
	}
	return Packet{Data: data, Info: ci, LinkType: l.linkType, Source: l.index, Frame: l.frame}, nil
}

// publish makes the packets read so far visible to KernelStats.
func (l *Live) publish() {
	l.captured.Store(l.info.Packets)
	l.capturedBytes.Store(l.info.Bytes)
}

// UpdateStats implements LiveSource.
func (l *Live) UpdateStats() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return nil // Close read them last
	}
	l.publish()
	return l.updateStatsLocked()
}

func (l *Live) updateStatsLocked() error {
	now := time.Now()
	l.lastStats = now
	st, err := l.h.stats()
	if err != nil {
		return err
	}
	if st.Dropped > l.info.Dropped {
		from := l.prevStats
		l.spanMu.Lock()
		if len(l.spans) == maxDropSpans {
			l.spans = append(l.spans[:0], l.spans[1:]...)
		}
		l.spans = append(l.spans, DropSpan{From: from, To: now, Count: st.Dropped - l.info.Dropped})
		l.spanMu.Unlock()
	}
	l.prevStats = now
	l.info.Received, l.info.Dropped = st.Received, st.Dropped
	l.received.Store(st.Received)
	l.dropped.Store(st.Dropped)
	l.ifDropped.Store(st.IfDropped)
	return nil
}

// KernelStats implements LiveSource.
func (l *Live) KernelStats() KernelStats {
	return KernelStats{Captured: l.captured.Load(), CapturedBytes: l.capturedBytes.Load(),
		Received: l.received.Load(), Dropped: l.dropped.Load(), IfDropped: l.ifDropped.Load()}
}

// DropSpans implements LiveSource.
func (l *Live) DropSpans() []DropSpan {
	l.spanMu.Lock()
	defer l.spanMu.Unlock()
	return append([]DropSpan(nil), l.spans...)
}

// Info implements Source.
func (l *Live) Info() *Info { return &l.info }

// Close implements Source: a Next blocked in another goroutine returns
// within the read timeout. The kernel's counters are read one last time.
// Closing twice is harmless.
func (l *Live) Close() error {
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.publish()
		l.updateStatsLocked()
		l.h.close()
	})
	return nil
}

// counter32 accumulates a 32-bit counter that wraps (libpcap's u_int).
type counter32 struct {
	last  uint32
	total uint64
}

func (c *counter32) update(v uint32) uint64 {
	c.total += uint64(v - c.last)
	c.last = v
	return c.total
}
