package model

import (
	"net/netip"
	"strconv"
	"strings"
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
	var b strings.Builder
	seen := make(map[[2]netip.AddrPort]bool, 4)
	add := func(x, y string) {
		a, err1 := netip.ParseAddrPort(x)
		c, err2 := netip.ParseAddrPort(y)
		if err1 != nil || err2 != nil {
			return
		}
		if c.Compare(a) < 0 {
			a, c = c, a
		}
		k := [2]netip.AddrPort{a, c}
		if seen[k] {
			return
		}
		seen[k] = true
		if b.Len() > 0 {
			b.WriteString(" || ")
		}
		b.WriteByte('(')
		endpointTerm(&b, a)
		b.WriteString(" && ")
		endpointTerm(&b, c)
		b.WriteByte(')')
	}
	for _, s := range legs {
		if s == nil {
			continue
		}
		add(s.Client, s.Server)
		for i := range s.Channels {
			if c := s.Channels[i].Connection; c != nil {
				add(c.Initiator, c.Responder)
			}
		}
	}
	return b.String()
}

// endpointTerm writes "ip.addr==A && tcp.port==P" (ipv6.addr for IPv6).
func endpointTerm(b *strings.Builder, ap netip.AddrPort) {
	addr := ap.Addr()
	if addr.Is4() {
		b.WriteString("ip.addr==")
		b.WriteString(addr.String())
	} else { // an IPv4-mapped address came in an IPv6 header

		b.WriteString("ipv6.addr==")
		b.WriteString(addr.WithZone("").String())
	}
	b.WriteString(" && tcp.port==")
	b.WriteString(strconv.Itoa(int(ap.Port())))
}
