//go:build !cgo || nopcap

package capture

import (
	"net"
	"runtime"
)

func listInterfaces() ([]InterfaceInfo, error) { return systemInterfaces() }

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
