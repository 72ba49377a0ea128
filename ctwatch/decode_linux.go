package ctwatch

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
)

// decodeMessage turns one netlink message of the conntrack or expectation
// subsystem into an Event received at t.
func decodeMessage(m netlink.Message, t time.Time) (Event, error) {
	var ce conntrack.Event
	if err := ce.Unmarshal(m); err != nil {
		return Event{}, err
	}
	return convertEvent(ce, t)
}

func convertEvent(ce conntrack.Event, t time.Time) (Event, error) {
	ev := Event{Time: t}
	switch ce.Type {
	case conntrack.EventNew:
		ev.Kind = FlowNew
	case conntrack.EventUpdate:
		ev.Kind = FlowUpdate
	case conntrack.EventDestroy:
		ev.Kind = FlowDestroy
	case conntrack.EventExpNew:
		ev.Kind = ExpectNew
	case conntrack.EventExpDestroy:
		ev.Kind = ExpectDestroy
	default:
		return Event{}, fmt.Errorf("conntrack event of unknown type %d", ce.Type)
	}
	switch {
	case ce.Flow != nil:
		ev.Flow = convertFlow(*ce.Flow)
	case ce.Expect != nil:
		ev.Expect = convertExpect(*ce.Expect)
	default:
		return Event{}, fmt.Errorf("%s event without a body", ev.Kind)
	}
	return ev, nil
}

func convertFlow(f conntrack.Flow) Flow {
	return Flow{
		ID:     f.ID,
		Orig:   convertTuple(f.TupleOrig),
		Reply:  convertTuple(f.TupleReply),
		Master: convertTuple(f.TupleMaster),
		Helper: f.Helper.Name,
		Zone:   f.Zone,
		Mark:   f.Mark,
		Status: uint32(f.Status),
	}
}

func convertExpect(x conntrack.Expect) Expect {
	e := Expect{
		ID:      x.ID,
		Master:  convertTuple(x.TupleMaster),
		Tuple:   convertTuple(x.Tuple),
		Mask:    convertTuple(x.Mask),
		Helper:  x.HelpName,
		Zone:    x.Zone,
		Timeout: time.Duration(x.Timeout) * time.Second,
		Flags:   x.Flags,
	}
	// The kernel writes CTA_EXPECT_NAT only when it has something to say:
	// a saved address or port.
	if nat := x.NAT.Tuple; nat.IP.SourceAddress.IsValid() || nat.Proto.SourcePort != 0 {
		e.HasNAT = true
		e.NATPort = nat.Proto.SourcePort
		if a := nat.IP.SourceAddress; a.IsValid() && !a.IsUnspecified() {
			e.NATAddr = a.Unmap()
		}
		e.NATReply = x.NAT.Direction
	}
	return e
}

func convertTuple(t conntrack.Tuple) Tuple {
	if !t.IP.SourceAddress.IsValid() && !t.IP.DestinationAddress.IsValid() {
		return Tuple{}
	}
	return Tuple{
		Proto: t.Proto.Protocol,
		Src:   netip.AddrPortFrom(t.IP.SourceAddress, t.Proto.SourcePort),
		Dst:   netip.AddrPortFrom(t.IP.DestinationAddress, t.Proto.DestinationPort),
	}
}
