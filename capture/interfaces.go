package capture

import (
	"net"
	"net/netip"
)

// InterfaceInfo describes an interface a live capture can open (ftpscope -D).
type InterfaceInfo struct {
	Name        string
	Description string
	Addresses   []netip.Prefix
	Up          bool
	Running     bool
	Loopback    bool
}

// Interfaces lists the interfaces a live capture can open, with their
// addresses: libpcap's list (pcap_findalldevs) in a build with it, the
// system's otherwise, with the "any" pseudo-interface on Linux.
func Interfaces() ([]InterfaceInfo, error) { return listInterfaces() }

// prefixOf is ip/mask as a prefix; a missing mask is a host route.
func prefixOf(ip net.IP, mask net.IPMask) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	bits := a.BitLen()
	if ones, size := mask.Size(); size == 8*len(mask) && len(mask) > 0 {
		bits = ones
		if a.Is4() && size == 128 {
			bits = ones - 96
		}
	}
	return netip.PrefixFrom(a, bits), bits >= 0 && bits <= a.BitLen()
}
