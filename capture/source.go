package capture

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Packet is one captured frame.
type Packet struct {
	// Data is the captured bytes; see the package documentation for how
	// long they stay valid.
	Data []byte
	Info gopacket.CaptureInfo
	// LinkType says how to decode Data.
	LinkType layers.LinkType
	// Source is the index of the packet's source among those being read.
	Source int
	// Frame is the 1-based number of the packet within its source, as
	// Wireshark and tcpdump count them.
	Frame uint64
	// Interface names the capture interface the packet came from, in a
	// source that has several (pcapng); "" otherwise. It travels with the
	// packet so that nothing downstream reads Info while the source is
	// still being read.
	Interface string
}

// ErrTimeout is returned by Next of a live source when no packet came
// within its read timeout: the caller gets a chance to run housekeeping on
// the wall clock, then calls Next again.
var ErrTimeout = errors.New("capture: read timeout")

// Source yields packets.
type Source interface {
	// Next returns the next packet, or io.EOF at the end. Any other error
	// ends the source too; what was read before it stays valid.
	Next() (Packet, error)
	// Info describes the source; its counters grow as packets are read.
	Info() *Info
	// Close releases the source. It also makes a blocked Next of a live
	// source return.
	Close() error
}

// Info describes a packet source and counts what came from it.
type Info struct {
	Label string // the vantage label the user gave, or the file's base name
	Kind  string // "file" or "live"
	Name  string // file path or interface name
	// LinkTypes lists the link types seen, first one first.
	LinkTypes []layers.LinkType
	// Interfaces names the capture interfaces by index, where known.
	Interfaces map[int]string
	Packets    uint64
	Bytes      uint64
	First      time.Time
	Last       time.Time
	// Received and Dropped are the kernel's counters of a live capture.
	Received uint64
	Dropped  uint64
	Warnings []string
}

// count records a packet in the source's counters.
func (in *Info) count(ci *gopacket.CaptureInfo, lt layers.LinkType) {
	in.Packets++
	in.Bytes += uint64(ci.CaptureLength)
	if in.First.IsZero() || ci.Timestamp.Before(in.First) {
		in.First = ci.Timestamp
	}
	if ci.Timestamp.After(in.Last) {
		in.Last = ci.Timestamp
	}
	if n := len(in.LinkTypes); n == 0 || in.LinkTypes[n-1] != lt {
		in.noteLinkType(lt)
	}
}

func (in *Info) noteLinkType(lt layers.LinkType) {
	for _, seen := range in.LinkTypes {
		if seen == lt {
			return
		}
	}
	in.LinkTypes = append(in.LinkTypes, lt)
}

// LinkTypeNames returns the link types in tcpdump's DLT names, joined by ",".
func (in *Info) LinkTypeNames() string {
	names := make([]string, len(in.LinkTypes))
	for i, lt := range in.LinkTypes {
		names[i] = LinkTypeName(lt)
	}
	return strings.Join(names, ",")
}

// LinkTypeName returns tcpdump's name for a link type ("EN10MB").
func LinkTypeName(lt layers.LinkType) string {
	switch lt {
	case layers.LinkTypeNull:
		return "NULL"
	case layers.LinkTypeEthernet:
		return "EN10MB"
	case layers.LinkTypeRaw, 12:
		return "RAW"
	case layers.LinkTypeLoop:
		return "LOOP"
	case layers.LinkTypeLinuxSLL:
		return "LINUX_SLL"
	case layers.LinkTypeLinuxSLL2:
		return "LINUX_SLL2"
	case layers.LinkTypeIPv4:
		return "IPV4"
	case layers.LinkTypeIPv6:
		return "IPV6"
	}
	return fmt.Sprintf("LINKTYPE_%d", int(lt))
}
