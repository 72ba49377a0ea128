//go:build !linux && (!cgo || nopcap)

package capture

import "errors"

// LiveBackend names the capture library of this build: none.
const LiveBackend = ""

// OpenLive fails: without libpcap, live capture exists only on Linux.
func OpenLive(cfg LiveConfig) (*Live, error) {
	return nil, errors.New("live capture needs libpcap on this platform, and this ftpscope was built without it (CGO_ENABLED=0 or -tags nopcap)")
}
