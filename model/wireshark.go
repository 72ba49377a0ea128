package model

import (
	"net/netip"
	"slices"
	"strconv"
)

// WiresharkFilter returns the Wireshark display filter that selects the
// packets of an FTP session: the control connection and every data
// connection tied to it, of each leg given (the two legs of a NAT pair), in
// that order, each connection once. A connection is selected by its two
// endpoints, as Wireshark's own conversation filter does:
//
//	(ip.addr==192.168.1.10 && tcp.port==53886 && ip.addr==203.0.113.20 && tcp.port==21) || …
//
// Wireshark ties neither a translated nor a port-20-less data connection to
// its control connection; this filter does. ICMP errors that quote one of
// these connections match too (Wireshark dissects the quoted headers), as
// they are part of the -w slice. It is "" when no endpoint parses.
func WiresharkFilter(legs ...*Session) string {
	// Built in a stack buffer, with the connections seen in a small array:
	// one allocation for the filter of a session of a few connections.
	var buf [1024]byte
	var seenBuf [8][2]netip.AddrPort
	b, seen := buf[:0], seenBuf[:0]
	add := func(x, y string, knownX, knownY netip.AddrPort) {
		a, ok1 := AddrPortOf(x, knownX)
		c, ok2 := AddrPortOf(y, knownY)
		if !ok1 || !ok2 {
			return
		}
		if c.Compare(a) < 0 {
			a, c = c, a
		}
		k := [2]netip.AddrPort{a, c}
		if slices.Contains(seen, k) {
			return
		}
		seen = append(seen, k)
		if len(b) > 0 {
			b = append(b, " || "...)
		}
		b = append(b, '(')
		b = appendEndpointTerm(b, a)
		b = append(b, " && "...)
		b = appendEndpointTerm(b, c)
		b = append(b, ')')
	}
	for _, s := range legs {
		if s == nil {
			continue
		}
		add(s.Client, s.Server, s.ClientAddrPort, s.ServerAddrPort)
		for i := range s.Channels {
			if c := s.Channels[i].Connection; c != nil {
				add(c.Initiator, c.Responder, c.InitiatorAddrPort, c.ResponderAddrPort)
			}
		}
	}
	return string(b)
}

// appendEndpointTerm appends "ip.addr==A && tcp.port==P" (ipv6.addr for IPv6).
func appendEndpointTerm(b []byte, ap netip.AddrPort) []byte {
	addr := ap.Addr()
	if addr.Is4() {
		b = append(b, "ip.addr=="...)
		b = addr.AppendTo(b)
	} else { // an IPv4-mapped address came in an IPv6 header
		b = append(b, "ipv6.addr=="...)
		b = addr.WithZone("").AppendTo(b)
	}
	b = append(b, " && tcp.port=="...)
	return strconv.AppendUint(b, uint64(ap.Port()), 10)
}
