package model

import "net/netip"

// AddrPortOf returns an endpoint of the report ("ip:port", "[ip]:port"):
// known, the dissector's value, when it is valid (text is then its
// String), else text parsed. ok is false when text does not parse.
func AddrPortOf(text string, known netip.AddrPort) (ap netip.AddrPort, ok bool) {
	if known.IsValid() {
		return known, true
	}
	ap, err := netip.ParseAddrPort(text)
	return ap, err == nil
}
