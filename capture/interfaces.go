package capture

import (
	"net"
	"net/netip"
	"runtime"
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

// systemInterfaces lists the interfaces the system has (net.Interfaces).
func systemInterfaces() ([]InterfaceInfo, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]InterfaceInfo, 0, len(ifs)+1)
	for _, i := range ifs {
		in := InterfaceInfo{Name: i.Name, Up: i.Flags&net.FlagUp != 0, Running: i.Flags&net.FlagRunning != 0,
			Loopback: i.Flags&net.FlagLoopback != 0}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if p, ok := prefixOf(n.IP, n.Mask); ok {
					in.Addresses = append(in.Addresses, p)
				}
			}
		}
		out = append(out, in)
	}
	if runtime.GOOS == "linux" {
		out = append(out, InterfaceInfo{Name: "any", Description: "every interface, with Linux cooked v2 headers", Up: true, Running: true})
	}
	return out, nil
}

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
