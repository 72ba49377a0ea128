package ctwatch

import (
	"net/netip"
	"strconv"
)

// protoTCP is the only layer-4 protocol FTP uses.
const protoTCP = 6

// Tuple is one direction of a connection as conntrack sees it: protocol,
// source and destination. In an expectation's tuple a zero port (or an
// unspecified address) may be a wildcard; its Mask says which.
type Tuple struct {
	Proto uint8
	Src   netip.AddrPort
	Dst   netip.AddrPort
}

// TCP returns the TCP tuple from src to dst.
func TCP(src, dst netip.AddrPort) Tuple { return Tuple{Proto: protoTCP, Src: src, Dst: dst} }

// Reverse returns the tuple of the other direction.
func (t Tuple) Reverse() Tuple { return Tuple{Proto: t.Proto, Src: t.Dst, Dst: t.Src} }

// IsValid reports whether both endpoints are set.
func (t Tuple) IsValid() bool { return t.Src.IsValid() && t.Dst.IsValid() }

// String gives "192.168.1.10:40312 → 203.0.113.20:21" (IPv6 in brackets).
func (t Tuple) String() string {
	return endpointString(t.Src) + " → " + endpointString(t.Dst)
}

// maskedString writes an expectation's tuple as report.md shows it: a part
// the mask leaves free is left out ("203.0.113.20 → 203.0.113.1:39185" when
// any source port matches), a fully free address is "*".
func maskedString(t, mask Tuple) string {
	if !mask.Src.Addr().IsValid() && !mask.Dst.Addr().IsValid() {
		return t.String() // no mask known: all of it
	}
	return maskedEndpoint(t.Src, mask.Src) + " → " + maskedEndpoint(t.Dst, mask.Dst)
}

func maskedEndpoint(ep, mask netip.AddrPort) string {
	addrFree := !mask.Addr().IsValid() || mask.Addr().IsUnspecified()
	portFree := mask.Port() == 0
	switch {
	case addrFree && portFree:
		return "*"
	case addrFree:
		return "*:" + strconv.Itoa(int(ep.Port()))
	case portFree:
		return ep.Addr().String()
	}
	return endpointString(ep)
}

func endpointString(ep netip.AddrPort) string {
	if !ep.IsValid() {
		return "?"
	}
	return ep.String()
}

// matches reports whether the connection tuple c falls within the
// expectation tuple e under mask m, as the kernel's nf_ct_tuple_mask_cmp
// decides it: every bit the mask sets must be equal.
func matches(c, e, m Tuple) bool {
	if c.Proto != e.Proto {
		return false
	}
	return endpointMatches(c.Src, e.Src, m.Src) && endpointMatches(c.Dst, e.Dst, m.Dst)
}

func endpointMatches(c, e, m netip.AddrPort) bool {
	if (c.Port()^e.Port())&m.Port() != 0 {
		return false
	}
	if !m.Addr().IsValid() || m.Addr().IsUnspecified() {
		return true // the mask leaves the address free
	}
	cb, eb, mb := c.Addr().AsSlice(), e.Addr().AsSlice(), m.Addr().AsSlice()
	if len(cb) != len(eb) || len(cb) != len(mb) {
		return false
	}
	for i := range cb {
		if (cb[i]^eb[i])&mb[i] != 0 {
			return false
		}
	}
	return true
}

// connKey names a connection whichever direction its tuple is written in:
// the capture sees both directions of a control connection, and on a NAT
// gateway both its legs, while conntrack keys it by its original tuple.
type connKey struct {
	proto uint8
	a, b  netip.AddrPort
}

func keyOf(t Tuple) connKey {
	a, b := unmap(t.Src), unmap(t.Dst)
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return connKey{proto: t.Proto, a: a, b: b}
}

// unmap makes a v4-mapped IPv6 address (as a dual-stack capture may show
// it) equal to the IPv4 address conntrack reports.
func unmap(ep netip.AddrPort) netip.AddrPort {
	if ep.Addr().Is4In6() {
		return netip.AddrPortFrom(ep.Addr().Unmap(), ep.Port())
	}
	return ep
}
