package diagnose

import (
	"net/netip"

	"github.com/ftpscope/ftpscope/model"
)

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	linkLocal = netip.MustParsePrefix("169.254.0.0/16")
)

// isPrivate reports an address that cannot be reached across the internet:
// RFC 1918, RFC 6598 (carrier-grade NAT), link-local, fc00::/7, fe80::/10.
func isPrivate(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || cgnat.Contains(a) || linkLocal.Contains(a) || a.IsLinkLocalUnicast() || a.IsLoopback()
}

// parseEndpoint reads a report endpoint ("ip:port", "[ip]:port"), or
// takes it as the dissector knew it (model.AddrPortOf), unmapped.
func parseEndpoint(s string, known netip.AddrPort) (netip.AddrPort, bool) {
	ap, ok := model.AddrPortOf(s, known)
	if !ok {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// addrOf returns the address of an endpoint (see parseEndpoint).
func addrOf(s string, known netip.AddrPort) netip.Addr {
	ap, _ := parseEndpoint(s, known)
	return ap.Addr()
}

func sameFamily(a, b netip.Addr) bool { return a.Is4() == b.Is4() }
