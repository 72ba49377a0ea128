package capture

import (
	"fmt"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// FrameRing keeps the latest packets added to it — a live capture's FTP
// control packets, which cannot be read back from a file — to show them by
// source and frame number. It holds at most maxFrames packets and
// maxBytes of their bytes, in memory allocated once: the oldest are
// overwritten. Add allocates nothing. Safe for concurrent use (Add on the
// analysis goroutine, Frame on the UI's).
type FrameRing struct {
	mu      sync.Mutex
	arena   []byte
	written int64 // bytes ever taken in the arena, wrap gaps included
	entries []ringEntry
	next    int
}

type ringEntry struct {
	used     bool
	source   int
	frame    uint64
	info     gopacket.CaptureInfo
	linkType layers.LinkType
	iface    string
	start    int64 // in written bytes
	n        int
}

// NewFrameRing returns a ring of maxFrames packets and maxBytes bytes.
func NewFrameRing(maxFrames, maxBytes int) *FrameRing {
	return &FrameRing{arena: make([]byte, maxBytes), entries: make([]ringEntry, maxFrames)}
}

// Add keeps a copy of p (it suits dissect.Config.ControlTap). A packet
// larger than a quarter of the ring's bytes is not kept (the ring would
// hold little else).
func (r *FrameRing) Add(p Packet) {
	n := len(p.Data)
	if n > len(r.arena)/4 {
		return
	}
	r.mu.Lock()
	at := int(r.written % int64(len(r.arena)))
	if at+n > len(r.arena) { // no room before the end: start over at 0
		r.written += int64(len(r.arena) - at)
		at = 0
	}
	copy(r.arena[at:], p.Data)
	info := p.Info
	info.AncillaryData = nil
	r.entries[r.next] = ringEntry{used: true, source: p.Source, frame: p.Frame, info: info, linkType: p.LinkType,
		iface: p.Interface, start: r.written, n: n}
	r.written += int64(n)
	r.next = (r.next + 1) % len(r.entries)
	r.mu.Unlock()
}

// Frame returns a copy of frame n of source, if the ring still holds it.
func (r *FrameRing) Frame(source int, n uint64) (Packet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.entries {
		e := &r.entries[i]
		if !e.used || e.source != source || e.frame != n {
			continue
		}
		if e.start < r.written-int64(len(r.arena)) {
			break // its bytes were overwritten since
		}
		at := int(e.start % int64(len(r.arena)))
		data := append([]byte(nil), r.arena[at:at+e.n]...)
		return Packet{Data: data, Info: e.info, LinkType: e.linkType, Source: e.source, Frame: e.frame, Interface: e.iface}, nil
	}
	return Packet{}, fmt.Errorf("frame %d is no longer in memory: live, the latest %d control packets are kept", n, len(r.entries))
}
