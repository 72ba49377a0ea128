package ctwatch

import (
	"net/netip"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// Entry is the conntrack entry of an FTP control connection.
type Entry struct {
	ID uint32
	// Orig is the connection as the client opened it; Reply is the
	// answer's direction after translation (a masquerading gateway's
	// public address as its destination).
	Orig, Reply Tuple
	Helper      string // "" when no helper is attached
	Zone        uint16
	Mark        uint32
	// SeqAdjusted: a helper changed a payload's length, and the kernel
	// shifts sequence numbers after it.
	SeqAdjusted bool
	// Seen is when the watcher first saw the entry; FromDump says it
	// existed when the watcher started (Seen is not its creation).
	Seen      time.Time
	FromDump  bool
	Destroyed time.Time // zero while the entry exists
}

// HasFTPHelper reports whether the FTP helper is attached: "ftp", or
// "ftp-PORT" for nf_conntrack_ftp's ports= parameter.
func (e *Entry) HasFTPHelper() bool { return isFTPHelper(e.Helper) }

func isFTPHelper(name string) bool { return name == "ftp" || strings.HasPrefix(name, "ftp-") }

// Model gives the entry as the report's session.conntrack.
func (e *Entry) Model() model.Conntrack {
	m := model.Conntrack{Tuple: e.Orig.String(), ReplyTuple: e.Reply.String(), Zone: e.Zone, Mark: e.Mark}
	if e.Helper != "" {
		h := e.Helper
		m.Helper = &h
	}
	return m
}

// Expectation is one expectation a helper created, and what became of it.
type Expectation struct {
	ID uint32
	// Master is the original tuple of the control connection.
	Master Tuple
	// Tuple and Mask: the connections that match (FTP: any source port).
	Tuple, Mask Tuple
	Helper      string
	Zone        uint16
	// NATTo is where nf_nat_ftp translates the data connection to;
	// invalid when the helper translates nothing.
	NATTo netip.AddrPort
	// Created is when the helper created it (when the watcher received
	// the event, or found it in the first dump if the event was still
	// queued then); zero when it existed before the watcher started. Seen
	// is when the watcher first had it.
	Created, Seen time.Time
	// Expires is when the kernel would remove it unused.
	Expires time.Time
	Removed time.Time // zero while it exists
	Outcome string    // model.Expectation*
	// Data is the original tuple of the connection that used it.
	Data Tuple
	// Inferred: its removal happened while events were lost; Removed and
	// Outcome come from the next dump, not from an event.
	Inferred bool

	gen uint64 // the last dump that listed it
}

// Announces reports whether ep, an endpoint read in a PORT, EPRT, 227 or
// 229 on either side of the gateway, is the one this expectation serves:
// its destination (the announcement as it crossed, rewritten) or its NAT
// target (as it was before).
func (x *Expectation) Announces(ep netip.AddrPort) bool {
	ep = unmap(ep)
	return ep == x.Tuple.Dst || (x.NATTo.IsValid() && ep == x.NATTo)
}

// Model gives the expectation as the report's channel.expectation.
func (x *Expectation) Model() model.Expectation {
	m := model.Expectation{
		Helper:  x.Helper,
		Tuple:   maskedString(x.Tuple, x.Mask),
		Created: model.At(x.Created),
		Outcome: x.Outcome,
	}
	if x.NATTo.IsValid() {
		m.NATTo = x.NATTo.String()
	}
	if !x.Removed.IsZero() {
		r := model.At(x.Removed)
		m.Removed = &r
	}
	return m
}
