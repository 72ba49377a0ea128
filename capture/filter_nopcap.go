//go:build !cgo || nopcap

package capture

import (
	"errors"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// HaveLibpcap reports whether this build links libpcap.
const HaveLibpcap = false

// ErrNoLibpcap is returned for filter expressions in a build without libpcap.
var ErrNoLibpcap = errors.New("capture filter expressions need libpcap, and this ftpscope was built without it (CGO_ENABLED=0 or -tags nopcap)")

func compileFilter(layers.LinkType, string) ([]bpf.RawInstruction, error) {
	return nil, ErrNoLibpcap
}
