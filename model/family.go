package model

import "net/netip"

// FamilyOf names an address's family as the report does ("ipv4",
// "ipv6"); an IPv4-mapped IPv6 address is an IPv4 host.
func FamilyOf(a netip.Addr) string {
	if a.Is4() || a.Is4In6() {
		return "ipv4"
	}
	return "ipv6"
}
