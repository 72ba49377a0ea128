package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ftpscope/ftpscope/capture"
)

// openLive opens every -i interface with the capture filter compiled into
// the kernel.
func openLive(o *options) ([]capture.Source, error) {
	var out []capture.Source
	fail := func(err error) ([]capture.Source, error) {
		for _, s := range out {
			s.Close()
		}
		return nil, err
	}
	for i, a := range o.ifaces {
		l, err := capture.OpenLive(liveConfig(o, i, a))
		if err != nil {
			var pe *capture.PermissionError
			if errors.As(err, &pe) {
				return fail(permissionError(a.name))
			}
			var fe *capture.FilterError
			if errors.As(err, &fe) {
				return fail(fe)
			}
			return fail(fmt.Errorf("%s: cannot capture: %v", a.name, err))
		}
		out = append(out, l)
	}
	return out, nil
}

// liveConfig is the capture of one -i: tcpdump's -p, -s and -B, the
// capture library's defaults otherwise.
func liveConfig(o *options, i int, a sourceArg) capture.LiveConfig {
	c := capture.LiveConfig{Label: a.label, Interface: a.name, Filter: o.filter, Index: i, Promiscuous: !o.noPromisc}
	if o.snapLen > 0 {
		c.SnapLen = o.snapLen
	}
	if o.bufferKiB > 0 {
		c.BufferSize = o.bufferKiB << 10
	}
	return c
}

// permissionError is the one line that tells how to get the right to
// capture.
func permissionError(iface string) error {
	exe, err := os.Executable()
	if err != nil {
		exe = "/path/to/ftpscope"
	}
	return fmt.Errorf("%s: capturing needs root or the CAP_NET_RAW capability: run ftpscope as root, or grant it with 'setcap cap_net_raw,cap_net_admin=eip %s'", iface, exe)
}
