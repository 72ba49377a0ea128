package ctwatch

import (
	"net/netip"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds. Dumped entries are those that existed when the watcher
// (re)synchronised; they come between SyncStart and SyncDone.
const (
	FlowNew EventKind = iota + 1
	FlowUpdate
	FlowDestroy
	FlowDumped
	ExpectNew
	ExpectDestroy
	ExpectDumped
	// SyncStart and SyncDone bracket a dump: at start, and again after
	// events were lost.
	SyncStart
	SyncDone
	// Lost says the kernel dropped events because the socket buffer was
	// full (ENOBUFS); a resynchronisation follows.
	Lost
	// Malformed carries a message that could not be decoded (Err); the
	// watcher goes on with the next one.
	Malformed
)

var kindNames = [...]string{
	FlowNew: "flow-new", FlowUpdate: "flow-update", FlowDestroy: "flow-destroy", FlowDumped: "flow-dumped",
	ExpectNew: "expect-new", ExpectDestroy: "expect-destroy", ExpectDumped: "expect-dumped",
	SyncStart: "sync-start", SyncDone: "sync-done", Lost: "lost", Malformed: "malformed",
}

func (k EventKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one conntrack message, decoded into the few fields ftpscope
// reads. Flow is set for Flow* kinds, Expect for Expect* kinds.
type Event struct {
	Kind EventKind
	// Time is when the watcher received the event.
	Time   time.Time
	Flow   Flow
	Expect Expect
	Err    error // Malformed only
}

// Flow is a conntrack entry: one connection, both directions.
type Flow struct {
	ID uint32
	// Orig is the connection as its first packet arrived; Reply is what
	// the answer looks like after translation (on a masquerading gateway
	// its destination is the gateway's public address).
	Orig, Reply Tuple
	// Master is the control connection's original tuple when this flow
	// was set up through one of its expectations (Status has StatusExpected).
	Master Tuple
	Helper string // "" when no helper is attached
	Zone   uint16
	Mark   uint32
	Status uint32
}

// Conntrack status bits (enum ip_conntrack_status) that ftpscope reads.
const (
	StatusExpected  = 1 << 0 // set up through an expectation
	StatusSeqAdjust = 1 << 6 // a helper changed a payload's length: sequence numbers are shifted
)

// Expected reports whether the flow was set up through an expectation.
func (f Flow) Expected() bool { return f.Status&StatusExpected != 0 }

// Expect is an expectation: a connection a helper announced.
type Expect struct {
	ID uint32
	// Master is the original tuple of the connection whose helper
	// created it (the FTP control connection).
	Master Tuple
	// Tuple and Mask describe the connections that match: every bit Mask
	// sets must equal Tuple's (FTP leaves the source port free).
	Tuple, Mask Tuple
	Helper      string
	Zone        uint16
	// Timeout is the time left when the event was sent.
	Timeout time.Duration
	// NAT is where nf_nat_ftp sends a matching connection. NATPort is
	// the port announced before the helper rewrote it; NATAddr is the
	// address when the kernel reports one (nf_nat_ftp leaves it unset and
	// takes it from the master: see Tracker). NATReply is the kernel's
	// direction of the expectation: true (reply) when a PORT or EPRT made
	// it, and the connection goes to the master's original source; false
	// when a 227 or 229 did, and it goes to the master's reply source.
	HasNAT   bool
	NATAddr  netip.Addr
	NATPort  uint16
	NATReply bool
	Flags    uint32
}
