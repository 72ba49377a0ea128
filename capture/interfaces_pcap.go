//go:build cgo && !nopcap

package capture

import "github.com/gopacket/gopacket/pcap"

// libpcap's PCAP_IF_* flags.
const (
	pcapIfLoopback = 0x1
	pcapIfUp       = 0x2
	pcapIfRunning  = 0x4
)

func listInterfaces() ([]InterfaceInfo, error) {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, err
	}
	out := make([]InterfaceInfo, 0, len(devs))
	for _, d := range devs {
		in := InterfaceInfo{Name: d.Name, Description: d.Description, Up: d.Flags&pcapIfUp != 0,
			Running: d.Flags&pcapIfRunning != 0, Loopback: d.Flags&pcapIfLoopback != 0}
		for _, a := range d.Addresses {
			if p, ok := prefixOf(a.IP, a.Netmask); ok {
				in.Addresses = append(in.Addresses, p)
			}
		}
		out = append(out, in)
	}
	return out, nil
}
